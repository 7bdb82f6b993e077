/**
 * Minibatch discrimination's written-out CPU steps (gan/minibatch-cpu.ts) against the tensor ops
 * differentiated by tfjs's tape: D's loss and gradient in D's flat parameters, G's in G's, at several
 * depths and both closeness loops (3 dimensions a kernel, the lab's, and the general one); the
 * backend holds no more buffers after; and a step launches a few dozen kernels.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../../src/generators/rng.js';
import { DirectKernels } from '../../src/models/direct-kernels.js';
import { layerOffsets } from '../../src/models/direct-mlp.js';
import { minibatchDiscriminatorStep, minibatchGeneratorStep } from '../../src/models/gan/minibatch-cpu.js';
import { discriminate, disposeDiscriminator, disposeGenerator, generate, makeDiscriminator, makeGenerator, type Discriminator } from '../../src/models/gan/nets.js';
import { tensorflow, type Tf } from '../../src/models/runtime.js';

type Scalar = import('@tensorflow/tfjs').Scalar;
type Tensor = import('@tensorflow/tfjs').Tensor;
type Tensor2D = import('@tensorflow/tfjs').Tensor2D;

let tf: Tf;
beforeAll(async () => {
  tf = (await tensorflow()).tf;
});

const buffers = (): number => (tf.backend() as unknown as { numDataIds(): number }).numDataIds();

/** D with weights spread wider than its initialisation, so the closeness features (T starts at std 0.05) vary and matter. */
function spreadD(depth: number, hidden: number, kernels: number, dims: number, seed: number): Discriminator {
  const d = makeDiscriminator(tf, new Rng(seed), 2, hidden, depth, { kernels, dims });
  tf.tidy(() => d.net.theta.assign(tf.randomNormal([d.net.theta.size], 0, 0.5, 'float32', seed)));
  return d;
}

/** The largest |a − b| and the largest |b|. */
function gap(a: Tensor | Float32Array, b: Tensor): { diff: number; largest: number } {
  return tf.tidy(() => {
    const ta = a instanceof Float32Array ? tf.tensor1d(a) : a;
    return { diff: tf.max(tf.abs(tf.sub(ta, b))).dataSync()[0], largest: tf.max(tf.abs(b)).dataSync()[0] };
  });
}

/** Where T's weights sit in D's flat buffer (after the hidden layers), and how many. */
function tSlot(d: Discriminator): [number, number] {
  const [i, o] = d.net.dims[d.depth];
  return [layerOffsets(d.net.dims)[d.depth], i * o];
}

describe('minibatch discrimination’s D step on the CPU', () => {
  const compare = (depth: number, hidden: number, n: number, kernels: number, dims: number) => {
    const d = spreadD(depth, hidden, kernels, dims, 30 + depth + dims);
    const before = tf.memory().numTensors;
    const buffersBefore = buffers();
    tf.tidy(() => {
      const real = tf.randomNormal([n, 2], 0, 1.5, 'float32', 31) as Tensor2D;
      const fake = tf.randomNormal([n, 2], 0.3, 1, 'float32', 32) as Tensor2D;
      // The reference: two passes, each batch its own minibatch, the closeness features with tensor ops.
      const theirs = tf.variableGrads(() => {
        const dReal = discriminate(tf, d, real, undefined, true, 1, true).logit;
        const dFake = discriminate(tf, d, fake, undefined, true, 1, true).logit;
        return tf.add(tf.mean(tf.softplus(tf.neg(dReal))), tf.mean(tf.softplus(dFake))) as Scalar;
      }, [d.net.theta]);
      const ours = minibatchDiscriminatorStep(tf, d, real, fake);
      const value = theirs.value.dataSync()[0];
      expect(Math.abs(ours.loss - value)).toBeLessThan(1e-5 * Math.max(1, Math.abs(value)));
      const g = theirs.grads[d.net.theta.name];
      const { diff, largest } = gap(ours.grad, g);
      expect(largest).toBeGreaterThan(0.01);
      expect(diff).toBeLessThan(1e-4 * largest);
      // The closeness features' share of the gradient (T's slot) is far from nothing, so a wrong backward through them fails above.
      const [at, size] = tSlot(d);
      expect(gap(ours.grad.slice(at, at + size), g.slice(at, size)).largest).toBeGreaterThan(1e-3 * largest);
    });
    expect(tf.memory().numTensors).toBe(before);
    // The step's insides run below the engine: the backend must hold no more buffers after.
    expect(buffers()).toBe(buffersBefore);
    disposeDiscriminator(d);
  };

  it('equals the tensor-op losses in value and gradient in D’s parameters (depth 1, 2, 3; 3 dimensions a kernel and 2)', () => {
    compare(3, 16, 12, 5, 3);
    compare(2, 8, 7, 3, 3);
    compare(1, 8, 9, 4, 2);
    compare(3, 12, 6, 2, 2);
  });

  it('refuses batches that do not match, and a D without minibatch features', () => {
    const d = spreadD(2, 8, 3, 3, 5);
    const plain = makeDiscriminator(tf, new Rng(6), 2, 8, 2);
    tf.tidy(() => {
      expect(() => minibatchDiscriminatorStep(tf, d, tf.zeros([4, 2]) as Tensor2D, tf.zeros([3, 2]) as Tensor2D)).toThrow(/do not match/);
      expect(() => minibatchDiscriminatorStep(tf, plain, tf.zeros([4, 2]) as Tensor2D, tf.zeros([4, 2]) as Tensor2D)).toThrow(/no minibatch features/);
    });
    disposeDiscriminator(d);
    disposeDiscriminator(plain);
  });
});

