/**
 * ppo-clip: PPO's clipped surrogate objective (Schulman et al. 2017, eq. 7). The probability ratio
 * r = π_new(a|s) / π_old(a|s) = e^(log π_new − log π_old) is clipped to [1 − ε, 1 + ε]; each
 * action's objective is the smaller (pessimistic) of r·Â and clip(r)·Â, and the loss minimised is
 * minus their mean. Contract: the ppo-clip entry of the topic contract (tests/contract-ids.ts).
 */
import { sum } from '../core/linalg.js';
import type { Vector } from '../core/values.js';
import type { Rng } from '../generators/rng.js';
import { paramsError } from '../solvers/params.js';
import { defineTopic, type Difficulty } from '../solvers/topic.js';
import { sameLength } from './checks.js';
import { MAX_ABS, vector } from './schema-parts.js';

export interface PpoClipParams {
  /** Log-probabilities of the taken actions under the new policy (≤ 0). */
  logp_new: Vector;
  /** … and under the old policy that collected them (≤ 0). */
  logp_old: Vector;
  advantages: Vector;
  /** The clip range, 0 < ε < 1. */
  epsilon: number;
}

type Steps = {
  ratios: Vector;
  unclipped: Vector;
  clipped: Vector;
  objective: Vector;
  loss: number;
};

/** Policies this far apart (a ratio beyond e^100) are no PPO update, and their products overflow. */
const MAX_LOG_RATIO = 100;

const logProb = { type: 'number', minimum: -MAX_ABS, maximum: 0 } as const;

const clip = (x: number, lo: number, hi: number): number => Math.min(Math.max(x, lo), hi);

export const ppoClip = defineTopic<PpoClipParams, Steps>({
  id: 'ppo-clip',
  title: 'PPO clipped surrogate objective',
  summary: 'PPO’s loss: ratios e^(log π_new − log π_old), clipped to [1 − ε, 1 + ε], the pessimistic min(r·Â, clip(r)·Â) per action, and minus its mean.',
  paramsSchema: {
    type: 'object',
    additionalProperties: false,
    required: ['logp_new', 'logp_old', 'advantages', 'epsilon'],
    properties: {
      logp_new: vector({ items: logProb }),
      logp_old: vector({ items: logProb }),
      advantages: vector(),
      epsilon: { type: 'number', exclusiveMinimum: 0, exclusiveMaximum: 1 },
    },
  },
  checkParams(p) {
    sameLength('logp_old', p.logp_old, 'logp_new', p.logp_new);
    sameLength('advantages', p.advantages, 'logp_new', p.logp_new);
    p.logp_new.forEach((x, i) => {
      if (Math.abs(x - p.logp_old[i]) > MAX_LOG_RATIO) {
        paramsError(`logp_new[${i}]`, `differs from logp_old[${i}] by more than ${MAX_LOG_RATIO}: a probability ratio beyond e^${MAX_LOG_RATIO} is not a policy update`);
      }
    });
  },
  steps: {
    ratios: {
      label: 'Probability ratios r = π_new / π_old',
      kind: 'vector',
      deps: [],
      formula: 'r_i = \\exp\\big(\\log \\pi_{\\text{new}}(a_i) - \\log \\pi_{\\text{old}}(a_i)\\big)',
      compute: (p) => p.logp_new.map((x, i) => Math.exp(x - p.logp_old[i])),
    },
    unclipped: {
      label: 'Unclipped terms r·Â',
      kind: 'vector',
      deps: ['ratios'],
      formula: 'u_i = r_i \\hat{A}_i',
      compute: (p, s) => s.ratios.map((r, i) => r * p.advantages[i]),
    },
    clipped: {
      label: 'Clipped terms clip(r, 1 − ε, 1 + ε)·Â',
      kind: 'vector',
      deps: ['ratios'],
      formula: 'c_i = \\operatorname{clip}(r_i, 1 - \\epsilon, 1 + \\epsilon)\\, \\hat{A}_i',
      compute: (p, s) => s.ratios.map((r, i) => clip(r, 1 - p.epsilon, 1 + p.epsilon) * p.advantages[i]),
    },
    objective: {
      label: 'Clipped objective min(unclipped, clipped)',
      kind: 'vector',
      deps: ['unclipped', 'clipped'],
      formula: 'o_i = \\min(u_i, c_i)',
      compute: (_p, s) => s.unclipped.map((u, i) => Math.min(u, s.clipped[i])),
    },
    loss: {
      label: 'Loss −mean(objective)',
      kind: 'scalar',
      deps: ['objective'],
      formula: 'L = -\\frac{1}{n} \\sum_{i=1}^{n} o_i',
      compute: (_p, s) => -sum(s.objective) / s.objective.length,
    },
  },
  misconceptions: [
    {
      id: 'ratio-inverted',
      step: 'ratios',
      explanation: 'You inverted the ratio: it is π_new / π_old = e^(log π_new − log π_old), the new policy on top.',
      compute: (p) => p.logp_new.map((x, i) => Math.exp(p.logp_old[i] - x)),
    },
    {
      id: 'ratio-not-exponentiated',
      step: 'ratios',
      explanation: 'You stopped at log π_new − log π_old, the log of the ratio; exponentiate it to get r = π_new / π_old.',
      compute: (p) => p.logp_new.map((x, i) => x - p.logp_old[i]),
    },
    {
      id: 'ratio-of-log-probs',
      step: 'ratios',
      explanation: 'You divided the log-probabilities; the ratio of probabilities is the exponential of their difference, e^(log π_new − log π_old).',
      applies: (p) => p.logp_old.every((x) => x < 0),
      compute: (p) => p.logp_new.map((x, i) => x / p.logp_old[i]),
    },
    {
      id: 'clipped-advantage',
      step: 'clipped',
      explanation: 'You clipped the advantage; PPO clips the ratio to [1 − ε, 1 + ε] and multiplies the clipped ratio by the unclipped advantage.',
      compute: (p, s) => s.ratios.map((r, i) => r * clip(p.advantages[i], 1 - p.epsilon, 1 + p.epsilon)),
    },
    {
      id: 'clip-not-multiplied',
      step: 'clipped',
      explanation: 'You clipped the ratio but did not multiply by the advantage: the clipped term is clip(r, 1 − ε, 1 + ε)·Â.',
      compute: (p, s) => s.ratios.map((r) => clip(r, 1 - p.epsilon, 1 + p.epsilon)),
    },
    {
      id: 'max-not-min',
      step: 'objective',
      explanation: 'You took the max; PPO takes the min of the unclipped and clipped terms, a pessimistic bound that removes the incentive to move the ratio outside [1 − ε, 1 + ε].',
      compute: (_p, s) => s.unclipped.map((u, i) => Math.max(u, s.clipped[i])),
    },
    {
      id: 'min-before-advantage',
      step: 'objective',
      explanation: 'You took min(r, clip(r))·Â; the min is over the products r·Â and clip(r)·Â, and for a negative advantage that picks the larger ratio.',
      compute: (p, s) =>
        s.unclipped.map((u, i) => {
          const a = p.advantages[i];
          return a === 0 ? 0 : Math.min(u / a, s.clipped[i] / a) * a;
        }),
    },
    {
      id: 'loss-sign',
      step: 'loss',
      explanation: 'You reported the mean objective itself; PPO maximises the objective, so the loss minimised is minus its mean.',
      compute: (_p, s) => sum(s.objective) / s.objective.length,
    },
    {
      id: 'sum-not-mean',
      step: 'loss',
      explanation: 'You summed over the actions; the loss is minus the mean of the objective.',
      applies: (p) => p.logp_new.length >= 2,
      compute: (_p, s) => -sum(s.objective),
    },
  ],
  generate: (rng, difficulty) => generate(rng, difficulty),
  templateData: (p, s) => ({
    n: p.logp_new.length,
    low: 1 - p.epsilon,
    high: 1 + p.epsilon,
    clippedCount: s.ratios.filter((r) => r < 1 - p.epsilon || r > 1 + p.epsilon).length,
  }),
  degenerate(p, s) {
    // A ratio on a clip boundary makes "clipped or not" hinge on rounding.
    const near = s.ratios.some((r) => Math.abs(r - (1 - p.epsilon)) < 0.01 || Math.abs(r - (1 + p.epsilon)) < 0.01);
    return near ? 'a ratio sits on a clip boundary' : null;
  },
});

