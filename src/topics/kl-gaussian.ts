/**
 * kl-gaussian: the closed-form KL(N(μ, diag σ²) ‖ N(0, I)) = Σ_j ½(μ_j² + σ_j² − ln σ_j² − 1), the
 * regulariser of a VAE's loss, from σ or from the log-variance an encoder outputs.
 * Contract: the kl-gaussian entry of the topic contract (tests/contract-ids.ts).
 */
import { sum } from '../core/linalg.js';
import type { Vector } from '../core/values.js';
import type { Rng } from '../generators/rng.js';
import { honour, shapeSchema, type Shape } from '../generators/shape.js';
import { paramsError } from '../solvers/params.js';
import { defineTopic, type Difficulty } from '../solvers/topic.js';
import { sameLength } from './checks.js';
import { positive, vector } from './schema-parts.js';

export interface KlGaussianParams {
  mu: Vector;
  sigma?: Vector;
  logvar?: Vector;
}

type Steps = {
  variance: Vector;
  log_variance: Vector;
  terms: Vector;
  kl: number;
};

/** ln σ² beyond ±LOGVAR_MAX would overflow exp() long before it means anything. */
const LOGVAR_MAX = 100;

/** The smallest normal double: below it a variance has lost its precision (or underflowed to 0). */
const MIN_NORMAL = 2 ** -1022;

/**
 * ln σ_j² as the contract says: the log of the variance step (so a student's own wrong variance is
 * carried into it), or the given log-variance. σ² of a tiny σ underflows, so there it is 2 ln σ_j;
 * the log of a negative variance is NaN, which the grader reads as "nothing to carry".
 */
function lnVariance(p: KlGaussianParams, variance: Vector): Vector {
  if (p.logvar) return [...p.logvar];
  return variance.map((v, j) => (v >= 0 && v < MIN_NORMAL ? 2 * Math.log(p.sigma![j]) : Math.log(v)));
}

const half = (x: number): number => x / 2;