describe('minibatch discrimination’s G step on the CPU', () => {
  const compare = (depth: number, hidden: number, n: number, zDim: number, kernels: number, dims: number) => {
    const d = spreadD(depth, hidden, kernels, dims, 40 + depth);
    const g = makeGenerator(tf, new Rng(50 + depth), zDim, hidden, depth);
    // The same D with the output layer's weights on the closeness features zeroed.
    const d0 = spreadD(depth, hidden, kernels, dims, 40 + depth);
    const outAt = layerOffsets(d0.net.dims)[depth + 1];
    const values = d0.net.theta.dataSync().slice();
    values.fill(0, outAt + hidden, outAt + hidden + kernels);
    d0.net.theta.assign(tf.tensor1d(values));
    const before = tf.memory().numTensors;
    const buffersBefore = buffers();
    tf.tidy(() => {
      const z = tf.randomNormal([n, zDim], 0, 1, 'float32', 51) as Tensor2D;
      // The reference: the non-saturating loss −mean log D(G(z)) through the tape, D's closeness with tensor ops.
      const theirs = tf.variableGrads(() => tf.mean(tf.softplus(tf.neg(discriminate(tf, d, generate(tf, g, z), undefined, false, 1, true).logit))) as Scalar, [g.net.theta]);
      const ours = minibatchGeneratorStep(tf, g, d, z);
      const value = theirs.value.dataSync()[0];
      expect(Math.abs(ours.loss - value)).toBeLessThan(1e-5 * Math.max(1, Math.abs(value)));
      const { diff, largest } = gap(ours.grad, theirs.grads[g.net.theta.name]);
      expect(largest).toBeGreaterThan(0.01);
      expect(diff).toBeLessThan(1e-4 * largest);
      // The closeness features' path matters here: with their output weights zeroed, the gradient differs by far more than the tolerance.
      const gradWithout = tf.variableGrads(() => tf.mean(tf.softplus(tf.neg(discriminate(tf, d0, generate(tf, g, z), undefined, false, 1, true).logit))) as Scalar, [g.net.theta]).grads[g.net.theta.name];
      expect(gap(gradWithout, theirs.grads[g.net.theta.name]).diff).toBeGreaterThan(1e-2 * largest);
    });
    expect(tf.memory().numTensors).toBe(before);
    expect(buffers()).toBe(buffersBefore);
    disposeDiscriminator(d);
    disposeDiscriminator(d0);
    disposeGenerator(g);
  };

  it('equals the tensor-op loss in value and gradient in G’s parameters (depth 1, 2, 3; 3 dimensions a kernel and 2)', () => {
    compare(3, 16, 10, 4, 5, 3);
    compare(2, 8, 7, 3, 3, 3);
    compare(1, 12, 8, 2, 4, 2);
  });
});

describe('a minibatch training step on the CPU', () => {
  it('launches a few dozen kernels for both losses and gradients (the tape’s launched 275 with the rest of the step)', () => {
    const d = makeDiscriminator(tf, new Rng(7), 2, 64, 3, { kernels: 5, dims: 3 });
    const g = makeGenerator(tf, new Rng(8), 4, 64, 3);
    const e = tf.engine() as unknown as { runKernelFunc: (a: unknown) => unknown };
    const orig = e.runKernelFunc;
    let engine = 0;
    e.runKernelFunc = (a: unknown) => {
      engine++;
      return orig.call(e, a);
    };
    const real = tf.randomNormal([64, 2], 0, 1, 'float32', 1) as Tensor2D;
    const fake = tf.randomNormal([64, 2], 0, 1, 'float32', 2) as Tensor2D;
    const z = tf.randomNormal([64, 4], 0, 1, 'float32', 3) as Tensor2D;
    const direct0 = DirectKernels.launched;
    try {
      minibatchDiscriminatorStep(tf, d, real, fake);
      minibatchGeneratorStep(tf, g, d, z);
    } finally {
      e.runKernelFunc = orig;
    }
    const direct = DirectKernels.launched - direct0;
    expect(engine).toBe(0);
    expect(direct).toBeGreaterThan(10);
    expect(direct).toBeLessThanOrEqual(64);
    tf.dispose([real, fake, z]);
    disposeDiscriminator(d);
    disposeGenerator(g);
  });
});
