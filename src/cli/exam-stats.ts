/**
 * `stepwise exam stats <exam> [--json] [--csv]`: the exam's item statistics (src/stats), the same
 * object GET /api/v1/exams/{id}/statistics returns: `steps` holds one entry per item and step,
 * each with `item`, `step` and the figures.
 */
import type { Command } from 'commander';
import { getExam } from '../service/exams.js';
import { examStatistics } from '../service/statistics.js';
import { statisticsCsv } from '../service/statistics-csv.js';
import type { Statistics } from '../stats/compute.js';
import { action, print } from './action.js';
import { withExamStore } from './exam.js';

export function register(exam: Command): void {
  exam
    .command('stats')
    .description("item statistics: per step, item and misconception (facility, sd, discrimination, discriminative efficiency, ECF share, invalid rate), the exam's mean, median, sd and Cronbach's α")
    .argument('<exam>', 'the exam id')
    .option('--json', 'print JSON (one entry per item and step under "steps")')
    .option('--csv', 'print CSV (as GET /api/v1/exams/{id}/statistics?format=csv)')
    .action(
      action(async (id: string, o: { json?: boolean; csv?: boolean }) => {
        const s = await withExamStore(async (store) => examStatistics(store, await getExam(store, id)));
        if (o.csv && !o.json) process.stdout.write(statisticsCsv(s));
        else print(o.json === true, s, () => statisticsText(s));
      }),
    );
}

const f = (x: number | null, digits = 2): string => (x === null ? '—' : x.toFixed(digits));
const pad = (s: string, n: number): string => (s.length >= n ? s : s + ' '.repeat(n - s.length));
const lpad = (s: string, n: number): string => (s.length >= n ? s : ' '.repeat(n - s.length) + s);

/** A terminal table: the exam, then per item and its steps, then misconceptions. */
export function statisticsText(s: Statistics & { scope: { title: string } }): string {
  const m = s.summary;
  const out = [
    `${s.scope.title}: ${m.n} ${m.n === 1 ? 'student' : 'students'}${m.unreliable ? ` (fewer than ${s.minReliableN}: figures unreliable)` : ''}`,
    `mean ${f(m.mean)} / ${f(m.maxScore)}, median ${f(m.median)}, sd ${f(m.sd)}, Cronbach's α ${f(m.alpha)}`,
    '',
    `${pad('item / step', 28)}${['n', 'facility', 'sd', 'discr.', 'd.eff.', 'ECF', 'invalid'].map((h) => lpad(h, 9)).join('')}`,
  ];
  const row = (label: string, x: Statistics['steps'][number] | Statistics['items'][number]) =>
    `${pad(label, 28)}${[String(x.n), f(x.facility), f(x.sd), f(x.discrimination, 1), f(x.discriminativeEfficiency, 1), f(x.ecfShare), f(x.invalidRate)].map((v) => lpad(v, 9)).join('')}`;
  for (const it of s.items) {
    out.push(row(`${it.item}. ${it.topic}`.slice(0, 27), it));
    for (const st of s.steps.filter((x) => x.item === it.item)) out.push(row(`   ${st.step}`.slice(0, 27), st));
  }
  if (s.misconceptions.length > 0) {
    out.push('', 'misconceptions (item, step: id — occurrences, rate, r with total)');
    for (const x of s.misconceptions) out.push(`  ${x.item}, ${x.step}: ${x.misconception} — ${x.occurrences}, ${f(x.rate)}, ${f(x.correlationWithTotal)}`);
  }
  return out.join('\n');
}
