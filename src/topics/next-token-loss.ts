/**
 * next-token-loss: a decoder's (GPT's) next-token cross-entropy. Each position's logits over the
 * vocabulary go through a softmax; the loss is the mean of −ln p(target) over the positions, in
 * nats, and the perplexity is e^loss. Contract: the next-token-loss entry of the topic contract
 * (tests/contract-ids.ts).
 */
import { argmax, softmaxRows, sum, transpose } from '../core/linalg.js';
import type { Matrix, Vector } from '../core/values.js';
import type { Rng } from '../generators/rng.js';
import { paramsError } from '../solvers/params.js';
import { defineTopic, type Difficulty } from '../solvers/topic.js';
import { rectangular, sameLength } from './checks.js';
import { MAX_DIM, number, vector } from './schema-parts.js';

export interface NextTokenLossParams {
  /** n positions × V vocabulary. */
  logits: Matrix;
  /** The next token's index at each position, 0 … V − 1. */
  targets: number[];
}

type Steps = {
  probs: Matrix;
  target_probs: Vector;
  losses: Vector;
  loss: number;
  perplexity: number;
};

/** A logit this far below its row's largest gives a probability that underflows a double (e^−745 ≈ 0). */
const MAX_LOGIT_GAP = 700;

const mean = (v: Vector): number => sum(v) / v.length;
const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));

