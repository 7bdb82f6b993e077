/**
 * kl-discrete: the Kullback–Leibler divergence KL(P‖Q) = Σ_i p_i log(p_i / q_i) between two
 * distributions over the same finite set of outcomes, in nats, bits or hartleys.
 * Contract: the kl-discrete entry of the topic contract (tests/contract-ids.ts).
 */
import { sum } from '../core/linalg.js';
import { StepwiseError } from '../core/errors.js';
import type { Vector } from '../core/values.js';
import type { Rng } from '../generators/rng.js';
import { honour, oneOrSome, shapeSchema, type OneOrSome, type Shape } from '../generators/shape.js';
import { roundTo } from '../generators/rng.js';
import { paramsError } from '../solvers/params.js';
import { defineTopic, type Difficulty } from '../solvers/topic.js';
import { distribution, ROUNDING_SLACK, sameLength } from './checks.js';
import { vector } from './schema-parts.js';

export type LogBase = 'e' | '2' | '10';

export interface KlDiscreteParams {
  p: Vector;
  q: Vector;
  base?: LogBase;
}

type Steps = {
  log_ratio: Vector;
  terms: Vector;
  kl: number;
};

const LOGS: Record<LogBase, (x: number) => number> = { e: Math.log, '2': Math.log2, '10': Math.log10 };

const baseOf = (p: KlDiscreteParams): LogBase => p.base ?? 'e';

/**
 * log(p_i / q_i) in `log`, 0 where p_i = 0 (0 · log 0 = 0 by continuity, whatever q_i). A q_i = 0
 * under p_i > 0 makes the divergence infinite: said plainly, naming the index, never NaN.
 */
function logRatios(p: KlDiscreteParams, log: (x: number) => number, reversed = false): Vector {
  return p.p.map((pi, i) => {
    const qi = p.q[i];
    if (pi === 0) return 0;
    if (qi === 0) {
      throw new StepwiseError(
        'domain_error',
        `KL(P‖Q) is infinite: q[${i}] = 0 where p[${i}] = ${pi} (Q must give positive probability to every outcome P can produce)`,
        `params.q[${i}]`,
      );
    }
    return reversed ? log(qi / pi) : log(pi / qi);
  });
}

export const klDiscrete = defineTopic<KlDiscreteParams, Steps>({
  id: 'kl-discrete',
  title: 'KL divergence between discrete distributions',
  summary: 'The Kullback–Leibler divergence KL(P‖Q) = Σ p_i log(p_i/q_i) between two distributions over the same outcomes.',
  paramsSchema: {
    type: 'object',
    additionalProperties: false,
    required: ['p', 'q'],
    properties: {
      p: vector({ min: 2, max: 8, items: { type: 'number', minimum: 0, maximum: 1 } }),
      q: vector({ min: 2, max: 8, items: { type: 'number', minimum: 0, maximum: 1 } }),
      base: { type: 'string', enum: ['e', '2', '10'], default: 'e' },
    },
  },
  checkParams(p, assume) {
    sameLength('q', p.q, 'p', p.p);
    // A real exam's probabilities may be printed rounded (0.99 in all): the values are used as
    // printed, as a student computes. No outcome can be left out of a distribution here.
    const seen = { loose: false };
    const rounding = { assume: (f: string, t: string) => ((seen.loose = true), assume(f, t)), slack: ROUNDING_SLACK, rounded: 'so the values are used as given' };
    distribution('p', p.p, rounding);
    distribution('q', p.q, rounding);
    // Gibbs' inequality holds only for sums of exactly 1: rounding can push a tiny divergence below 0.
    if (seen.loose && p.p.every((pi, i) => pi === 0 || p.q[i] > 0)) {
      const nats = sum(p.p.map((pi, i) => (pi === 0 ? 0 : pi * Math.log(pi / p.q[i]))));
      if (nats < 0) paramsError('q', `as printed makes KL(P‖Q) negative (${+nats.toPrecision(3)} nats), which no divergence is: the rounding hides the difference between P and Q; print the probabilities to more decimals`);
    }
  },
  steps: {
    log_ratio: {
      label: 'Log ratios log(p_i / q_i)',
      kind: 'vector',
      deps: [],
      formula: 'r_i = \\log_b \\frac{p_i}{q_i}',
      compute: (p) => logRatios(p, LOGS[baseOf(p)]),
    },
    terms: {
      label: 'Weighted terms p_i · log(p_i / q_i)',
      kind: 'vector',
      deps: ['log_ratio'],
      formula: 't_i = p_i \\, r_i',
      compute: (p, s) => p.p.map((pi, i) => pi * s.log_ratio[i]),
    },
    kl: {
      label: 'Divergence KL(P‖Q) = Σ terms',
      kind: 'scalar',
      deps: ['terms'],
      formula: '\\mathrm{KL}(P \\,\\|\\, Q) = \\sum_i t_i',
      compute: (_p, s) => sum(s.terms),
    },
  },
  misconceptions: [
    {
      id: 'used-log10',
      step: 'log_ratio',
      explanation: 'You used log base 10 (the calculator\'s "log" key); this problem asks for the logarithm in the stated base (ln for base e, log₂ for bits).',
      applies: (p) => baseOf(p) !== '10',
      compute: (p) => logRatios(p, Math.log10),
    },
    {
      id: 'used-natural-log',
      step: 'log_ratio',
      explanation: 'You used the natural log ln; this problem measures the divergence in the stated base (log₂ for bits, log₁₀ for hartleys).',
      applies: (p) => baseOf(p) !== 'e',
      compute: (p) => logRatios(p, Math.log),
    },
    {
      id: 'ratio-reversed',
      step: 'log_ratio',
      explanation: 'You took log(q_i / p_i); KL(P‖Q) uses log(p_i / q_i), the distribution being weighted (P) on top.',
      compute: (p) => logRatios(p, LOGS[baseOf(p)], true),
    },
    {
      id: 'terms-unweighted',
      step: 'terms',
      explanation: 'You did not weight the log ratios: each term is p_i · log(p_i / q_i), so outcomes P rarely produces count little.',
      compute: (_p, s) => [...s.log_ratio],
    },
    {
      id: 'weighted-by-q',
      step: 'terms',
      explanation: 'You weighted the log ratios by q_i; KL(P‖Q) is an expectation under P, so each weight is p_i.',
      compute: (p, s) => p.q.map((qi, i) => qi * s.log_ratio[i]),
    },
  ],
  shapes: shapeSchema({
    outcomes: oneOrSome({ type: 'integer', minimum: 2, maximum: 8 }, 'how many outcomes the distributions have'),
    base: oneOrSome({ enum: ['e', '2', '10'] }, 'the logarithm base (2: bits, e: nats, 10: hartleys)'),
  }),
  generate: (rng, difficulty, shape) => generate(rng, difficulty, shape),
  templateData(p) {
    const base = baseOf(p);
    const reverse = reverseKl(p);
    return {
      n: p.p.length,
      baseSymbol: base,
      logTex: { e: '\\ln', '2': '\\log_2', '10': '\\log_{10}' }[base],
      logName: { e: 'the natural logarithm (base e)', '2': 'logarithms base 2', '10': 'logarithms base 10' }[base],
      unit: { e: 'nats', '2': 'bits', '10': 'hartleys' }[base],
      hasZero: p.p.some((x) => x === 0),
      reverseFinite: reverse !== null,
      reverseKl: reverse ?? 0,
    };
  },
  degenerate(p, s) {
    if (p.p.every((x, i) => x === p.q[i])) return 'P = Q, so the divergence is 0';
    if (s.kl < 0.01) return 'P and Q are so close that KL(P‖Q) is below 0.01';
    return null;
  },
});

