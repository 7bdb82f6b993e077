/**
 * Issue 12, kernels per step: the fused MLP (one flat parameter buffer, fused dense layers with a
 * hand-written backward), FlatAdam over one flat buffer, and the reference GAN step built from them,
 * each checked against the unfused ops / tf.train.adam with explicit tolerances.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../../src/generators/rng.js';
import { flatMlp, flatMlpForward, unpack } from '../../src/models/fused.js';
import { dense, disposeLayers, layeredMlp, mlp, variables } from '../../src/models/nn.js';
import { FlatAdam } from '../../src/models/optim.js';
import { kernelsPerStep, referenceGan } from '../../src/models/reference-gan.js';
import { tensorflow, type Tf } from '../../src/models/runtime.js';

type Tensor = import('@tensorflow/tfjs').Tensor;
type Tensor2D = import('@tensorflow/tfjs').Tensor2D;
type Scalar = import('@tensorflow/tfjs').Scalar;

let tf: Tf;
beforeAll(async () => {
  tf = (await tensorflow()).tf;
});

const maxDiff = (a: Tensor, b: Tensor): number => tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]);

/** The same MLP written with plain, separately differentiated ops. */
function unfused(sizes: number[], x: Tensor2D, theta: Tensor): Tensor2D {
  let h = x;
  unpack(tf, sizes, theta).forEach((l, k, all) => {
    h = tf.add(tf.matMul(h, l.w), l.b) as Tensor2D;
    if (k < all.length - 1) h = tf.relu(h) as Tensor2D;
  });
  return h;
}

