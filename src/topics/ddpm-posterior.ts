/**
 * ddpm-posterior: the forward-process posterior of a DDPM (Ho et al. 2020, eq. 6–7),
 * q(x_{t−1} | x_t, x_0) = N(μ̃_t, β̃_t I) with
 *   μ̃_t = √ᾱ_{t−1} β_t / (1 − ᾱ_t) · x_0 + √α_t (1 − ᾱ_{t−1}) / (1 − ᾱ_t) · x_t,
 *   β̃_t = (1 − ᾱ_{t−1}) / (1 − ᾱ_t) · β_t,   ᾱ_0 = 1.
 * The course notes garble this derivation (√ᾱ_t for √α_t, 1 − α_t for 1 − ᾱ_t, α_{t−1} for
 * ᾱ_{t−1}); students copy those, so they are named misconceptions here.
 * Contract: the ddpm-posterior entry of the topic contract (tests/contract-ids.ts).
 */
import type { Vector } from '../core/values.js';
import type { Rng } from '../generators/rng.js';
import { paramsError } from '../solvers/params.js';
import { defineTopic, type Difficulty } from '../solvers/topic.js';
import { sameLength } from './checks.js';
import { betaSchema, MAX_STEPS, mix } from './diffusion-forward.js';
import { vector } from './schema-parts.js';

export interface DdpmPosteriorParams {
  /** β_1 … β_t, each in (0, 1); t is their number. */
  betas: Vector;
  x0: Vector;
  x_t: Vector;
}

type Steps = {
  alpha_t: number;
  alpha_bar_t: number;
  alpha_bar_prev: number;
  coef_x0: number;
  coef_xt: number;
  mean: Vector;
  variance: number;
};

/** Π (1 − β_s) over the first `upto` betas (1 for none: ᾱ_0 = 1). */
const alphaBar = (betas: Vector, upto: number): number => betas.slice(0, upto).reduce((a, b) => a * (1 - b), 1);

const betaT = (p: DdpmPosteriorParams): number => p.betas[p.betas.length - 1];

