/**
 * What a mini-model lab is: named runs with default configs (validated by a JSON Schema), and a
 * `run` that trains live on the chosen TensorFlow.js backend and returns metrics and artefacts
 * (plots as SVG and PNG, JSON). Conceptual questions read their answers from those metrics, so
 * the answer always matches the artefact shown.
 */
import type { Rng } from '../generators/rng.js';
import type { Tf } from './runtime.js';

export type LabId = 'gan' | 'clip' | 'tvlt';

export interface Artefact {
  /** File name, e.g. "samples-final.png"; plots come as a .svg and a .png of the same name. */
  file: string;
  /** What it shows, for captions and question prompts. */
  caption: string;
  content: string | Uint8Array;
}

export interface LabResult {
  /** What questions read: numbers, labels, small arrays (e.g. { modesCovered: 3, highQuality: 0.71 }). */
  metrics: Record<string, unknown>;
  artefacts: Artefact[];
}

export interface RunContext {
  tf: Tf;
  seed: number;
  /** A PRNG seeded from the run's seed: the only source of randomness besides tf ops seeded from it. */
  rng: Rng;
  /** Progress for the CLI's bar: `done` of `total` units (e.g. training steps). */
  progress(done: number, total: number): void;
}

export interface LabRunSpec<C> {
  summary: string;
  defaults: C;
}

export interface Lab<C extends object = object> {
  id: LabId;
  title: string;
  /** The runs a user or a question can ask for, e.g. vanilla, minibatch, wgan-gp. */
  runs: Record<string, LabRunSpec<C>>;
  /** JSON Schema of the config (ajv): sizes, ranges, no unknown fields. */
  configSchema: object;
  /** Cross-field checks a schema cannot say (the run named, as some fields apply to some runs); throw StepwiseError naming the field. */
  checkConfig?(c: C, run: string): void;
  /** Trains and evaluates. Deterministic for (run, config, seed, backend); leaves no tensor behind. */
  run(run: string, config: C, ctx: RunContext): Promise<LabResult>;
}

/** Declares a lab with its config type erased for the registry. */
export function defineLab<C extends object>(lab: Lab<C>): Lab {
  return lab as unknown as Lab;
}
