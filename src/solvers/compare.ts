/** Element-wise comparison of an answer with a reference value, under one tolerance. */
import { withinTolerance, type Tolerance } from '../core/tolerance.js';
import { flatten, type Matrix, type Value, type Vector } from '../core/values.js';

export interface Comparison {
  /** Elements within tolerance. Masked (−∞) entries answered as masked are not counted. */
  right: number;
  total: number;
  /** Flat index of the first wrong element, or −1. */
  firstWrong: number;
}

export function compareValues(answer: Value, reference: Value, tol: Tolerance): Comparison {
  if (typeof reference === 'string') {
    const ok = answer === reference;
    return { right: ok ? 1 : 0, total: 1, firstWrong: ok ? -1 : 0 };
  }
  const a = flatten(answer as number | Vector | Matrix);
  const r = flatten(reference);
  let right = 0;
  let total = 0;
  let firstWrong = -1;
  for (let i = 0; i < r.length; i++) {
    const ok = withinTolerance(a[i], r[i], tol);
    // A correctly masked entry is structure, not a computed number: it earns nothing by itself.
    if (ok && r[i] === -Infinity) continue;
    total++;
    if (ok) right++;
    else if (firstWrong < 0) firstWrong = i;
  }
  return { right, total, firstWrong };
}

export function allRight(c: Comparison): boolean {
  return c.right === c.total;
}