export const klGaussian = defineTopic<KlGaussianParams, Steps>({
  id: 'kl-gaussian',
  title: 'KL divergence of a diagonal Gaussian from N(0, I)',
  summary: 'The closed form KL(N(μ, diag σ²) ‖ N(0, I)) = Σ ½(μ² + σ² − ln σ² − 1), the KL term of a VAE loss.',
  paramsSchema: {
    type: 'object',
    additionalProperties: false,
    required: ['mu'],
    properties: {
      mu: vector(),
      sigma: vector({ items: positive }),
      logvar: vector({ items: { type: 'number', minimum: -LOGVAR_MAX, maximum: LOGVAR_MAX } }),
    },
  },
  checkParams(p) {
    if (p.sigma && p.logvar) {
      paramsError('sigma', 'and params.logvar are both given; give exactly one of them (σ, or the log-variance ln σ²)');
    }
    if (!p.sigma && !p.logvar) {
      paramsError('sigma', 'is missing: give exactly one of params.sigma (σ, each > 0) or params.logvar (ln σ²)');
    }
    if (p.sigma) sameLength('sigma', p.sigma, 'mu', p.mu);
    else sameLength('logvar', p.logvar!, 'mu', p.mu);
  },
  steps: {
    variance: {
      label: 'Variances σ²',
      kind: 'vector',
      deps: [],
      formula: '\\sigma_j^2',
      compute: (p) => (p.sigma ? p.sigma.map((s) => s * s) : p.logvar!.map(Math.exp)),
    },
    log_variance: {
      label: 'Log-variances ln σ²',
      kind: 'vector',
      deps: ['variance'],
      formula: '\\ln \\sigma_j^2',
      compute: (p, s) => lnVariance(p, s.variance),
    },
    terms: {
      label: 'Per-dimension terms ½(μ² + σ² − ln σ² − 1)',
      kind: 'vector',
      deps: ['variance', 'log_variance'],
      formula: 't_j = \\tfrac12 \\left( \\mu_j^2 + \\sigma_j^2 - \\ln \\sigma_j^2 - 1 \\right)',
      compute: (p, s) => p.mu.map((m, j) => half(m * m + s.variance[j] - s.log_variance[j] - 1)),
    },
    kl: {
      label: 'Divergence KL = Σ terms',
      kind: 'scalar',
      deps: ['terms'],
      formula: '\\mathrm{KL}\\left(\\mathcal N(\\mu, \\operatorname{diag}\\sigma^2) \\,\\|\\, \\mathcal N(0, I)\\right) = \\sum_j t_j',
      compute: (_p, s) => sum(s.terms),
    },
  },
  misconceptions: [
    {
      id: 'sigma-not-squared',
      step: 'variance',
      explanation: 'You used σ where the variance σ² belongs: square each standard deviation.',
      applies: (p) => p.sigma !== undefined,
      compute: (p) => [...p.sigma!],
    },
    {
      id: 'logvar-halved',
      step: 'variance',
      explanation: 'You computed exp(logvar / 2), which is σ; the variance is σ² = exp(logvar).',
      applies: (p) => p.logvar !== undefined,
      compute: (p) => p.logvar!.map((l) => Math.exp(l / 2)),
    },
    {
      id: 'used-log10',
      step: 'log_variance',
      explanation: 'You used log base 10 (the calculator\'s "log" key); the closed form uses the natural log ln.',
      applies: (p) => p.sigma !== undefined,
      compute: (p, s) => s.variance.map(Math.log10),
    },
    {
      id: 'log-sigma-not-variance',
      step: 'log_variance',
      explanation: 'You took ln σ; the formula needs ln σ² = 2 ln σ.',
      compute: (p, s) => lnVariance(p, s.variance).map(half),
    },
    {
      id: 'half-dropped',
      step: 'terms',
      explanation: 'You dropped the factor ½: each term is ½(μ² + σ² − ln σ² − 1).',
      compute: (p, s) => p.mu.map((m, j) => m * m + s.variance[j] - s.log_variance[j] - 1),
    },
    {
      id: 'minus-one-dropped',
      step: 'terms',
      explanation: 'You left out the −1 inside the bracket: ½(μ² + σ² − ln σ² − 1), which makes each term 0 at μ = 0, σ = 1.',
      compute: (p, s) => p.mu.map((m, j) => half(m * m + s.variance[j] - s.log_variance[j])),
    },
    {
      id: 'averaged-not-summed',
      step: 'kl',
      explanation: 'You averaged the terms over the dimensions; the KL of a diagonal Gaussian is their sum.',
      applies: (p) => p.mu.length > 1,
      compute: (p, s) => sum(s.terms) / p.mu.length,
    },
  ],
  shapes: shapeSchema({ given: { enum: ['sigma', 'logvar'], description: 'the spread is given as σ or as the log-variance ln σ²' } }),
  generate: (rng, difficulty, shape) => generate(rng, difficulty, shape),
  templateData: (p) => ({ d: p.mu.length, givenSigma: p.sigma !== undefined }),
  degenerate(_p, s) {
    return s.kl < 0.01 ? 'KL is below 0.01: the Gaussian is almost N(0, I)' : null;
  },
});

const GEN: Record<Difficulty, { d: number; places: number; mu: number; logvarShare: number }> = {
  easy: { d: 2, places: 1, mu: 1.5, logvarShare: 0 },
  medium: { d: 3, places: 1, mu: 1.5, logvarShare: 0.5 },
  hard: { d: 4, places: 2, mu: 1.5, logvarShare: 1 },
};

function generate(rng: Rng, difficulty: Difficulty, shape: Shape): KlGaussianParams {
  const { d, places, mu: muMax, logvarShare } = GEN[difficulty];
  const mu = rng.vector(d, () => rng.decimal(-muMax, muMax, places));
  const drawn = rng.int(0, 99) < logvarShare * 100 ? 'logvar' : 'sigma';
  if (honour(rng, drawn, shape.given as 'sigma' | 'logvar' | undefined) === 'logvar') {
    return { mu, logvar: rng.vector(d, () => rng.decimal(-2, 1.5, places)) };
  }
  return { mu, sigma: rng.vector(d, () => rng.decimal(0.2, 2, places)) };
}
