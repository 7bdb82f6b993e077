/**
 * Element-wise comparison of an answer with a reference value, under one tolerance. Walks nested
 * arrays directly (Array.prototype.flat allocates and was most of grading's time).
 */
import { withinTolerance, type Tolerance } from '../core/tolerance.js';
import type { Value } from '../core/values.js';

export interface Comparison {
  /** Elements within tolerance. Masked (−∞) entries answered as masked are not counted. */
  right: number;
  total: number;
  /** Flat (row-major) index of the first wrong element, or −1. */
  firstWrong: number;
}

/** `answer` must already have the reference's shape (readAnswer checks it). */
export function compareValues(answer: Value, reference: Value, tol: Tolerance): Comparison {
  const c: Comparison = { right: 0, total: 0, firstWrong: -1 };
  if (typeof reference === 'string') {
    const ok = answer === reference;
    return { right: ok ? 1 : 0, total: 1, firstWrong: ok ? -1 : 0 };
  }
  if (typeof reference === 'number') {
    tally(c, answer as number, reference, tol, 0);
    return c;
  }
  let k = 0;
  for (let i = 0; i < reference.length; i++) {
    const r = reference[i];
    const a = (answer as (number | number[])[])[i];
    if (typeof r === 'number') tally(c, a as number, r, tol, k++);
    else for (let j = 0; j < r.length; j++) tally(c, (a as number[])[j], r[j], tol, k++);
  }
  return c;
}

function tally(c: Comparison, a: number, r: number, tol: Tolerance, k: number): void {
  const ok = withinTolerance(a, r, tol);
  // A correctly masked entry is structure, not a computed number: it earns nothing by itself.
  if (ok && r === -Infinity) return;
  c.total++;
  if (ok) c.right++;
  else if (c.firstWrong < 0) c.firstWrong = k;
}

export function allRight(c: Comparison): boolean {
  return c.right === c.total;
}
