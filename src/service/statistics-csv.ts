/**
 * Item statistics as one CSV (RFC 4180, formula-safe cells): a row for the exam, one per item, one
 * per step, one per misconception at a step. `level` says which; columns a level has no figure
 * for are blank.
 */
import type { Statistics } from '../stats/compute.js';
import { csvCell } from './exam-results.js';

const COLUMNS = [
  'level', 'item', 'step', 'topic', 'misconception', 'n', 'max_mark', 'facility', 'sd', 'discrimination', 'discriminative_efficiency',
  'ecf_share', 'invalid_rate', 'occurrences', 'rate', 'correlation_with_total', 'mean', 'median', 'alpha', 'unreliable',
] as const;

type Row = Partial<Record<(typeof COLUMNS)[number], unknown>>;

export function statisticsCsv(s: Statistics): string {
  const rows: Row[] = [
    { level: 'exam', n: s.summary.n, max_mark: s.summary.maxScore, sd: s.summary.sd, mean: s.summary.mean, median: s.summary.median, alpha: s.summary.alpha, unreliable: s.summary.unreliable },
  ];
  const fig = (f: Statistics['steps'][number] | Statistics['items'][number]): Row => ({
    item: f.item,
    topic: f.topic,
    n: f.n,
    max_mark: f.maxMark,
    facility: f.facility,
    sd: f.sd,
    discrimination: f.discrimination,
    discriminative_efficiency: f.discriminativeEfficiency,
    ecf_share: f.ecfShare,
    invalid_rate: f.invalidRate,
    unreliable: f.unreliable,
  });
  for (const it of s.items) {
    rows.push({ level: 'item', ...fig(it) });
    for (const st of s.steps.filter((x) => x.item === it.item)) rows.push({ level: 'step', step: st.step, ...fig(st) });
  }
  for (const m of s.misconceptions) {
    rows.push({ level: 'misconception', item: m.item, step: m.step, misconception: m.misconception, occurrences: m.occurrences, rate: m.rate, correlation_with_total: m.correlationWithTotal, unreliable: m.unreliable });
  }
  return [COLUMNS.join(','), ...rows.map((r) => COLUMNS.map((c) => csvCell(r[c])).join(','))].join('\r\n') + '\r\n';
}
