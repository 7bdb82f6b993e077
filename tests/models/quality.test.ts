/**
 * Issue 12: the labs' quality figures at their DEFAULT configs, each with its threshold, so a
 * change that makes a run faster cannot quietly make it worse. Each run trains for real (15–45 s
 * of CPU each on WASM), so the block runs only with STEPWISE_MODEL_QUALITY=1 — the ordinary suite
 * stays fast — and `npm run bench:models` prints the same figures on every run.
 *
 * Thresholds (seed 1, WASM, measured 2026-11-30 before and after the kernel work; README):
 *   GAN ring: minibatch discrimination covers at least 7 of 8 modes, and more than vanilla;
 *   optimal D: mean |D − D*| on the grid at most 0.025 (0.021 before, 0.020 after);
 *   CLIP: zero-shot accuracy on the held-out pairs at least 0.75 (0.80 before, 0.81 after; chance 0.025);
 *   TVLT: masked-patch reconstruction below the mean-patch baseline (ratio < 1).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../../src/generators/rng.js';
import type { Lab } from '../../src/models/lab.js';
import { getLab } from '../../src/models/labs.js';
import { resolveRun } from '../../src/models/runner.js';
import { tensorflow, type Tf } from '../../src/models/runtime.js';

let tf: Tf;
beforeAll(async () => {
  tf = (await tensorflow()).tf;
});

async function metrics(labId: string, run: string): Promise<Record<string, number>> {
  const lab: Lab = getLab(labId);
  const { config } = resolveRun(lab, run, {});
  const r = await lab.run(run, config, { tf, seed: 1, rng: new Rng(1), progress: () => undefined });
  return r.metrics as Record<string, number>;
}

const MINUTE = 60_000;

describe.skipIf(process.env.STEPWISE_MODEL_QUALITY !== '1')('lab quality at the default configs (STEPWISE_MODEL_QUALITY=1)', () => {
  it('GAN ring: minibatch discrimination covers ≥ 7 of 8 modes, more than vanilla', async () => {
    const vanilla = await metrics('gan', 'vanilla');
    const minibatch = await metrics('gan', 'minibatch');
    expect(minibatch.modesCovered).toBeGreaterThanOrEqual(7);
    expect(minibatch.modesCovered).toBeGreaterThan(vanilla.modesCovered);
  }, 6 * MINUTE);

  it('optimal D: mean |D − D*| ≤ 0.025', async () => {
    expect((await metrics('gan', 'optimal-d')).meanAbsError).toBeLessThanOrEqual(0.025);
  }, 4 * MINUTE);

  it('CLIP: zero-shot accuracy on held-out pairs ≥ 0.75', async () => {
    expect((await metrics('clip', 'default')).zeroShotAccuracy).toBeGreaterThanOrEqual(0.75);
  }, 5 * MINUTE);

  it('TVLT: masked-patch reconstruction beats the mean-patch baseline', async () => {
    expect((await metrics('tvlt', 'default')).reconToBaseline).toBeLessThan(1);
  }, 6 * MINUTE);
});
