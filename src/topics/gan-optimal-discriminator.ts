/**
 * gan-optimal-discriminator: for a fixed generator, the discriminator that maximises
 * V(D, G) = E_data ln D + E_g ln(1 − D) is D* = p_data / (p_data + p_g), and then
 * V(D*, G) = −ln 4 + 2·JSD(p_data ‖ p_g) (Goodfellow et al. 2014, Prop. 1 and Thm. 1).
 * Contract: the gan-optimal-discriminator entry of the topic contract (tests/contract-ids.ts).
 */
import type { Vector } from '../core/values.js';
import type { Rng } from '../generators/rng.js';
import { roundTo } from '../generators/rng.js';
import { paramsError } from '../solvers/params.js';
import { defineTopic, type Difficulty } from '../solvers/topic.js';
import { distribution, ROUNDING_SLACK, sameLength } from './checks.js';
import { vector } from './schema-parts.js';

export interface GanOptimalParams {
  p_data: Vector;
  p_g: Vector;
}

type Steps = {
  d_star: Vector;
  value: number;
  jsd: number;
};

const LN4 = Math.log(4);
const probability = { type: 'number', minimum: 0, maximum: 1 } as const;

const optimal = (p: GanOptimalParams): Vector => p.p_data.map((d, i) => d / (d + p.p_g[i]));

/** w · log(x), 0 where the weight is 0 (0 · ln 0 = 0 by continuity). */
const term = (w: number, x: number, log: (x: number) => number): number => (w === 0 ? 0 : w * log(x));

/**
 * Σ p_data ln D + Σ p_g ln(1 − D), in the given log. A student's D outside (0, 1) where its weight
 * is positive makes this −∞ or NaN: the grader then has nothing to carry. The true D* is strictly
 * inside (0, 1) wherever its weight is positive, so the solver never meets that.
 */
function gameValue(p: GanOptimalParams, d: Vector, log: (x: number) => number = Math.log): number {
  let total = 0;
  for (let i = 0; i < d.length; i++) total += term(p.p_data[i], d[i], log) + term(p.p_g[i], 1 - d[i], log);
  return total;
}

/** JSD computed straight from its definition, ½KL(p_data ‖ m) + ½KL(p_g ‖ m), m the mixture: the solution's cross-check. */
function jsdDirect(p: GanOptimalParams): number {
  let total = 0;
  p.p_data.forEach((d, i) => {
    const m = (d + p.p_g[i]) / 2;
    total += term(d, d / m, Math.log) + term(p.p_g[i], p.p_g[i] / m, Math.log);
  });
  return total / 2;
}

