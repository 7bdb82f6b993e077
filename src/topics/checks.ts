/** Cross-field parameter checks the topics share; each failure names the field. */
import type { Matrix, Vector } from '../core/values.js';
import { paramsError } from '../solvers/params.js';

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

/** A probability vector: entries in [0, 1] summing to 1 (to 1e-6, so 0.33/0.33/0.34 passes). */
export function distribution(name: string, v: Vector): void {
  v.forEach((x, i) => {
    if (x < 0 || x > 1) paramsError(`${name}[${i}]`, `is ${x}; probabilities lie in [0, 1]`);
  });
  const total = v.reduce((a, b) => a + b, 0);
  if (Math.abs(total - 1) > 1e-6) paramsError(name, `sums to ${+total.toPrecision(10)}; a distribution sums to 1`);
}
