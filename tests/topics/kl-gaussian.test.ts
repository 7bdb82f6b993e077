/**
 * kl-gaussian golden cases, worked by hand from KL(N(μ, diag σ²) ‖ N(0, I)) = Σ ½(μ² + σ² − ln σ² − 1):
 * μ = [0.5, −1], σ = [1, 2]: variance [1, 4], ln σ² [0, ln 4] = [0, 1.386294],
 * terms [½(0.25 + 1 − 0 − 1), ½(1 + 4 − 1.386294 − 1)] = [0.125, 1.306853], KL = 1.431853.
 * From the log-variance, μ = [0, 1], logvar = [1, −1]: variance [e, e⁻¹] = [2.718282, 0.367879],
 * ln σ² = [1, −1], terms [½(0 + 2.718282 − 1 − 1), ½(1 + 0.367879 + 1 − 1)] = [0.359141, 0.683940],
 * KL = 1.043081.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { solveProblem } from '../../src/engine.js';
import { expectClose, runGolden, solved, type GoldenCase } from '../helpers.js';

const params = { mu: [0.5, -1], sigma: [1, 2] };
const right = {
  variance: [1, 4],
  log_variance: [0, 1.386294],
  terms: [0.125, 1.306853],
  kl: 1.431853,
};
const fromLogvar = { mu: [0, 1], logvar: [1, -1] };
const logvarRight = {
  variance: [2.718282, 0.367879],
  log_variance: [1, -1],
  terms: [0.359141, 0.68394],
  kl: 1.043081,
};

const cases: GoldenCase[] = [
  { name: 'hand-worked answers are all correct', params, answers: right, expect: { variance: 'correct', log_variance: 'correct', terms: 'correct', kl: 'correct' }, score: 4 },
  { name: 'from the log-variance, hand-worked answers are all correct', params: fromLogvar, answers: logvarRight, expect: { variance: 'correct', log_variance: 'correct', terms: 'correct', kl: 'correct' }, score: 4 },
  {
    name: 'math strings are read',
    params,
    answers: { variance: ['1^2', '2^2'], log_variance: '[ln(1), ln(4)]', terms: ['0.5*(0.25 + 1 - 0 - 1)', '(1 + 4 - ln(4) - 1)/2'], kl: '0.125 + (4 - ln(4))/2' },
    expect: { variance: 'correct', log_variance: 'correct', terms: 'correct', kl: 'correct' },
  },
  {
    name: 'math strings from the log-variance',
    params: fromLogvar,
    answers: { variance: ['e', 'exp(-1)'], log_variance: [1, -1], terms: ['(e - 2)/2', '(1 + e^-1)/2'], kl: '(e + e^-1 - 1)/2' },
    expect: { variance: 'correct', log_variance: 'correct', terms: 'correct', kl: 'correct' },
  },
  {
    // Variance written as σ = [1, 2]: terms [½(0.25 + 1 − 0 − 1), ½(1 + 2 − 1.386294 − 1)] = [0.125, 0.306853];
    // KL 0.431853.
    name: 'σ for σ² is carried through the terms and the sum',
    params,
    answers: { variance: [1, 2], log_variance: right.log_variance, terms: [0.125, 0.306853], kl: 0.431853 },
    expect: { variance: 'incorrect', log_variance: 'correct', terms: 'carried', kl: 'carried' },
    misconceptions: { variance: 'sigma-not-squared' },
    // σ = 1 squares to itself, but a named wrong method earns nothing for the coincidence:
    // variance 0 + ln σ² 1 + terms 1 (carried) + KL 1 (carried) = 3.
    score: 3,
  },
  {
    // μ = [0.5, −1], σ = [0.5, 2]: the truth is variance [0.25, 4], ln σ² [−1.386294, 1.386294].
    // σ left unsquared, variance [0.5, 2], then ln of that own variance: [ln 0.5, ln 2] = [−0.693147, 0.693147];
    // terms from those: [½(0.25 + 0.5 + 0.693147 − 1), ½(1 + 2 − 0.693147 − 1)] = [0.221574, 0.653426];
    // KL = 0.875. One slip, penalised once: everything after it is carried.
    name: 'σ left unsquared, then the log of that own variance, is carried (not penalised twice)',
    params: { mu: [0.5, -1], sigma: [0.5, 2] },
    answers: { variance: [0.5, 2], log_variance: [-0.693147, 0.693147], terms: [0.221574, 0.653426], kl: 0.875 },
    expect: { variance: 'incorrect', log_variance: 'carried', terms: 'carried', kl: 'carried' },
    misconceptions: { variance: 'sigma-not-squared' },
    score: 3,
  },
  {
    // From the log-variance, ln σ² is read off: a wrong variance (exp(logvar/2) = [1.648721, 0.606531])
    // leaves it right, and the terms are carried from the wrong variance with the given ln σ²:
    // [½(0 + 1.648721 − 1 − 1), ½(1 + 0.606531 + 1 − 1)] = [−0.175640, 0.803265].
    name: 'from the log-variance, ln σ² is the given value whatever the variance',
    params: fromLogvar,
    answers: { variance: [1.648721, 0.606531], log_variance: [1, -1], terms: [-0.17564, 0.803265] },
    expect: { variance: 'incorrect', log_variance: 'correct', terms: 'carried' },
  },
  {
    // exp(logvar/2) = [e^0.5, e^−0.5] = [1.648721, 0.606531]
    name: 'exp(logvar / 2) taken for the variance',
    params: fromLogvar,
    answers: { variance: [1.648721, 0.606531] },
    expect: { variance: 'incorrect' },
    misconceptions: { variance: 'logvar-halved' },
  },
  {
    // [log₁₀ 1, log₁₀ 4] = [0, 0.602060]
    name: 'log base 10 for ln σ²',
    params,
    answers: { log_variance: [0, 0.60206] },
    expect: { log_variance: 'incorrect' },
    misconceptions: { log_variance: 'used-log10' },
  },
  {
    // [ln 1, ln 2] = [0, 0.693147]
    name: 'ln σ instead of ln σ²',
    params,
    answers: { log_variance: [0, 0.693147] },
    expect: { log_variance: 'incorrect' },
    misconceptions: { log_variance: 'log-sigma-not-variance' },
  },
  {
    name: 'logvar / 2 (ln σ) taken for ln σ²',
    params: fromLogvar,
    answers: { log_variance: [0.5, -0.5] },
    expect: { log_variance: 'incorrect' },
    misconceptions: { log_variance: 'log-sigma-not-variance' },
  },
  {
    // [0.25 + 1 − 0 − 1, 1 + 4 − 1.386294 − 1] = [0.25, 2.613706]
    name: 'the ½ dropped',
    params,
    answers: { terms: [0.25, 2.613706] },
    expect: { terms: 'incorrect' },
    misconceptions: { terms: 'half-dropped' },
  },
  {
    // [½(0.25 + 1 − 0), ½(1 + 4 − 1.386294)] = [0.625, 1.806853]
    name: 'the −1 dropped',
    params,
    answers: { terms: [0.625, 1.806853] },
    expect: { terms: 'incorrect' },
    misconceptions: { terms: 'minus-one-dropped' },
  },
  {
    // 1.431853 / 2 = 0.715926
    name: 'terms averaged, not summed',
    params,
    answers: { kl: 0.715926 },
    expect: { kl: 'incorrect' },
    misconceptions: { kl: 'averaged-not-summed' },
  },
  {
    name: 'unreadable answers are invalid, not crashes',
    params,
    answers: { variance: [1, 4, 9], log_variance: 'ln(sigma^2)', terms: [0.125, NaN], kl: { value: 1.43 } },
    expect: { variance: 'invalid', log_variance: 'invalid', terms: 'invalid', kl: 'invalid' },
    score: 0,
  },
];

describe('kl-gaussian golden cases', () => {
  for (const c of cases) it(c.name, () => runGolden('kl-gaussian', c));

  it('solves the hand-worked examples to 1e-6', () => {
    const s = solved('kl-gaussian', params);
    for (const [id, v] of Object.entries(right)) expectClose(s[id], v, 1e-6, id);
    const l = solved('kl-gaussian', fromLogvar);
    for (const [id, v] of Object.entries(logvarRight)) expectClose(l[id], v, 1e-6, id);
  });

  it('a tiny σ keeps a finite ln σ² (2 ln σ), though σ² underflows', () => {
    // σ = 1e-200: ln σ² = 2 · (−200 ln 10) = −921.034037; the term is ½(0 + 0 + 921.034037 − 1) = 460.017019.
    const s = solved('kl-gaussian', { mu: [0], sigma: [1e-200] });
    expectClose(s.log_variance, [-921.034037], 1e-6, 'log_variance');
    expectClose(s.kl, 460.017019, 1e-6, 'kl');
  });

  it('names the field of a bad parameter', () => {
    const run = (p: object) => () => solveProblem('kl-gaussian', p);
    expect(run({ mu: [0.5, -1], sigma: [1, 2], logvar: [0, 1] })).toThrow(/params\.sigma and params\.logvar are both given; give exactly one/);
    expect(run({ mu: [0.5, -1] })).toThrow(/params\.sigma is missing: give exactly one of params\.sigma .* or params\.logvar/);
    expect(run({ mu: [0.5, -1], sigma: [1] })).toThrow(/params\.sigma has 1 entries but mu has 2; they must match/);
    expect(run({ mu: [0.5, -1], logvar: [1, 2, 3] })).toThrow(/params\.logvar has 3 entries but mu has 2; they must match/);
    expect(run({ mu: [0.5, -1], sigma: [1, 0] })).toThrow(/params\.sigma\[1\] must be > 0/);
    expect(run({ mu: [0.5, -1], sigma: [1, -2] })).toThrow(/params\.sigma\[1\] must be > 0/);
    expect(run({ mu: [0.5, -1], logvar: [0, 1000] })).toThrow(/params\.logvar\[1\] must be <= 100/);
    expect(run({ mu: [], sigma: [] })).toThrow(/params\.mu must NOT have fewer than 1 items/);
    expect(run({ mu: Array(17).fill(0), sigma: Array(17).fill(1) })).toThrow(/params\.mu must NOT have more than 16 items/);
    expect(run({ mu: [0.5, 'a'], sigma: [1, 2] })).toThrow(/params\.mu\[1\] must be number/);
    expect(run({ mu: [0.5, -1], sigma: [1, 2], eps: [0, 0] })).toThrow(/unknown field "eps"/);
    expect(run({ sigma: [1, 2] })).toThrow(/params\.mu is required/);
  });
});

describe('kl-gaussian properties', () => {
  const gaussian = fc.integer({ min: 1, max: 16 }).chain((d) =>
    fc.oneof(
      fc.record({
        mu: fc.array(fc.double({ min: -10, max: 10, noNaN: true }), { minLength: d, maxLength: d }),
        sigma: fc.array(fc.double({ min: 1e-3, max: 10, noNaN: true }), { minLength: d, maxLength: d }),
      }),
      fc.record({
        mu: fc.array(fc.double({ min: -10, max: 10, noNaN: true }), { minLength: d, maxLength: d }),
        logvar: fc.array(fc.double({ min: -20, max: 20, noNaN: true }), { minLength: d, maxLength: d }),
      }),
    ),
  );

  it('KL ≥ 0, and every term ≥ 0', () => {
    fc.assert(
      fc.property(gaussian, (p) => {
        const s = solved('kl-gaussian', p);
        for (const t of s.terms as number[]) expect(t).toBeGreaterThanOrEqual(-1e-12);
        expect(s.kl as number).toBeGreaterThanOrEqual(-1e-12);
      }),
    );
  });

  it('KL = 0 at μ = 0, σ = 1 (or logvar = 0), in any dimension', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 16 }), (d) => {
        const mu = Array<number>(d).fill(0);
        expect(solved('kl-gaussian', { mu, sigma: Array<number>(d).fill(1) }).kl).toBe(0);
        expect(solved('kl-gaussian', { mu, logvar: Array<number>(d).fill(0) }).kl).toBe(0);
      }),
    );
  });
});
