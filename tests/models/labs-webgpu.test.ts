/**
 * Issue 12: every lab run trains on WebGPU end to end (tiny configs): training, evaluation and the
 * plots, finite metrics, no tensor left behind. tfjs-backend-webgpu has no synchronous read in Node
 * (it reads through an OffscreenCanvas), so a lab that reads a tensor synchronously fails here, as
 * it would on a GPU machine. Where there is no GPU the shaders run on Mesa's software Vulkan
 * (.ci/run installs it); without any adapter the file skips, except on CI, where it must run.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LABS } from '../../src/models/labs.js';
import { runLab } from '../../src/models/runner.js';
import { useWebGpu } from './webgpu-backend.js';

const TINY: Record<string, Record<string, unknown>> = {
  gan: { steps: 6, batch: 8, hidden: 8, evalSamples: 50, checkpoints: 1 },
  'gan/optimal-d': { steps: 6, batch: 8, hidden: 8, gridSize: 6 },
  clip: { steps: 4, batchSize: 8, trainPairs: 48, testPerCombo: 2, filters: 4, hiddenSize: 16, textDim: 8, embedDim: 8 },
  tvlt: { steps: 3, batchSize: 4, trainClips: 8, testClips: 4, width: 8, heads: 2, layers: 1, decoderWidth: 8, decoderLayers: 1 },
};

const webgpu = useWebGpu();
let cache = '';
const saved = process.env.STEPWISE_CACHE;
beforeAll(() => {
  cache = mkdtempSync(join(tmpdir(), 'stepwise-labs-webgpu-'));
  process.env.STEPWISE_CACHE = cache;
});
afterAll(() => {
  rmSync(cache, { recursive: true, force: true });
  if (saved === undefined) delete process.env.STEPWISE_CACHE;
  else process.env.STEPWISE_CACHE = saved;
});

describe('every lab run on WebGPU, tiny', () => {
  for (const lab of LABS) {
    for (const run of Object.keys(lab.runs)) {
      it(`${lab.id}/${run}`, async (ctx) => {
        const tf = webgpu.tf();
        if (!tf) return ctx.skip();
        const before = tf.memory().numTensors;
        const r = await runLab({ lab: lab.id, run, seed: 1, config: TINY[`${lab.id}/${run}`] ?? TINY[lab.id] });
        expect(r.manifest.backend).toBe('webgpu');
        expect(r.manifest.files.length).toBeGreaterThan(0);
        const numbers = JSON.stringify(r.manifest.metrics).match(/-?\d+(\.\d+)?(e-?\d+)?/g) ?? [];
        expect(numbers.length).toBeGreaterThan(0);
        expect(JSON.stringify(r.manifest.metrics)).not.toMatch(/NaN|Infinity|null/);
        expect(tf.memory().numTensors).toBe(before);
      }, 120_000);
    }
  }
});
