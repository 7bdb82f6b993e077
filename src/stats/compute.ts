/**
 * Item statistics, pure: from each respondent's step marks and outcome notes to per-step, per-item,
 * per-misconception and whole-exam figures (Moodle's quiz statistics, per step as well as per
 * item). Knows nothing of the store: src/service/statistics.ts decides who the respondents are.
 */
import { misconceptionOf } from '../solvers/outcome.js';
import { correlation, covariance, cronbachAlpha, maxCovariance, mean, median, sd, sum } from './moments.js';

/** Below this many respondents every figure is shown but flagged `unreliable`. */
export const MIN_RELIABLE_N = 20;

/** One graded step of one respondent. `mark` is the credit earned, `max` the step's marks. */
export interface StepResponse {
  /** 1-based item position (an exam item; a topic in a practice pool). */
  item: number;
  step: string;
  note: string;
  mark: number;
  max: number;
}

/** A student (exam: their counted attempt at each item) or one attempt (practice). */
export interface Respondent {
  id: string;
  steps: StepResponse[];
}

export interface ItemLayout {
  item: number;
  /** What the item is: its topic (or topics, when versions differ at this position). */
  label: string;
  /** Its steps, in the order asked. */
  steps: string[];
}

/**
 * What "the rest" is that a mark is correlated with: `exam` — the respondent's total less the whole
 * item the step belongs to (Moodle's discrimination index); `item` — the rest of the same item
 * (practice pools, where an attempt is one item and has no rest of exam).
 */
export type RestOf = 'exam' | 'item';

export interface Figures {
  n: number;
  /** The mean of the maximum marks (the same for every respondent unless versions differ). */
  maxMark: number;
  /** Σ mark / Σ max: the mean mark over the mean maximum, 0..1. */
  facility: number | null;
  /** Sample SD (n − 1) of mark / max, on facility's scale. */
  sd: number | null;
  /** 100 · r(mark, rest); null where either does not vary (the correlation is undefined). */
  discrimination: number | null;
  /** 100 · cov(mark, rest) / the covariance of the same values sorted alike; null where that is 0. */
  discriminativeEfficiency: number | null;
  /** Share of the credit earned that was earned as `carried` (ECF); null when no credit was earned. */
  ecfShare: number | null;
  /** Share of step answers that could not be read (`invalid:*`). */
  invalidRate: number | null;
  /** How many step answers had each outcome note. */
  notes: Record<string, number>;
  unreliable: boolean;
}

export interface StepFigures extends Figures {
  item: number;
  step: string;
  topic: string;
}

export interface ItemFigures extends Figures {
  item: number;
  step: null;
  topic: string;
}

export interface MisconceptionAtStep {
  item: number;
  step: string;
  misconception: string;
  /** Respondents whose answer to this step was this misconception. */
  occurrences: number;
  /** occurrences / the step's n. */
  rate: number;
  /** r(this misconception at this step: 1/0, the respondent's total); null where either does not vary. */
  correlationWithTotal: number | null;
  unreliable: boolean;
}

export interface MisconceptionTotal {
  misconception: string;
  occurrences: number;
  /** Respondents with it at least once. */
  respondents: number;
  /** r(had it anywhere: 1/0, total). */
  correlationWithTotal: number | null;
}

export interface Summary {
  n: number;
  /** The mean of the respondents' maximum totals. */
  maxScore: number;
  mean: number | null;
  median: number | null;
  sd: number | null;
  /** Cronbach's α over the items (exam only: every respondent has every item); null where undefined. */
  alpha: number | null;
  /** Totals as a percentage of their maximum, in ten bins: [0, 10), …, [90, 100]. */
  histogram: { from: number; to: number; count: number }[];
  unreliable: boolean;
}

export interface Statistics {
  minReliableN: number;
  summary: Summary;
  items: ItemFigures[];
  steps: StepFigures[];
  misconceptions: MisconceptionAtStep[];
  misconceptionTotals: MisconceptionTotal[];
}

interface Cell {
  r: number; // respondent index
  mark: number;
  max: number;
  note: string;
}