export const nextTokenLoss = defineTopic<NextTokenLossParams, Steps>({
  id: 'next-token-loss',
  title: 'Next-token cross-entropy loss (GPT)',
  summary: 'A decoder’s training loss: softmax over the vocabulary at each position, −ln of the target token’s probability, their mean and the perplexity e^loss.',
  paramsSchema: {
    type: 'object',
    additionalProperties: false,
    required: ['logits', 'targets'],
    properties: {
      logits: { type: 'array', minItems: 1, maxItems: MAX_DIM, items: vector({ min: 2, max: MAX_DIM, items: number }) },
      targets: { type: 'array', minItems: 1, maxItems: MAX_DIM, items: { type: 'integer', minimum: 0, maximum: MAX_DIM - 1 } },
    },
  },
  checkParams(p) {
    const [, V] = rectangular('logits', p.logits);
    sameLength('targets', p.targets, 'logits', p.logits);
    p.targets.forEach((y, i) => {
      if (y >= V) paramsError(`targets[${i}]`, `is ${y}, but logits has ${V} columns, so a token index is 0 … ${V - 1}`);
      const row = p.logits[i];
      const gap = Math.max(...row) - row[y];
      if (gap > MAX_LOGIT_GAP) {
        paramsError(`logits[${i}]`, `puts the target token ${gap} below the row's largest logit; its probability underflows double precision (keep the gap within ${MAX_LOGIT_GAP})`);
      }
    });
  },
  steps: {
    probs: {
      label: 'Next-token probabilities (row softmax)',
      kind: 'matrix',
      deps: [],
      formula: 'p_{i,v} = \\frac{e^{z_{i,v}}}{\\sum_{u} e^{z_{i,u}}}',
      compute: (p) => softmaxRows(p.logits),
    },
    target_probs: {
      label: 'Probability of each target token',
      kind: 'vector',
      deps: ['probs'],
      formula: 'p_i = p_{i, y_i}',
      compute: (p, s) => p.targets.map((y, i) => s.probs[i][y]),
    },
    losses: {
      label: 'Per-position losses −ln p',
      kind: 'vector',
      deps: ['target_probs'],
      formula: 'l_i = -\\ln p_i',
      compute: (_p, s) => s.target_probs.map((x) => -Math.log(x)),
    },
    loss: {
      label: 'Mean loss L',
      kind: 'scalar',
      deps: ['losses'],
      formula: 'L = \\frac{1}{n} \\sum_{i=1}^{n} l_i',
      compute: (_p, s) => mean(s.losses),
    },
    perplexity: {
      label: 'Perplexity e^L',
      kind: 'scalar',
      deps: ['loss'],
      formula: '\\mathrm{PPL} = e^{L}',
      compute: (_p, s) => Math.exp(s.loss),
    },
  },
  misconceptions: [
    {
      id: 'softmax-over-positions',
      step: 'probs',
      explanation: 'You took the softmax down each column, over positions; each position’s distribution runs along its row, over the vocabulary.',
      applies: (p) => p.logits.length >= 2,
      compute: (p) => transpose(softmaxRows(transpose(p.logits))),
    },
    {
      id: 'sigmoid-per-logit',
      step: 'probs',
      explanation: 'You applied a sigmoid to each logit on its own; the next token is one of V, so each row is a softmax and sums to 1.',
      compute: (p) => p.logits.map((row) => row.map(sigmoid)),
    },
    {
      id: 'argmax-probability',
      step: 'target_probs',
      explanation: 'You took the probability of the most likely token; the loss scores the probability the model gave the actual next token, the target.',
      compute: (_p, s) => s.probs.map((row) => row[argmax(row)]),
    },
    {
      id: 'raw-logit',
      step: 'target_probs',
      explanation: 'You took the target’s raw logit; its probability is the softmax of the row at the target’s index.',
      compute: (p) => p.targets.map((y, i) => p.logits[i][y]),
    },
    {
      id: 'used-log10',
      step: 'losses',
      explanation: 'You used log base 10 (the calculator’s "log" key); cross-entropy here is in nats, with the natural log ln.',
      compute: (_p, s) => s.target_probs.map((x) => -Math.log10(x)),
    },
    {
      id: 'used-log2',
      step: 'losses',
      explanation: 'You used log base 2 (bits); the loss is in nats, with the natural log ln (and the perplexity is then e^L).',
      compute: (_p, s) => s.target_probs.map((x) => -Math.log2(x)),
    },
    {
      id: 'no-minus-sign',
      step: 'losses',
      explanation: 'You left out the minus sign: ln p is negative for p < 1, and the loss is −ln p, which is positive.',
      compute: (_p, s) => s.target_probs.map((x) => Math.log(x)),
    },
    {
      id: 'sum-not-mean',
      step: 'loss',
      explanation: 'You summed the per-position losses; the loss is their mean over the n positions.',
      applies: (p) => p.logits.length >= 2,
      compute: (_p, s) => sum(s.losses),
    },
    {
      id: 'perplexity-base-2',
      step: 'perplexity',
      explanation: 'You took 2^L; the loss is in nats, so the perplexity is e^L (2^L goes with a loss in bits).',
      compute: (_p, s) => 2 ** s.loss,
    },
    {
      id: 'perplexity-inverse',
      step: 'perplexity',
      explanation: 'You took e^−L, the geometric mean of the target probabilities; the perplexity is its inverse, e^L (at least 1).',
      compute: (_p, s) => Math.exp(-s.loss),
    },
  ],
  generate: (rng, difficulty) => generate(rng, difficulty),
  templateData: (p, s) => ({
    n: p.logits.length,
    V: p.logits[0].length,
    lastToken: p.logits[0].length - 1,
    lnV: Math.log(p.logits[0].length),
    beatsUniform: s.perplexity < p.logits[0].length,
  }),
  degenerate(_p, s) {
    // Hand-computable and informative: no saturated row, no target so unlikely that its loss explodes.
    if (s.probs.some((row) => Math.max(...row) > 0.9)) return 'a softmax row is saturated';
    if (s.target_probs.some((x) => x < 0.01)) return 'a target probability is below 0.01';
    return null;
  },
});

const SIZES: Record<Difficulty, { n: number; V: number; range: [number, number]; places: number }> = {
  // Small integer logits: e^z from a table or a calculator.
  easy: { n: 2, V: 3, range: [-1, 3], places: 0 },
  medium: { n: 3, V: 4, range: [-2, 3], places: 1 },
  hard: { n: 4, V: 5, range: [-3, 4], places: 1 },
};

function generate(rng: Rng, difficulty: Difficulty): NextTokenLossParams {
  const { n, V, range, places } = SIZES[difficulty];
  const logits = rng.matrix(n, V, () => rng.decimal(range[0], range[1], places));
  const targets = rng.vector(n, () => rng.int(0, V - 1));
  return { logits, targets };
}
