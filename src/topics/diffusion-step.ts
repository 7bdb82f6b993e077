/**
 * diffusion-step: one Markov step of the DDPM forward process (Ho et al. 2020),
 * q(x_t | x_{t−1}) = N(√(1 − β) x_{t−1}, β I), sampled as x_t = √(1 − β)·x_{t−1} + √β·ε.
 * Contract: the diffusion-step entry of the topic contract (tests/contract-ids.ts).
 */
import type { Vector } from '../core/values.js';
import type { Rng } from '../generators/rng.js';
import { defineTopic, type Difficulty } from '../solvers/topic.js';
import { sameLength } from './checks.js';
import { betaSchema, mix } from './diffusion-forward.js';
import { vector } from './schema-parts.js';

export interface DiffusionStepParams {
  /** The step's noise variance, in (0, 1). */
  beta: number;
  x_prev: Vector;
  eps: Vector;
}

type Steps = {
  signal_coef: number;
  noise_coef: number;
  x_t: Vector;
};

export const diffusionStep = defineTopic<DiffusionStepParams, Steps>({
  id: 'diffusion-step',
  title: 'One step of the diffusion forward process',
  summary: 'Add noise for one DDPM step: x_t = √(1 − β)·x_{t−1} + √β·ε.',
  paramsSchema: {
    type: 'object',
    additionalProperties: false,
    required: ['beta', 'x_prev', 'eps'],
    properties: {
      beta: betaSchema,
      x_prev: vector(),
      eps: vector(),
    },
  },
  checkParams(p) {
    sameLength('eps', p.eps, 'x_prev', p.x_prev);
  },
  steps: {
    signal_coef: {
      label: 'Signal coefficient √(1 − β)',
      kind: 'scalar',
      deps: [],
      formula: '\\sqrt{1 - \\beta}',
      compute: (p) => Math.sqrt(1 - p.beta),
    },
    noise_coef: {
      label: 'Noise coefficient √β',
      kind: 'scalar',
      deps: [],
      formula: '\\sqrt{\\beta}',
      compute: (p) => Math.sqrt(p.beta),
    },
    x_t: {
      label: 'New state x_t',
      kind: 'vector',
      deps: ['signal_coef', 'noise_coef'],
      formula: 'x_t = \\sqrt{1 - \\beta}\\, x_{t-1} + \\sqrt{\\beta}\\, \\varepsilon',
      compute: (p, s) => mix(s.signal_coef, p.x_prev, s.noise_coef, p.eps),
    },
  },
  misconceptions: [
    {
      id: 'signal-no-square-root',
      step: 'signal_coef',
      explanation: 'You left out the square root: 1 − β is the variance kept, so x_{t−1} is scaled by √(1 − β).',
      compute: (p) => 1 - p.beta,
    },
    {
      id: 'signal-one-minus-sqrt-beta',
      step: 'signal_coef',
      explanation: 'You wrote 1 − √β; the root covers the whole difference: √(1 − β).',
      compute: (p) => 1 - Math.sqrt(p.beta),
    },
    {
      id: 'noise-no-square-root',
      step: 'noise_coef',
      explanation: 'You left out the square root: β is the noise variance, so ε is scaled by √β.',
      compute: (p) => p.beta,
    },
    {
      id: 'coefficients-swapped',
      step: 'x_t',
      explanation: 'You swapped the coefficients: x_{t−1} is scaled by √(1 − β) and the noise ε by √β.',
      compute: (p, s) => mix(s.noise_coef, p.x_prev, s.signal_coef, p.eps),
    },
    {
      id: 'x-t-no-square-roots',
      step: 'x_t',
      explanation: 'You scaled by the variances 1 − β and β; x_t uses their square roots, √(1 − β) and √β.',
      compute: (p, s) => mix(s.signal_coef ** 2, p.x_prev, s.noise_coef ** 2, p.eps),
    },
  ],
  generate: (rng, difficulty) => generate(rng, difficulty),
  templateData: (p) => ({ d: p.x_prev.length, oneMinusBeta: 1 - p.beta, signalDominates: p.beta < 0.5 }),
  degenerate(_p, s) {
    // β near ½ makes the two coefficients (almost) equal, so swapping them goes unseen.
    if (Math.abs(s.signal_coef - s.noise_coef) < 0.05) return 'the signal and noise coefficients are nearly equal';
    return null;
  },
});

interface Format {
  betaRange: [number, number];
  betaPlaces: number;
  d: number;
  xPlaces: number;
  epsPlaces: number;
}

const FORMATS: Record<Difficulty, Format> = {
  easy: { betaRange: [0.1, 0.4], betaPlaces: 1, d: 2, xPlaces: 1, epsPlaces: 1 },
  medium: { betaRange: [0.05, 0.45], betaPlaces: 2, d: 3, xPlaces: 1, epsPlaces: 2 },
  hard: { betaRange: [0.01, 0.2], betaPlaces: 2, d: 4, xPlaces: 2, epsPlaces: 2 },
};

function generate(rng: Rng, difficulty: Difficulty): DiffusionStepParams {
  const f = FORMATS[difficulty];
  const beta = rng.decimal(f.betaRange[0], f.betaRange[1], f.betaPlaces);
  const x_prev = rng.vector(f.d, () => rng.nonzeroDecimal(-2, 2, f.xPlaces));
  const eps = rng.vector(f.d, () => rng.nonzeroDecimal(-2.5, 2.5, f.epsPlaces));
  return { beta, x_prev, eps };
}
