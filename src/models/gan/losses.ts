/**
 * The losses the runs train with. D's inputs come in already built (the conditional GAN concatenates
 * the one-hot label to x), so every loss sees plain batches.
 *   ns:   D minimises −log D(x) − log(1 − D(G(z))); G the non-saturating −log D(G(z)).
 *   fm:   D as in ns; G matches the mean of D's last hidden features on real and fake batches
 *         (feature matching, Salimans et al. 2016).
 *   wgan: the critic minimises E[D(G(z))] − E[D(x)] + λ E[(‖∇D(x̂)‖ − 1)²] on random interpolates
 *         x̂ (Gulrajani et al. 2017); G minimises −E[D(G(z))].
 */
import type { Rng } from '../../generators/rng.js';
import { randomUniform } from '../nn.js';
import type { Tf } from '../runtime.js';
import { criticLossOnCpu } from './critic-cpu.js';
import { discriminate, inputGradient, type Discriminator } from './nets.js';

type Scalar = import('@tensorflow/tfjs').Scalar;
type Tensor = import('@tensorflow/tfjs').Tensor;
type Tensor2D = import('@tensorflow/tfjs').Tensor2D;

export type LossKind = 'ns' | 'fm' | 'wgan';

export function discriminatorLoss(tf: Tf, kind: LossKind, d: Discriminator, real: Tensor2D, fake: Tensor2D, rng: Rng, gpWeight = 0): Scalar {
  const n = real.shape[0];
  if (kind !== 'wgan' && fake.shape[0] === n) {
    // D once on [real; fake] (half the kernels of two passes): with a sign of −1 on the real rows and
    // +1 on the fake ones, sum(softplus(sign · logit)) / n is the two means below added. Minibatch
    // discrimination compares each point within its own half (two groups), as in two passes.
    const logit = discriminate(tf, d, tf.concat([real, fake], 0) as Tensor2D, undefined, true, 2).logit;
    const sign = tf.concat([tf.fill([n, 1], -1), tf.fill([n, 1], 1)]);
    return tf.div(tf.sum(tf.softplus(tf.mul(logit, sign))), n) as Scalar;
  }
  if (kind === 'wgan') return criticLoss(tf, d, real, fake, randomUniform(tf, rng, [n, 1]), gpWeight);
  // D's step: real and fake are both data here (the fakes were drawn outside the tape).
  const dReal = discriminate(tf, d, real, undefined, true).logit;
  const dFake = discriminate(tf, d, fake, undefined, true).logit;
  // −log σ(a) = softplus(−a) and −log(1 − σ(a)) = softplus(a), stable for large logits.
  return tf.add(tf.mean(tf.softplus(tf.neg(dReal))), tf.mean(tf.softplus(dFake))) as Scalar;
}

/**
 * The critic's loss on interpolates real + u·(fake − real). On the CPU backends one custom op
 * (critic-cpu.ts: 39 kernels, not ~400 through the tape; the lab's training calls its gradient
 * directly, train.ts); elsewhere tensor ops.
 */
export function criticLoss(tf: Tf, d: Discriminator, real: Tensor2D, fake: Tensor2D, u: Tensor, gpWeight: number): Scalar {
  const backend = tf.getBackend();
  if ((backend === 'wasm' || backend === 'cpu') && !d.mbd && fake.shape[0] === real.shape[0]) return criticLossOnCpu(tf, d, real, fake, u, gpWeight);
  return criticLossTensors(tf, d, real, fake, u, gpWeight);
}

/** The critic's loss with tensor ops, differentiated by the tape (WebGPU; the reference for criticLossOnCpu). */
export function criticLossTensors(tf: Tf, d: Discriminator, real: Tensor2D, fake: Tensor2D, u: Tensor, gpWeight: number): Scalar {
  const dReal = discriminate(tf, d, real, undefined, true).logit;
  const dFake = discriminate(tf, d, fake, undefined, true).logit;
  const between = tf.add(real, tf.mul(u, tf.sub(fake, real))) as Tensor2D;
  const grad = inputGradient(tf, d, between);
  // The small constant keeps sqrt differentiable where the gradient vanishes.
  const norm = tf.sqrt(tf.add(tf.sum(tf.square(grad), 1), 1e-12));
  const penalty = tf.mean(tf.square(tf.sub(norm, 1)));
  return tf.add(tf.sub(tf.mean(dFake), tf.mean(dReal)), tf.mul(penalty, gpWeight)) as Scalar;
}

export function generatorLoss(tf: Tf, kind: LossKind, d: Discriminator, real: Tensor2D, fake: Tensor2D): Scalar {
  const out = discriminate(tf, d, fake);
  if (kind === 'ns') return tf.mean(tf.softplus(tf.neg(out.logit))) as Scalar;
  if (kind === 'wgan') return tf.neg(tf.mean(out.logit)) as Scalar;
  // G's optimiser differentiates in G's weights only, so the real features act as a fixed target.
  const target = tf.mean(discriminate(tf, d, real, undefined, true).features, 0);
  return tf.sum(tf.square(tf.sub(target, tf.mean(out.features, 0)))) as Scalar;
}
