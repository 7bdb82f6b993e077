/**
 * The transformer's elementwise and row-wise pieces as plain loops over Float32Arrays (layer norm,
 * GELU, row softmax, transposes, column sums), for the fused ops the CPU backends run (cpu-ops.ts).
 * On WASM a tfjs kernel costs a fixed 10–20 µs of engine bookkeeping whatever its size, and TVLT's
 * tensors are a few thousand to a few tens of thousands of floats: a loop over them costs less
 * than launching the kernels that would do it. Products stay in tfjs's kernels (XNNPACK and the
 * labs' SIMD batched matMul), passed in as Kernels.
 */
import { alloc } from './arena.js';


/** C[b] = A[b]·B[b] for `batch` pairs, A [batch, m, k], B [batch, k, n], row-major. */
export type MatMul = (a: Float32Array, b: Float32Array, batch: number, m: number, k: number, n: number) => Float32Array;

/**
 * Attention forward for `batch` heads, qs (Q already scaled), k, v [batch, n, dh]: O = softmax(Qs·Kᵀ)·V
 * per row, and `state`, what AttendBack needs (the Kernels decide what it holds and where).
 */
export type Attend = (qs: Float32Array, k: Float32Array, v: Float32Array, batch: number, n: number, dh: number) => { o: Float32Array; state: unknown };

/** Attention backward from dO: dV = Pᵀ·dO, dS = P ⊙ (dP − Σ dP·P) with dP = dO·Vᵀ, dQs = dS·K, dK = dSᵀ·Qs. */
export type AttendBack = (state: unknown, dO: Float32Array, batch: number, n: number, dh: number) => { dQs: Float32Array; dK: Float32Array; dV: Float32Array };

/**
 * The products the fused ops leave to kernels: a·b, aᵀ·b (a given as [batch, k, m]) and a·bᵀ (b
 * given as [batch, n, k]), and attention.
 */
export interface Kernels {
  mm: MatMul;
  mmAT: MatMul;
  mmBT: MatMul;
  /** A dense layer x·w + b, x [rows, inputs], w [inputs, outputs]. */
  dense: (x: Float32Array, w: Float32Array, b: Float32Array, rows: number, inputs: number, outputs: number) => Float32Array;
  /** A dense layer's backward: dW = xᵀ·dOut [in, out], dX = dOut·Wᵀ [rows, in] and db = Σ_rows dOut [out], dOut sent to the backend once. */
  denseBack: (x: Float32Array, dOut: Float32Array, w: Float32Array, rows: number, inputs: number, outputs: number) => { dW: Float32Array; dX: Float32Array; db: Float32Array };
  attend: Attend;
  attendBack: AttendBack;
  /** σ(x) elementwise, as a new array. */
  sigmoid: (x: Float32Array) => Float32Array;
}

/** The plain triple loop (float64 sums): the reference the tests and a kernel-free caller use. */
export const loopMatMul: MatMul = (a, b, batch, m, k, n) => {
  const out = alloc(batch * m * n, true);
  const row = new Float64Array(n);
  for (let p = 0; p < batch; p++) {
    for (let i = 0; i < m; i++) {
      row.fill(0);
      const ai = (p * m + i) * k;
      for (let t = 0; t < k; t++) {
        const av = a[ai + t];
        const bt = (p * k + t) * n;
        for (let j = 0; j < n; j++) row[j] += av * b[bt + j];
      }
      out.set(row, (p * m + i) * n);
    }
  }
  return out;
};

/** Kernels as loops: the reference the tests compare with. */
export const loopKernels: Kernels = {
  mm: loopMatMul,
  mmAT: (a, b, batch, m, k, n) => loopMatMul(transpose(a, k, m, batch), b, batch, m, k, n),
  mmBT: (a, b, batch, m, k, n) => loopMatMul(a, transpose(b, n, k, batch), batch, m, k, n),
  dense: (x, w, b, rows, inputs, outputs) => addBias(loopMatMul(x, w, 1, rows, inputs, outputs), b),
  denseBack: (x, dOut, w, rows, inputs, outputs) => ({
    dW: loopMatMul(transpose(x, rows, inputs), dOut, 1, inputs, rows, outputs),
    dX: loopMatMul(dOut, transpose(w, inputs, outputs), 1, rows, outputs, inputs),
    db: columnSum(dOut, rows, outputs),
  }),
  attend: (qs, k, v, batch, n, dh) => {
    const p = softmaxRows(loopMatMul(qs, transpose(k, n, dh, batch), batch, n, dh, n), n);
    return { o: loopMatMul(p, v, batch, n, n, dh), state: { qs, k, v, p } };
  },
  attendBack: (state, dO, batch, n, dh) => {
    const { qs, k, v, p } = state as Record<'qs' | 'k' | 'v' | 'p', Float32Array>;
    const dS = softmaxBackward(loopMatMul(dO, transpose(v, n, dh, batch), batch, n, dh, n), p, n);
    return {
      dQs: loopMatMul(dS, k, batch, n, n, dh),
      dK: loopMatMul(transpose(dS, n, n, batch), qs, batch, n, n, dh),
      dV: loopMatMul(transpose(p, n, n, batch), dO, batch, n, n, dh),
    };
  },
  sigmoid: (x) => x.map((v) => 1 / (1 + Math.exp(-v))),
};

/** The [cols, rows] transpose of a row-major [rows, cols] matrix (each of `batch` in turn). */
export function transpose(a: Float32Array, rows: number, cols: number, batch = 1): Float32Array {
  const out = alloc(a.length, true);
  for (let p = 0; p < batch; p++) {
    const o = p * rows * cols;
    for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) out[o + j * rows + i] = a[o + i * cols + j];
  }
  return out;
}

