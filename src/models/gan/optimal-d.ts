/**
 * The optimal-discriminator check (Goodfellow et al. 2014, Prop. 1): freeze G as x = gStd·z with
 * z ~ N(0, I₂), so p_g = N(0, gStd² I) is known exactly, train D alone with the usual loss, and
 * compare it on a grid with D*(x) = p_data(x) / (p_data(x) + p_g(x)).
 */
import type { Rng } from '../../generators/rng.js';
import { randomNormal } from '../nn.js';
import type { Tf } from '../runtime.js';
import type { GanConfig } from './config.js';
import { logGaussian, logMixture, modeCentres, optimalD, PLANE, planeGrid, sampleData, STANDARD_STD } from './data.js';
import { discriminatorLoss } from './losses.js';
import { discriminate, discriminatorVariables, disposeDiscriminator, makeDiscriminator } from './nets.js';
import { decayFactor, need } from './train.js';
import { FlatAdam } from '../optim.js';
import { LossLog, readArray, readValues } from '../read.js';

type Tensor2D = import('@tensorflow/tfjs').Tensor2D;

export interface OptimalDCheck {
  history: { step: number; dLoss: number }[];
  xs: number[];
  ys: number[];
  /** D and D* on the grid, row 0 at the top. */
  d: number[][];
  dStar: number[][];
  /** Mean |D − D*| over the grid cells. */
  meanAbsError: number;
  maxAbsError: number;
  /** Mean |D − D*| where D was trained: on points drawn half from p_data, half from p_g. */
  weightedAbsError: number;
}

/** Points drawn from each of p_data and p_g for the weighted error. */
const WEIGHTED_SAMPLES = 1000;

export async function checkOptimalD(tf: Tf, rng: Rng, c: GanConfig, progress: (done: number, total: number) => void): Promise<OptimalDCheck> {
  const std = c.dataStd ?? STANDARD_STD[c.dataset];
  const gStd = need(c, 'gStd');
  const centres = modeCentres(c.dataset);
  const dStarAt = (x: number, y: number): number => optimalD(logMixture(centres, std, x, y), logGaussian(gStd, x, y));
  const D = makeDiscriminator(tf, rng, 2, c.hidden, c.depth);
  const vars = discriminatorVariables(D);
  const opt = new FlatAdam(tf, vars, c.beta1, c.beta2);
  const history: OptimalDCheck['history'] = [];
  const logEvery = Math.max(1, Math.round(c.steps / 150));
  const dOn = (points: number[][]): Promise<Float32Array> => readValues(tf, () => tf.sigmoid(discriminate(tf, D, tf.tensor2d(points) as Tensor2D).logit));
  // Losses stay on the device and are read in batches (each read is a GPU sync).
  const losses = new LossLog<'dLoss'>(tf);
  try {
    for (let step = 1; step <= c.steps; step++) {
      const log = step % logEvery === 0 || step === c.steps;
      tf.tidy(() => {
        const real = sampleData(tf, rng, centres, std, c.batch).x;
        const fake = randomNormal(tf, rng, [c.batch, 2], 0, gStd) as Tensor2D;
        const dLoss = opt.minimize(() => discriminatorLoss(tf, 'ns', D, real, fake, rng), c.lrD * decayFactor(step, c.steps, c.lrDecay ?? 0), log);
        if (dLoss) losses.add(step, { dLoss });
      });
      await losses.drain();
      progress(step, c.steps);
    }
    for (const r of await losses.read()) history.push({ step: r.step, dLoss: r.dLoss ?? NaN });
    const [lo, hi] = PLANE[c.dataset];
    const n = need(c, 'gridSize');
    const grid = planeGrid(lo, hi, n);
    const dFlat = await dOn(grid.points);
    const starFlat = grid.points.map(([x, y]) => dStarAt(x, y));
    const errors = starFlat.map((s, i) => Math.abs(dFlat[i] - s));
    const drawn = await readArray<number[][]>(tf, () => tf.concat([sampleData(tf, rng, centres, std, WEIGHTED_SAMPLES).x, randomNormal(tf, rng, [WEIGHTED_SAMPLES, 2], 0, gStd)], 0));
    const dDrawn = await dOn(drawn);
    const rows = (flat: ArrayLike<number>): number[][] => grid.ys.map((_, i) => Array.from({ length: n }, (__, j) => flat[i * n + j]));
    return {
      history,
      xs: grid.xs,
      ys: grid.ys,
      d: rows(dFlat),
      dStar: rows(starFlat),
      meanAbsError: errors.reduce((s, e) => s + e, 0) / errors.length,
      maxAbsError: Math.max(...errors),
      weightedAbsError: drawn.reduce((s, [x, y], i) => s + Math.abs(dDrawn[i] - dStarAt(x, y)), 0) / drawn.length,
    };
  } finally {
    losses.dispose();
    disposeDiscriminator(D);
    opt.dispose();
  }
}
