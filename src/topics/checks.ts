/** Cross-field parameter checks the topics share; each failure names the field. */
import type { Matrix, Vector } from '../core/values.js';
import { paramsError } from '../solvers/params.js';
import type { Assume } from '../solvers/topic.js';

/** Every row has the same length; returns [rows, cols]. */
export function rectangular(name: string, m: Matrix): [number, number] {
  const cols = m[0].length;
  m.forEach((row, i) => {
    if (row.length !== cols) paramsError(`${name}[${i}]`, `has ${row.length} entries; row 0 has ${cols} (the matrix must be rectangular)`);
  });
  return [m.length, cols];
}

export function sameLength(name: string, v: readonly unknown[], otherName: string, other: readonly unknown[]): void {
  if (v.length !== other.length) paramsError(name, `has ${v.length} entries but ${otherName} has ${other.length}; they must match`);
}

export function dims(name: string, m: Matrix, rows: number, cols: number, why: string): void {
  const [r, c] = rectangular(name, m);
  if (r !== rows || c !== cols) paramsError(name, `is ${r}×${c} but must be ${rows}×${cols} (${why})`);
}

/**
 * The slack for probabilities an exam printed rounded to two decimals: a sum within 0.02 of 1
 * (0.98 … 1.02, e.g. 0.33 + 0.33 + 0.33 = 0.99) is taken as rounding. A topic opts in per field.
 */
export const ROUNDING_SLACK = 0.02;

/** How loose a distribution a topic accepts for one field, and what it then assumes. */
export interface Looseness {
  assume: Assume;
  /** A sum at most this far from 1 is taken as rounding. */
  slack: number;
  /** What the topic does with a sum within the slack, ending a sentence: "so the values are used as given". */
  rounded: string;
  /**
   * When set, a sum below 1 − slack (and above 0) is taken as outcomes left out of the list, e.g. a
   * class an exam did not list; what the topic then does, ending a sentence. Unset: refused.
   */
  leftOut?: string;
}

const shown = (x: number): number => +x.toPrecision(10);

/**
 * A probability vector: entries in [0, 1] summing to 1 (to 1e-6, so 0.33/0.33/0.34 passes). With
 * `loose`, a sum within its slack, or below 1 when the topic takes that as outcomes left out, is
 * accepted and the assumption recorded; anything else is still refused naming the field.
 */
export function distribution(name: string, v: Vector, loose?: Looseness): void {
  v.forEach((x, i) => {
    if (!Number.isFinite(x)) paramsError(`${name}[${i}]`, `is ${x}; a probability is a finite number`);
    if (x < 0 || x > 1) paramsError(`${name}[${i}]`, `is ${x}; probabilities lie in [0, 1]`);
  });
  const total = v.reduce((a, b) => a + b, 0);
  const off = Math.abs(total - 1);
  if (off <= 1e-6) return;
  if (loose && off <= loose.slack) {
    loose.assume(name, `the entries of ${name} sum to ${shown(total)}, not 1: taken as rounding (within ${loose.slack} of 1), ${loose.rounded}.`);
    return;
  }
  if (loose?.leftOut && total < 1 && total > 0) {
    loose.assume(name, `the entries of ${name} sum to ${shown(total)}, not 1: the remaining ${shown(1 - total)} is taken to belong to outcomes not listed, and ${loose.leftOut}.`);
    return;
  }
  const allowed = loose ? ` (to within ${loose.slack}, for rounding${loose.leftOut ? '; or below 1, with outcomes left out' : ''})` : '';
  paramsError(name, `sums to ${shown(total)}; a distribution sums to 1${allowed}`);
}
