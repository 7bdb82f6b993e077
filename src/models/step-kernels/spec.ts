/**
 * The training-step kernels of a batched ReLU MLP (issue 12): what each computes, its inputs and
 * attributes, and the memory layout they share. One implementation per backend registers them
 * (webgpu.ts: WGSL, one dispatch each; wasm.ts: the CPU default), and ops.ts calls them, or the
 * same arithmetic as plain tf ops on a backend with neither.
 *
 * Layout. K independent runs train side by side; every tensor has the run as its first axis. A
 * network of layer widths [s0, s1, …, sL] has P = Σ (s_k·s_{k+1} + s_{k+1}) parameters; run k's
 * state is one row of a [K, 3P] tensor: its parameters θ (layer 0's weights [s0, s1] row-major,
 * then its bias, then layer 1's, …), then Adam's two moments M and V over the same positions. So a
 * step reads the weights straight out of the state (no slicing), and Adam rewrites the row in one pass.
 */

export const DENSE = 'StepwiseDense';
export const DENSE_PARAM_GRAD = 'StepwiseDenseParamGrad';
export const DENSE_INPUT_GRAD = 'StepwiseDenseInputGrad';
export const LOGISTIC_GRAD = 'StepwiseLogisticGrad';
export const ADAM = 'StepwiseAdamState';
export const STEP_KERNELS = [DENSE, DENSE_PARAM_GRAD, DENSE_INPUT_GRAD, LOGISTIC_GRAD, ADAM] as const;

/**
 * DENSE: inputs x [K, R, in], state [K, 3P] → y [K, R, out] = x · W + b, ReLU'd when relu.
 * W is [in, out] at `offset` in each run's row, b follows it.
 */
export interface DenseAttrs {
  offset: number;
  out: number;
  relu: boolean;
}

/**
 * DENSE_PARAM_GRAD: inputs a [K, R, in] (the layer's input), d [K, R, out] (the loss's gradient in
 * the layer's pre-activation) → [K, in·out + out]: aᵀ·d then Σ_rows d, the layer's segment of θ.
 */

/**
 * DENSE_INPUT_GRAD: inputs d [K, R, out], state [K, 3P], and optionally mask [K, R, in] → dx
 * [K, R, in] = d · Wᵀ, times (mask > 0) when given: with the layer's input as mask (a ReLU output)
 * that is the gradient in the previous layer's pre-activation.
 */
export interface InputGradAttrs {
  offset: number;
  /** The layer's input width (the width of dx). */
  inn: number;
}

/**
 * LOGISTIC_GRAD: input logits l [K, R, 1] → the gradient of Σ_r softplus(sign_r · l_r) / n in l:
 * σ(sign_r · l_r) · sign_r / n, with sign_r = −1 for r < split and +1 from there. The GAN losses:
 * D's step has split = batch (−log σ on the real half, −log(1 − σ) on the fake half), G's has
 * split = R (−log σ on every row), both with n = batch.
 */
export interface LogisticAttrs {
  split: number;
  n: number;
}

/**
 * ADAM: inputs state [K, 3P] and the L layers' gradient segments g_k [K, s_k·s_{k+1} + s_{k+1}] →
 * the new state: M ← β1·M + g, V ← β2·V + g², θ ← θ + scale · M / (√V + eps). The moments are kept
 * scaled (M = m / (1 − β1), V = v / (1 − β2)), so eps and scale carry the constants; see
 * adamConstants. Same values as tf.train.adam (tests/models/step-kernels.test.ts).
 */
export interface AdamAttrs {
  params: number;
  beta1: number;
  beta2: number;
  eps: number;
  scale: number;
}

/** ADAM's gradient inputs, named g0, g1, … in layer order (a kernel's inputs are a record). */
export function gradInputs<T>(grads: T[]): Record<string, T> {
  return Object.fromEntries(grads.map((g, i) => [`g${i}`, g]));
}

/** The gradient inputs back from the record, in layer order. */
export function gradsOf<T>(inputs: Record<string, T>): T[] {
  return Object.keys(inputs)
    .filter((name) => /^g\d+$/.test(name))
    .sort((a, b) => Number(a.slice(1)) - Number(b.slice(1)))
    .map((name) => inputs[name]);
}

/** Where each layer's weights start in a run's row, and the parameter count P. */
export function mlpLayout(sizes: number[]): { offsets: number[]; segments: number[]; params: number } {
  const offsets: number[] = [];
  const segments: number[] = [];
  let at = 0;
  for (let k = 0; k + 1 < sizes.length; k++) {
    offsets.push(at);
    segments.push(sizes[k] * sizes[k + 1] + sizes[k + 1]);
    at += segments[k];
  }
  return { offsets, segments, params: at };
}

/**
 * Adam's step t (from 1) of size lr as the kernel's constants: tf.train.adam's update
 * lr · m̂ / (√v̂ + ε) with m̂ = m / (1 − β1^t), v̂ = v / (1 − β2^t), rewritten over the scaled moments as
 * scale · M / (√V + eps'). ε moves with t (ε·√(1 − β2^t)): folding the bias corrections into the step
 * size alone, as Kingma & Ba's "efficient" form does, makes ε 30× larger at t = 1 for β2 = 0.999,
 * which shows where gradients are small.
 */
export function adamConstants(params: number, t: number, lr: number, beta1: number, beta2: number, eps: number): AdamAttrs {
  const corrected = Math.sqrt(1 - beta2 ** t);
  const stepSize = (lr * corrected) / (1 - beta1 ** t);
  const root = Math.sqrt(1 - beta2);
  return { params, beta1, beta2, eps: (eps * corrected) / root, scale: (-stepSize * (1 - beta1)) / root };
}
