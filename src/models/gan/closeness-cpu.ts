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
 * Written for speed (the minibatch run calls it 6,000 times, forward and backward, about 100
 * million pair terms): each pair once (the term is symmetric in i and j), kernel by kernel over a
 * regrouped copy of M, the pair terms kept compactly for the backward pass. The sums run in the same
 * order as the first plain version, so the values are bit for bit the same.
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
 * Copies between M's layout [n][kernels·dims] and the loops' kernel by kernel [kernels][n][dims]
 * (as doubles: what the loops subtract anyway), either way.
 */
function regroup(from: Float32Array | Float64Array, to: Float32Array | Float64Array, n: number, kernels: number, dims: number, toKernels: boolean): void {
  const width = kernels * dims;
  let q = 0;
  for (let b = 0; b < kernels; b++) {
    for (let i = 0; i < n; i++, q += dims) {
      const r = i * width + b * dims;
      const src = toKernels ? r : q;
      const dst = toKernels ? q : r;
      for (let c = 0; c < dims; c++) to[dst + c] = from[src + c];
    }
  }
}

/**
 * The pair terms e (kernel by kernel, then pair by pair, i < j within each group of `size`
 * consecutive rows) and each row's sums ([n, kernels]). For one kernel the pairs come in the same
 * order as row by row, so every sum adds the same terms in the same order; the 3-dimensional case
 * (the lab's) is written out, which V8 runs about twice as fast as the loop over c.
 */
function pairTerms(k: Float64Array, n: number, size: number, kernels: number, dims: number): { e: Float64Array; sums: Float64Array } {
  const perKernel = (n / size) * ((size * (size - 1)) / 2);
  const e = new Float64Array(perKernel * kernels);
  const sums = new Float64Array(n * kernels);
  let p = 0;
  for (let b = 0; b < kernels; b++) {
    const base = b * n * dims;
    for (let i = 0; i < n; i++) {
      const xi = base + i * dims;
      const end = (Math.floor(i / size) + 1) * size;
      // Row i's sum already holds its terms with the rows before it; its own pairs follow in order.
      let s = sums[i * kernels + b];
      if (dims === 3) {
        const a0 = k[xi];
        const a1 = k[xi + 1];
        const a2 = k[xi + 2];
        for (let j = i + 1, xj = xi + 3; j < end; j++, xj += 3) {
          const v = Math.exp(-(Math.abs(a0 - k[xj]) + Math.abs(a1 - k[xj + 1]) + Math.abs(a2 - k[xj + 2])));
          e[p++] = v;
          s += v;
          sums[j * kernels + b] += v;
        }
      } else {
        for (let j = i + 1; j < end; j++) {
          const xj = base + j * dims;
          let l1 = 0;
          for (let c = 0; c < dims; c++) l1 += Math.abs(k[xi + c] - k[xj + c]);
          const v = Math.exp(-l1);
          e[p++] = v;
          s += v;
          sums[j * kernels + b] += v;
        }
      }
      sums[i * kernels + b] = s;
    }
  }
  return { e, sums };
}

/** ∂/∂M of Σ g·o, from the pair terms (in pairTerms' order), back in M's layout [n, kernels·dims]. */
function pairGradient(k: Float64Array, e: Float64Array, g: Float32Array, n: number, size: number, kernels: number, dims: number, scale: number): Float32Array {
  const dk = new Float64Array(n * kernels * dims);
  let p = 0;
  for (let b = 0; b < kernels; b++) {
    const base = b * n * dims;
    for (let i = 0; i < n; i++) {
      const xi = base + i * dims;
      const gi = g[i * kernels + b];
      const end = (Math.floor(i / size) + 1) * size;
      if (dims === 3) {
        // Row i's gradient gathered in locals (nothing else writes it during its pairs), in the same order.
        const a0 = k[xi];
        const a1 = k[xi + 1];
        const a2 = k[xi + 2];
        let d0 = dk[xi];
        let d1 = dk[xi + 1];
        let d2 = dk[xi + 2];
        for (let j = i + 1, xj = xi + 3; j < end; j++, xj += 3) {
          const w = e[p++] * (gi + g[j * kernels + b]) * scale;
          // −w where M_i > M_j, else w, without a branch: the signs are random, so a branch is
          // mispredicted half the time (this was 2.3× slower). w − 2w is exactly −w: same values.
          const s0 = w - 2 * w * +(a0 > k[xj]);
          const s1 = w - 2 * w * +(a1 > k[xj + 1]);
          const s2 = w - 2 * w * +(a2 > k[xj + 2]);
          d0 += s0;
          d1 += s1;
          d2 += s2;
          dk[xj] -= s0;
          dk[xj + 1] -= s1;
          dk[xj + 2] -= s2;
        }
        dk[xi] = d0;
        dk[xi + 1] = d1;
        dk[xi + 2] = d2;
        continue;
      }
      for (let j = i + 1; j < end; j++) {
        const xj = base + j * dims;
        const w = e[p++] * (gi + g[j * kernels + b]) * scale;
        for (let c = 0; c < dims; c++) {
          // ∂/∂M_i of −w·|M_i − M_j| is −w·sign(M_i − M_j); M_j gets the opposite.
          const d = w - 2 * w * +(k[xi + c] > k[xj + c]);
          dk[xi + c] += d;
          dk[xj + c] -= d;
        }
      }
    }
  }
  const dm = new Float32Array(n * kernels * dims);
  regroup(dk, dm, n, kernels, dims, false);
  return dm;
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
  const f = tf.customGrad((...args) => {
    const c = closenessWithin((args[0] as unknown as Tensor2D).dataSync() as Float32Array, n, kernels, dims, groups);
    return {
      value: tf.tensor2d(c.values, [n, kernels]),
      gradFunc: (dy: Tensor) => tf.tensor2d(c.backward(dy.dataSync() as Float32Array), [n, kernels * dims]),
    };
  }) as unknown as (x: Tensor2D) => Tensor2D;
  return f(mFlat);
}

/**
 * The closeness features of m's values ([n, kernels·dims]) within each of `groups` equal blocks of
 * rows ([n, kernels]), and their backward: ∂/∂M of Σ g·o for g ([n, kernels]), in M's layout.
 */
export function closenessWithin(mFlat: Float32Array, n: number, kernels: number, dims: number, groups: number): { values: Float32Array; backward: (g: Float32Array) => Float32Array } {
  const size = groupSize(n, groups);
  const scale = 1 / Math.max(1, size - 1);
  const m = new Float64Array(n * kernels * dims);
  regroup(mFlat, m, n, kernels, dims, true);
  const { e, sums } = pairTerms(m, n, size, kernels, dims);
  const values = new Float32Array(n * kernels);
  for (let k = 0; k < values.length; k++) values[k] = sums[k] * scale;
  return { values, backward: (g) => pairGradient(m, e, g, n, size, kernels, dims, scale) };
}

/** Rows per group; the groups must split the batch evenly. */
export function groupSize(n: number, groups: number): number {
  if (!Number.isInteger(groups) || groups < 1 || n % groups !== 0) throw new Error(`minibatch features: ${n} rows do not split into ${groups} equal groups`);
  return n / groups;
}