export const ganOptimalDiscriminator = defineTopic<GanOptimalParams, Steps>({
  id: 'gan-optimal-discriminator',
  title: 'The optimal GAN discriminator and the value of the game',
  summary: 'For a fixed generator: D* = p_data/(p_data + p_g) at each point, the value V(D*, G), and the Jensen–Shannon divergence (V + ln 4)/2.',
  paramsSchema: {
    type: 'object',
    additionalProperties: false,
    required: ['p_data', 'p_g'],
    properties: {
      p_data: vector({ min: 2, max: 8, items: probability }),
      p_g: vector({ min: 2, max: 8, items: probability }),
    },
  },
  checkParams(p, assume) {
    sameLength('p_g', p.p_g, 'p_data', p.p_data);
    // A real exam's probabilities may be printed rounded (0.99 in all): the values are used as
    // printed, as a student computes. No outcome can be left out of a distribution here.
    const seen = { loose: false };
    const rounding = { assume: (f: string, t: string) => ((seen.loose = true), assume(f, t)), slack: ROUNDING_SLACK, rounded: 'so the values are used as given' };
    distribution('p_data', p.p_data, rounding);
    distribution('p_g', p.p_g, rounding);
    p.p_g.forEach((g, i) => {
      if (g === 0 && p.p_data[i] === 0) paramsError(`p_g[${i}]`, `is 0 and so is p_data[${i}]: D* is undefined at a point neither distribution reaches (leave the point out)`);
    });
    // JSD = (V + ln 4)/2 ≥ 0 only for sums of exactly 1: rounding can push a tiny one below 0.
    if (seen.loose) {
      const jsd = (gameValue(p, optimal(p)) + LN4) / 2;
      if (jsd < 0) paramsError('p_g', `as printed makes the JSD (V + ln 4)/2 negative (${+jsd.toPrecision(3)}), which no divergence is: the rounding hides the difference between p_data and p_g; print the probabilities to more decimals`);
    }
  },
  steps: {
    d_star: {
      label: 'Optimal discriminator D*(x) at each point',
      kind: 'vector',
      deps: [],
      formula: 'D^*(x) = \\frac{p_{\\text{data}}(x)}{p_{\\text{data}}(x) + p_g(x)}',
      compute: (p) => optimal(p),
    },
    value: {
      label: 'Value of the game V(D*, G)',
      kind: 'scalar',
      deps: ['d_star'],
      formula: 'V(D^*, G) = \\sum_x p_{\\text{data}}(x) \\ln D^*(x) + \\sum_x p_g(x) \\ln\\bigl(1 - D^*(x)\\bigr)',
      compute: (p, s) => gameValue(p, s.d_star),
    },
    jsd: {
      label: 'Jensen–Shannon divergence JSD(p_data ‖ p_g), in nats',
      kind: 'scalar',
      deps: ['value'],
      formula: '\\mathrm{JSD}(p_{\\text{data}} \\,\\|\\, p_g) = \\frac{V(D^*, G) + \\ln 4}{2}',
      compute: (_p, s) => (s.value + LN4) / 2,
    },
  },
  misconceptions: [
    {
      id: 'd-star-inverted',
      step: 'd_star',
      explanation: 'You inverted D*: the discriminator gives the probability that x is real, D* = p_data / (p_data + p_g), high where the data put more mass than the generator.',
      compute: (p) => p.p_g.map((g, i) => g / (p.p_data[i] + g)),
    },
    {
      id: 'd-star-likelihood-ratio',
      step: 'd_star',
      explanation: 'You took the ratio p_data / p_g; D* is a probability, p_data / (p_data + p_g), which lies between 0 and 1.',
      applies: (p) => p.p_g.every((g) => g > 0),
      compute: (p) => p.p_data.map((d, i) => d / p.p_g[i]),
    },
    {
      id: 'd-star-half',
      step: 'd_star',
      explanation: 'You set D* = 1/2 everywhere; that is the optimum only once p_g = p_data. For a fixed G, D* = p_data / (p_data + p_g) at each point.',
      compute: (p) => p.p_data.map(() => 0.5),
    },
    {
      id: 'value-log10',
      step: 'value',
      explanation: 'You used log base 10; the value of the game (and the ln 4 in it) uses the natural log.',
      compute: (p, s) => gameValue(p, s.d_star, Math.log10),
    },
    {
      id: 'value-minus-ln4',
      step: 'value',
      explanation: 'You subtracted ln 4 from the sum, as the notes’ C(G) does; with D* = p_data/(p_data + p_g) the sum Σ p_data ln D* + Σ p_g ln(1 − D*) is already V(D*, G). The − ln 4 appears only when the ratios are taken against the mixture (p_data + p_g)/2.',
      compute: (p, s) => gameValue(p, s.d_star) - LN4,
    },
    {
      id: 'value-as-loss',
      step: 'value',
      explanation: 'You gave the discriminator’s cross-entropy loss, the negative of the value; V(D*, G) = Σ p_data ln D* + Σ p_g ln(1 − D*) is at most 0.',
      compute: (p, s) => -gameValue(p, s.d_star),
    },
    {
      id: 'value-unweighted',
      step: 'value',
      explanation: 'You added the logs without weighting them; V is an expectation, so each ln D*(x) is weighted by p_data(x) and each ln(1 − D*(x)) by p_g(x).',
      compute: (_p, s) => s.d_star.reduce((t, d) => t + Math.log(d) + Math.log(1 - d), 0),
    },
    {
      id: 'jsd-not-halved',
      step: 'jsd',
      explanation: 'You did not halve: V(D*, G) = −ln 4 + 2·JSD, so JSD = (V + ln 4)/2.',
      compute: (_p, s) => s.value + LN4,
    },
    {
      id: 'jsd-ln4-subtracted',
      step: 'jsd',
      explanation: 'You subtracted ln 4; since V(D*, G) = −ln 4 + 2·JSD, JSD = (V + ln 4)/2, which is never negative.',
      compute: (_p, s) => (s.value - LN4) / 2,
    },
    {
      id: 'jsd-ln2-for-ln4',
      step: 'jsd',
      explanation: 'You added ln 2 where ln 4 = 2 ln 2 belongs: JSD = (V + ln 4)/2.',
      compute: (_p, s) => (s.value + Math.log(2)) / 2,
    },
  ],
  generate: (rng, difficulty) => generate(rng, difficulty),
  templateData(p, s) {
    return {
      n: p.p_data.length,
      rows: p.p_data.map((d, i) => ({ i: i + 1, data: d, g: p.p_g[i] })),
      hasZero: p.p_data.some((d, i) => d === 0 || p.p_g[i] === 0),
      jsdDirect: jsdDirect(p),
      jsdBits: s.jsd / Math.log(2),
    };
  },
  degenerate(p, s) {
    if (p.p_data.every((d, i) => d === p.p_g[i])) return 'p_g = p_data, so D* = 1/2 and the divergence is 0';
    if (s.jsd < 0.005) return 'p_g is so close to p_data that the divergence is below 0.005';
    return null;
  },
});

/** Points, the grid each distribution lies on (multiples of 1/total, at least min/total), and how often a point has a zero. */
const GEN: Record<Difficulty, { n: number[]; total: (n: number) => number; min: number; zero: number }> = {
  // Two points in hundredths from 0.05, or three in twentieths (too few pairs of twentieths on two points).
  easy: { n: [2, 3], total: (n) => (n === 2 ? 100 : 20), min: 1, zero: 0 },
  medium: { n: [3, 4], total: () => 100, min: 5, zero: 0 },
  // Sometimes a point the generator misses (p_g = 0) or where it puts mass the data never have.
  hard: { n: [4, 5], total: () => 100, min: 3, zero: 0.4 },
};

function generate(rng: Rng, difficulty: Difficulty): GanOptimalParams {
  const g = GEN[difficulty];
  const n = rng.pick(g.n);
  const total = g.total(n);
  const min = total === 100 && n === 2 ? 5 : g.min;
  const dist = (parts: number) => rng.composition(total, parts, min).map((c) => roundTo(c / total, 2));
  if (g.zero > 0 && rng.int(0, 99) < g.zero * 100) {
    // One point gets a zero in one distribution only (never both: D* would be undefined there).
    const at = rng.int(0, n - 1);
    const zeroInG = rng.int(0, 1) === 1;
    const withZero = dist(n - 1);
    withZero.splice(at, 0, 0);
    const full = dist(n);
    return zeroInG ? { p_data: full, p_g: withZero } : { p_data: withZero, p_g: full };
  }
  return { p_data: dist(n), p_g: dist(n) };
}
