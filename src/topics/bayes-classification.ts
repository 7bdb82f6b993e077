/**
 * bayes-classification: Bayes' rule for one observation x, P(c | x) = P(x | c) P(c) / P(x), and the
 * maximum-a-posteriori decision. Contract: the bayes-classification entry of the topic contract (tests/contract-ids.ts).
 */
import { StepwiseError } from '../core/errors.js';
import { argmax, sum } from '../core/linalg.js';
import type { Vector } from '../core/values.js';
import type { Rng } from '../generators/rng.js';
import { roundTo } from '../generators/rng.js';
import { paramsError } from '../solvers/params.js';
import { defineTopic, type Difficulty } from '../solvers/topic.js';
import { distribution, ROUNDING_SLACK, sameLength } from './checks.js';
import { vector } from './schema-parts.js';

export interface BayesParams {
  classes: string[];
  priors: Vector;
  likelihoods: Vector;
}

type Steps = {
  joint: Vector;
  evidence: number;
  posterior: Vector;
  decision: string;
};

const MAX_CLASSES = 6;
const probability = { type: 'number', minimum: 0, maximum: 1 } as const;

export const bayesClassification = defineTopic<BayesParams, Steps>({
  id: 'bayes-classification',
  title: "Bayes' rule classification",
  summary: "Posterior class probabilities P(c | x) ∝ P(x | c) P(c) from priors and likelihoods, and the most probable class.",
  paramsSchema: {
    type: 'object',
    additionalProperties: false,
    required: ['classes', 'priors', 'likelihoods'],
    properties: {
      classes: {
        type: 'array',
        minItems: 2,
        maxItems: MAX_CLASSES,
        items: { type: 'string', minLength: 1, maxLength: 40 },
      },
      priors: vector({ min: 2, max: MAX_CLASSES, items: probability }),
      likelihoods: vector({ min: 2, max: MAX_CLASSES, items: probability }),
    },
  },
  checkParams(p, assume) {
    const seen = new Map<string, number>();
    p.classes.forEach((c, i) => {
      if (c.trim() === '') paramsError(`classes[${i}]`, 'is blank; a class needs a name');
      if (c.trim() !== c) paramsError(`classes[${i}]`, `("${c}") has leading or trailing spaces; write the name without them`);
      // Answers name a class case-insensitively, so "Spam" and "spam" could not be told apart.
      const key = c.toLowerCase();
      const j = seen.get(key);
      if (j !== undefined) paramsError(`classes[${i}]`, `("${c}") repeats classes[${j}] ("${p.classes[j]}"); class names must be distinct (ignoring case)`);
      seen.set(key, i);
    });
    sameLength('priors', p.priors, 'classes', p.classes);
    sameLength('likelihoods', p.likelihoods, 'classes', p.classes);
    // A real exam may print rounded priors, or list only some classes: either way the posterior
    // P(x | c) P(c) / Σ over the listed classes is well defined, and is what the steps compute.
    const over = `the posteriors are normalised over the listed classes (${p.classes.join(', ')})`;
    distribution('priors', p.priors, { assume, slack: ROUNDING_SLACK, rounded: `so ${over}`, leftOut: over });
  },
  steps: {
    joint: {
      label: 'Joint probabilities P(x | c) · P(c)',
      kind: 'vector',
      deps: [],
      formula: 'P(x, c) = P(x \\mid c)\\, P(c)',
      compute: (p) => p.likelihoods.map((l, i) => l * p.priors[i]),
    },
    evidence: {
      label: 'Evidence P(x) = Σ joint',
      kind: 'scalar',
      deps: ['joint'],
      formula: 'P(x) = \\sum_c P(x \\mid c)\\, P(c)',
      compute: (_p, s) => sum(s.joint),
    },
    posterior: {
      label: 'Posteriors P(c | x)',
      kind: 'vector',
      deps: ['joint', 'evidence'],
      formula: 'P(c \\mid x) = \\frac{P(x \\mid c)\\, P(c)}{P(x)}',
      compute(_p, s) {
        if (s.evidence === 0) {
          throw new StepwiseError(
            'domain_error',
            'the evidence P(x) = Σ P(x | c) P(c) is 0: no class gives the observation any probability, so the posterior is undefined',
            'params.likelihoods',
          );
        }
        return s.joint.map((j) => j / s.evidence);
      },
    },
    decision: {
      label: 'Decision: the most probable class',
      kind: 'label',
      deps: ['posterior'],
      formula: '\\hat c = \\arg\\max_c P(c \\mid x)',
      compute: (p, s) => p.classes[argmax(s.posterior)],
      // Classes whose posterior equals the largest (to rounding): any of them is a right decision.
      ties: (p, s) => {
        const top = Math.max(...s.posterior);
        return p.classes.filter((_c, i) => Math.abs(s.posterior[i] - top) <= 1e-12 * Math.max(1, top));
      },
    },
  },
  misconceptions: [
    {
      id: 'joint-ten-times',
      step: 'joint',
      explanation: 'Each joint probability is ten times too large: count the decimal places when multiplying (0.3 × 0.2 = 0.06, not 0.6).',
      compute: (p) => p.likelihoods.map((l, i) => l * p.priors[i] * 10),
    },
    {
      id: 'posterior-unnormalised',
      step: 'posterior',
      explanation: 'You stopped at the joint P(x | c) P(c); divide each by the evidence P(x) so the posteriors sum to 1.',
      compute: (_p, s) => [...s.joint],
    },
    {
      id: 'evidence-unweighted',
      step: 'evidence',
      explanation: 'You added the likelihoods P(x | c) alone; the evidence weights each by its prior: P(x) = Σ P(x | c) P(c).',
      compute: (p) => sum(p.likelihoods),
    },
    {
      id: 'priors-ignored',
      step: 'posterior',
      explanation: 'You normalised the likelihoods alone, ignoring the priors; the posterior is proportional to P(x | c) · P(c).',
      compute: (p) => {
        const total = sum(p.likelihoods);
        return p.likelihoods.map((l) => l / total);
      },
    },
    {
      id: 'max-likelihood-decision',
      step: 'decision',
      explanation: 'You chose the class with the largest likelihood P(x | c); the decision takes the largest posterior, where the prior counts too.',
      compute: (p) => p.classes[argmax(p.likelihoods)],
    },
  ],
  labels: (p) => p.classes,
  generate: (rng, difficulty) => generate(rng, difficulty),
  templateData(p, s) {
    const best = argmax(s.joint);
    const ml = argmax(p.likelihoods);
    return {
      k: p.classes.length,
      subject: THEMES.find((t) => p.classes.every((c) => t.names.includes(c)))?.subject ?? 'items',
      rows: p.classes.map((name, i) => ({ name, prior: p.priors[i], likelihood: p.likelihoods[i] })),
      winner: p.classes[best],
      winnerPosterior: s.posterior[best],
      mlClass: p.classes[ml],
      priorsDecide: s.joint[ml] < s.joint[best],
    };
  },
  degenerate(_p, s) {
    const sorted = [...s.posterior].sort((a, b) => b - a);
    return sorted[0] - sorted[1] < 0.02 ? 'the top two posteriors are within 0.02 (a near tie)' : null;
  },
});

