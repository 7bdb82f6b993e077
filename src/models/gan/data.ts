/**
 * The two toy datasets of the mode-collapse literature (Metz et al. 2017, Unrolled GANs;
 * Srivastava et al. 2017, VEEGAN): a ring of 8 Gaussians of radius 2 (std 0.02) and a 5×5 grid of
 * 25 Gaussians at {-4, -2, 0, 2, 4}² (std 0.05), every mode equally likely. Also their exact
 * densities, for the optimal discriminator D*(x) = p_data / (p_data + p_g).
 */
import type { Rng } from '../../generators/rng.js';
import { opSeed } from '../nn.js';
import type { Tf } from '../runtime.js';

type Tensor2D = import('@tensorflow/tfjs').Tensor2D;

export type Dataset = 'ring' | 'grid';

/** The standard mode std of each dataset (VEEGAN's settings). */
export const STANDARD_STD: Record<Dataset, number> = { ring: 0.02, grid: 0.05 };

/** The square the plots and heatmaps cover, per dataset. */
export const PLANE: Record<Dataset, [number, number]> = { ring: [-3, 3], grid: [-5.5, 5.5] };

export function modeCentres(dataset: Dataset): [number, number][] {
  if (dataset === 'ring') {
    return Array.from({ length: 8 }, (_, k) => [2 * Math.cos((2 * Math.PI * k) / 8), 2 * Math.sin((2 * Math.PI * k) / 8)]);
  }
  const out: [number, number][] = [];
  for (const x of [-4, -2, 0, 2, 4]) for (const y of [-4, -2, 0, 2, 4]) out.push([x, y]);
  return out;
}

export interface Batch {
  x: Tensor2D;
  /** The mode each point was drawn from (int32), for the conditional GAN. */
  labels: import('@tensorflow/tfjs').Tensor1D;
}

/** n points of the mixture, drawn with seeded tf ops; the caller disposes (or tidies) them. */
export function sampleData(tf: Tf, rng: Rng, centres: [number, number][], std: number, n: number): Batch {
  return tf.tidy(() => {
    const k = centres.length;
    // floor(u·k) with u in [0, 1) picks each mode with probability 1/k; the min guards u = 1 rounding.
    const labels = tf.minimum(tf.floor(tf.mul(tf.randomUniform([n], 0, 1, 'float32', opSeed(rng)), k)), k - 1).toInt() as Batch['labels'];
    const means = tf.gather(tf.tensor2d(centres), labels);
    const x = tf.add(means, tf.randomNormal([n, 2], 0, std, 'float32', opSeed(rng))) as Tensor2D;
    return { x, labels };
  });
}

/** Draws from the stream what sampleData would (one seed per random op), without making the batch. */
export function skipSample(rng: Rng): void {
  opSeed(rng);
  opSeed(rng);
}

/** log of the mixture density at (x, y): equal-weight isotropic Gaussians, by log-sum-exp. */
export function logMixture(centres: [number, number][], std: number, x: number, y: number): number {
  const logs = centres.map(([cx, cy]) => -((x - cx) ** 2 + (y - cy) ** 2) / (2 * std * std));
  const m = Math.max(...logs);
  const sum = logs.reduce((s, l) => s + Math.exp(l - m), 0);
  return m + Math.log(sum) - Math.log(centres.length) - Math.log(2 * Math.PI * std * std);
}

/** log density of N(0, s²I) in 2-D: the frozen generator x = s·z of the optimal-D check. */
export function logGaussian(s: number, x: number, y: number): number {
  return -(x * x + y * y) / (2 * s * s) - Math.log(2 * Math.PI * s * s);
}

/** D*(x) = p_data / (p_data + p_g) = σ(log p_data − log p_g), stable where both densities underflow. */
export function optimalD(logPData: number, logPG: number): number {
  const t = logPData - logPG;
  return t >= 0 ? 1 / (1 + Math.exp(-t)) : Math.exp(t) / (1 + Math.exp(t));
}

/** The centres of an n×n grid of cells over the square [lo, hi]², row 0 at the top (largest y). */
export function planeGrid(lo: number, hi: number, n: number): { xs: number[]; ys: number[]; points: [number, number][] } {
  const step = (hi - lo) / n;
  const xs = Array.from({ length: n }, (_, j) => lo + (j + 0.5) * step);
  const ys = Array.from({ length: n }, (_, i) => hi - (i + 0.5) * step);
  return { xs, ys, points: ys.flatMap((y) => xs.map((x): [number, number] => [x, y])) };
}
