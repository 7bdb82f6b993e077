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
  const transposeFree = tf.getBackend() !== 'wasm' && tf.getBackend() !== 'cpu';
  // a·bᵀ and aᵀ·b: transpose flags where they are free, explicit transposes on the CPU backends
  // (tfjs-backend-wasm multiplies with a transpose flag about 12× slower).
  const mulBT = (a: Tensor2D, b: Tensor2D): Tensor2D => (transposeFree ? tf.matMul(a, b, false, true) : tf.matMul(a, tf.transpose(b)));
  const mulAT = (a: Tensor2D, b: Tensor2D): Tensor2D => (transposeFree ? tf.matMul(a, b, true, false) : tf.matMul(tf.transpose(a), b));
  const forward = (input: Tensor2D, theta: Tensor) => {
    const layers = unpack(tf, net.sizes, theta);
    const acts: Tensor2D[] = [input];
    // Under a gradient tape tf.fused.matMul falls back to matMul + add + relu so that its own
    // gradient can be taken; gradFunc below is this layer stack's gradient, so the forward runs
    // as if untaped and each layer is one fused kernel.
    const state = tf.engine().state as unknown as { gradientDepth: number };
    const depth = state.gradientDepth;
    state.gradientDepth = 0;
    try {
      layers.forEach((l, k) => {
        const last = k === layers.length - 1;
        acts.push(tf.fused.matMul({ a: acts[k], b: l.w, bias: l.b, activation: last ? 'linear' : 'relu' }) as Tensor2D);
      });
    } finally {
      state.gradientDepth = depth;
    }
    return { acts, w: layers.map((l) => l.w) };
  };
  if (!want.input && !want.params) return tf.tidy(() => forward(x, net.theta).acts[net.sizes.length - 1]);
  /** [dx?, dθ?] from the saved activations and weights. */
  const backward = (dy: Tensor2D, a: Tensor2D[], w: Tensor2D[]): Tensor[] => {
    const n = w.length;
    const grads: Tensor[] = [];
    let d = dy;
    let dx: Tensor2D | undefined;
    for (let k = n - 1; k >= 0; k--) {
      // a[k+1] = relu(pre) for hidden layers: the mask is where the output is positive.
      if (k < n - 1) d = tf.mul(d, tf.step(a[k + 1])) as Tensor2D;
      if (want.params) {
        grads[2 * k] = tf.reshape(mulAT(a[k], d), [-1]);
        grads[2 * k + 1] = tf.sum(d, 0);
      }
      if (k > 0 || want.input) dx = mulBT(d, w[k]);
      if (k > 0) d = dx!;
    }
    return [...(want.input ? [dx!] : []), ...(want.params ? [tf.concat(grads)] : [])];
  };
  const f = tf.customGrad((...args) => {
    const save = args[args.length - 1] as unknown as (ts: Tensor[]) => void;
    const input = want.input ? (args[0] as Tensor2D) : x;
    const theta = want.params ? (args[want.input ? 1 : 0] as Tensor) : net.theta;
    const { acts, w } = forward(input, theta);
    save([...acts, ...w]);
    return {
      value: acts[acts.length - 1],
      gradFunc: (dy: Tensor, saved: Tensor[]) => backward(dy as Tensor2D, saved.slice(0, w.length + 1) as Tensor2D[], saved.slice(w.length + 1) as Tensor2D[]),
    };
  }) as unknown as (...ts: Tensor[]) => Tensor2D;
  return f(...(want.input ? [x] : []), ...(want.params ? [net.theta as Tensor] : []));
}
