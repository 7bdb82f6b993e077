/**
 * The lab's generator and discriminator: plain MLPs (ReLU in G, leaky ReLU in D) built from the
 * shared layers, plus minibatch discrimination (Salimans et al. 2016) and the discriminator's
 * gradient with respect to its input, written out layer by layer for the WGAN-GP penalty.
 */
import type { Rng } from '../../generators/rng.js';
import { dense, matMul, mlp, packLayers, randomNormal, unpackLayers, type Dense, type FlatLayers, type Layer, weight2d } from '../nn.js';
import type { Tf } from '../runtime.js';
import { closenessOnCpu, groupSize } from './closeness-cpu.js';

type Tensor = import('@tensorflow/tfjs').Tensor;
type Tensor2D = import('@tensorflow/tfjs').Tensor2D;
type Variable = import('@tensorflow/tfjs').Variable;

/** The slope of D's leaky ReLU for negative inputs (nn.ts's leakyRelu uses 0.2). */
const LEAK = 0.2;

/** G's layers in one flat parameter buffer (nn.packLayers): one Adam update per step, not one per weight. */
export interface Generator {
  net: FlatLayers;
}

/**
 * D's parameters in one flat buffer, laid out as its hidden layers (each followed by a leaky ReLU;
 * the last one's output is D's feature vector), then for minibatch discrimination T (viewed as a
 * layer of zero bias, [hidden, kernels·dims] mapping the features to B kernels of C dimensions),
 * then the output layer.
 */
export interface Discriminator {
  net: FlatLayers;
  depth: number;
  mbd?: { kernels: number; dims: number };
}

export function makeGenerator(tf: Tf, rng: Rng, inputs: number, hidden: number, depth: number): Generator {
  const sizes = [inputs, ...Array<number>(depth).fill(hidden), 2];
  return { net: packLayers(tf, sizes.slice(1).map((n, k) => dense(tf, rng, sizes[k], n))) };
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
  // Drawn in the order the separate variables were (body, T, output layer), so a seed gives the same start.
  const body = sizes.slice(1).map((n, k) => dense(tf, rng, sizes[k], n));
  const extra: Dense[] = [];
  if (mbd) {
    // Salimans et al. initialise T with N(0, 0.05²); its bias slot stays 0 and is never read.
    const t = tf.tidy(() => tf.variable(randomNormal(tf, rng, [hidden, mbd.kernels * mbd.dims], 0, 0.05)));
    extra.push({ w: t, b: tf.tidy(() => tf.variable(tf.zeros([mbd.kernels * mbd.dims]))) });
  }
  const out = dense(tf, rng, hidden + (mbd ? mbd.kernels : 0), 1);
  return { net: packLayers(tf, [...body, ...extra, out]), depth, ...(mbd ? { mbd } : {}) };
}

export function generatorVariables(g: Generator): Variable[] {
  return [g.net.theta];
}

export function discriminatorVariables(d: Discriminator): Variable[] {
  return [d.net.theta];
}

export function disposeDiscriminator(d: Discriminator): void {
  d.net.theta.dispose();
}

export function disposeGenerator(g: Generator): void {
  g.net.theta.dispose();
}

export function generate(tf: Tf, g: Generator, input: Tensor2D): Tensor2D {
  // G's input (noise, a label) is data: never differentiated.
  return mlp(tf, unpackLayers(tf, g.net), input, 'relu', 'linear', { constantInput: true });
}

/** D's layers viewed out of its buffer: hidden layers, T (with minibatch discrimination), output layer. */
function dLayers(tf: Tf, d: Discriminator): { body: Layer[]; t?: Tensor2D; out: Layer } {
  const all = unpackLayers(tf, d.net);
  return { body: all.slice(0, d.depth), ...(d.mbd ? { t: weight2d(tf, all[d.depth]) } : {}), out: all[all.length - 1] };
}

export interface DOutput {
  logit: Tensor2D;
  /** The last hidden layer's activations, which feature matching compares. */
  features: Tensor2D;
}

/**
 * D on a batch. With minibatch discrimination each point is compared with `ref` when given (the
 * heatmap judges a grid point among a batch of fakes), else with the rest of its own batch — or of
 * its own group, when the batch is `groups` batches stacked (D's step on [real; fake]).
 * constantInput: x is data (D's own step), so no gradient in x is computed. tensorOps: the closeness
 * features with tensor ops on every backend (the reference the CPU's written-out steps are tested against).
 */
