/**
 * diffusion-forward: the DDPM forward process in closed form (Ho et al. 2020),
 * q(x_t | x_0) = N(√ᾱ_t x_0, (1 − ᾱ_t) I) with ᾱ_t = Π_{i≤t} (1 − β_i), sampled as
 * x_t = √ᾱ_t x_0 + √(1 − ᾱ_t) ε. Contract: the diffusion-forward entry of the topic contract (tests/contract-ids.ts).
 */
import type { Vector } from '../core/values.js';
import type { Rng } from '../generators/rng.js';
import { defineTopic, type Difficulty } from '../solvers/topic.js';
import { sameLength } from './checks.js';
import { vector } from './schema-parts.js';

export interface DiffusionForwardParams {
  /** β_1 … β_t, each in (0, 1); t is their number. */
  betas: Vector;
  x0: Vector;
  eps: Vector;
}

type Steps = {
  alphas: Vector;
  alpha_bar: number;
  signal_coef: number;
  noise_coef: number;
  x_t: Vector;
};

/** Most diffusion steps a problem may hold. */
export const MAX_STEPS = 10;

/** A noise variance β in the open interval (0, 1). */
export const betaSchema = { type: 'number', exclusiveMinimum: 0, exclusiveMaximum: 1 } as const;

const product = (v: Vector): number => v.reduce((a, b) => a * b, 1);

/** a·x + b·e, element-wise. */
export function mix(a: number, x: Vector, b: number, e: Vector): Vector {
  return x.map((xi, i) => a * xi + b * e[i]);
}

