/**
 * The GAN training loop every GAN run shares; a run is a choice of loss, minibatch discrimination,
 * experience replay and conditioning. Everything random comes from the run's seeded stream, and
 * every tensor is tidied or disposed before it returns.
 */
import type { Rng } from '../../generators/rng.js';
import { randomNormal, randomUniform } from '../nn.js';
import { FlatAdam } from '../optim.js';
import { LossLog, readValues } from '../read.js';
import type { Tf } from '../runtime.js';
import type { GanConfig, GanRun } from './config.js';
import { modeCentres, PLANE, planeGrid, sampleData, skipSample, STANDARD_STD } from './data.js';
import { criticLossAndGradient } from './critic-cpu.js';
import { minibatchDiscriminatorStep, minibatchGeneratorStep } from './minibatch-cpu.js';
import { discriminatorLoss, generatorLoss, type LossKind } from './losses.js';
import { ReplayBuffer } from './replay.js';
import {
  discriminate,
  discriminatorVariables,
  disposeDiscriminator,
  generate,
  generatorVariables,
  makeDiscriminator,
  makeGenerator,
} from './nets.js';

type Scalar = import('@tensorflow/tfjs').Scalar;
type Tensor = import('@tensorflow/tfjs').Tensor;
type Tensor1D = import('@tensorflow/tfjs').Tensor1D;
type Tensor2D = import('@tensorflow/tfjs').Tensor2D;

export interface Variant {
  loss: LossKind;
  minibatch: boolean;
  replay: boolean;
  conditional: boolean;
}

export function variantOf(run: Exclude<GanRun, 'optimal-d'>): Variant {
  return {
    loss: run === 'feature-matching' ? 'fm' : run === 'wgan-gp' ? 'wgan' : 'ns',
    minibatch: run === 'minibatch',
    replay: run === 'replay',
    conditional: run === 'conditional',
  };
}

export interface GanTraining {
  /** D and G losses every few steps. */
  history: { step: number; dLoss: number; gLoss: number }[];
  /** Samples from a fixed set of z (and labels) during training. */
  checkpoints: { step: number; samples: Float32Array }[];
  /** The evaluation samples ([x0, y0, x1, …]) and, for the conditional GAN, the label each was asked for. */
  samples: Float32Array;
  labels?: Int32Array;
  /** D(x) (the critic's value for WGAN-GP) on a grid over the plane, row 0 at the top. */
  heat: { xs: number[]; ys: number[]; values: number[][] };
}

/** Points in the checkpoint scatter plots. */
const PLOT_SAMPLES = 500;
const HEAT_CELLS = 40;

/** The learning-rate factor at `step` (1-based): 1, then falling linearly towards 0 over the last `share` of the steps. */
export function decayFactor(step: number, steps: number, share: number): number {
  return share <= 0 ? 1 : Math.min(1, (steps - step + 1) / (share * steps));
}

/** A field the run's defaults always hold (overrides are merged onto them and cannot remove it). */
export function need<K extends keyof GanConfig>(c: GanConfig, key: K): NonNullable<GanConfig[K]> {
  const v = c[key];
  if (v === undefined || v === null) throw new Error(`gan config has no ${key}`);
  return v as NonNullable<GanConfig[K]>;
}