describe('fused MLP', () => {
  it('gives the unfused layers’ output and gradients (in the parameters and the input)', () => {
    const before = tf.memory().numTensors;
    const sizes = [3, 16, 8, 2];
    const net = flatMlp(tf, new Rng(5), sizes);
    // Biases away from zero so the bias gradient and the ReLU masks are exercised.
    tf.tidy(() => net.theta.assign(tf.add(net.theta, tf.randomUniform(net.theta.shape, -0.3, 0.3, 'float32', 9))));
    const x = tf.randomNormal([7, 3], 0, 1, 'float32', 3) as Tensor2D;
    const w = tf.randomNormal([7, 2], 0, 1, 'float32', 4);
    // A loss that weights every output differently, so every output's gradient matters.
    const loss = (f: (x: Tensor2D, t: Tensor) => Tensor2D) => (xx: Tensor, t: Tensor) => tf.sum(tf.mul(f(xx as Tensor2D, t), w)) as Scalar;
    const fused = (xx: Tensor2D, t: Tensor) => flatMlpForward(tf, { sizes, theta: t as never }, xx);
    // Every tensor made below goes with the tidy; the leak check then covers the layers' own work.
    tf.tidy(() => {
    const y1 = fused(x, net.theta);
    const y0 = unfused(sizes, x, net.theta);
    expect(maxDiff(y1, y0)).toBeLessThan(1e-5);
    const [gx1, gt1] = tf.grads(loss(fused))([x, net.theta]);
    const [gx0, gt0] = tf.grads(loss((xx, t) => unfused(sizes, xx, t)))([x, net.theta]);
    const scale = tf.tidy(() => tf.max(tf.abs(gt0)).dataSync()[0]);
    expect(scale).toBeGreaterThan(0.1);
    expect(maxDiff(gt1, gt0)).toBeLessThan(1e-5 * Math.max(1, scale));
    expect(maxDiff(gx1, gx0)).toBeLessThan(1e-5 * Math.max(1, scale));
    // Asked for the parameters' gradient only, it is unchanged (the input is then a constant).
    const gt2 = tf.grad((t: Tensor) => tf.sum(tf.mul(flatMlpForward(tf, { sizes, theta: t as never }, x, { input: false, params: true }), w)) as Scalar)(net.theta);
    // Asked for the input's gradient only, that is unchanged too.
    const gx2 = tf.grad((xx: Tensor) => tf.sum(tf.mul(flatMlpForward(tf, { sizes, theta: net.theta }, xx as Tensor2D, { input: true, params: false }), w)) as Scalar)(x);
    expect(maxDiff(gx2, gx0)).toBeLessThan(1e-5 * Math.max(1, scale));
    // Asked for neither, the output is the same.
    expect(maxDiff(flatMlpForward(tf, net, x, { input: false, params: false }), y0)).toBeLessThan(1e-5);
    expect(maxDiff(gt2, gt0)).toBeLessThan(1e-5 * Math.max(1, scale));
    });
    tf.dispose([x, w, net.theta]);
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('FlatAdam over one flat buffer', () => {
  it('takes the same steps as tf.train.adam', () => {
    const before = tf.memory().numTensors;
    const init = [0.5, -1, 2, 0.25, 0.1, -0.2];
    const a = tf.tidy(() => tf.variable(tf.tensor1d(init)));
    const b = tf.tidy(() => tf.variable(tf.tensor1d(init)));
    const x = tf.tensor2d([[1, 2], [3, -1], [0.5, 0.5]]);
    const loss = (v: Tensor) => () =>
      tf.tidy(() => {
        const [m, c] = tf.split(v, [4, 2]);
        return tf.mean(tf.square(tf.add(tf.matMul(x, tf.reshape(m, [2, 2])), c))) as Scalar;
      });
    const reference = tf.train.adam(0.01, 0.5, 0.999, 1e-8);
    const flat = new FlatAdam(tf, [b], 0.5, 0.999, 1e-8);
    for (let k = 0; k < 8; k++) {
      reference.minimize(loss(a), false, [a]);
      const { value, grads } = tf.variableGrads(loss(b), [b]);
      flat.apply(grads, 0.01);
      tf.dispose([value, ...Object.values(grads)]);
    }
    // 8 steps of 0.01 moved the parameters; both optimisers agree to well under a step.
    expect(tf.tidy(() => tf.max(tf.abs(tf.sub(a, tf.tensor1d(init)))).dataSync()[0])).toBeGreaterThan(0.05);
    expect(maxDiff(a, b)).toBeLessThan(1e-5);
    reference.dispose();
    flat.dispose();
    tf.dispose([a, b, x]);
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('reference GAN step', () => {
  it('trains the same as the flat-Adam layers, with fewer kernels', async () => {
    const before = tf.memory().numTensors;
    const batch = 64;
    const flat = referenceGan(tf, batch, 'flat', 3);
    const fused = referenceGan(tf, batch, 'fused', 3);
    const p0 = await flat.parameters();
    expect(await fused.parameters()).toEqual(p0);
    // Both draw the same data, noise and initial weights from the seed: after a few steps the
    // parameters agree to float rounding, though each moved by about lr per step.
    for (let k = 0; k < 4; k++) {
      flat.step();
      fused.step();
    }
    const [pa, pb] = [await flat.parameters(), await fused.parameters()];
    let moved = 0;
    let diff = 0;
    for (let i = 0; i < pa.length; i++) {
      moved = Math.max(moved, Math.abs(pa[i] - p0[i]));
      diff = Math.max(diff, Math.abs(pa[i] - pb[i]));
    }
    expect(moved).toBeGreaterThan(2e-3);
    expect(diff).toBeLessThan(1e-4);
    const kFlat = await kernelsPerStep(tf, flat);
    const kFused = await kernelsPerStep(tf, fused);
    // Measured on wasm 2026-11-30: 314 → 176 kernels (186 → 99 without Reshape/Identity).
    expect(kFused.kernels).toBeLessThan(kFlat.kernels * 0.6);
    expect(kFused.compute).toBeLessThanOrEqual(105);
    flat.dispose();
    fused.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('nn.mlp fused (ReLU, leaky ReLU, linear)', () => {
  it('gives layeredMlp’s output and gradients, with and without a constant input', () => {
    const before = tf.memory().numTensors;
    const rng = new Rng(11);
    const layers = [dense(tf, rng, 3, 8), dense(tf, rng, 8, 8), dense(tf, rng, 8, 2)];
    // Biases away from zero so the bias gradients and the masks are exercised.
    tf.tidy(() => layers.forEach((l, k) => l.b.assign(tf.randomUniform(l.b.shape, -0.3, 0.3, 'float32', 20 + k))));
    const vars = variables(layers);
    tf.tidy(() => {
      const x = tf.randomNormal([7, 3], 0, 1, 'float32', 3) as Tensor2D;
      const w = tf.randomNormal([7, 2], 0, 1, 'float32', 4);
      for (const [hidden, last] of [['relu', 'linear'], ['leakyRelu', 'leakyRelu'], ['linear', 'linear']] as const) {
        const y0 = layeredMlp(tf, layers, x, hidden, last);
        // Untaped, the fused forward alone.
        expect(maxDiff(mlp(tf, layers, x, hidden, last), y0)).toBeLessThan(1e-5);
        const loss = (f: typeof mlp, constantInput: boolean) => (xx: Tensor) => tf.sum(tf.mul(f(tf, layers, xx as Tensor2D, hidden, last, { constantInput }), w)) as Scalar;
        const theirs = tf.variableGrads(() => loss(layeredMlp, false)(x), vars).grads;
        const scale = Math.max(...vars.map((v) => tf.max(tf.abs(theirs[v.name])).dataSync()[0]));
        expect(scale).toBeGreaterThan(0.1);
        for (const constantInput of [false, true]) {
          const ours = tf.variableGrads(() => loss(mlp, constantInput)(x), vars).grads;
          for (const v of vars) expect(maxDiff(ours[v.name], theirs[v.name])).toBeLessThan(1e-5 * scale);
        }
        const gx0 = tf.grad(loss(layeredMlp, false))(x);
        expect(maxDiff(tf.grad(loss(mlp, false))(x), gx0)).toBeLessThan(1e-5 * scale);
      }
    });
    disposeLayers(layers);
    expect(tf.memory().numTensors).toBe(before);
  });
});