export function discriminate(tf: Tf, d: Discriminator, x: Tensor2D, ref?: Tensor2D, constantInput = false, groups = 1, tensorOps = false): DOutput {
  const { body, t, out } = dLayers(tf, d);
  const features = mlp(tf, body, x, 'leakyRelu', 'leakyRelu', { constantInput });
  if (!d.mbd || !t) return { logit: mlp(tf, [out], features, 'linear', 'linear'), features };
  const refFeatures = ref ? mlp(tf, body, ref, 'leakyRelu', 'leakyRelu') : undefined;
  const h = tf.concat([features, minibatchFeatures(tf, { t, ...d.mbd }, features, refFeatures, groups, tensorOps)], 1) as Tensor2D;
  return { logit: mlp(tf, [out], h, 'linear', 'linear'), features };
}

/**
 * o(x_i)_b = mean_j exp(−‖M_i,b − M_j,b‖₁) with M = f(x)·T: how close each point is to the others,
 * per kernel. A collapsed batch of fakes is all "close", which D learns to spot. Averaged rather than
 * summed (Salimans sum) so the scale does not depend on the batch size.
 */
function minibatchFeatures(tf: Tf, m: { t: Tensor2D; kernels: number; dims: number }, f: Tensor2D, ref: Tensor2D | undefined, groups: number, tensorOps: boolean): Tensor2D {
  const mi = matMul(tf, f, m.t);
  const mj = ref ? matMul(tf, ref, m.t) : undefined;
  const backend = tf.getBackend();
  if (!tensorOps && (backend === 'wasm' || backend === 'cpu')) return closenessOnCpu(tf, mi, m.kernels, m.dims, mj, groups);
  if (groups === 1 || mj) return closeness(tf, mi, m.kernels, m.dims, mj);
  groupSize(mi.shape[0], groups);
  return tf.concat(tf.split(mi, groups, 0).map((part) => closeness(tf, part as Tensor2D, m.kernels, m.dims)), 0) as Tensor2D;
}

/**
 * The closeness features from the projections M ([n, kernels·dims]) with tensor ops: about a dozen
 * broadcasting kernels over [n, n, kernels, dims] forward and as many backward.
 */
export function closeness(tf: Tf, mFlat: Tensor2D, kernels: number, dims: number, refFlat?: Tensor2D): Tensor2D {
  const mi = tf.reshape(mFlat, [mFlat.shape[0], kernels, dims]);
  const mj = refFlat ? tf.reshape(refFlat, [refFlat.shape[0], kernels, dims]) : mi;
  const l1 = tf.sum(tf.abs(tf.sub(tf.expandDims(mi, 1), tf.expandDims(mj, 0))), 3);
  const close = tf.sum(tf.exp(tf.neg(l1)), 1);
  // Within its own batch a point is compared with the other n − 1; its own term exp(0) = 1 drops out.
  const others = refFlat ? refFlat.shape[0] : mFlat.shape[0] - 1;
  return tf.div(refFlat ? close : tf.sub(close, 1), Math.max(1, others)) as Tensor2D;
}

/**
 * ∇ₓ D(x) for D without minibatch features, by the chain rule through the layers: each leaky ReLU
 * contributes its slope (1 or 0.2) as a constant mask. Written with plain ops (and the fast matMul)
 * so the penalty ‖∇ₓD‖ is differentiable in D's weights without a gradient of a gradient.
 */
export function inputGradient(tf: Tf, d: Discriminator, x: Tensor2D): Tensor2D {
  const { body, out } = dLayers(tf, d);
  const masks: Tensor[] = [];
  let h = x;
  for (const l of body) {
    const pre = tf.add(matMul(tf, h, weight2d(tf, l)), l.b) as Tensor2D;
    masks.push(tf.add(tf.mul(tf.step(pre), 1 - LEAK), LEAK));
    h = tf.leakyRelu(pre, LEAK) as Tensor2D;
  }
  let g = tf.mul(masks[masks.length - 1], tf.reshape(out.w, [1, -1])) as Tensor2D;
  const w2 = body.map((l) => weight2d(tf, l));
  for (let k = body.length - 1; k >= 1; k--) {
    g = tf.mul(matMul(tf, g, tf.transpose(w2[k])), masks[k - 1]) as Tensor2D;
  }
  return matMul(tf, g, tf.transpose(w2[0]));
}
