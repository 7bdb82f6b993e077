/**
 * Minibatch discrimination's closeness features computed in plain loops over the values, for the
 * CPU backends (where reading a tensor back costs a copy, not a GPU sync): one kernel's worth of
 * work instead of two dozen broadcasting kernels. Checked against nets.ts's `closeness` in
 * tests/models/gan.test.ts.
 *
 * o(x_i)_b = (1/(n−1)) Σ_{j≠i} exp(−‖M_i,b − M_j,b‖₁). The gradient in M_i is
 * −(1/(n−1)) Σ_{j≠i} exp(−‖M_i,b − M_j,b‖₁) · sign(M_i,b − M_j,b) · (g_i,b + g_j,b): M_i moves both
 * its own feature and every other point's.
 *
 * Written for speed (the minibatch run calls it 9,000 times, forward and backward): each pair once
 * (the term is symmetric in i and j), the pair terms kept compactly for the backward pass, offsets
 * hoisted out of the inner loops. The sums run in the same order as the first plain version, so the
 * values are bit for bit the same (a lab run's metrics depend on them).
 */
import type { Tf } from '../runtime.js';

type Tensor = import('@tensorflow/tfjs').Tensor;
type Tensor2D = import('@tensorflow/tfjs').Tensor2D;

/** Each row of m ([n, kernels·dims]) against each row of r ([nr, …]), no gradient: the heatmap's grid points among a batch of fakes. */
function againstRef(m: Float32Array, n: number, r: Float32Array, nr: number, kernels: number, dims: number): Float32Array {
  const width = kernels * dims;
  const out = new Float32Array(n * kernels);
  for (let i = 0; i < n; i++) {
    for (let b = 0; b < kernels; b++) {
      const mi = i * width + b * dims;
      let sum = 0;
      for (let j = 0; j < nr; j++) {
        const rj = j * width + b * dims;
        let l1 = 0;
        for (let c = 0; c < dims; c++) l1 += Math.abs(m[mi + c] - r[rj + c]);
        sum += Math.exp(-l1);
      }
      out[i * kernels + b] = sum / Math.max(1, nr);
    }
  }
  return out;
}

/**
 * The pair terms e (pair by pair, i < j within each group of `size` consecutive rows, kernel by
 * kernel) and each row's sums.
 */
function pairTerms(m: Float32Array, n: number, size: number, kernels: number, dims: number): { e: Float64Array; sums: Float64Array } {
  const width = kernels * dims;
  const e = new Float64Array((n / size) * ((size * (size - 1)) / 2) * kernels);
  const sums = new Float64Array(n * kernels);
  let p = 0;
  for (let i = 0; i < n; i++) {
    const mi = i * width;
    const si = i * kernels;
    const end = (Math.floor(i / size) + 1) * size;
    for (let j = i + 1; j < end; j++) {
      const mj = j * width;
      const sj = j * kernels;
      for (let b = 0; b < kernels; b++) {
        const o = b * dims;
        let l1 = 0;
        for (let c = 0; c < dims; c++) l1 += Math.abs(m[mi + o + c] - m[mj + o + c]);
        const v = Math.exp(-l1);
        e[p++] = v;
        sums[si + b] += v;
        sums[sj + b] += v;
      }
    }
  }
  return { e, sums };
}

/** ∂/∂M of Σ g·o, from the pair terms. */
function pairGradient(m: Float32Array, e: Float64Array, g: Float32Array, n: number, size: number, kernels: number, dims: number, scale: number): Float32Array {
  const width = kernels * dims;
  const dm = new Float64Array(n * width);
  let p = 0;
  for (let i = 0; i < n; i++) {
    const mi = i * width;
    const gi = i * kernels;
    const end = (Math.floor(i / size) + 1) * size;
    for (let j = i + 1; j < end; j++) {
      const mj = j * width;
      const gj = j * kernels;
      for (let b = 0; b < kernels; b++) {
        const w = e[p++] * (g[gi + b] + g[gj + b]) * scale;
        const o = b * dims;
        for (let c = o; c < o + dims; c++) {
          // ∂/∂M_i of −w·|M_i − M_j| is −w·sign(M_i − M_j); M_j gets the opposite.
          const d = m[mi + c] - m[mj + c] > 0 ? -w : w;
          dm[mi + c] += d;
          dm[mj + c] -= d;
        }
      }
    }
  }
  return new Float32Array(dm);
}

/**
 * The closeness features of mFlat ([n, kernels·dims]) within its own batch — or within each of
 * `groups` equal blocks of rows (D's step runs real and fake as one batch, each its own group) —
 * or against refFlat's rows when given (then without a gradient).
 */
export function closenessOnCpu(tf: Tf, mFlat: Tensor2D, kernels: number, dims: number, refFlat?: Tensor2D, groups = 1): Tensor2D {
  const n = mFlat.shape[0];
  if (refFlat) {
    const out = againstRef(mFlat.dataSync() as Float32Array, n, refFlat.dataSync() as Float32Array, refFlat.shape[0], kernels, dims);
    return tf.tensor2d(out, [n, kernels]);
  }
  const size = groupSize(n, groups);
  const scale = 1 / Math.max(1, size - 1);
  const f = tf.customGrad((...args) => {
    const m = (args[0] as unknown as Tensor2D).dataSync() as Float32Array;
    const { e, sums } = pairTerms(m, n, size, kernels, dims);
    const out = new Float32Array(n * kernels);
    for (let k = 0; k < out.length; k++) out[k] = sums[k] * scale;
    return {
      value: tf.tensor2d(out, [n, kernels]),
      gradFunc: (dy: Tensor) => tf.tensor2d(pairGradient(m, e, dy.dataSync() as Float32Array, n, size, kernels, dims, scale), [n, kernels * dims]),
    };
  }) as unknown as (x: Tensor2D) => Tensor2D;
  return f(mFlat);
}

/** Rows per group; the groups must split the batch evenly. */
export function groupSize(n: number, groups: number): number {
  if (!Number.isInteger(groups) || groups < 1 || n % groups !== 0) throw new Error(`minibatch features: ${n} rows do not split into ${groups} equal groups`);
  return n / groups;
}
