/**
 * kl-discrete golden cases, worked by hand from KL(P‖Q) = Σ p_i log(p_i / q_i):
 * P = [0.5, 0.5], Q = [0.25, 0.75], natural log:
 * log ratios [ln(0.5/0.25), ln(0.5/0.75)] = [ln 2, ln(2/3)] = [0.693147, −0.405465],
 * terms [0.5·0.693147, 0.5·(−0.405465)] = [0.346574, −0.202733], KL = 0.143841 nats.
 * In bits, P = [0.5, 0.25, 0.25], Q = [0.25, 0.25, 0.5]: log₂ ratios [1, 0, −1],
 * terms [0.5, 0, −0.25], KL = 0.25 bits.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { solveProblem } from '../../src/engine.js';
import { errorOf, expectClose, runGolden, solved, type GoldenCase } from '../helpers.js';

const params = { p: [0.5, 0.5], q: [0.25, 0.75] };
const right = {
  log_ratio: [0.693147, -0.405465],
  terms: [0.346574, -0.202733],
  kl: 0.143841,
};
const bits = { p: [0.5, 0.25, 0.25], q: [0.25, 0.25, 0.5], base: '2' };
const bitsRight = { log_ratio: [1, 0, -1], terms: [0.5, 0, -0.25], kl: 0.25 };

const cases: GoldenCase[] = [
  { name: 'hand-worked answers are all correct', params, answers: right, expect: { log_ratio: 'correct', terms: 'correct', kl: 'correct' }, score: 3 },
  { name: 'in bits, hand-worked answers are all correct', params: bits, answers: bitsRight, expect: { log_ratio: 'correct', terms: 'correct', kl: 'correct' }, score: 3 },
  {
    name: 'math strings are read (log is natural, log(x, b) takes a base)',
    params,
    answers: { log_ratio: ['ln(0.5/0.25)', 'log(2/3)'], terms: '[0.5*ln(2), 0.5*ln(2/3)]', kl: '0.5*ln(2) + 0.5*ln(2/3)' },
    expect: { log_ratio: 'correct', terms: 'correct', kl: 'correct' },
  },
  {
    name: 'math strings in bits',
    params: bits,
    answers: { log_ratio: ['log2(2)', 'log(1, 2)', 'log(0.5, 2)'], terms: ['0.5*1', 0, '-0.25'], kl: '1/4' },
    expect: { log_ratio: 'correct', terms: 'correct', kl: 'correct' },
  },
  {
    // Second log ratio slipped to ln(0.75) = −0.287682; terms [0.346574, 0.5·(−0.287682)] = [0.346574, −0.143841];
    // KL 0.346574 − 0.143841 = 0.202733.
    name: 'a slip in one log ratio is carried through the terms and the sum',
    params,
    answers: { log_ratio: [0.693147, -0.287682], terms: [0.346574, -0.143841], kl: 0.202733 },
    expect: { log_ratio: 'partial', terms: 'carried', kl: 'carried' },
    score: 2.5,
  },
  {
    name: 'p_i = 0 contributes 0, whatever q_i (P = [0.5, 0, 0.5], Q = [0.25, 0.5, 0.25]: log₂ ratios [1, 0, 1], KL 1 bit)',
    params: { p: [0.5, 0, 0.5], q: [0.25, 0.5, 0.25], base: '2' },
    answers: { log_ratio: [1, 0, 1], terms: [0.5, 0, 0.5], kl: 1 },
    expect: { log_ratio: 'correct', terms: 'correct', kl: 'correct' },
  },
  {
    // [log₁₀ 2, log₁₀(2/3)] = [0.301030, −0.176091]
    name: 'log base 10 used instead of ln',
    params,
    answers: { log_ratio: [0.30103, -0.176091] },
    expect: { log_ratio: 'incorrect' },
    misconceptions: { log_ratio: 'used-log10' },
  },
  {
    // [ln 2, ln 1, ln 0.5] = [0.693147, 0, −0.693147]: the middle 0 agrees with log₂ 1
    name: 'natural log used when the base is 2',
    params: bits,
    answers: { log_ratio: [0.693147, 0, -0.693147] },
    expect: { log_ratio: 'incorrect' },
    misconceptions: { log_ratio: 'used-natural-log' },
  },
  {
    // [ln(0.25/0.5), ln(0.75/0.5)] = [−0.693147, 0.405465]
    name: 'ratio reversed, log(q/p)',
    params,
    answers: { log_ratio: [-0.693147, 0.405465] },
    expect: { log_ratio: 'incorrect' },
    misconceptions: { log_ratio: 'ratio-reversed' },
  },
  {
    name: 'terms left unweighted (the log ratios themselves)',
    params,
    answers: { terms: [0.693147, -0.405465] },
    expect: { terms: 'incorrect' },
    misconceptions: { terms: 'terms-unweighted' },
  },
  {
    // [0.25·0.693147, 0.75·(−0.405465)] = [0.173287, −0.304099]
    name: 'terms weighted by q instead of p',
    params,
    answers: { terms: [0.173287, -0.304099] },
    expect: { terms: 'incorrect' },
    misconceptions: { terms: 'weighted-by-q' },
  },
  {
    name: 'unreadable answers are invalid, not crashes',
    params,
    answers: { log_ratio: [0.693147], terms: 'p * log(p/q)', kl: NaN },
    expect: { log_ratio: 'invalid', terms: 'invalid', kl: 'invalid' },
    score: 0,
  },
  {
    name: 'an infinite or nested answer is invalid',
    params,
    answers: { log_ratio: ['1/0', 0.4], kl: [[0.14]] },
    expect: { log_ratio: 'invalid', kl: 'invalid' },
  },
];

describe('kl-discrete golden cases', () => {
  for (const c of cases) it(c.name, () => runGolden('kl-discrete', c));

  it('solves the hand-worked examples to 1e-6', () => {
    const s = solved('kl-discrete', params);
    for (const [id, v] of Object.entries(right)) expectClose(s[id], v, 1e-6, id);
    const b = solved('kl-discrete', bits);
    for (const [id, v] of Object.entries(bitsRight)) expectClose(b[id], v, 1e-12, id);
    // In hartleys: P = [0.5, 0.5], Q = [0.05, 0.95]: log₁₀ ratios [log₁₀ 10, log₁₀(0.5/0.95)] = [1, −0.278754],
    // terms [0.5, −0.139377], KL 0.360623.
    const h = solved('kl-discrete', { p: [0.5, 0.5], q: [0.05, 0.95], base: '10' });
    expectClose(h.log_ratio, [1, -0.278754], 1e-6, 'log_ratio');
    expectClose(h.kl, 0.360623, 1e-6, 'kl');
  });

  it('an outcome neither distribution produces is fine: KL(P‖P) = 0', () => {
    expectClose(solved('kl-discrete', { p: [1, 0], q: [1, 0] }).kl, 0, 0, 'kl');
  });

  it('q_i = 0 where p_i > 0 is an infinite divergence, said plainly', () => {
    const e = errorOf(() => solveProblem('kl-discrete', { p: [0.5, 0, 0.5], q: [0.5, 0.5, 0] }));
    expect(e.code).toBe('domain_error');
    expect(e.message).toMatch(/KL\(P‖Q\) is infinite: q\[2\] = 0 where p\[2\] = 0\.5/);
    expect(e.path).toBe('params.q[2]');
  });

  it('names the field of a bad parameter', () => {
    const bad = (over: object) => () => solveProblem('kl-discrete', { ...params, ...over });
    expect(bad({ p: [0.25, 0.25, 0.25, 0.25], q: [0.5, 0.25, 0.25] })).toThrow(/params\.q has 3 entries but p has 4; they must match/);
    expect(bad({ p: [0.5, 0.4] })).toThrow(/params\.p sums to 0\.9; a distribution sums to 1/);
    expect(bad({ q: [0.5, 0.6] })).toThrow(/params\.q sums to 1\.1/);
    expect(bad({ q: [-0.25, 1.25] })).toThrow(/params\.q\[0\] must be >= 0/);
    expect(bad({ p: [1.5, -0.5] })).toThrow(/params\.p\[0\] must be <= 1/);
    expect(bad({ p: [1] , q: [1] })).toThrow(/params\.p must NOT have fewer than 2 items/);
    expect(bad({ base: '3' })).toThrow(/params\.base must be one of "e", "2", "10"/);
    expect(bad({ base: 2 })).toThrow(/params\.base must be string/);
    expect(bad({ r: [0.5, 0.5] })).toThrow(/unknown field "r"/);
    expect(() => solveProblem('kl-discrete', { p: [0.5, 0.5] })).toThrow(/params\.q is required/);
    expect(errorOf(bad({ p: [0.5, 0.4] })).code).toBe('invalid_params');
  });
});

describe('kl-discrete properties', () => {
  /** Normalised integer weights: a distribution (to rounding) with exact zeros where a weight is 0. */
  const normalise = (w: number[]) => {
    const total = w.reduce((a, b) => a + b, 0);
    return w.map((x) => x / total);
  };
  const pair = fc.integer({ min: 2, max: 8 }).chain((n) =>
    fc.record({
      // P may leave outcomes out; Q covers every outcome, so the divergence is finite.
      p: fc.array(fc.integer({ min: 0, max: 1000 }), { minLength: n, maxLength: n }).filter((w) => w.some((x) => x > 0)).map(normalise),
      q: fc.array(fc.integer({ min: 1, max: 1000 }), { minLength: n, maxLength: n }).map(normalise),
      base: fc.constantFrom('e', '2', '10'),
    }),
  );

  it('KL(P‖Q) ≥ 0 (Gibbs), in every base', () => {
    fc.assert(
      fc.property(pair, (params) => {
        expect(solved('kl-discrete', params).kl as number).toBeGreaterThanOrEqual(-1e-12);
      }),
    );
  });

  it('KL(P‖P) = 0', () => {
    fc.assert(
      fc.property(pair, ({ p, base }) => {
        expect(solved('kl-discrete', { p, q: p, base }).kl).toBe(0);
      }),
    );
  });
});
