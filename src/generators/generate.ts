/**
 * Seeded problem generation: the topic draws candidate params from the seed's random stream until
 * one is fit to set — it solves without error, the topic finds nothing degenerate (a tie, a
 * saturated softmax) and every misconception that applies gives a value distinguishable from the
 * truth, so a wrong method can be told apart from the right one. The same seed walks the same
 * stream, so it always lands on the same problem.
 */
import { StepwiseError } from '../core/errors.js';
import { DEFAULT_TOLERANCE } from '../core/tolerance.js';
import { allRight, compareValues } from '../solvers/compare.js';
import { evaluateSteps, nonFinite } from '../solvers/solve.js';
import type { Difficulty, Params, StepValues, Topic } from '../solvers/topic.js';
import { MAX_SEED, Rng } from './rng.js';
import type { Shape } from './shape.js';

const MAX_DRAWS = 500;

export function checkSeed(seed: unknown, path = 'seed'): number {
  if (typeof seed !== 'number' || !Number.isInteger(seed) || seed < 0 || seed > MAX_SEED) {
    throw new StepwiseError('invalid_request', `${path} must be an integer from 0 to ${MAX_SEED}, got ${JSON.stringify(seed)}`, path);
  }
  return seed;
}

/**
 * Fit params for the seed, with their solved step values (the prompt reads both). `shape` is what a
 * bank question promises (checked against the topic's `shapes` when the bank loads).
 */
export function generateParams(topic: Topic, seed: number, difficulty: Difficulty, shape: Shape = {}): { params: Params; values: StepValues } {
  const rng = new Rng(seed);
  let lastReason = '';
  for (let draw = 0; draw < MAX_DRAWS; draw++) {
    const p = topic.generate(rng, difficulty, shape);
    let s: StepValues;
    try {
      s = evaluateSteps(topic, p);
    } catch (e) {
      lastReason = (e as Error).message;
      continue;
    }
    const reason = topic.degenerate?.(p, s) ?? indistinguishable(topic, p, s);
    if (reason === null) return { params: p, values: s };
    lastReason = reason;
  }
  // A generator that cannot find a fit problem is a bug in its topic, not the caller's input.
  throw new StepwiseError('internal', `no fit ${topic.id} problem in ${MAX_DRAWS} draws for seed ${seed} (${difficulty}): ${lastReason}`);
}

/**
 * The first applicable misconception whose numeric value equals the truth (within tolerance), or
 * null. Label steps are exempt: requiring, say, the maximum-likelihood class to differ from the
 * maximum-posterior class on every problem would skew what the generator sets.
 */
export function indistinguishable(topic: Topic, p: Params, s: StepValues): string | null {
  for (const m of topic.misconceptions) {
    if (m.applies && !m.applies(p)) continue;
    if (topic.steps[m.step].kind === 'label') continue;
    let wrong;
    try {
      wrong = m.compute(p, s);
    } catch {
      continue;
    }
    if (nonFinite(wrong, true) !== null) continue;
    const step = topic.steps[m.step];
    if (allRight(compareValues(wrong, s[m.step], step.tolerance ?? DEFAULT_TOLERANCE))) {
      return `misconception ${m.id} gives the true value of ${m.step}`;
    }
  }
  return null;
}
