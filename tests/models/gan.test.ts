/**
 * The GAN lab with tiny configs: the VEEGAN metrics and D* on hand-made inputs, the input gradient
 * behind WGAN-GP against tf.grad, finite losses and no leaked tensors for every run, determinism
 * per seed, and clear errors for bad configs.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StepwiseError } from '../../src/core/errors.js';
import { Rng } from '../../src/generators/rng.js';
import { logGaussian, logMixture, modeCentres, optimalD, planeGrid } from '../../src/models/gan/data.js';
import { ganLab } from '../../src/models/gan/index.js';
import { labelAccuracy, modeReport } from '../../src/models/gan/metrics.js';
import { closenessOnCpu } from '../../src/models/gan/closeness-cpu.js';
import { criticLossOnCpu } from '../../src/models/gan/critic-cpu.js';
import { criticLossTensors } from '../../src/models/gan/losses.js';
import { closeness, discriminate, disposeDiscriminator, inputGradient, makeDiscriminator } from '../../src/models/gan/nets.js';
import { ReplayBuffer } from '../../src/models/gan/replay.js';
import type { LabResult } from '../../src/models/lab.js';
import { resolveRun, runLab } from '../../src/models/runner.js';
import { tensorflow, type Tf } from '../../src/models/runtime.js';
import { decayFactor } from '../../src/models/gan/train.js';

type Scalar = import('@tensorflow/tfjs').Scalar;
type Tensor = import('@tensorflow/tfjs').Tensor;
type Tensor2D = import('@tensorflow/tfjs').Tensor2D;

let tf: Tf;
let cache: string;
const saved = process.env.STEPWISE_CACHE;

beforeAll(async () => {
  tf = (await tensorflow()).tf;
  cache = mkdtempSync(join(tmpdir(), 'stepwise-gan-'));
  process.env.STEPWISE_CACHE = cache;
});

afterAll(() => {
  rmSync(cache, { recursive: true, force: true });
  if (saved === undefined) delete process.env.STEPWISE_CACHE;
  else process.env.STEPWISE_CACHE = saved;
});

const ring = modeCentres('ring');

/** Flat [x0, y0, …] from points. */
const flat = (pts: number[][]): Float32Array => Float32Array.from(pts.flat());

describe('VEEGAN metrics on hand-made points', () => {
  it('counts points at 3 ring modes as 3 modes and the outliers as low quality', () => {
    const pts = [...Array(30).fill(ring[0]), ...Array(30).fill(ring[2]), ...Array(30).fill(ring[5]), ...Array(10).fill([0, 0])];
    const r = modeReport(flat(pts), ring, 0.02);
    expect(r.modesCovered).toBe(3);
    expect(r.modes).toBe(8);
    expect(r.highQuality).toBe(0.9);
    expect(r.modeCounts).toEqual([30, 0, 30, 0, 0, 30, 0, 0]);
    expect(r.modeMinCount).toBe(1);
  });

  it('draws the 3σ line and the 20-of-2,500 threshold where stated', () => {
    const [cx, cy] = ring[0];
    const inside = Array(20).fill([cx + 0.059, cy]);
    const outside = Array(2480).fill([cx + 0.061, cy]);
    const r = modeReport(flat([...inside, ...outside]), ring, 0.02);
    expect(r.modeMinCount).toBe(20);
    expect(r.modeCounts[0]).toBe(20);
    expect(r.modesCovered).toBe(1);
    expect(r.highQuality).toBe(20 / 2500);
    const fewer = modeReport(flat([...inside.slice(1), ...outside, [0, 0]]), ring, 0.02);
    expect(fewer.modesCovered).toBe(0);
  });

  it('scores the grid of 25 and the conditional label accuracy', () => {
    const grid = modeCentres('grid');
    expect(grid).toHaveLength(25);
    const r = modeReport(flat(grid), grid, 0.05);
    expect([r.modesCovered, r.highQuality]).toEqual([25, 1]);
    // Two samples asked for mode 0: one lands there, one at mode 1.
    expect(labelAccuracy(flat([grid[0], grid[1]]), [0, 0], grid, 0.05)).toBe(0.5);
  });
});

