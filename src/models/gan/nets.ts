/**
 * The lab's generator and discriminator: plain MLPs (ReLU in G, leaky ReLU in D) built from the
 * shared layers, plus minibatch discrimination (Salimans et al. 2016) and the discriminator's
 * gradient with respect to its input, written out layer by layer for the WGAN-GP penalty.
 */
import type { Rng } from '../../generators/rng.js';
import { dense, matMul, mlp, randomNormal, variables, type Dense } from '../nn.js';
import type { Tf } from '../runtime.js';

type Tensor = import('@tensorflow/tfjs').Tensor;
type Tensor2D = import('@tensorflow/tfjs').Tensor2D;
type Variable = import('@tensorflow/tfjs').Variable;

/** The slope of D's leaky ReLU for negative inputs (nn.ts's leakyRelu uses 0.2). */
const LEAK = 0.2;

export interface Generator {
  layers: Dense[];
}

export interface Discriminator {
  /** Hidden layers, each followed by a leaky ReLU; the last one's output is D's feature vector. */
  body: Dense[];
  /** Minibatch discrimination: T maps the A features to B kernels of C dimensions. */
  mbd?: { t: Variable; kernels: number; dims: number };
  out: Dense;
}

export function makeGenerator(tf: Tf, rng: Rng, inputs: number, hidden: number, depth: number): Generator {
  const sizes = [inputs, ...Array<number>(depth).fill(hidden), 2];
  return { layers: sizes.slice(1).map((n, k) => dense(tf, rng, sizes[k], n)) };
}

export function makeDiscriminator(
  tf: Tf,
  rng: Rng,
  inputs: number,
  hidden: number,
  depth: number,
  mbd?: { kernels: number; dims: number },
): Discriminator {
  const sizes = [inputs, ...Array<number>(depth).fill(hidden)];
  const body = sizes.slice(1).map((n, k) => dense(tf, rng, sizes[k], n));
  // Salimans et al. initialise T with N(0, 0.05²).
  let t: Variable | undefined;
  if (mbd) {
    // tf.variable keeps its own copy; the initial tensor is disposed, as in nn.dense.
    const init = randomNormal(tf, rng, [hidden, mbd.kernels * mbd.dims], 0, 0.05);
    t = tf.variable(init);
    init.dispose();
  }
  const out = dense(tf, rng, hidden + (mbd ? mbd.kernels : 0), 1);
  return { body, out, ...(mbd && t ? { mbd: { ...mbd, t } } : {}) };
}

export function generatorVariables(g: Generator): Variable[] {
  return variables(g.layers);
}

export function discriminatorVariables(d: Discriminator): Variable[] {
  return [...variables([...d.body, d.out]), ...(d.mbd ? [d.mbd.t] : [])];
}

export function disposeDiscriminator(d: Discriminator): void {
  for (const v of discriminatorVariables(d)) v.dispose();
}

export function generate(tf: Tf, g: Generator, input: Tensor2D): Tensor2D {
  return mlp(tf, g.layers, input, 'relu', 'linear');
}

export interface DOutput {
  logit: Tensor2D;
  /** The last hidden layer's activations, which feature matching compares. */
  features: Tensor2D;
}

/**
 * D on a batch. With minibatch discrimination each point is compared with `ref` when given (the
 * heatmap judges a grid point among a batch of fakes), else with the rest of its own batch.
 */
export function discriminate(tf: Tf, d: Discriminator, x: Tensor2D, ref?: Tensor2D): DOutput {
  const features = mlp(tf, d.body, x, 'leakyRelu', 'leakyRelu');
  let h = features;
  if (d.mbd) {
    const refFeatures = ref ? mlp(tf, d.body, ref, 'leakyRelu', 'leakyRelu') : undefined;
    h = tf.concat([features, minibatchFeatures(tf, d.mbd, features, refFeatures)], 1) as Tensor2D;
  }
  const logit = tf.add(matMul(tf, h, d.out.w as unknown as Tensor2D), d.out.b) as Tensor2D;
  return { logit, features };
}

/**
 * o(x_i)_b = mean_j exp(−‖M_i,b − M_j,b‖₁) with M = f(x)·T: how close each point is to the others,
 * per kernel. A collapsed batch of fakes is all "close", which D learns to spot. Averaged rather than
 * summed (Salimans sum) so the scale does not depend on the batch size.
 */
function minibatchFeatures(tf: Tf, m: NonNullable<Discriminator['mbd']>, f: Tensor2D, ref?: Tensor2D): Tensor2D {
  const project = (h: Tensor2D): Tensor => tf.reshape(matMul(tf, h, m.t as unknown as Tensor2D), [h.shape[0], m.kernels, m.dims]);
  const mi = project(f);
  const mj = ref ? project(ref) : mi;
  const l1 = tf.sum(tf.abs(tf.sub(tf.expandDims(mi, 1), tf.expandDims(mj, 0))), 3);
  const close = tf.sum(tf.exp(tf.neg(l1)), 1);
  // Within its own batch a point is compared with the other n − 1; its own term exp(0) = 1 drops out.
  const others = ref ? ref.shape[0] : f.shape[0] - 1;
  return tf.div(ref ? close : tf.sub(close, 1), Math.max(1, others)) as Tensor2D;
}

/**
 * ∇ₓ D(x) for D without minibatch features, by the chain rule through the layers: each leaky ReLU
 * contributes its slope (1 or 0.2) as a constant mask. Written with plain ops (and the fast matMul)
 * so the penalty ‖∇ₓD‖ is differentiable in D's weights without a gradient of a gradient.
 */
export function inputGradient(tf: Tf, d: Discriminator, x: Tensor2D): Tensor2D {
  const masks: Tensor[] = [];
  let h = x;
  for (const l of d.body) {
    const pre = tf.add(matMul(tf, h, l.w as unknown as Tensor2D), l.b) as Tensor2D;
    masks.push(tf.add(tf.mul(tf.step(pre), 1 - LEAK), LEAK));
    h = tf.leakyRelu(pre, LEAK) as Tensor2D;
  }
  let g = tf.mul(masks[masks.length - 1], tf.reshape(d.out.w, [1, -1])) as Tensor2D;
  for (let k = d.body.length - 1; k >= 1; k--) {
    g = tf.mul(matMul(tf, g, tf.transpose(d.body[k].w as unknown as Tensor2D)), masks[k - 1]) as Tensor2D;
  }
  return matMul(tf, g, tf.transpose(d.body[0].w as unknown as Tensor2D));
}
