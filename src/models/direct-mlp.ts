/**
 * A dense stack's forward and backward written out over backend kernels called below the engine
 * (direct-kernels.ts): for a CPU training step whose gradient goes straight to the optimiser, with
 * no tape (gan/minibatch-cpu.ts). The layers are views of a flat parameter buffer laid out as
 * nn.packLayers lays it out (per layer W row by row, then b), and each layer's gradient comes back
 * in that layout: one product [Hᵀ; 1]·δ gives W's and b's gradient at once.
 */
import { DirectKernels, type Info } from './direct-kernels.js';

/** Leaky ReLU's slope for negative inputs (nn.ts). */
const LEAK = 0.2;

export type DirectActivation = 'relu' | 'leakyrelu' | 'linear';

/** Layers first…first+count−1 of a flat buffer's values, as kernel inputs. */
export interface DirectLayers {
  dims: [number, number][];
  /** Where each layer starts in the buffer. */
  offsets: number[];
  W: Info[];
  /** Wᵀ, built here: tfjs-backend-wasm multiplies with a transpose flag about 12× slower (nn.ts). */
  WT: Info[];
  B: Info[];
}

/** Where each layer of a packed buffer starts. */
export function layerOffsets(dims: [number, number][]): number[] {
  const at: number[] = [];
  let off = 0;
  for (const [i, o] of dims) {
    at.push(off);
    off += i * o + o;
  }
  return at;
}

export function directLayers(K: DirectKernels, values: Float32Array, dims: [number, number][], first: number, count: number): DirectLayers {
  const all = layerOffsets(dims);
  const out: DirectLayers = { dims: dims.slice(first, first + count), offsets: all.slice(first, first + count), W: [], WT: [], B: [] };
  out.dims.forEach(([i, o], k) => {
    const off = out.offsets[k];
    const w = values.subarray(off, off + i * o);
    out.W.push(K.make(w, [1, i, o]));
    out.WT.push(K.make(transpose(w, i, o), [1, o, i]));
    out.B.push(K.make(values.subarray(off + i * o, off + i * o + o), [o]));
  });
  return out;
}

/** The [cols, rows] transpose of a row-major [rows, cols] matrix. */
export function transpose(a: Float32Array, rows: number, cols: number): Float32Array {
  const t = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let q = 0; q < cols; q++) t[q * rows + r] = a[r * cols + q];
  return t;
}

export interface DirectForward {
  /** H[0] the input, H[k + 1] layer k's output (after its activation), each [1, rows, width]. */
  H: Info[];
  /** Each layer's activation slopes from its output (1 where positive, else 0.2 or 0); undefined for a linear layer. */
  masks: (Info | undefined)[];
  acts: DirectActivation[];
}

/** x ([1, rows, in]) through the layers, each one fused kernel; `hidden` after all but the last, `last` after it. */
export function directForward(K: DirectKernels, L: DirectLayers, x: Info, hidden: DirectActivation, last: DirectActivation): DirectForward {
  const H = [x];
  const masks: (Info | undefined)[] = [];
  const acts: DirectActivation[] = [];
  for (let k = 0; k < L.W.length; k++) {
    const act = k < L.W.length - 1 ? hidden : last;
    acts.push(act);
    H.push(K.run('_FusedMatMul', { a: H[k], b: L.W[k], bias: L.B[k] }, { transposeA: false, transposeB: false, activation: act, leakyreluAlpha: LEAK }));
    // ReLU and leaky ReLU keep their input's sign, so the output's step gives the slope (as nn.fusedMlp).
    masks.push(act === 'linear' ? undefined : K.run('Step', { x: H[k + 1] }, { alpha: act === 'leakyrelu' ? LEAK : 0 }));
  }
  return { H, masks, acts };
}

/**
 * The backward of directForward from dy = ∂loss/∂output ([1, rows, out]): each layer's gradient
 * [in + 1, out] (W's rows, then b's) unless `weights` is false (a network that is only read on the
 * way to another's input), and ∂loss/∂input when `input` is true.
 */
export function directBackward(K: DirectKernels, L: DirectLayers, F: DirectForward, dy: Info, o: { input: boolean; weights: boolean }): { grads: Info[]; dx?: Info } {
  const rows = dy.shape[1];
  const ones = o.weights ? K.make(new Float32Array(rows).fill(1), [1, 1, rows]) : undefined;
  const grads: Info[] = [];
  let d = dy;
  for (let k = L.W.length - 1; k >= 0; k--) {
    const mask = F.masks[k];
    if (mask) d = K.run('Multiply', { a: d, b: mask });
    if (ones) {
      const ht = K.run('Concat', [K.run('Transpose', { x: F.H[k] }, { perm: [0, 2, 1] }), ones], { axis: 1 });
      grads[k] = K.run('BatchMatMul', { a: ht, b: d }, { transposeA: false, transposeB: false });
    }
    if (k > 0 || o.input) d = K.run('BatchMatMul', { a: d, b: L.WT[k] }, { transposeA: false, transposeB: false });
  }
  return o.input ? { grads, dx: d } : { grads };
}

/** Each layer's gradient ([in + 1, out], as directBackward gives them) into its place in a flat gradient. */
export function placeGradients(K: DirectKernels, L: DirectLayers, grads: Info[], into: Float32Array): void {
  grads.forEach((g, k) => into.set(K.read(g), L.offsets[k]));
}