/** KL(Q‖P) in the same base, for the solution's remark on asymmetry; null when it is infinite. */
function reverseKl(p: KlDiscreteParams): number | null {
  const log = LOGS[baseOf(p)];
  let total = 0;
  for (let i = 0; i < p.q.length; i++) {
    if (p.q[i] === 0) continue;
    if (p.p[i] === 0) return null;
    total += p.q[i] * log(p.q[i] / p.p[i]);
  }
  return total;
}

/** Outcome counts, and the grid each distribution's entries lie on: multiples of 1/total, at least min/total. */
const GEN: Record<Difficulty, { n: number[]; total: (n: number) => number; min: (n: number) => number; bases: LogBase[]; zero: number }> = {
  // Three outcomes: multiples of 0.05. Two outcomes: hundredths from 0.05, as twentieths would
  // allow only 19² pairs (P, Q), too few distinct problems.
  easy: { n: [2, 3], total: (n) => (n === 2 ? 100 : 20), min: (n) => (n === 2 ? 5 : 1), bases: ['e'], zero: 0 },
  // Hundredths from 0.05.
  medium: { n: [3, 4], total: () => 100, min: () => 5, bases: ['e', '2'], zero: 0 },
  // Hundredths from 0.03; sometimes an outcome P never produces (p_i = 0).
  hard: { n: [4, 5], total: () => 100, min: () => 3, bases: ['e', '2', '10'], zero: 0.3 },
};

function generate(rng: Rng, difficulty: Difficulty, shape: Shape): KlDiscreteParams {
  const g = GEN[difficulty];
  const n = honour(rng, rng.pick(g.n), shape.outcomes as OneOrSome<number> | undefined);
  const total = g.total(n);
  const min = g.min(n);
  const dist = (counts: number[]) => counts.map((c) => roundTo(c / total, 2));
  let p: Vector;
  if (g.zero > 0 && rng.int(0, 99) < g.zero * 100) {
    p = dist(rng.composition(total, n - 1, min));
    p.splice(rng.int(0, n - 1), 0, 0);
  } else {
    p = dist(rng.composition(total, n, min));
  }
  const q = dist(rng.composition(total, n, min)); // q_i > 0 always: the divergence is finite
  const base = honour(rng, rng.pick(g.bases), shape.base as OneOrSome<LogBase> | undefined);
  return difficulty === 'easy' && shape.base === undefined ? { p, q } : { p, q, base };
}