interface Format {
  n: number;
  epsilons: number[];
  oldRange: [number, number];
  oldPlaces: number;
  delta: number;
  deltaPlaces: number;
  advRange: number;
  advPlaces: number;
}

const FORMATS: Record<Difficulty, Format> = {
  easy: { n: 2, epsilons: [0.2], oldRange: [-2.5, -0.5], oldPlaces: 1, delta: 0.5, deltaPlaces: 1, advRange: 2, advPlaces: 1 },
  medium: { n: 3, epsilons: [0.1, 0.2], oldRange: [-2.5, -0.5], oldPlaces: 1, delta: 0.6, deltaPlaces: 2, advRange: 2, advPlaces: 1 },
  hard: { n: 4, epsilons: [0.1, 0.2, 0.3], oldRange: [-3, -0.3], oldPlaces: 2, delta: 0.7, deltaPlaces: 2, advRange: 2.5, advPlaces: 2 },
};

function generate(rng: Rng, difficulty: Difficulty): PpoClipParams {
  const f = FORMATS[difficulty];
  const epsilon = rng.pick(f.epsilons);
  const logp_old = rng.vector(f.n, () => rng.decimal(f.oldRange[0], f.oldRange[1], f.oldPlaces));
  const places = Math.max(f.oldPlaces, f.deltaPlaces);
  // The new log-probability moves by a small nonzero step and stays a log-probability (≤ 0).
  const logp_new = logp_old.map((old) => Number((old + rng.nonzeroDecimal(-f.delta, Math.min(f.delta, -old), f.deltaPlaces)).toFixed(places)));
  const advantages = rng.vector(f.n, () => rng.nonzeroDecimal(-f.advRange, f.advRange, f.advPlaces));
  return { logp_new, logp_old, advantages, epsilon };
}
