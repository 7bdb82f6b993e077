/**
 * reward-model-loss: the pairwise loss of an RLHF reward model (Bradley–Terry, as in Ouyang et al.
 * 2022): the chance the preferred answer wins is σ(r_chosen − r_rejected), and the loss is the mean
 * of −ln σ(margin) over the pairs. Contract: the reward-model-loss entry of the topic contract
 * (tests/contract-ids.ts).
 */
import { sum } from '../core/linalg.js';
import type { Vector } from '../core/values.js';
import type { Rng } from '../generators/rng.js';
import { paramsError } from '../solvers/params.js';
import { defineTopic, type Difficulty } from '../solvers/topic.js';
import { sameLength } from './checks.js';
import { vector } from './schema-parts.js';

export interface RewardModelLossParams {
  /** The reward of the preferred answer, per pair. */
  chosen: Vector;
  /** The reward of the other answer, per pair. */
  rejected: Vector;
}

type Steps = {
  margins: Vector;
  probs: Vector;
  losses: Vector;
  loss: number;
};

/** Below this margin e^−margin overflows a double and σ(margin) becomes 0 (an infinite loss). */
const MIN_MARGIN = -700;

const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));

export const rewardModelLoss = defineTopic<RewardModelLossParams, Steps>({
  id: 'reward-model-loss',
  title: 'Reward model pairwise loss (RLHF)',
  summary: 'The Bradley–Terry loss of a reward model: margin r_chosen − r_rejected, P(chosen preferred) = σ(margin), loss the mean of −ln σ(margin).',
  paramsSchema: {
    type: 'object',
    additionalProperties: false,
    required: ['chosen', 'rejected'],
    properties: {
      chosen: vector(),
      rejected: vector(),
    },
  },
  checkParams(p) {
    sameLength('rejected', p.rejected, 'chosen', p.chosen);
    p.chosen.forEach((c, i) => {
      if (c - p.rejected[i] < MIN_MARGIN) {
        paramsError(`rejected[${i}]`, `exceeds chosen[${i}] by more than ${-MIN_MARGIN}: σ(margin) underflows to 0 and the loss is infinite in double precision`);
      }
    });
  },
  steps: {
    margins: {
      label: 'Reward margins r_chosen − r_rejected',
      kind: 'vector',
      deps: [],
      formula: 'm_i = r_i^{\\text{chosen}} - r_i^{\\text{rejected}}',
      compute: (p) => p.chosen.map((c, i) => c - p.rejected[i]),
    },
    probs: {
      label: 'Preference probabilities σ(margin)',
      kind: 'vector',
      deps: ['margins'],
      formula: 'P_i = \\sigma(m_i) = \\frac{1}{1 + e^{-m_i}}',
      compute: (_p, s) => s.margins.map(sigmoid),
    },
    losses: {
      label: 'Per-pair losses −ln σ(margin)',
      kind: 'vector',
      deps: ['probs'],
      formula: 'l_i = -\\ln P_i',
      compute: (_p, s) => s.probs.map((x) => -Math.log(x)),
    },
    loss: {
      label: 'Mean loss',
      kind: 'scalar',
      deps: ['losses'],
      formula: 'L = \\frac{1}{n} \\sum_{i=1}^{n} l_i',
      compute: (_p, s) => sum(s.losses) / s.losses.length,
    },
  },
  misconceptions: [
    {
      id: 'margin-reversed',
      step: 'margins',
      explanation: 'You flipped the margin’s sign: it is r_chosen − r_rejected, positive when the model already prefers the answer people chose.',
      compute: (p) => p.chosen.map((c, i) => p.rejected[i] - c),
    },
    {
      id: 'sigmoid-sign-flipped',
      step: 'probs',
      explanation: 'You computed 1/(1 + e^{m}) = σ(−m); the sigmoid is σ(m) = 1/(1 + e^{−m}), above ½ for a positive margin.',
      compute: (_p, s) => s.margins.map((m) => sigmoid(-m)),
    },
    {
      id: 'ratio-without-exp',
      step: 'probs',
      explanation: 'You divided the rewards, r_chosen/(r_chosen + r_rejected); Bradley–Terry divides their exponentials, e^{r_c}/(e^{r_c} + e^{r_r}) = σ(r_c − r_r).',
      applies: (p) => p.chosen.every((c, i) => c > 0 && p.rejected[i] > 0),
      compute: (p) => p.chosen.map((c, i) => c / (c + p.rejected[i])),
    },
    {
      id: 'loss-of-rejected',
      step: 'losses',
      explanation: 'You took −ln(1 − σ(m)), the loss for preferring the rejected answer; the loss rewards the chosen one: −ln σ(m).',
      compute: (_p, s) => s.probs.map((x) => -Math.log(1 - x)),
    },
    {
      id: 'no-minus-sign',
      step: 'losses',
      explanation: 'You left out the minus sign: ln σ(m) is negative, and the loss is −ln σ(m), which is positive.',
      compute: (_p, s) => s.probs.map((x) => Math.log(x)),
    },
    {
      id: 'used-log10',
      step: 'losses',
      explanation: 'You used log base 10 (the calculator’s "log" key); the loss uses the natural log ln.',
      compute: (_p, s) => s.probs.map((x) => -Math.log10(x)),
    },
    {
      id: 'sum-not-mean',
      step: 'loss',
      explanation: 'You summed the per-pair losses; the loss is their mean over the pairs.',
      applies: (p) => p.chosen.length >= 2,
      compute: (_p, s) => sum(s.losses),
    },
  ],
  generate: (rng, difficulty) => generate(rng, difficulty),
  templateData: (p, s) => ({
    n: p.chosen.length,
    wrongWay: s.margins.filter((m) => m < 0).length,
    anyWrongWay: s.margins.some((m) => m < 0),
    lnTwo: Math.log(2),
  }),
  degenerate(_p, s) {
    // A zero margin hides a flipped sign; a large one saturates the sigmoid (the loss is ~0).
    if (s.margins.some((m) => Math.abs(m) < 0.1)) return 'a margin is (nearly) 0';
    if (s.margins.some((m) => Math.abs(m) > 4)) return 'a margin is so large that the sigmoid saturates';
    return null;
  },
});

const FORMATS: Record<Difficulty, { n: number; range: [number, number]; places: number }> = {
  // Positive rewards with one decimal; later, negative rewards and answers the model ranks the wrong way.
  easy: { n: 2, range: [0.1, 3], places: 1 },
  medium: { n: 3, range: [-2, 3], places: 1 },
  hard: { n: 4, range: [-3, 3], places: 2 },
};

function generate(rng: Rng, difficulty: Difficulty): RewardModelLossParams {
  const { n, range, places } = FORMATS[difficulty];
  const draw = () => rng.decimal(range[0], range[1], places);
  return { chosen: rng.vector(n, draw), rejected: rng.vector(n, draw) };
}