export function computeStatistics(layout: readonly ItemLayout[], respondents: readonly Respondent[], rest: RestOf): Statistics {
  const totals = respondents.map((p) => sum(p.steps.map((s) => s.mark)));
  const maxima = respondents.map((p) => sum(p.steps.map((s) => s.max)));
  // cells[item][step] and itemCells[item]: each respondent's answers, by respondent index.
  const stepCells = new Map<string, Cell[]>();
  const itemCells = new Map<number, Map<number, Cell[]>>();
  respondents.forEach((p, r) => {
    for (const s of p.steps) {
      const key = `${s.item}\u0000${s.step}`;
      const cell = { r, mark: s.mark, max: s.max, note: s.note };
      (stepCells.get(key) ?? stepCells.set(key, []).get(key)!).push(cell);
      const byR = itemCells.get(s.item) ?? itemCells.set(s.item, new Map()).get(s.item)!;
      (byR.get(r) ?? byR.set(r, []).get(r)!).push(cell);
    }
  });
  const itemMark = (item: number, r: number): number => sum((itemCells.get(item)?.get(r) ?? []).map((c) => c.mark));

  const steps: StepFigures[] = [];
  const items: ItemFigures[] = [];
  const misconceptions: MisconceptionAtStep[] = [];
  for (const it of layout) {
    for (const step of it.steps) {
      const cells = stepCells.get(`${it.item}\u0000${step}`) ?? [];
      const restOf = (c: Cell): number => (rest === 'exam' ? totals[c.r] - itemMark(it.item, c.r) : itemMark(it.item, c.r) - c.mark);
      steps.push({ item: it.item, step, topic: it.label, ...figures(cells, restOf) });
      misconceptions.push(...misconceptionsAt(it.item, step, cells, totals));
    }
    const perRespondent = [...(itemCells.get(it.item) ?? new Map<number, Cell[]>())].map(([r, cs]): Cell & { cells: Cell[] } => ({
      r,
      mark: sum(cs.map((c) => c.mark)),
      max: sum(cs.map((c) => c.max)),
      note: '',
      cells: cs,
    }));
    const f = figures(perRespondent, (c) => totals[c.r] - c.mark, rest === 'exam');
    // The item's notes, ECF share and invalid rate are over its step answers, not its totals.
    const answers = perRespondent.flatMap((c) => c.cells);
    const byAnswer = figures(answers, () => 0, false);
    items.push({ item: it.item, step: null, topic: it.label, ...f, notes: byAnswer.notes, ecfShare: byAnswer.ecfShare, invalidRate: byAnswer.invalidRate });
  }

  const n = respondents.length;
  const complete = rest === 'exam' && respondents.every((_, r) => layout.every((it) => itemCells.get(it.item)?.has(r) ?? false));
  return {
    minReliableN: MIN_RELIABLE_N,
    summary: {
      n,
      maxScore: mean(maxima) ?? 0,
      mean: mean(totals),
      median: median(totals),
      sd: sd(totals),
      alpha: complete ? cronbachAlpha(respondents.map((_, r) => layout.map((it) => itemMark(it.item, r)))) : null,
      histogram: histogram(totals.map((t, r) => (maxima[r] > 0 ? (100 * t) / maxima[r] : 0))),
      unreliable: n < MIN_RELIABLE_N,
    },
    items,
    steps,
    misconceptions,
    misconceptionTotals: misconceptionTotals(respondents, totals),
  };
}

/** Figures of one step or item over its cells; `restOf` gives each cell's rest (discrimination's other variable). */
function figures(cells: readonly Cell[], restOf: (c: Cell) => number, discriminate = true): Figures {
  const n = cells.length;
  const marks = cells.map((c) => c.mark);
  const maxSum = sum(cells.map((c) => c.max));
  const rests = cells.map(restOf);
  const cov = discriminate ? covariance(marks, rests) : null;
  const cmax = discriminate ? maxCovariance(marks, rests) : null;
  const r = discriminate ? correlation(marks, rests) : null;
  const credit = sum(marks);
  const notes: Record<string, number> = {};
  for (const c of cells) notes[c.note] = (notes[c.note] ?? 0) + 1;
  const carried = sum(cells.filter((c) => c.note === 'carried').map((c) => c.mark));
  const invalid = cells.filter((c) => c.note.startsWith('invalid:')).length;
  return {
    n,
    maxMark: n === 0 ? 0 : maxSum / n,
    facility: maxSum > 0 ? credit / maxSum : null,
    sd: sd(cells.map((c) => (c.max > 0 ? c.mark / c.max : 0))),
    discrimination: r === null ? null : 100 * r,
    discriminativeEfficiency: cov === null || cmax === null ? null : 100 * (cov / cmax),
    ecfShare: credit > 0 ? carried / credit : null,
    invalidRate: n === 0 ? null : invalid / n,
    notes,
    unreliable: n < MIN_RELIABLE_N,
  };
}

function misconceptionsAt(item: number, step: string, cells: readonly Cell[], totals: readonly number[]): MisconceptionAtStep[] {
  const ids = [...new Set(cells.map((c) => misconceptionOf(c.note)).filter((m): m is string => m !== undefined))].sort();
  const everyone = totals.map((_, r) => r);
  return ids.map((id) => {
    const hit = new Set(cells.filter((c) => misconceptionOf(c.note) === id).map((c) => c.r));
    return {
      item,
      step,
      misconception: id,
      occurrences: hit.size,
      rate: hit.size / cells.length,
      // Over every respondent: one who was not asked the step did not show the misconception there.
      correlationWithTotal: correlation(everyone.map((r) => (hit.has(r) ? 1 : 0)), totals as number[]),
      unreliable: cells.length < MIN_RELIABLE_N,
    };
  });
}

function misconceptionTotals(respondents: readonly Respondent[], totals: readonly number[]): MisconceptionTotal[] {
  const counts = new Map<string, { occurrences: number; who: Set<number> }>();
  respondents.forEach((p, r) => {
    for (const s of p.steps) {
      const id = misconceptionOf(s.note);
      if (id === undefined) continue;
      const c = counts.get(id) ?? counts.set(id, { occurrences: 0, who: new Set() }).get(id)!;
      c.occurrences++;
      c.who.add(r);
    }
  });
  return [...counts]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([id, c]) => ({
      misconception: id,
      occurrences: c.occurrences,
      respondents: c.who.size,
      correlationWithTotal: correlation(totals.map((_, r) => (c.who.has(r) ? 1 : 0)), totals as number[]),
    }));
}

/** Ten bins of 10 percentage points; 100 % falls in the last. */
function histogram(percents: readonly number[]): Summary['histogram'] {
  const bins = Array.from({ length: 10 }, (_, i) => ({ from: 10 * i, to: 10 * (i + 1), count: 0 }));
  for (const p of percents) bins[Math.min(9, Math.max(0, Math.floor(p / 10 + 1e-9)))].count++;
  return bins;
}