export const diffusionForward = defineTopic<DiffusionForwardParams, Steps>({
  id: 'diffusion-forward',
  title: 'Diffusion forward process in closed form',
  summary: 'Jump straight from x₀ to x_t in a DDPM: ᾱ_t = Π(1 − β_i), then x_t = √ᾱ_t·x₀ + √(1 − ᾱ_t)·ε.',
  paramsSchema: {
    type: 'object',
    additionalProperties: false,
    required: ['betas', 'x0', 'eps'],
    properties: {
      betas: vector({ max: MAX_STEPS, items: betaSchema }),
      x0: vector(),
      eps: vector(),
    },
  },
  checkParams(p) {
    sameLength('eps', p.eps, 'x0', p.x0);
  },
  steps: {
    alphas: {
      label: 'Per-step α_i = 1 − β_i',
      kind: 'vector',
      deps: [],
      formula: '\\alpha_i = 1 - \\beta_i',
      compute: (p) => p.betas.map((b) => 1 - b),
    },
    alpha_bar: {
      label: 'Cumulative product ᾱ_t',
      kind: 'scalar',
      deps: ['alphas'],
      formula: '\\bar\\alpha_t = \\prod_{i=1}^{t} \\alpha_i',
      compute: (_p, s) => product(s.alphas),
    },
    signal_coef: {
      label: 'Signal coefficient √ᾱ_t',
      kind: 'scalar',
      deps: ['alpha_bar'],
      formula: '\\sqrt{\\bar\\alpha_t}',
      compute: (_p, s) => Math.sqrt(s.alpha_bar),
    },
    noise_coef: {
      label: 'Noise coefficient √(1 − ᾱ_t)',
      kind: 'scalar',
      deps: ['alpha_bar'],
      formula: '\\sqrt{1 - \\bar\\alpha_t}',
      compute: (_p, s) => Math.sqrt(1 - s.alpha_bar),
    },
    x_t: {
      label: 'Noisy sample x_t',
      kind: 'vector',
      deps: ['signal_coef', 'noise_coef'],
      formula: 'x_t = \\sqrt{\\bar\\alpha_t}\\, x_0 + \\sqrt{1 - \\bar\\alpha_t}\\, \\varepsilon',
      compute: (p, s) => mix(s.signal_coef, p.x0, s.noise_coef, p.eps),
    },
  },
  misconceptions: [
    {
      id: 'alpha-bar-last-alpha',
      step: 'alpha_bar',
      explanation: 'You took ᾱ_t as α_t alone; ᾱ_t is the product α_1·α_2·…·α_t over every step so far.',
      applies: (p) => p.betas.length >= 2,
      compute: (_p, s) => s.alphas[s.alphas.length - 1],
    },
    {
      id: 'alpha-bar-one-minus-sum',
      step: 'alpha_bar',
      explanation: 'You used 1 − Σβ_i; ᾱ_t multiplies the α_i = 1 − β_i, and the product is not 1 minus the sum.',
      applies: (p) => p.betas.length >= 2,
      compute: (_p, s) => 1 - s.alphas.reduce((acc, a) => acc + (1 - a), 0),
    },
    {
      id: 'signal-no-square-root',
      step: 'signal_coef',
      explanation: 'You left out the square root: ᾱ_t is the share of variance kept, so x_0 is scaled by √ᾱ_t.',
      compute: (_p, s) => s.alpha_bar,
    },
    {
      id: 'noise-no-square-root',
      step: 'noise_coef',
      explanation: 'You left out the square root: 1 − ᾱ_t is the noise variance, so ε is scaled by √(1 − ᾱ_t).',
      compute: (_p, s) => 1 - s.alpha_bar,
    },
    {
      id: 'noise-one-minus-sqrt',
      step: 'noise_coef',
      explanation: 'You wrote 1 − √ᾱ_t; the root covers the whole difference: √(1 − ᾱ_t).',
      compute: (_p, s) => 1 - Math.sqrt(s.alpha_bar),
    },
    {
      id: 'coefficients-swapped',
      step: 'x_t',
      explanation: 'You swapped the coefficients: x_0 is scaled by √ᾱ_t and ε by √(1 − ᾱ_t).',
      compute: (p, s) => mix(s.noise_coef, p.x0, s.signal_coef, p.eps),
    },
    {
      id: 'x-t-no-square-roots',
      step: 'x_t',
      explanation: 'You scaled by the variances ᾱ_t and 1 − ᾱ_t; x_t uses their square roots, √ᾱ_t and √(1 − ᾱ_t).',
      compute: (p, s) => mix(s.signal_coef ** 2, p.x0, s.noise_coef ** 2, p.eps),
    },
  ],
  generate: (rng, difficulty) => generate(rng, difficulty),
  templateData: (p) => ({ t: p.betas.length, d: p.x0.length }),
  degenerate(_p, s) {
    // ᾱ_t near ½ makes the two coefficients (almost) equal, so swapping them goes unseen.
    if (Math.abs(s.signal_coef - s.noise_coef) < 0.05) return 'the signal and noise coefficients are nearly equal';
    return null;
  },
});

interface Format {
  steps: [number, number];
  betaRange: [number, number];
  betaPlaces: number;
  d: number;
  x0Places: number;
  epsPlaces: number;
}

const FORMATS: Record<Difficulty, Format> = {
  easy: { steps: [2, 2], betaRange: [0.1, 0.5], betaPlaces: 1, d: 2, x0Places: 1, epsPlaces: 1 },
  medium: { steps: [3, 3], betaRange: [0.05, 0.4], betaPlaces: 2, d: 3, x0Places: 1, epsPlaces: 2 },
  hard: { steps: [4, 6], betaRange: [0.01, 0.2], betaPlaces: 2, d: 4, x0Places: 2, epsPlaces: 2 },
};

function generate(rng: Rng, difficulty: Difficulty): DiffusionForwardParams {
  const f = FORMATS[difficulty];
  // t ≥ 2 always: with one step ᾱ_t = α_t, and the "last α only" slip could not be told apart.
  const t = rng.int(f.steps[0], f.steps[1]);
  const betas = rng.vector(t, () => rng.decimal(f.betaRange[0], f.betaRange[1], f.betaPlaces));
  const x0 = rng.vector(f.d, () => rng.nonzeroDecimal(-2, 2, f.x0Places));
  const eps = rng.vector(f.d, () => rng.nonzeroDecimal(-2.5, 2.5, f.epsPlaces));
  return { betas, x0, eps };
}