describe('the optimal discriminator D*', () => {
  it('is p_data / (p_data + p_g)', () => {
    expect(optimalD(Math.log(3), Math.log(1))).toBeCloseTo(0.75, 12);
    expect(optimalD(Math.log(1), Math.log(1))).toBe(0.5);
    expect(optimalD(-2000, -1000)).toBe(0);
    expect(optimalD(-1000, -2000)).toBe(1);
  });

  it('matches the densities worked by hand at a ring mode and at the origin', () => {
    // At (2, 0): p_data ≈ (1/8)·1/(2π·0.02²) (the other modes add nothing), p_g = N(0, 1.5² I).
    const pData = 1 / 8 / (2 * Math.PI * 0.0004);
    const pG = Math.exp(-4 / (2 * 2.25)) / (2 * Math.PI * 2.25);
    expect(Math.exp(logMixture(ring, 0.02, 2, 0))).toBeCloseTo(pData, 6);
    expect(Math.exp(logGaussian(1.5, 2, 0))).toBeCloseTo(pG, 10);
    expect(optimalD(logMixture(ring, 0.02, 2, 0), logGaussian(1.5, 2, 0))).toBeCloseTo(pData / (pData + pG), 10);
    // At the origin the data density underflows: D* = 0.
    expect(optimalD(logMixture(ring, 0.02, 0, 0), logGaussian(1.5, 0, 0))).toBe(0);
  });

  it('lays the comparison grid out row 0 at the top', () => {
    const g = planeGrid(-1, 1, 4);
    expect(g.xs).toEqual([-0.75, -0.25, 0.25, 0.75]);
    expect(g.ys).toEqual([0.75, 0.25, -0.25, -0.75]);
    expect(g.points[1]).toEqual([-0.25, 0.75]);
  });
});

describe('networks', () => {
  it('computes ∇ₓD as tf.grad does', () => {
    const d = makeDiscriminator(tf, new Rng(3), 2, 8, 2);
    const x = tf.tensor2d([
      [0.3, -1.2],
      [2, 0.5],
      [-0.7, 0.1],
    ]);
    const ours = tf.tidy(() => inputGradient(tf, d, x).arraySync());
    const theirs = tf.tidy(() => tf.grad((v) => tf.sum(discriminate(tf, d, v as import('@tensorflow/tfjs').Tensor2D).logit))(x).arraySync() as number[][]);
    x.dispose();
    disposeDiscriminator(d);
    ours.flat().forEach((g, i) => expect(g).toBeCloseTo(theirs.flat()[i], 5));
  });

  it('decays the learning rates linearly over the last share of the steps', () => {
    expect([1, 5, 6, 8, 10].map((step) => decayFactor(step, 10, 0.5))).toEqual([1, 1, 1, 0.6, 0.2]);
    expect(decayFactor(10, 10, 0)).toBe(1);
  });

  it('replays past fakes once enough are stored', () => {
    const buf = new ReplayBuffer(4, 2);
    const rng = new Rng(1);
    const a = tf.tensor2d([
      [1, 1],
      [2, 2],
      [3, 3],
    ]);
    const first = buf.mix(tf, rng, a, a.dataSync() as Float32Array);
    expect(first).toBe(a);
    expect(buf.stored).toBe(2);
    const b = tf.tensor2d([
      [9, 9],
      [8, 8],
      [7, 7],
    ]);
    const mixed = buf.mix(tf, rng, b, b.dataSync() as Float32Array);
    const rows = mixed.arraySync();
    expect(rows[0]).toEqual([9, 9]);
    for (const r of rows.slice(1)) expect([1, 2]).toContain(r[0]);
    tf.dispose([a, b, mixed]);
  });
});

const TINY = { steps: 6, batch: 8, hidden: 8, evalSamples: 50, checkpoints: 1 };
const TINY_D = { steps: 6, batch: 8, hidden: 8, gridSize: 6 };

async function run(name: string, config: Record<string, unknown>, seed = 1): Promise<LabResult> {
  const { config: full } = resolveRun(ganLab, name, config);
  return ganLab.run(name, full, { tf, seed, rng: new Rng(seed), progress: () => undefined });
}

const allNumbersFinite = (v: unknown): boolean =>
  typeof v === 'number' ? Number.isFinite(v) : Array.isArray(v) ? v.every(allNumbersFinite) : v !== null && typeof v === 'object' ? Object.values(v).every(allNumbersFinite) : true;

