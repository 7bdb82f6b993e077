/**
 * Issue 12: the step kernels (src/models/step-kernels/) on the backend the ladder picks (WASM on the
 * CPU machines): each registered kernel against the same arithmetic in tf ops, the K-run GAN step
 * against tfjs autodiff with tf.train.adam, run k of a batch against its seed trained alone, and
 * the kernels a step launches. The WGSL versions: step-kernels-webgpu.test.ts.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { kernelsPerStep, referenceGan } from '../../src/models/reference-gan.js';
import { tensorflow, type Tf } from '../../src/models/runtime.js';
import { KernelGan } from '../../src/models/step-kernels/gan.js';
import { adam, dense, inputGrad, logisticGrad, paramGrad, tfOps } from '../../src/models/step-kernels/ops.js';
import { adamConstants, mlpLayout, STEP_KERNELS } from '../../src/models/step-kernels/spec.js';
import { autodiffGanStep, kernelCases, maxRelDiff } from './step-kernel-cases.js';

let tf: Tf;
beforeAll(async () => {
  tf = (await tensorflow()).tf;
});

describe('step kernels on the CPU default', () => {
  it('are registered for the backend in use (WASM)', () => {
    expect(tf.getBackend()).toBe('wasm');
    for (const name of STEP_KERNELS) expect(tf.getKernel(name, 'wasm'), name).toBeDefined();
  });

  it('each give the tf-ops arithmetic (dense with and without ReLU, both gradients, masked and not, logistic gradient, Adam)', () => {
    const before = tf.memory().numTensors;
    for (const c of kernelCases(tf)) {
      const got = tf.tidy(() => c.run({ dense, paramGrad, inputGrad, logisticGrad, adam }).dataSync());
      const want = tf.tidy(() => c.run(tfOps).dataSync());
      expect(got.length, c.name).toBe(want.length);
      expect(maxRelDiff(got, want), c.name).toBeLessThan(1e-5);
      c.dispose();
    }
    expect(tf.memory().numTensors).toBe(before);
  });

  it('refuses Adam gradients that do not cover the state, naming the kernel', () => {
    const sizes = [2, 3, 1];
    const { params } = mlpLayout(sizes);
    tf.tidy(() => {
      const state = tf.zeros([1, 3 * params]) as never;
      expect(() => adam(tf, state, [tf.zeros([1, 9]) as never], adamConstants(params, 1, 1e-3, 0.9, 0.999, 1e-8))).toThrow(/StepwiseAdamState.*cover 9 parameters, the state 13/);
    });
  });

  it('train the K-run GAN as tfjs autodiff with tf.train.adam does, run by run (3 steps, K = 2)', async () => {
    const gan = new KernelGan(tf, 8, [11, 12]);
    const start = [{ G: await gan.G.parameters(0), D: await gan.D.parameters(0) }, { G: await gan.G.parameters(1), D: await gan.D.parameters(1) }];
    const batches = [gan.draw(), gan.draw(), gan.draw()];
    for (const b of batches) gan.step(b);
    for (const k of [0, 1]) {
      const want = autodiffGanStep(tf, start[k], batches, k, 8);
      // Adam's first steps move each weight by about lr whatever the gradient's size: compared to lr/10.
      const got = { G: await gan.G.parameters(k), D: await gan.D.parameters(k) };
      expect(maxAbs(got.G, want.G), `G, run ${k}`).toBeLessThan(1e-4);
      expect(maxAbs(got.D, want.D), `D, run ${k}`).toBeLessThan(1e-4);
      // And they did move: the check is not of an untrained network against itself.
      expect(maxAbs(got.G, start[k].G)).toBeGreaterThan(5e-4);
    }
    gan.dispose();
  });

  it('train run k of a batch as its seed alone (to float rounding)', async () => {
    const together = new KernelGan(tf, 16, [21, 22, 23]);
    const alone = new KernelGan(tf, 16, [22]);
    for (let i = 0; i < 4; i++) {
      together.step();
      alone.step();
    }
    // Not bit for bit: the batched product may block its sums differently; Adam keeps it near float rounding.
    expect(maxAbs(await together.D.parameters(1), await alone.D.parameters(0))).toBeLessThan(2e-5);
    expect(maxAbs(await together.G.parameters(1), await alone.G.parameters(0))).toBeLessThan(2e-5);
    // Different seeds train differently.
    expect(maxAbs(await together.G.parameters(0), await together.G.parameters(1))).toBeGreaterThan(1e-2);
    together.dispose();
    alone.dispose();
  });

  it('launch at most 60 kernels a step (one D step and one G step), the same for 1 run and for 8, and leave no tensor behind', async () => {
    const counts: number[] = [];
    for (const runs of [1, 8]) {
      const gan = referenceGan(tf, 32, 'kernels', 1, runs);
      const before = tf.memory().numTensors;
      const count = await kernelsPerStep(tf, gan);
      expect(tf.memory().numTensors).toBe(before);
      counts.push(count.kernels);
      gan.dispose();
    }
    expect(counts[0]).toBeLessThanOrEqual(60);
    expect(counts[1]).toBe(counts[0]);
  });
});

function maxAbs(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}