/** Σ over rows of a [rows, cols] matrix: a bias's gradient. */
export function columnSum(a: Float32Array, rows: number, cols: number): Float32Array {
  const acc = new Float64Array(cols);
  for (let i = 0; i < rows; i++) for (let j = 0, o = i * cols; j < cols; j++) acc[j] += a[o + j];
  return toFloat32(acc);
}

/** a (rows × cols) + bias per column, in place. */
export function addBias(a: Float32Array, bias: Float32Array): Float32Array {
  const cols = bias.length;
  for (let o = 0; o < a.length; o += cols) for (let j = 0; j < cols; j++) a[o + j] += bias[j];
  return a;
}

export const LN_EPS = 1e-5;

/** Float64 sums rounded into a Float32Array (by alloc). */
function toFloat32(a: Float64Array): Float32Array {
  const out = alloc(a.length, true);
  out.set(a);
  return out;
}

/** What layer norm's backward needs: the normalised rows and each row's 1/σ. */
export interface NormCache {
  xhat: Float32Array;
  rstd: Float32Array;
}

/** Layer norm over the last axis (biased variance, ε = 1e-5, as layers.ts's tensor version): g·x̂ + b. */
export function layerNormForward(x: Float32Array, g: Float32Array, b: Float32Array): { y: Float32Array; cache: NormCache } {
  const d = g.length;
  const rows = x.length / d;
  const y = alloc(x.length, true);
  const xhat = alloc(x.length, true);
  const rstd = alloc(rows, true);
  for (let i = 0; i < rows; i++) {
    const o = i * d;
    // One pass: Σx and Σx² in float64 (the rows are a few dozen activations of moderate size).
    let sum = 0;
    let sq = 0;
    for (let j = 0; j < d; j++) {
      const e = x[o + j];
      sum += e;
      sq += e * e;
    }
    const mean = sum / d;
    const r = 1 / Math.sqrt(Math.max(0, sq / d - mean * mean) + LN_EPS);
    rstd[i] = r;
    for (let j = 0; j < d; j++) {
      const h = (x[o + j] - mean) * r;
      xhat[o + j] = h;
      y[o + j] = h * g[j] + b[j];
    }
  }
  return { y, cache: { xhat, rstd } };
}

/**
 * Layer norm's backward: dg = Σ dy·x̂, db = Σ dy, and dx = (1/σ)(d̂ − mean(d̂) − x̂·mean(d̂·x̂)) with
 * d̂ = dy·g, added into `dxInto` when given (a residual branch's gradient).
 */
export function layerNormBackward(dy: Float32Array, g: Float32Array, c: NormCache, dxInto?: Float32Array): { dx: Float32Array; dg: Float32Array; db: Float32Array } {
  const d = g.length;
  const rows = dy.length / d;
  const dx = dxInto ?? alloc(dy.length);
  const dg = new Float64Array(d);
  const db = new Float64Array(d);
  for (let i = 0; i < rows; i++) {
    const o = i * d;
    let sum = 0;
    let dot = 0;
    for (let j = 0; j < d; j++) {
      const e = dy[o + j];
      const h = c.xhat[o + j];
      dg[j] += e * h;
      db[j] += e;
      const dh = e * g[j];
      sum += dh;
      dot += dh * h;
    }
    sum /= d;
    dot /= d;
    const r = c.rstd[i];
    for (let j = 0; j < d; j++) dx[o + j] += r * (dy[o + j] * g[j] - sum - c.xhat[o + j] * dot);
  }
  return { dx, dg: toFloat32(dg), db: toFloat32(db) };
}

/** GELU's sigmoid approximation's slope: gelu(z) = z·σ(1.702z), as layers.ts's tensor version. */
export const GELU_K = 1.702;

/**
 * gelu(z) as a new array, and σ(1.702z) for the backward. The sigmoid is the caller's: a kernel
 * (vectorised) where there is one — Math.exp in a loop cost 18 ns an element.
 */
export function geluForward(z: Float32Array, sigmoid: (x: Float32Array) => Float32Array): { u: Float32Array; sig: Float32Array } {
  const u = alloc(z.length, true);
  for (let i = 0; i < z.length; i++) u[i] = GELU_K * z[i];
  const sig = sigmoid(u);
  for (let i = 0; i < z.length; i++) u[i] = z[i] * sig[i];
  return { u, sig };
}

/** dz = du · (σ + 1.702·z·σ·(1 − σ)), in place in du. */
export function geluBackward(du: Float32Array, z: Float32Array, sig: Float32Array): Float32Array {
  for (let i = 0; i < du.length; i++) {
    const s = sig[i];
    du[i] *= s + GELU_K * z[i] * s * (1 - s);
  }
  return du;
}

/** Softmax over each row of length n, in place. */
export function softmaxRows(s: Float32Array, n: number): Float32Array {
  for (let o = 0; o < s.length; o += n) {
    let max = -Infinity;
    for (let j = 0; j < n; j++) max = Math.max(max, s[o + j]);
    let sum = 0;
    for (let j = 0; j < n; j++) {
      const e = Math.exp(s[o + j] - max);
      s[o + j] = e;
      sum += e;
    }
    const inv = 1 / sum;
    for (let j = 0; j < n; j++) s[o + j] *= inv;
  }
  return s;
}

/** Softmax's backward per row: dS = P ⊙ (dP − Σ_j dP·P), in place in dP. */
export function softmaxBackward(dp: Float32Array, p: Float32Array, n: number): Float32Array {
  for (let o = 0; o < p.length; o += n) {
    let dot = 0;
    for (let j = 0; j < n; j++) dot += dp[o + j] * p[o + j];
    for (let j = 0; j < n; j++) dp[o + j] = p[o + j] * (dp[o + j] - dot);
  }
  return dp;
}
