/**
 * A ReLU MLP whose parameters live in ONE flat variable, run forward with fused dense layers
 * (tf.fused.matMul: product + bias + activation in one kernel) and backward by a hand-written
 * gradient (per layer: a ReLU mask, two matMuls and a bias sum). A training step then launches a
 * few kernels per layer instead of tfjs's per-op tape, and the optimiser updates one buffer
 * (FlatAdam over [theta]) instead of one per weight — what a dispatch-bound WebGPU step pays for.
 * Values equal the unfused layers (nn.mlp) up to float rounding (tests/models/fused.test.ts).
 */
import type { Rng } from '../generators/rng.js';
import { randomNormal } from './nn.js';
import type { Tf } from './runtime.js';

type Tensor = import('@tensorflow/tfjs').Tensor;
type Tensor1D = import('@tensorflow/tfjs').Tensor1D;
type Tensor2D = import('@tensorflow/tfjs').Tensor2D;
type Variable = import('@tensorflow/tfjs').Variable;

export interface FlatMlp {
  /** Layer widths, input first: [16, 256, 256, 2]. */
  sizes: number[];
  /** All weights then bias of layer 0, then layer 1, …, as one 1-D variable. */
  theta: Variable;
}

/** He-initialised like nn.dense (weights N(0, 2/fan-in), zero biases), drawn in the same order from `rng`. */
export function flatMlp(tf: Tf, rng: Rng, sizes: number[]): FlatMlp {
  const theta = tf.tidy(() => {
    const parts: Tensor[] = [];
    for (let k = 0; k + 1 < sizes.length; k++) {
      parts.push(tf.reshape(randomNormal(tf, rng, [sizes[k], sizes[k + 1]], 0, Math.sqrt(2 / sizes[k])), [-1]));
      parts.push(tf.zeros([sizes[k + 1]]));
    }
    return tf.variable(tf.concat(parts));
  });
  return { sizes, theta };
}

/** The layer tensors (w as [in, out], b as [out]) viewed out of a flat buffer. */
export function unpack(tf: Tf, sizes: number[], flat: Tensor): { w: Tensor2D; b: Tensor1D }[] {
  const widths: number[] = [];
  for (let k = 0; k + 1 < sizes.length; k++) widths.push(sizes[k] * sizes[k + 1], sizes[k + 1]);
  // One split (one kernel) rather than a slice per tensor.
  const parts = tf.split(flat, widths);
  return sizes.slice(1).map((o, k) => ({ w: tf.reshape(parts[2 * k], [sizes[k], o]) as Tensor2D, b: parts[2 * k + 1] as Tensor1D }));
}

/** Which gradients a forward pass must give: in the input (when it is another network's output), in the parameters. */
export interface GradsWanted {
  input: boolean;
  params: boolean;
}

/**
 * x through the MLP (ReLU between layers, linear output). Only the gradients asked for are
 * computed: a network's parameters when it is the one being trained, its input when that input is
 * another network's output (D's input in G's step). An input or parameters left out are treated
 * as constants — tfjs then gives them no gradient at all — so never leave out one that is trained.
 */
export function flatMlpForward(tf: Tf, net: FlatMlp, x: Tensor2D, want: GradsWanted = { input: true, params: true }): Tensor2D {
  const { sizes } = net;
  const n = sizes.length - 1;
  const rows = x.shape[0];
  const engine = tf.engine();
  const transposeFree = tf.getBackend() !== 'wasm' && tf.getBackend() !== 'cpu';
  // Everything runs as rank-3 batches of one ([1, rows, cols]), the shape the matMul kernels take,
  // and the kernels are called directly: tf.matMul and tf.fused.matMul add three reshapes each
  // (and tf.fused.matMul falls back to unfused ops under a gradient tape).
  const bmm = (a: Tensor, b: Tensor, transposeA: boolean, transposeB: boolean): Tensor => engine.runKernel('BatchMatMul', { a, b }, { transposeA, transposeB }) as Tensor;
  const t3 = (a: Tensor): Tensor => tf.transpose(a, [0, 2, 1]);
  // a·bᵀ and aᵀ·b: transpose flags where they are free, explicit transposes on the CPU backends
  // (tfjs-backend-wasm multiplies with a transpose flag about 12× slower).
  const mulBT = (a: Tensor, b: Tensor): Tensor => (transposeFree ? bmm(a, b, false, true) : bmm(a, t3(b), false, false));
  const mulAT = (a: Tensor, b: Tensor): Tensor => (transposeFree ? bmm(a, b, true, false) : bmm(t3(a), b, false, false));
  const widths: number[] = [];
  for (let k = 0; k < n; k++) widths.push(sizes[k] * sizes[k + 1], sizes[k + 1]);
  /** Every layer's output ([1, rows, width], input first), one fused kernel each; the weights as [1, in, out]. */
  const forward = (input: Tensor2D, theta: Tensor): { acts: Tensor[]; w: Tensor[] } => {
    // One split (one kernel) rather than a slice per tensor.
    const parts = tf.split(theta, widths);
    const w = sizes.slice(1).map((o, k) => tf.reshape(parts[2 * k], [1, sizes[k], o]));
    const acts: Tensor[] = [tf.reshape(input, [1, rows, sizes[0]])];
    for (let k = 0; k < n; k++) {
      const activation = k === n - 1 ? 'linear' : 'relu';
      acts.push(engine.runKernel('_FusedMatMul', { a: acts[k], b: w[k], bias: parts[2 * k + 1] }, { transposeA: false, transposeB: false, activation, leakyreluAlpha: 0 }) as Tensor);
    }
    return { acts, w };
  };
  const output = (acts: Tensor[]): Tensor2D => tf.reshape(acts[n], [rows, sizes[n]]) as Tensor2D;
  if (!want.input && !want.params) return tf.tidy(() => output(forward(x, net.theta).acts));
  /** [dx?, dθ?] from the saved activations and weights. */
  const backward = (dy: Tensor, a: Tensor[], w: Tensor[]): Tensor[] => {
    const grads: Tensor[] = [];
    let d = tf.reshape(dy, [1, rows, sizes[n]]);
    let dx: Tensor | undefined;
    for (let k = n - 1; k >= 0; k--) {
      // a[k+1] = relu(pre) for hidden layers: the mask is where the output is positive.
      if (k < n - 1) d = tf.mul(d, tf.step(a[k + 1]));
      if (want.params) {
        grads[2 * k] = tf.reshape(mulAT(a[k], d), [-1]);
        grads[2 * k + 1] = tf.sum(d, [0, 1]);
      }
      if (k > 0 || want.input) dx = mulBT(d, w[k]);
      if (k > 0) d = dx!;
    }
    return [...(want.input ? [tf.reshape(dx!, [rows, sizes[0]])] : []), ...(want.params ? [tf.concat(grads)] : [])];
  };
  const f = tf.customGrad((...args) => {
    const save = args[args.length - 1] as unknown as (ts: Tensor[]) => void;
    const input = want.input ? (args[0] as Tensor2D) : x;
    const theta = want.params ? (args[want.input ? 1 : 0] as Tensor) : net.theta;
    const { acts, w } = forward(input, theta);
    save([...acts, ...w]);
    return {
      value: output(acts),
      gradFunc: (dy: Tensor, saved: Tensor[]) => backward(dy, saved.slice(0, n + 1), saved.slice(n + 1)),
    };
  }) as unknown as (...ts: Tensor[]) => Tensor2D;
  return f(...(want.input ? [x] : []), ...(want.params ? [net.theta as Tensor] : []));
}
