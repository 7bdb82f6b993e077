/**
 * Issue 12: the step kernels' WGSL shaders (src/models/step-kernels/webgpu.ts) run on WebGPU through
 * Dawn, checked against the same arithmetic on the plain JS backend. Where there is no GPU they run on
 * Mesa's software Vulkan (llvmpipe, mesa-vulkan-drivers ≥ 23: .ci/run installs it), which executes
 * the same shaders on the CPU; without any adapter the file skips, except on CI, where it must run.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { kernelsPerStep, referenceGan } from '../../src/models/reference-gan.js';
import { useWebGpu } from './webgpu-backend.js';
import { KernelGan } from '../../src/models/step-kernels/gan.js';
import { adam, dense, inputGrad, logisticGrad, paramGrad, tfOps } from '../../src/models/step-kernels/ops.js';
import { STEP_KERNELS } from '../../src/models/step-kernels/spec.js';
import { countDispatches } from '../../src/models/step-kernels/dispatches.js';
import { kernelCases, maxRelDiff } from './step-kernel-cases.js';

const webgpu = useWebGpu();
afterAll(() => {
  webgpu.tf()?.disposeVariables();
});

describe('step kernels on WebGPU', () => {
  it('are registered for webgpu', (ctx) => {
    const tf = webgpu.tf();
    if (!tf) return ctx.skip();
    for (const name of STEP_KERNELS) expect(tf.getKernel(name, 'webgpu'), name).toBeDefined();
  });

  it('each give the tf-ops arithmetic computed on the CPU', async (ctx) => {
    const tf = webgpu.tf();
    if (!tf) return ctx.skip();
    const t = tf;
    // The reference first, on the plain JS backend: the seeded inputs are drawn the same on every
    // backend, and WebGPU in Node cannot hand its tensors over synchronously.
    t.setBackend('cpu');
    const want = kernelCases(t).map((c) => {
      const values = t.tidy(() => c.run(tfOps).dataSync());
      c.dispose();
      return values;
    });
    t.setBackend('webgpu');
    const cases = kernelCases(t);
    for (const [i, c] of cases.entries()) {
      const out = c.run({ dense, paramGrad, inputGrad, logisticGrad, adam });
      // WebGPU in Node reads back asynchronously only (dataSync needs a canvas).
      const got = await out.data();
      out.dispose();
      c.dispose();
      expect(got.length, c.name).toBe(want[i].length);
      expect(maxRelDiff(got, want[i]), c.name).toBeLessThan(1e-5);
    }
  });

  it('train the K-run GAN as the CPU backend does (3 steps, K = 3)', async (ctx) => {
    const tf = webgpu.tf();
    if (!tf) return ctx.skip();
    const t = tf;
    const gan = new KernelGan(t, 16, [31, 32, 33]);
    const start = { G: (await gan.G.state.data()).slice(), D: (await gan.D.state.data()).slice() };
    const batches = [gan.draw(), gan.draw(), gan.draw()];
    for (const b of batches) gan.step(b);
    const got = { G: await gan.G.state.data(), D: await gan.D.state.data() };
    // The same step on the CPU backend, whose arithmetic is tf ops (no step kernels registered there).
    t.setBackend('cpu');
    const twin = new KernelGan(t, 16, [31, 32, 33]);
    expect(maxRelDiff(twin.G.state.dataSync(), start.G)).toBe(0);
    for (const b of batches) twin.step(b);
    const want = { G: twin.G.state.dataSync().slice(), D: twin.D.state.dataSync().slice() };
    twin.dispose();
    t.setBackend('webgpu');
    gan.dispose();
    // θ, and the moments: all of each state row.
    expect(maxRelDiff(got.G, want.G)).toBeLessThan(1e-4);
    expect(maxRelDiff(got.D, want.D)).toBeLessThan(1e-4);
  });

  it('launch at most 60 kernels a step, each one GPU dispatch', async (ctx) => {
    const tf = webgpu.tf();
    if (!tf) return ctx.skip();
    const gan = referenceGan(tf, 32, 'kernels', 1, 4);
    const count = await kernelsPerStep(tf, gan);
    const dispatches = countDispatches(tf, () => gan.step());
    gan.dispose();
    expect(count.kernels).toBeLessThanOrEqual(60);
    // Every kernel of the step is a compute shader (no Reshape or Identity): dispatches = kernels.
    expect(dispatches).toBe(count.kernels);
  });
});
