/**
 * The GAN lab's config: one schema for every run, with the fields only some runs read optional;
 * each run's defaults hold exactly the fields it reads, and `checkRunFields` refuses any other, so
 * a config never carries a setting that silently does nothing.
 */
import { StepwiseError } from '../../core/errors.js';
import type { Dataset } from './data.js';

export interface GanConfig {
  dataset: Dataset;
  /** Mode std; absent means the dataset's standard one (ring 0.02, grid 0.05). */
  dataStd?: number;
  steps: number;
  batch: number;
  hidden: number;
  /** Hidden layers in G and in D. */
  depth: number;
  lrD: number;
  beta1: number;
  beta2: number;
  /** Share of the steps, at the end, over which the learning rates fall linearly towards 0 (0: constant). */
  lrDecay?: number;
  zDim?: number;
  lrG?: number;
  /** D (critic) updates per G update. */
  dSteps?: number;
  /** Generated samples the metrics are computed on (VEEGAN: 2,500). */
  evalSamples?: number;
  /** Sample plots during training, besides the final one. */
  checkpoints?: number;
  mbKernels?: number;
  mbDims?: number;
  gpWeight?: number;
  /** Past fakes kept for experience replay, and the share of each fake batch drawn from them. */
  replaySize?: number;
  replayShare?: number;
  /** The optimal-D check's frozen generator x = gStd·z, so p_g = N(0, gStd² I). */
  gStd?: number;
  /** Cells per side of the grid D and D* are compared on. */
  gridSize?: number;
}

export type GanRun = 'vanilla' | 'minibatch' | 'feature-matching' | 'wgan-gp' | 'ttur' | 'replay' | 'conditional' | 'optimal-d';

const int = (minimum: number, maximum: number) => ({ type: 'integer', minimum, maximum });
const num = (minimum: number, maximum: number) => ({ type: 'number', minimum, maximum });
const rate = { type: 'number', exclusiveMinimum: 0, maximum: 0.1 };

export const configSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['dataset', 'steps', 'batch', 'hidden', 'depth', 'lrD', 'beta1', 'beta2'],
  properties: {
    dataset: { enum: ['ring', 'grid'] },
    dataStd: { type: 'number', exclusiveMinimum: 0, maximum: 1 },
    steps: int(1, 20000),
    batch: int(2, 1024),
    hidden: int(1, 512),
    depth: int(1, 4),
    lrD: rate,
    beta1: num(0, 0.999),
    beta2: num(0, 0.9999),
    lrDecay: num(0, 1),
    zDim: int(1, 256),
    lrG: rate,
    dSteps: int(1, 10),
    evalSamples: int(10, 20000),
    checkpoints: int(0, 8),
    mbKernels: int(1, 64),
    mbDims: int(1, 32),
    gpWeight: num(0, 100),
    replaySize: int(1, 100000),
    replayShare: { type: 'number', exclusiveMinimum: 0, exclusiveMaximum: 1 },
    gStd: { type: 'number', exclusiveMinimum: 0, maximum: 10 },
    gridSize: int(4, 100),
  },
};

const GAN_FIELDS = ['dataset', 'dataStd', 'steps', 'batch', 'hidden', 'depth', 'lrD', 'beta1', 'beta2', 'lrDecay', 'zDim', 'lrG', 'dSteps', 'evalSamples', 'checkpoints'];

/** The fields each run reads. */
export const RUN_FIELDS: Record<GanRun, string[]> = {
  vanilla: GAN_FIELDS,
  minibatch: [...GAN_FIELDS, 'mbKernels', 'mbDims'],
  'feature-matching': GAN_FIELDS,
  'wgan-gp': [...GAN_FIELDS, 'gpWeight'],
  ttur: GAN_FIELDS,
  replay: [...GAN_FIELDS, 'replaySize', 'replayShare'],
  conditional: GAN_FIELDS,
  'optimal-d': ['dataset', 'dataStd', 'steps', 'batch', 'hidden', 'depth', 'lrD', 'beta1', 'beta2', 'lrDecay', 'gStd', 'gridSize'],
};

/** Refuses a field the run does not read (the schema allows it because another run does). */
export function checkRunFields(run: GanRun, c: GanConfig): void {
  const allowed = new Set(RUN_FIELDS[run]);
  for (const key of Object.keys(c)) {
    if (!allowed.has(key)) {
      throw new StepwiseError('invalid_request', `config.${key} does not apply to run ${run}; it reads ${RUN_FIELDS[run].join(', ')}`, `config.${key}`);
    }
  }
}

/** Cross-field checks the schema cannot say. */
export function checkConfig(c: GanConfig): void {
  if (c.mbKernels !== undefined && c.batch < 3) {
    throw new StepwiseError('invalid_request', 'config.batch must be at least 3 for minibatch discrimination (each point is compared with the others)', 'config.batch');
  }
  if (c.replayShare !== undefined && Math.round(c.batch * c.replayShare) < 1) {
    throw new StepwiseError('invalid_request', `config.replayShare × batch must give at least one replayed sample (got ${c.replayShare} × ${c.batch})`, 'config.replayShare');
  }
  if (c.checkpoints !== undefined && c.checkpoints >= c.steps) {
    throw new StepwiseError('invalid_request', `config.checkpoints (${c.checkpoints}) must be fewer than config.steps (${c.steps})`, 'config.checkpoints');
  }
}
