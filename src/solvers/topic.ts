/**
 * What a topic is: a typed parameter set, a graph of named steps (the contract's ids), the
 * misconceptions that name realistic wrong steps, and a seeded generator. A topic file declares
 * one TopicSpec; the registry lists them. Solving, grading, rendering and the contract tests all
 * walk the same `steps`, so what a student is shown is exactly what is graded.
 */
import type { Rng } from '../generators/rng.js';
import type { Shape } from '../generators/shape.js';
import type { Tolerance } from '../core/tolerance.js';
import type { Kind, Value } from '../core/values.js';

export type Difficulty = 'easy' | 'medium' | 'hard';
export const DIFFICULTIES: readonly Difficulty[] = ['easy', 'medium', 'hard'];

/** A parameter set is a plain JSON object; a step-value map holds each step's value by id. */
export type Params = object;
export type StepValues = Record<string, Value>;

export interface StepSpec<P, S, K extends keyof S> {
  label: string;
  kind: Kind;
  deps: readonly (keyof S & string)[];
  /** TeX for the worked solution, e.g. "QK^\\top / \\sqrt{d_k}". */
  formula: string;
  /** Pure: reads the params and the values of `deps` only (the contract suite enforces it). */
  compute(p: P, s: S): S[K];
  /** Marks when a question does not say otherwise (default 1). */
  marks?: number;
  /** A step's own default tolerance, used when a question sets none. */
  tolerance?: Tolerance;
  /** May hold −∞ (masked entries, JSON null). */
  maskable?: boolean;
  /** Present only for some params, e.g. `embedded` only when embeddings are given. */
  when?(p: P): boolean;
  /** Label steps: every label equally right for these values (a tie), when there can be several. */
  ties?(p: P, s: S): readonly string[];
}

export interface MisconceptionSpec<P, S> {
  /** Stable id, stored with attempts: kebab-case, unique within the topic. */
  id: string;
  step: keyof S & string;
  /** One line a student reads, e.g. "You divided by d_k, not √d_k." */
  explanation: string;
  /** The value the wrong method gives for `step`, from the params and the values of its deps. */
  compute(p: P, s: S): Value;
  /** Whether the slip is possible for these params (e.g. a missing mask needs a causal problem). */
  applies?(p: P): boolean;
}

/**
 * Records an assumption made to accept loose params: the field (as in params.<field>) and one
 * sentence a student reads, e.g. "The priors sum to 0.8, not 1: …". Grading returns it as a
 * warning and the prompt states it.
 */
export type Assume = (field: string, assumption: string) => void;

/** A problem parameter the prompt shows, and what makes it hand-computable at each difficulty. */
export interface TopicSpec<P extends Params, S extends StepValues> {
  id: string;
  title: string;
  /** One sentence for topic lists. */
  summary: string;
  /** JSON Schema (draft 2020-12 subset ajv checks): types, sizes, ranges, no unknown fields. */
  paramsSchema: object;
  /**
   * Cross-field checks a schema cannot say (same lengths, sums to 1). Throw StepwiseError. Loose
   * but gradeable params (a real exam's rounded probabilities) are accepted by calling `assume`
   * with what is then assumed; the topic alone decides where such slack applies.
   */
  checkParams?(p: P, assume: Assume): void;
  steps: { [K in keyof S & string]: StepSpec<P, S, K> };
  misconceptions: readonly MisconceptionSpec<P, S>[];
  /**
   * The shape options `generate` honours, as a JSON Schema object (e.g. `{ causal: boolean }`): what
   * a bank question may promise its students (src/generators/shape.ts). None when absent.
   */
  shapes?: object;
  /** Params for a problem of this difficulty, keeping to `shape` (already checked against `shapes`). */
  generate(rng: Rng, difficulty: Difficulty, shape: Shape): P;
  /** Why a generated problem is unfit (a tie, saturation), or null. Generation draws again. */
  degenerate?(p: P, s: S): string | null;
  /** Accepted answers of label steps (class names). */
  labels?(p: P): readonly string[];
  /** Extra fields the prompt and solution templates read (e.g. d_k), from the params and the solved steps. */
  templateData?(p: P, s: S): Record<string, unknown>;
}

/** A registered topic with its types erased, as the engine handles it. */
export type Topic = TopicSpec<Params, StepValues>;

export type AnyStep = StepSpec<Params, StepValues, string>;

/** Declares a topic. The generics tie params, step ids and step values together at compile time. */
export function defineTopic<P extends Params, S extends StepValues>(spec: TopicSpec<P, S>): Topic {
  return spec as unknown as Topic;
}