describe('every run, tiny', () => {
  for (const name of Object.keys(ganLab.runs)) {
    it(`${name}: finite metrics, plots, no tensor left behind`, async () => {
      const before = tf.memory().numTensors;
      const r = await run(name, name === 'optimal-d' ? TINY_D : TINY);
      expect(tf.memory().numTensors).toBe(before);
      expect(allNumbersFinite(r.metrics)).toBe(true);
      expect(JSON.parse(JSON.stringify(r.metrics))).toEqual(r.metrics);
      const files = r.artefacts.map((a) => a.file);
      expect(files).toContain('samples-final.png');
      expect(files).toContain('losses.png');
      expect(files).toContain('d-heatmap.png');
      if (name === 'optimal-d') {
        expect(r.metrics).toHaveProperty('meanAbsError');
        expect(files).toContain('dstar-heatmap.png');
      } else {
        expect(r.metrics).toMatchObject({ modes: 8, samples: 50 });
        expect(files).toContain('samples-step-3.png');
        expect(files).toContain('mode-counts.png');
        expect(Number.isFinite(r.metrics.finalDLoss) && Number.isFinite(r.metrics.finalGLoss)).toBe(true);
      }
    });
  }

  it('runs on the grid of 25', async () => {
    const r = await run('vanilla', { ...TINY, dataset: 'grid', checkpoints: 0 });
    expect(r.metrics).toMatchObject({ modes: 25, dataStd: 0.05 });
    expect(r.metrics.modeCounts).toHaveLength(25);
  });
});

describe('determinism', () => {
  it('gives the same metrics and samples for a seed, others for another seed', async () => {
    const a = await run('minibatch', TINY, 7);
    const b = await run('minibatch', TINY, 7);
    const c = await run('minibatch', TINY, 8);
    expect(b.metrics).toEqual(a.metrics);
    const svg = (r: LabResult) => r.artefacts.find((x) => x.file === 'samples-final.svg')?.content;
    expect(svg(b)).toEqual(svg(a));
    expect(svg(c)).not.toEqual(svg(a));
  });
});

describe('bad configs', () => {
  const fails = (fn: () => unknown, path: string, message: RegExp) => {
    try {
      fn();
    } catch (e) {
      expect(e).toBeInstanceOf(StepwiseError);
      expect((e as StepwiseError).code).toBe('invalid_request');
      expect((e as StepwiseError).path).toBe(path);
      expect((e as StepwiseError).message).toMatch(message);
      return;
    }
    throw new Error('no error');
  };

  it('names the field or the run', () => {
    fails(() => resolveRun(ganLab, 'vanilla', { batch: -4 }), 'config.batch', /must be >= 2/);
    fails(() => resolveRun(ganLab, 'vanilla', { colour: 'red' }), 'config.colour', /unknown field "colour"/);
    fails(() => resolveRun(ganLab, 'vanilla', { dataset: 'spiral' }), 'config.dataset', /must be one of "ring", "grid"/);
    fails(() => resolveRun(ganLab, 'unrolled'), 'run', /no run "unrolled".*vanilla, minibatch/);
    fails(() => resolveRun(ganLab, 'minibatch', { batch: 2 }), 'config.batch', /at least 3/);
    fails(() => resolveRun(ganLab, 'vanilla', { steps: 3, checkpoints: 3 }), 'config.checkpoints', /fewer than config.steps/);
  });

  it('refuses a field the run does not read', async () => {
    await expect(run('vanilla', { ...TINY, gpWeight: 10 })).rejects.toMatchObject({ code: 'invalid_request', path: 'config.gpWeight' });
    await expect(runLab({ lab: 'gan', run: 'optimal-d', config: { zDim: 4 } })).rejects.toThrow(/config.zDim does not apply to run optimal-d/);
  });
});

