/**
 * vae-sampling: the reparameterisation trick (Kingma & Welling 2014). The encoder gives μ and either
 * σ or the log-variance ln σ²; a standard-normal draw ε becomes the latent sample z = μ + σ ⊙ ε.
 * Contract: the vae-sampling entry of the topic contract (tests/contract-ids.ts).
 */
import type { Vector } from '../core/values.js';
import type { Rng } from '../generators/rng.js';
import { honour, shapeSchema, type Shape } from '../generators/shape.js';
import { paramsError } from '../solvers/params.js';
import { defineTopic, type Difficulty } from '../solvers/topic.js';
import { sameLength } from './checks.js';
import { positive, vector } from './schema-parts.js';

export interface VaeSamplingParams {
  mu: Vector;
  /** Standard deviations σ (each > 0); give this or logvar, not both. */
  sigma?: Vector;
  /** Log-variances ln σ²; give this or sigma, not both. */
  logvar?: Vector;
  eps: Vector;
}

type Steps = {
  sigma: Vector;
  scaled_noise: Vector;
  z: Vector;
};

/** ln σ² is bounded so that σ = e^{logvar/2} stays far inside double range. */
export const MAX_LOGVAR = 30;


export const vaeSampling = defineTopic<VaeSamplingParams, Steps>({
  id: 'vae-sampling',
  title: 'Sampling a VAE latent with the reparameterisation trick',
  summary: 'Draw z = μ + σ ⊙ ε from the encoder’s mean and standard deviation (or log-variance) and a standard-normal ε.',
  paramsSchema: {
    type: 'object',
    additionalProperties: false,
    required: ['mu', 'eps'],
    properties: {
      mu: vector(),
      sigma: vector({ items: positive }),
      logvar: vector({ items: { type: 'number', minimum: -MAX_LOGVAR, maximum: MAX_LOGVAR } }),
      eps: vector(),
    },
  },
  checkParams(p) {
    if (p.sigma !== undefined && p.logvar !== undefined) {
      paramsError('sigma', 'and params.logvar are both given; give exactly one of them (σ, or logvar = ln σ²)');
    }
    if (p.sigma === undefined && p.logvar === undefined) {
      paramsError('sigma', 'is missing: give exactly one of params.sigma (σ) or params.logvar (ln σ²)');
    }
    if (p.sigma !== undefined) sameLength('sigma', p.sigma, 'mu', p.mu);
    if (p.logvar !== undefined) sameLength('logvar', p.logvar, 'mu', p.mu);
    sameLength('eps', p.eps, 'mu', p.mu);
  },
  steps: {
    sigma: {
      label: 'Standard deviation σ',
      kind: 'vector',
      deps: [],
      formula: '\\sigma = e^{\\frac{1}{2}\\ln \\sigma^2}',
      compute: (p) => (p.sigma !== undefined ? [...p.sigma] : (p.logvar as Vector).map((l) => Math.exp(l / 2))),
    },
    scaled_noise: {
      label: 'Scaled noise σ ⊙ ε',
      kind: 'vector',
      deps: ['sigma'],
      formula: '\\sigma \\odot \\varepsilon',
      compute: (p, s) => s.sigma.map((x, i) => x * p.eps[i]),
    },
    z: {
      label: 'Latent sample z = μ + σ ⊙ ε',
      kind: 'vector',
      deps: ['scaled_noise'],
      formula: 'z = \\mu + \\sigma \\odot \\varepsilon',
      compute: (p, s) => p.mu.map((m, i) => m + s.scaled_noise[i]),
    },
  },
  misconceptions: [
    {
      id: 'logvar-not-halved',
      step: 'sigma',
      explanation: 'You took exp(logvar), which is the variance σ²; the standard deviation is σ = exp(logvar / 2).',
      applies: (p) => p.logvar !== undefined,
      compute: (p) => p.logvar!.map((l) => Math.exp(l)),
    },
    {
      id: 'logvar-as-sigma',
      step: 'sigma',
      explanation: 'You used the log-variance itself as σ; exponentiate half of it: σ = exp(logvar / 2).',
      applies: (p) => p.logvar !== undefined,
      compute: (p) => [...p.logvar!],
    },
    {
      id: 'sigma-square-rooted',
      step: 'sigma',
      explanation: 'You took the square root of σ as if it were a variance; the given σ is already the standard deviation.',
      applies: (p) => p.sigma !== undefined,
      compute: (p) => p.sigma!.map((x) => Math.sqrt(x)),
    },
    {
      id: 'variance-scales-noise',
      step: 'scaled_noise',
      explanation: 'You scaled ε by the variance σ²; the noise is scaled by the standard deviation σ.',
      compute: (p, s) => s.sigma.map((x, i) => x * x * p.eps[i]),
    },
    {
      id: 'noise-unscaled',
      step: 'z',
      explanation: 'You added ε without scaling it; the sample is z = μ + σ ⊙ ε.',
      compute: (p) => p.mu.map((m, i) => m + p.eps[i]),
    },
  ],
  shapes: shapeSchema({ given: { enum: ['sigma', 'logvar'], description: 'the spread is given as σ or as the log-variance ln σ²' } }),
  generate: (rng, difficulty, shape) => generate(rng, difficulty, shape),
  templateData: (p) => ({ d: p.mu.length, hasLogvar: p.logvar !== undefined }),
  degenerate(_p, s) {
    // σ = 1 makes σ² = σ and σ ⊙ ε = ε there: the slips above would go unseen in that entry.
    if (s.sigma.some((x) => Math.abs(x - 1) < 0.05)) return 'an entry of σ is (almost) 1';
    return null;
  },
});

interface Format {
  d: number;
  /** Share of problems given as a log-variance. */
  logvar: number;
  muPlaces: number;
  /** Decimal places of σ or of the log-variance. */
  scalePlaces: number;
  epsPlaces: number;
  logvarRange: [number, number];
}

const FORMATS: Record<Difficulty, Format> = {
  easy: { d: 2, logvar: 0, muPlaces: 1, scalePlaces: 1, epsPlaces: 1, logvarRange: [-2, 2] },
  medium: { d: 3, logvar: 0.5, muPlaces: 1, scalePlaces: 1, epsPlaces: 2, logvarRange: [-2, 2] },
  hard: { d: 4, logvar: 1, muPlaces: 2, scalePlaces: 2, epsPlaces: 2, logvarRange: [-3, 1.5] },
};

function generate(rng: Rng, difficulty: Difficulty, shape: Shape): VaeSamplingParams {
  const f = FORMATS[difficulty];
  const mu = rng.vector(f.d, () => rng.decimal(-2, 2, f.muPlaces));
  const drawn = rng.int(0, 99) < f.logvar * 100 ? 'logvar' : 'sigma';
  const useLogvar = honour(rng, drawn, shape.given as 'sigma' | 'logvar' | undefined) === 'logvar';
  // ε is a standard-normal draw: within ±2.5, never exactly 0 so every entry shows the scaling.
  const eps = rng.vector(f.d, () => rng.nonzeroDecimal(-2.5, 2.5, f.epsPlaces));
  if (useLogvar) {
    const logvar = rng.vector(f.d, () => rng.nonzeroDecimal(f.logvarRange[0], f.logvarRange[1], f.scalePlaces));
    return { mu, logvar, eps };
  }
  const sigma = rng.vector(f.d, () => rng.decimal(0.2, 2, f.scalePlaces));
  return { mu, sigma, eps };
}