/** Small themed pools of class names; a problem draws its classes from one. */
const THEMES: readonly { subject: string; names: readonly string[] }[] = [
  { subject: 'emails', names: ['spam', 'ham', 'promo', 'social', 'phishing'] },
  { subject: 'wildlife-camera photos', names: ['cat', 'dog', 'fox', 'badger', 'deer'] },
  { subject: 'tumour biopsies', names: ['benign', 'malignant'] },
  { subject: 'patients with a cough', names: ['cold', 'flu', 'covid', 'allergy', 'bronchitis'] },
  { subject: 'card transactions', names: ['legit', 'fraud'] },
  { subject: 'product reviews', names: ['positive', 'negative', 'neutral'] },
  { subject: 'weather-station days', names: ['sunny', 'cloudy', 'rainy', 'snowy', 'windy'] },
  { subject: 'news articles', names: ['sport', 'politics', 'science', 'business', 'culture'] },
  { subject: 'fruit on a conveyor belt', names: ['apple', 'pear', 'plum', 'orange', 'lemon'] },
  { subject: 'text snippets', names: ['english', 'french', 'german', 'spanish', 'italian'] },
];

const GEN: Record<Difficulty, { k: [number, number]; total: number; minPrior: number; places: number; lik: [number, number] }> = {
  // Tenths: priors 0.1 … 0.9, likelihoods 0.1 … 0.9.
  easy: { k: [2, 2], total: 10, minPrior: 1, places: 1, lik: [0.1, 0.9] },
  // Hundredths: priors at least 0.05, likelihoods 0.05 … 0.95.
  medium: { k: [3, 3], total: 100, minPrior: 5, places: 2, lik: [0.05, 0.95] },
  hard: { k: [4, 5], total: 100, minPrior: 5, places: 2, lik: [0.02, 0.95] },
};

function generate(rng: Rng, difficulty: Difficulty): BayesParams {
  const { k: [lo, hi], total, minPrior, places, lik } = GEN[difficulty];
  const k = rng.int(lo, hi);
  const theme = rng.pick(THEMES.filter((t) => t.names.length >= k));
  return {
    classes: rng.sample(theme.names, k),
    priors: rng.composition(total, k, minPrior).map((c) => roundTo(c / total, places)),
    likelihoods: rng.vector(k, () => rng.decimal(lik[0], lik[1], places)),
  };
}