export async function trainGan(
  tf: Tf,
  rng: Rng,
  run: Exclude<GanRun, 'optimal-d'>,
  c: GanConfig,
  progress: (done: number, total: number) => void,
): Promise<GanTraining> {
  const v = variantOf(run);
  const std = c.dataStd ?? STANDARD_STD[c.dataset];
  const centres = modeCentres(c.dataset);
  const k = centres.length;
  const zDim = need(c, 'zDim');
  const cond = v.conditional;
  const G = makeGenerator(tf, rng, zDim + (cond ? k : 0), c.hidden, c.depth);
  const D = makeDiscriminator(tf, rng, 2 + (cond ? k : 0), c.hidden, c.depth, v.minibatch ? { kernels: need(c, 'mbKernels'), dims: need(c, 'mbDims') } : undefined);
  const gVars = generatorVariables(G);
  const dVars = discriminatorVariables(D);
  // One Adam update over all of a network's parameters (FlatAdam), not tf.train.adam's ~14 kernels per variable.
  const gOpt = new FlatAdam(tf, gVars, c.beta1, c.beta2);
  const dOpt = new FlatAdam(tf, dVars, c.beta1, c.beta2);
  const replay = v.replay ? new ReplayBuffer(need(c, 'replaySize'), Math.round(c.batch * need(c, 'replayShare'))) : undefined;
  const gpWeight = c.gpWeight ?? 0;
  const dSteps = need(c, 'dSteps');

  // The conditional GAN sees the one-hot label concatenated to z (in G) and to x (in D).
  const oneHot = (labels: Tensor1D): Tensor2D => tf.oneHot(labels, k).toFloat() as Tensor2D;
  const withLabel = (x: Tensor2D, labels: Tensor1D): Tensor2D => (cond ? (tf.concat([x, oneHot(labels)], 1) as Tensor2D) : x);
  const fakeFor = (labels: Tensor1D): Tensor2D => generate(tf, G, withLabel(randomNormal(tf, rng, [labels.shape[0], zDim]) as Tensor2D, labels));
  // WGAN-GP's critic on the CPU backends: the loss and its gradient written out (critic-cpu.ts),
  // handed to Adam without a tape — the same values as minimize over criticLossOnCpu.
  const backend = tf.getBackend();
  const onCpu = backend === 'wasm' || backend === 'cpu';
  const direct = v.loss === 'wgan' && onCpu && !D.mbd && !replay && !cond;
  // Minibatch discrimination's D and G steps likewise (minibatch-cpu.ts): the same losses as
  // discriminatorLoss and generatorLoss, their gradients written out, no tape.
  const directMbd = v.loss === 'ns' && onCpu && !!D.mbd && !replay && !cond;
  const criticStep = (real: Tensor2D, fake: Tensor2D, u: Tensor, lr: number, keep: boolean): Scalar | undefined => {
    const { loss, grad } = criticLossAndGradient(tf, D, real, fake, u, gpWeight);
    dOpt.apply({ [D.net.theta.name]: tf.tensor1d(grad) }, lr);
    return keep ? tf.keep(tf.scalar(loss)) : undefined;
  };
  /**
   * The critic steps' batches, interpolation factors and fakes, drawn from the stream in the order
   * the steps would draw them one by one (real, z, u per step); G does not change between critic
   * steps, so their fakes come from one forward of G over every step's z.
   */
  const drawCritic = (): { real: Tensor2D[]; fake: Tensor2D[]; u: Tensor[] } =>
    tf.tidy(() => {
      const real: Tensor2D[] = [];
      const z: Tensor2D[] = [];
      const u: Tensor[] = [];
      for (let j = 0; j < dSteps; j++) {
        real.push(sampleData(tf, rng, centres, std, c.batch).x);
        z.push(randomNormal(tf, rng, [c.batch, zDim]) as Tensor2D);
        u.push(randomUniform(tf, rng, [c.batch, 1]));
      }
      return { real, fake: tf.split(generate(tf, G, tf.concat(z) as Tensor2D), dSteps) as Tensor2D[], u };
    });
  /** n real points, their labels and n fakes for those labels. */
  const draw = (n: number): [Tensor2D, Tensor1D, Tensor2D] =>
    tf.tidy(() => {
      const real = sampleData(tf, rng, centres, std, n);
      return [real.x, real.labels, fakeFor(real.labels)];
    }) as [Tensor2D, Tensor1D, Tensor2D];
  const labelsFor = (n: number): Tensor1D => tf.tensor1d(Array.from({ length: n }, (_, i) => i % k), 'int32');

  const plotN = Math.min(PLOT_SAMPLES, need(c, 'evalSamples'));
  const [plotZ, plotLabels] = [randomNormal(tf, rng, [plotN, zDim]) as Tensor2D, labelsFor(plotN)];
  const sampleAt = (z: Tensor2D, labels: Tensor1D): Promise<Float32Array> => readValues(tf, () => generate(tf, G, withLabel(z, labels)));

  const checkpointSteps = new Set(Array.from({ length: need(c, 'checkpoints') }, (_, i) => Math.round((c.steps * (i + 1)) / (need(c, 'checkpoints') + 1))));
  const logEvery = Math.max(1, Math.round(c.steps / 150));
  const out: GanTraining = { history: [], checkpoints: [], samples: new Float32Array(0), heat: { xs: [], ys: [], values: [] } };
  // Losses stay on the device and are read in batches (each read is a GPU sync).
  const losses = new LossLog<'dLoss' | 'gLoss'>(tf);
  try {
    for (let step = 1; step <= c.steps; step++) {
      const f = decayFactor(step, c.steps, c.lrDecay ?? 0);
      const log = step % logEvery === 0 || step === c.steps;
      let dLoss: Scalar | undefined;
      let gLoss: Scalar | undefined;
      if (direct) {
        const batch = drawCritic();
        for (let j = 0; j < dSteps; j++) {
          const keep = log && j === dSteps - 1;
          tf.tidy(() => {
            dLoss = criticStep(batch.real[j], batch.fake[j], batch.u[j], c.lrD * f, keep) ?? dLoss;
          });
        }
        tf.dispose([...batch.real, ...batch.fake, ...batch.u]);
      } else if (directMbd) {
        for (let j = 0; j < dSteps; j++) {
          const [rx, rl, fresh] = draw(c.batch);
          const keep = log && j === dSteps - 1;
          tf.tidy(() => {
            const { loss, grad } = minibatchDiscriminatorStep(tf, D, rx, fresh);
            dOpt.apply({ [D.net.theta.name]: tf.tensor1d(grad) }, c.lrD * f);
            if (keep) dLoss = tf.keep(tf.scalar(loss));
          });
          tf.dispose([rx, rl, fresh]);
        }
      } else {
        for (let j = 0; j < dSteps; j++) {
          const [rx, rl, fresh] = draw(c.batch);
          // The replay buffer keeps past fakes on the CPU: this step's are read back first.
          const freshValues = replay ? await fresh.data() : undefined;
          tf.tidy(() => {
            const fake = replay ? replay.mix(tf, rng, fresh, freshValues as Float32Array) : fresh;
            dLoss = dOpt.minimize(() => discriminatorLoss(tf, v.loss, D, withLabel(rx, rl), withLabel(fake, rl), rng, gpWeight), c.lrD * f, log && j === dSteps - 1) ?? dLoss;
          });
          tf.dispose([rx, rl, fresh]);
        }
      }
      if (directMbd) {
        tf.tidy(() => {
          // The real batch G's loss does not read, skipped in the stream as the tape's step draws it.
          skipSample(rng);
          const { loss, grad } = minibatchGeneratorStep(tf, G, D, randomNormal(tf, rng, [c.batch, zDim]) as Tensor2D);
          gOpt.apply({ [G.net.theta.name]: tf.tensor1d(grad) }, need(c, 'lrG') * f);
          if (log) gLoss = tf.keep(tf.scalar(loss));
        });
      } else {
        tf.tidy(() => {
          const real = sampleData(tf, rng, centres, std, c.batch);
          gLoss = gOpt.minimize(() => generatorLoss(tf, v.loss, D, withLabel(real.x, real.labels), withLabel(fakeFor(real.labels), real.labels)), need(c, 'lrG') * f, log);
        });
      }
      if (log) losses.add(step, { ...(dLoss ? { dLoss } : {}), ...(gLoss ? { gLoss } : {}) });
      await losses.drain();
      if (checkpointSteps.has(step)) out.checkpoints.push({ step, samples: await sampleAt(plotZ, plotLabels) });
      progress(step, c.steps);
    }
    out.history = (await losses.read()).map((r) => ({ step: r.step, dLoss: r.dLoss ?? NaN, gLoss: r.gLoss ?? NaN }));
    const n = need(c, 'evalSamples');
    const evalLabels = labelsFor(n);
    out.samples = await readValues(tf, () => generate(tf, G, withLabel(randomNormal(tf, rng, [n, zDim]) as Tensor2D, evalLabels)));
    if (cond) out.labels = (await evalLabels.data()) as Int32Array;
    evalLabels.dispose();
    out.heat = await heatmapOfD(tf, rng, c, v, D, G, zDim, centres);
  } finally {
    losses.dispose();
    for (const x of [...gVars, plotZ, plotLabels]) x.dispose();
    disposeDiscriminator(D);
    gOpt.dispose();
    dOpt.dispose();
  }
  return out;
}