export const ddpmPosterior = defineTopic<DdpmPosteriorParams, Steps>({
  id: 'ddpm-posterior',
  title: 'DDPM forward-process posterior',
  summary: 'The Gaussian q(x_{t−1} | x_t, x_0) of a DDPM: its two mean coefficients, its mean and its variance β̃_t.',
  paramsSchema: {
    type: 'object',
    additionalProperties: false,
    required: ['betas', 'x0', 'x_t'],
    properties: {
      betas: vector({ max: MAX_STEPS, items: betaSchema }),
      x0: vector(),
      x_t: vector(),
    },
  },
  checkParams(p) {
    sameLength('x_t', p.x_t, 'x0', p.x0);
    // 1 − ᾱ_t divides every coefficient: betas so small that it rounds to 0 leave no posterior.
    if (1 - alphaBar(p.betas, p.betas.length) < 1e-9) {
      paramsError('betas', 'are so small that 1 − ᾱ_t is below 1e-9; the posterior divides by it');
    }
  },
  steps: {
    alpha_t: {
      label: 'α_t = 1 − β_t',
      kind: 'scalar',
      deps: [],
      formula: '\\alpha_t = 1 - \\beta_t',
      compute: (p) => 1 - betaT(p),
    },
    alpha_bar_t: {
      label: 'Cumulative product ᾱ_t',
      kind: 'scalar',
      deps: [],
      formula: '\\bar{\\alpha}_t = \\prod_{s=1}^{t} (1 - \\beta_s)',
      compute: (p) => alphaBar(p.betas, p.betas.length),
    },
    alpha_bar_prev: {
      label: 'Previous cumulative product ᾱ_(t−1)',
      kind: 'scalar',
      deps: [],
      formula: '\\bar{\\alpha}_{t-1} = \\prod_{s=1}^{t-1} (1 - \\beta_s)',
      compute: (p) => alphaBar(p.betas, p.betas.length - 1),
    },
    coef_x0: {
      label: 'Coefficient of x_0 in the mean',
      kind: 'scalar',
      deps: ['alpha_bar_prev', 'alpha_bar_t'],
      formula: 'c_0 = \\frac{\\sqrt{\\bar{\\alpha}_{t-1}}\\, \\beta_t}{1 - \\bar{\\alpha}_t}',
      compute: (p, s) => (Math.sqrt(s.alpha_bar_prev) * betaT(p)) / (1 - s.alpha_bar_t),
    },
    coef_xt: {
      label: 'Coefficient of x_t in the mean',
      kind: 'scalar',
      deps: ['alpha_t', 'alpha_bar_prev', 'alpha_bar_t'],
      formula: 'c_t = \\frac{\\sqrt{\\alpha_t}\\, (1 - \\bar{\\alpha}_{t-1})}{1 - \\bar{\\alpha}_t}',
      compute: (_p, s) => (Math.sqrt(s.alpha_t) * (1 - s.alpha_bar_prev)) / (1 - s.alpha_bar_t),
    },
    mean: {
      label: 'Posterior mean μ̃_t',
      kind: 'vector',
      deps: ['coef_x0', 'coef_xt'],
      formula: '\\tilde{\\mu}_t = c_0\\, x_0 + c_t\\, x_t',
      compute: (p, s) => mix(s.coef_x0, p.x0, s.coef_xt, p.x_t),
    },
    variance: {
      label: 'Posterior variance β̃_t',
      kind: 'scalar',
      deps: ['alpha_bar_prev', 'alpha_bar_t'],
      formula: '\\tilde{\\beta}_t = \\frac{1 - \\bar{\\alpha}_{t-1}}{1 - \\bar{\\alpha}_t}\\, \\beta_t',
      compute: (p, s) => ((1 - s.alpha_bar_prev) / (1 - s.alpha_bar_t)) * betaT(p),
    },
  },
  misconceptions: [
    {
      id: 'alpha-bar-one-minus-sum',
      step: 'alpha_bar_t',
      explanation: 'You used 1 − Σβ_s; ᾱ_t multiplies the α_s = 1 − β_s, and the product is not 1 minus the sum.',
      applies: (p) => p.betas.length >= 2,
      compute: (p) => 1 - p.betas.reduce((a, b) => a + b, 0),
    },
    {
      id: 'alpha-bar-last-alpha',
      step: 'alpha_bar_t',
      explanation: 'You took ᾱ_t as α_t alone; ᾱ_t is the product α_1·α_2·…·α_t over every step so far.',
      applies: (p) => p.betas.length >= 2,
      compute: (p) => 1 - betaT(p),
    },
    {
      id: 'alpha-bar-prev-is-alpha-bar-t',
      step: 'alpha_bar_prev',
      explanation: 'You used ᾱ_t where ᾱ_{t−1} belongs: the product for x_{t−1} stops one step earlier, at s = t − 1.',
      compute: (p) => alphaBar(p.betas, p.betas.length),
    },
    {
      id: 'alpha-bar-prev-single-alpha',
      step: 'alpha_bar_prev',
      explanation: 'You took α_{t−1} = 1 − β_{t−1} alone (the notes write α_{t−1} where ᾱ_{t−1} belongs); ᾱ_{t−1} is the product of every α_s up to t − 1.',
      applies: (p) => p.betas.length >= 3,
      compute: (p) => 1 - p.betas[p.betas.length - 2],
    },
    {
      id: 'coef-x0-alpha-bar-t',
      step: 'coef_x0',
      explanation: 'You used √ᾱ_t where √ᾱ_{t−1} belongs: x_0 reaches x_{t−1} through t − 1 steps, so its coefficient is √ᾱ_{t−1}·β_t / (1 − ᾱ_t).',
      compute: (p, s) => (Math.sqrt(s.alpha_bar_t) * betaT(p)) / (1 - s.alpha_bar_t),
    },
    {
      id: 'coef-x0-no-square-root',
      step: 'coef_x0',
      explanation: 'You left out the square root: ᾱ_{t−1} is a variance share, so x_0 is scaled by √ᾱ_{t−1}·β_t / (1 − ᾱ_t).',
      compute: (p, s) => (s.alpha_bar_prev * betaT(p)) / (1 - s.alpha_bar_t),
    },
    {
      id: 'coef-xt-alpha-bar-t',
      step: 'coef_xt',
      explanation: 'You used √ᾱ_t (as the course notes write it) where √α_t belongs: x_t comes from x_{t−1} by one step, whose signal factor is √α_t = √(1 − β_t).',
      compute: (_p, s) => (Math.sqrt(s.alpha_bar_t) * (1 - s.alpha_bar_prev)) / (1 - s.alpha_bar_t),
    },
    {
      id: 'coef-xt-denominator-beta',
      step: 'coef_xt',
      explanation: 'You divided by 1 − α_t = β_t (as the course notes write it); the denominator is 1 − ᾱ_t, the noise variance of x_t given x_0.',
      compute: (p, s) => (Math.sqrt(s.alpha_t) * (1 - s.alpha_bar_prev)) / betaT(p),
    },
    {
      id: 'mean-coefficients-swapped',
      step: 'mean',
      explanation: 'You swapped the coefficients: √ᾱ_{t−1}·β_t / (1 − ᾱ_t) multiplies x_0 and √α_t·(1 − ᾱ_{t−1}) / (1 − ᾱ_t) multiplies x_t.',
      compute: (p, s) => mix(s.coef_xt, p.x0, s.coef_x0, p.x_t),
    },
    {
      id: 'mean-notes-eps-form',
      step: 'mean',
      explanation: 'You used the notes\' (x_t − β_t/√(1 − ᾱ_t)·x_0)/√ᾱ_t: that is the ε-form of the mean garbled (it needs the noise ε, not x_0, and 1/√α_t); with x_0 known the mean is c_0·x_0 + c_t·x_t.',
      compute: (p) => {
        const t = p.betas.length;
        const ab = alphaBar(p.betas, t);
        const k = betaT(p) / Math.sqrt(1 - ab);
        return p.x_t.map((x, i) => (x - k * p.x0[i]) / Math.sqrt(ab));
      },
    },
    {
      id: 'variance-is-beta',
      step: 'variance',
      explanation: 'You used ᾱ_t where ᾱ_{t−1} belongs in the numerator, which leaves β_t; the posterior variance is (1 − ᾱ_{t−1}) / (1 − ᾱ_t) · β_t, smaller than β_t.',
      compute: (p) => betaT(p),
    },
    {
      id: 'variance-notes-denominator',
      step: 'variance',
      explanation: 'You divided by 1 − α_t = β_t (as the course notes write it), which leaves 1 − ᾱ_{t−1}; the denominator is 1 − ᾱ_t.',
      compute: (_p, s) => 1 - s.alpha_bar_prev,
    },
  ],
  generate: (rng, difficulty) => generate(rng, difficulty),
  templateData: (p, s) => ({
    t: p.betas.length,
    tPrev: p.betas.length - 1,
    d: p.x0.length,
    beta_t: betaT(p),
    sqrtAlphaBarT: Math.sqrt(s.alpha_bar_t),
    sqrtAlphaBarPrev: Math.sqrt(s.alpha_bar_prev),
  }),
  degenerate(_p, s) {
    // Equal coefficients would hide a swap; a negligible one makes the problem one-sided.
    if (Math.abs(s.coef_x0 - s.coef_xt) < 0.05) return 'the two mean coefficients are nearly equal';
    if (Math.min(s.coef_x0, s.coef_xt) < 0.05) return 'a mean coefficient is negligible';
    return null;
  },
});

