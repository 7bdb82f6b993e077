/**
 * vae-sampling golden cases, worked by hand from z = μ + σ ⊙ ε.
 *
 * Given σ: μ = [0.5, −1], σ = [2, 0.5], ε = [0.3, −1.2]
 *   σ ⊙ ε = [2·0.3, 0.5·(−1.2)] = [0.6, −0.6];  z = [0.5 + 0.6, −1 − 0.6] = [1.1, −1.6].
 *
 * Given ln σ²: μ = [0.5, −1], logvar = [1.2, −0.8], ε = [0.5, −1.5]
 *   σ = [e^{0.6}, e^{−0.4}] = [1.8221188, 0.6703200]
 *   σ ⊙ ε = [0.5·1.8221188, −1.5·0.6703200] = [0.9110594, −1.0054800]
 *   z = [0.5 + 0.9110594, −1 − 1.0054800] = [1.4110594, −2.0054800].
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { solveProblem, StepwiseError } from '../../src/engine.js';
import { expectClose, runGolden, solved, type GoldenCase } from '../helpers.js';

const withSigma = { mu: [0.5, -1], sigma: [2, 0.5], eps: [0.3, -1.2] };
const sigmaRight = { sigma: [2, 0.5], scaled_noise: [0.6, -0.6], z: [1.1, -1.6] };

const withLogvar = { mu: [0.5, -1], logvar: [1.2, -0.8], eps: [0.5, -1.5] };
const logvarRight = {
  sigma: [1.8221188, 0.67032],
  scaled_noise: [0.9110594, -1.00548],
  z: [1.4110594, -2.00548],
};

const cases: GoldenCase[] = [
  {
    name: 'σ given: hand-worked answers are all correct',
    params: withSigma,
    answers: sigmaRight,
    expect: { sigma: 'correct', scaled_noise: 'correct', z: 'correct' },
    score: 3,
  },
  {
    name: 'ln σ² given: hand-worked answers are all correct',
    params: withLogvar,
    answers: logvarRight,
    expect: { sigma: 'correct', scaled_noise: 'correct', z: 'correct' },
    score: 3,
  },
  {
    name: 'math strings are read',
    params: withLogvar,
    answers: { sigma: '[exp(0.6), exp(-0.4)]', scaled_noise: ['0.5*e^0.6', '-1.5*exp(-1.2/3)'], z: '[0.5 + 0.5*sqrt(e^1.2), -1 - 1.5*e^(-0.4)]' },
    expect: { sigma: 'correct', scaled_noise: 'correct', z: 'correct' },
    score: 3,
  },
  {
    // σ₂ slipped to 0.6 (not e^{−0.4} = 0.67032); then σ ⊙ ε = [0.9110594, −1.5·0.6 = −0.9],
    // z = [1.4110594, −1 − 0.9 = −1.9]: both follow from the slip. Credit ½ + 1 + 1.
    name: 'a slip in σ is carried through the scaled noise and z',
    params: withLogvar,
    answers: { sigma: [1.8221, 0.6], scaled_noise: [0.91106, -0.9], z: [1.41106, -1.9] },
    expect: { sigma: 'partial', scaled_noise: 'carried', z: 'carried' },
    score: 2.5,
  },
  {
    // σ ⊙ ε slipped to [0.6, −0.5]; z = μ + that = [1.1, −1.5].
    name: 'a slip in the scaled noise is carried into z',
    params: withSigma,
    answers: { sigma: [2, 0.5], scaled_noise: [0.6, -0.5], z: [1.1, -1.5] },
    expect: { sigma: 'correct', scaled_noise: 'partial', z: 'carried' },
    score: 2.5,
  },
  {
    // e^{1.2} = 3.3201169, e^{−0.8} = 0.4493290: the variances, not the standard deviations.
    name: 'logvar-not-halved: σ = e^{logvar}',
    params: withLogvar,
    answers: { sigma: [3.3201169, 0.449329] },
    expect: { sigma: 'incorrect' },
    misconceptions: { sigma: 'logvar-not-halved' },
  },
  {
    name: 'logvar-as-sigma: the log-variance copied as σ',
    params: withLogvar,
    answers: { sigma: [1.2, -0.8] },
    expect: { sigma: 'incorrect' },
    misconceptions: { sigma: 'logvar-as-sigma' },
  },
  {
    // √2 = 1.4142136, √0.5 = 0.7071068.
    name: 'sigma-square-rooted: the given σ treated as a variance',
    params: withSigma,
    answers: { sigma: [1.4142136, 0.7071068] },
    expect: { sigma: 'incorrect' },
    misconceptions: { sigma: 'sigma-square-rooted' },
  },
  {
    // σ² = [4, 0.25]; σ² ⊙ ε = [4·0.3, 0.25·(−1.2)] = [1.2, −0.3].
    name: 'variance-scales-noise: ε scaled by σ² (σ given)',
    params: withSigma,
    answers: { scaled_noise: [1.2, -0.3] },
    expect: { scaled_noise: 'incorrect' },
    misconceptions: { scaled_noise: 'variance-scales-noise' },
  },
  {
    // σ² = e^{logvar} = [3.3201169, 0.4493290]; ⊙ ε = [1.6600585, −0.6739935].
    name: 'variance-scales-noise: ε scaled by σ² (ln σ² given)',
    params: withLogvar,
    answers: { scaled_noise: [1.6600585, -0.6739935] },
    expect: { scaled_noise: 'incorrect' },
    misconceptions: { scaled_noise: 'variance-scales-noise' },
  },
  {
    // μ + ε = [0.5 + 0.3, −1 − 1.2] = [0.8, −2.2].
    name: 'noise-unscaled: z = μ + ε',
    params: withSigma,
    answers: { z: [0.8, -2.2] },
    expect: { z: 'incorrect' },
    misconceptions: { z: 'noise-unscaled' },
  },
  {
    // μ + ε = [1, −2.5] with the log-variance parameterisation.
    name: 'noise-unscaled: z = μ + ε (ln σ² given)',
    params: withLogvar,
    answers: { z: [1, -2.5] },
    expect: { z: 'incorrect' },
    misconceptions: { z: 'noise-unscaled' },
  },
  {
    name: 'unreadable answers are invalid, not crashes',
    params: withSigma,
    answers: { sigma: [2, 0.5, 1], scaled_noise: '0.6 +* 2', z: [1.1, NaN] },
    expect: { sigma: 'invalid', scaled_noise: 'invalid', z: 'invalid' },
    score: 0,
  },
  {
    name: 'a scalar where a vector belongs is invalid',
    params: withSigma,
    answers: { z: 1.1 },
    expect: { z: 'invalid', sigma: 'missing' },
  },
];

describe('vae-sampling golden cases', () => {
  for (const c of cases) it(c.name, () => runGolden('vae-sampling', c));

  it('solves the hand-worked examples to 1e-6', () => {
    const a = solved('vae-sampling', withSigma);
    for (const [id, v] of Object.entries(sigmaRight)) expectClose(a[id], v, 1e-12, id);
    const b = solved('vae-sampling', withLogvar);
    for (const [id, v] of Object.entries(logvarRight)) expectClose(b[id], v, 1e-6, id);
  });

  it('names the field of a bad parameter', () => {
    const both = { ...withSigma, logvar: [0, 0] };
    expect(() => solveProblem('vae-sampling', both)).toThrow(StepwiseError);
    expect(() => solveProblem('vae-sampling', both)).toThrow(/params\.sigma and params\.logvar are both given/);
    expect(() => solveProblem('vae-sampling', { mu: [1], eps: [1] })).toThrow(/params\.sigma is missing: give exactly one of params\.sigma .* or params\.logvar/);
    expect(() => solveProblem('vae-sampling', { ...withSigma, eps: [1, 2, 3] })).toThrow(/params\.eps has 3 entries but mu has 2; they must match/);
    expect(() => solveProblem('vae-sampling', { ...withSigma, sigma: [1] })).toThrow(/params\.sigma has 1 entries but mu has 2/);
    expect(() => solveProblem('vae-sampling', { ...withLogvar, logvar: [1, 2, 3] })).toThrow(/params\.logvar has 3 entries but mu has 2/);
    expect(() => solveProblem('vae-sampling', { ...withSigma, sigma: [2, 0] })).toThrow(/params\.sigma\[1\] must be > 0/);
    expect(() => solveProblem('vae-sampling', { ...withSigma, sigma: [2, -0.5] })).toThrow(/params\.sigma\[1\] must be > 0/);
    expect(() => solveProblem('vae-sampling', { ...withLogvar, logvar: [1, 1000] })).toThrow(/params\.logvar\[1\] must be <= 30/);
    expect(() => solveProblem('vae-sampling', { ...withSigma, mu: [] })).toThrow(/params\.mu must NOT have fewer than 1 items/);
    expect(() => solveProblem('vae-sampling', { ...withSigma, eps: [0.3, 'a'] })).toThrow(/params\.eps\[1\] must be number/);
    expect(() => solveProblem('vae-sampling', { ...withSigma, extra: 1 })).toThrow(/unknown field "extra"/);
    expect(() => solveProblem('vae-sampling', { sigma: [1], eps: [1] })).toThrow(/params\.mu is required/);
  });
});

describe('vae-sampling properties', () => {
  const cell = fc.double({ min: -5, max: 5, noNaN: true });
  const problem = fc.integer({ min: 1, max: 16 }).chain((d) =>
    fc.record({
      mu: fc.array(cell, { minLength: d, maxLength: d }),
      eps: fc.array(cell, { minLength: d, maxLength: d }),
      sigma: fc.array(fc.double({ min: 0.01, max: 5, noNaN: true }), { minLength: d, maxLength: d }),
      logvar: fc.array(fc.double({ min: -10, max: 10, noNaN: true }), { minLength: d, maxLength: d }),
      useLogvar: fc.boolean(),
    }),
  );
  const params = (r: { mu: number[]; eps: number[]; sigma: number[]; logvar: number[]; useLogvar: boolean }) =>
    r.useLogvar ? { mu: r.mu, logvar: r.logvar, eps: r.eps } : { mu: r.mu, sigma: r.sigma, eps: r.eps };

  it('z = μ when ε = 0, for σ and for ln σ²', () => {
    fc.assert(
      fc.property(problem, (r) => {
        const p = { ...params(r), eps: r.mu.map(() => 0) };
        expect(solved('vae-sampling', p).z).toEqual(r.mu.map((m) => m + 0));
      }),
    );
  });

  it('z − μ = σ ⊙ ε, with σ = e^{logvar/2} when the log-variance is given', () => {
    fc.assert(
      fc.property(problem, (r) => {
        const s = solved('vae-sampling', params(r));
        const sigma = s.sigma as number[];
        const z = s.z as number[];
        sigma.forEach((x, i) => {
          expect(x).toBeGreaterThan(0);
          if (r.useLogvar) expect(Math.abs(Math.log(x * x) - r.logvar[i])).toBeLessThan(1e-9);
          else expect(x).toBe(r.sigma[i]);
          expect(Math.abs(z[i] - r.mu[i] - x * r.eps[i])).toBeLessThan(1e-9);
        });
      }),
    );
  });
});
