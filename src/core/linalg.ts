/**
 * The few dense operations the topics need, on plain arrays. Plain loops, no library: these run in
 * the grading hot path (a 3×4 self-attention solves in about a microsecond) and stay exact IEEE
 * double arithmetic in a fixed order, so results are reproducible everywhere.
 */
import type { Matrix, Vector } from './values.js';

/** A (n×m) times B (m×p). */
export function matmul(a: Matrix, b: Matrix): Matrix {
  const n = a.length;
  const m = b.length;
  const p = m === 0 ? 0 : b[0].length;
  const out: Matrix = new Array(n);
  for (let i = 0; i < n; i++) {
    const ai = a[i];
    const row = new Array<number>(p).fill(0);
    for (let k = 0; k < m; k++) {
      const aik = ai[k];
      const bk = b[k];
      for (let j = 0; j < p; j++) row[j] += aik * bk[j];
    }
    out[i] = row;
  }
  return out;
}

/** A (n×m) times Bᵀ where B is (p×m): rows of A dotted with rows of B, as in Q Kᵀ. */
export function matmulTransposed(a: Matrix, b: Matrix): Matrix {
  const out: Matrix = new Array(a.length);
  for (let i = 0; i < a.length; i++) {
    const row = new Array<number>(b.length);
    for (let j = 0; j < b.length; j++) row[j] = dot(a[i], b[j]);
    out[i] = row;
  }
  return out;
}

/** W x for a matrix W (rows × cols) and a vector x of length cols. */
export function matvec(w: Matrix, x: Vector): Vector {
  const out = new Array<number>(w.length);
  for (let i = 0; i < w.length; i++) out[i] = dot(w[i], x);
  return out;
}

export function dot(a: Vector, b: Vector): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

export function transpose(a: Matrix): Matrix {
  const rows = a.length;
  const cols = rows === 0 ? 0 : a[0].length;
  const out: Matrix = new Array(cols);
  for (let j = 0; j < cols; j++) {
    const row = new Array<number>(rows);
    for (let i = 0; i < rows; i++) row[i] = a[i][j];
    out[j] = row;
  }
  return out;
}

export function sum(v: Vector): number {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i];
  return s;
}

/** Stable softmax of one vector: subtract the max first. −∞ entries (masked) get weight 0. */
export function softmax(v: Vector): Vector {
  let max = -Infinity;
  for (const x of v) if (x > max) max = x;
  const out = new Array<number>(v.length);
  if (max === -Infinity) return out.fill(NaN); // every entry masked: no distribution exists
  let total = 0;
  for (let i = 0; i < v.length; i++) {
    const e = v[i] === -Infinity ? 0 : Math.exp(v[i] - max);
    out[i] = e;
    total += e;
  }
  for (let i = 0; i < v.length; i++) out[i] /= total;
  return out;
}

export function softmaxRows(m: Matrix): Matrix {
  return m.map(softmax);
}

export function mapMatrix(m: Matrix, f: (x: number, i: number, j: number) => number): Matrix {
  return m.map((row, i) => row.map((x, j) => f(x, i, j)));
}

export function addMatrices(a: Matrix, b: Matrix): Matrix {
  return a.map((row, i) => row.map((x, j) => x + b[i][j]));
}

export function addVectors(a: Vector, b: Vector): Vector {
  return a.map((x, i) => x + b[i]);
}

/** Index of the largest element; the first one on a tie. */
export function argmax(v: Vector): number {
  let best = 0;
  for (let i = 1; i < v.length; i++) if (v[i] > v[best]) best = i;
  return best;
}