interface Format {
  steps: [number, number];
  betaRange: [number, number];
  betaPlaces: number;
  d: number;
  xPlaces: number;
}

const FORMATS: Record<Difficulty, Format> = {
  easy: { steps: [2, 2], betaRange: [0.1, 0.5], betaPlaces: 1, d: 2, xPlaces: 1 },
  medium: { steps: [3, 3], betaRange: [0.05, 0.4], betaPlaces: 2, d: 3, xPlaces: 1 },
  hard: { steps: [4, 6], betaRange: [0.02, 0.3], betaPlaces: 2, d: 4, xPlaces: 2 },
};

function generate(rng: Rng, difficulty: Difficulty): DdpmPosteriorParams {
  const f = FORMATS[difficulty];
  // t ≥ 2 always: at t = 1, ᾱ_0 = 1 and the posterior collapses onto x_0 (variance 0).
  const t = rng.int(f.steps[0], f.steps[1]);
  const betas = rng.vector(t, () => rng.decimal(f.betaRange[0], f.betaRange[1], f.betaPlaces));
  const x0 = rng.vector(f.d, () => rng.nonzeroDecimal(-2, 2, f.xPlaces));
  const x_t = rng.vector(f.d, () => rng.nonzeroDecimal(-2.5, 2.5, f.xPlaces));
  return { betas, x0, x_t };
}