describe('minibatch closeness features on the CPU', () => {
  it('equal the tensor-op version in value and gradient', () => {
    const before = tf.memory().numTensors;
    tf.tidy(() => {
      const m = tf.randomNormal([9, 6], 0, 0.7, 'float32', 5) as Tensor2D;
      const ref = tf.randomNormal([4, 6], 0, 0.7, 'float32', 6) as Tensor2D;
      // A weight per output, so each output's gradient counts differently.
      const w = tf.randomNormal([9, 3], 0, 1, 'float32', 7);
      const diff = (a: Tensor, b: Tensor): number => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0];
      expect(diff(closenessOnCpu(tf, m, 3, 2), closeness(tf, m, 3, 2))).toBeLessThan(1e-6);
      expect(diff(closenessOnCpu(tf, m, 3, 2, ref), closeness(tf, m, 3, 2, ref))).toBeLessThan(1e-6);
      const g = (f: typeof closeness) => tf.grad((x: Tensor) => tf.sum(tf.mul(f(tf, x as Tensor2D, 3, 2), w)) as Scalar)(m);
      const theirs = g(closeness);
      expect(tf.max(tf.abs(theirs)).dataSync()[0]).toBeGreaterThan(0.01);
      expect(diff(g(closenessOnCpu), theirs)).toBeLessThan(1e-5);
    });
    expect(tf.memory().numTensors).toBe(before);
  });

  it('with 3 dimensions a kernel (the lab’s, written out in the loops) equal the tensor-op version too, in groups or not', () => {
    const before = tf.memory().numTensors;
    tf.tidy(() => {
      const m = tf.randomNormal([8, 6], 0, 0.7, 'float32', 11) as Tensor2D;
      const w = tf.randomNormal([8, 2], 0, 1, 'float32', 12);
      const diff = (a: Tensor, b: Tensor): number => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0];
      const apart = (x: Tensor2D): Tensor2D => tf.concat([closeness(tf, x.slice([0, 0], [4, 6]), 2, 3), closeness(tf, x.slice([4, 0], [4, 6]), 2, 3)], 0);
      const g = (f: (x: Tensor2D) => Tensor2D) => tf.grad((x: Tensor) => tf.sum(tf.mul(f(x as Tensor2D), w)) as Scalar)(m);
      expect(diff(closenessOnCpu(tf, m, 2, 3), closeness(tf, m, 2, 3))).toBeLessThan(1e-6);
      expect(diff(closenessOnCpu(tf, m, 2, 3, undefined, 2), apart(m))).toBeLessThan(1e-6);
      const theirs = g((x) => closeness(tf, x, 2, 3));
      expect(tf.max(tf.abs(theirs)).dataSync()[0]).toBeGreaterThan(0.01);
      expect(diff(g((x) => closenessOnCpu(tf, x, 2, 3)), theirs)).toBeLessThan(1e-5);
      expect(diff(g((x) => closenessOnCpu(tf, x, 2, 3, undefined, 2)), g(apart))).toBeLessThan(1e-5);
    });
    expect(tf.memory().numTensors).toBe(before);
  });

  it('in groups, equal each group on its own (D’s step on [real; fake]), and refuse an uneven split', () => {
    const before = tf.memory().numTensors;
    tf.tidy(() => {
      const m = tf.randomNormal([10, 6], 0, 0.7, 'float32', 8) as Tensor2D;
      const w = tf.randomNormal([10, 3], 0, 1, 'float32', 9);
      const diff = (a: Tensor, b: Tensor): number => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0];
      const apart = (x: Tensor2D): Tensor2D => tf.concat([closeness(tf, x.slice([0, 0], [5, 6]), 3, 2), closeness(tf, x.slice([5, 0], [5, 6]), 3, 2)], 0);
      const grouped = closenessOnCpu(tf, m, 3, 2, undefined, 2);
      expect(grouped.shape).toEqual([10, 3]);
      expect(diff(grouped, apart(m))).toBeLessThan(1e-6);
      // Not the whole batch's features: the groups really are kept apart.
      expect(diff(grouped, closeness(tf, m, 3, 2))).toBeGreaterThan(1e-3);
      const g = (f: (x: Tensor2D) => Tensor2D) => tf.grad((x: Tensor) => tf.sum(tf.mul(f(x as Tensor2D), w)) as Scalar)(m);
      expect(diff(g((x) => closenessOnCpu(tf, x, 3, 2, undefined, 2)), g(apart))).toBeLessThan(1e-5);
      expect(() => closenessOnCpu(tf, m, 3, 2, undefined, 3)).toThrow(/10 rows do not split into 3 equal groups/);
    });
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('the WGAN-GP critic loss on the CPU', () => {
  // Value and gradient in D's flat parameters against the tensor ops differentiated by the tape.
  const compare = (depth: number, hidden: number, n: number, gpWeight: number, scale = 1) => {
    const d = makeDiscriminator(tf, new Rng(11 + depth), 2, hidden, depth);
    const before = tf.memory().numTensors;
    // The op's insides run below the engine (direct-kernels.ts): the backend must hold no more buffers after.
    const buffers = (): number => (tf.backend() as unknown as { numDataIds(): number }).numDataIds();
    const buffersBefore = buffers();
    tf.tidy(() => {
      const real = tf.randomNormal([n, 2], 0, 1.5, 'float32', 21) as Tensor2D;
      const fake = tf.randomNormal([n, 2], 0.3, 1, 'float32', 22) as Tensor2D;
      const u = tf.randomUniform([n, 1], 0, 1, 'float32', 23);
      const run = (f: typeof criticLossTensors) => tf.variableGrads(() => tf.mul(f(tf, d, real, fake, u, gpWeight), scale) as Scalar, [d.net.theta]);
      const theirs = run(criticLossTensors);
      const ours = run(criticLossOnCpu);
      const value = theirs.value.dataSync()[0];
      expect(Math.abs(ours.value.dataSync()[0] - value)).toBeLessThan(1e-5 * Math.max(1, Math.abs(value)));
      const g = theirs.grads[d.net.theta.name];
      const largest = tf.max(tf.abs(g)).dataSync()[0];
      // A gradient that is not all zero, and the penalty's share of it: without it the two differ.
      expect(largest).toBeGreaterThan(0.01);
      expect(tf.max(tf.abs(tf.sub(ours.grads[d.net.theta.name], g))).dataSync()[0]).toBeLessThan(1e-5 * largest);
    });
    expect(tf.memory().numTensors).toBe(before);
    expect(buffers()).toBe(buffersBefore);
    disposeDiscriminator(d);
  };

  it('equals the tensor-op version in value and gradient (depth 1, 2, 3; the penalty weighted 0.1 and 10; a scaled loss)', () => {
    compare(3, 16, 12, 0.1);
    compare(3, 16, 12, 10);
    compare(2, 8, 5, 1, 3);
    compare(1, 8, 7, 10);
  });

  it('launches a few dozen kernels for the loss and its gradient, not hundreds', () => {
    const d = makeDiscriminator(tf, new Rng(4), 2, 64, 3);
    const real = tf.randomNormal([64, 2], 0, 1, 'float32', 1) as Tensor2D;
    const fake = tf.randomNormal([64, 2], 0, 1, 'float32', 2) as Tensor2D;
    const u = tf.randomUniform([64, 1], 0, 1, 'float32', 3);
    const e = tf.engine() as unknown as { runKernelFunc: (a: unknown) => unknown };
    const orig = e.runKernelFunc;
    const count = (f: typeof criticLossTensors): number => {
      let k = 0;
      e.runKernelFunc = (a: unknown) => {
        k++;
        return orig.call(e, a);
      };
      try {
        const { value, grads } = tf.variableGrads(() => f(tf, d, real, fake, u, 0.1), [d.net.theta]);
        tf.dispose([value, ...Object.values(grads)]);
      } finally {
        e.runKernelFunc = orig;
      }
      return k;
    };
    const tensors = count(criticLossTensors);
    const ours = count(criticLossOnCpu);
    expect(ours).toBeLessThanOrEqual(60);
    expect(tensors).toBeGreaterThan(3 * ours);
    tf.dispose([real, fake, u]);
    disposeDiscriminator(d);
  });

  it('refuses batches that do not match', () => {
    const d = makeDiscriminator(tf, new Rng(5), 2, 8, 2);
    tf.tidy(() => {
      expect(() => criticLossOnCpu(tf, d, tf.zeros([4, 2]) as Tensor2D, tf.zeros([3, 2]) as Tensor2D, tf.zeros([4, 1]), 1)).toThrow(/do not match/);
    });
    disposeDiscriminator(d);
  });
});