/**
 * D over the plane. With minibatch discrimination a grid point is judged among a batch of fakes;
 * the conditional D is asked about the label of the mode nearest each point.
 */
async function heatmapOfD(
  tf: Tf,
  rng: Rng,
  c: GanConfig,
  v: Variant,
  D: ReturnType<typeof makeDiscriminator>,
  G: ReturnType<typeof makeGenerator>,
  zDim: number,
  centres: [number, number][],
): Promise<GanTraining['heat']> {
  const [lo, hi] = PLANE[c.dataset];
  const grid = planeGrid(lo, hi, HEAT_CELLS);
  const flat = await readValues(tf, () => {
    let x = tf.tensor2d(grid.points) as Tensor2D;
    if (v.conditional) {
      const nearest = grid.points.map(([px, py]) => centres.reduce((b, [cx, cy], i) => ((px - cx) ** 2 + (py - cy) ** 2 < (px - centres[b][0]) ** 2 + (py - centres[b][1]) ** 2 ? i : b), 0));
      x = tf.concat([x, tf.oneHot(tf.tensor1d(nearest, 'int32'), centres.length).toFloat()], 1) as Tensor2D;
    }
    const ref = v.minibatch ? generate(tf, G, randomNormal(tf, rng, [c.batch - 1, zDim]) as Tensor2D) : undefined;
    const logit = discriminate(tf, D, x, ref).logit;
    return v.loss === 'wgan' ? logit : tf.sigmoid(logit);
  });
  return { xs: grid.xs, ys: grid.ys, values: grid.ys.map((_, i) => Array.from(flat.slice(i * HEAT_CELLS, (i + 1) * HEAT_CELLS))) };
}
