/**
 * diffusion-forward golden cases, worked by hand from the DDPM closed form.
 *
 * β = [0.1, 0.2], x0 = [1, 2], ε = [−1, 0.5]
 *   α = [0.9, 0.8];  ᾱ = 0.9·0.8 = 0.72
 *   √ᾱ = √0.72 = 0.8485281;  √(1 − ᾱ) = √0.28 = 0.5291503
 *   x_t = [0.8485281·1 + 0.5291503·(−1), 0.8485281·2 + 0.5291503·0.5]
 *       = [0.3193779, 1.6970563 + 0.2645751] = [0.3193779, 1.9616314].
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { solveProblem, StepwiseError } from '../../src/engine.js';
import { expectClose, runGolden, solved, type GoldenCase } from '../helpers.js';

const params = { betas: [0.1, 0.2], x0: [1, 2], eps: [-1, 0.5] };
const right = {
  alphas: [0.9, 0.8],
  alpha_bar: 0.72,
  signal_coef: 0.8485281,
  noise_coef: 0.5291503,
  x_t: [0.3193779, 1.9616314],
};

const cases: GoldenCase[] = [
  {
    name: 'hand-worked answers are all correct',
    params,
    answers: right,
    expect: { alphas: 'correct', alpha_bar: 'correct', signal_coef: 'correct', noise_coef: 'correct', x_t: 'correct' },
    score: 5,
  },
  {
    name: 'math strings are read',
    params,
    answers: {
      alphas: '[1 - 0.1, 1 - 0.2]',
      alpha_bar: '0.9*0.8',
      signal_coef: 'sqrt(0.9*0.8)',
      noise_coef: 'sqrt(1 - 0.72)',
      x_t: ['sqrt(0.72) - sqrt(0.28)', '2*sqrt(0.72) + 0.5*sqrt(0.28)'],
    },
    expect: { alphas: 'correct', alpha_bar: 'correct', signal_coef: 'correct', noise_coef: 'correct', x_t: 'correct' },
    score: 5,
  },
  {
    // α₂ slipped to 0.7, so ᾱ = 0.9·0.7 = 0.63, √0.63 = 0.7937254, √0.37 = 0.6082763,
    // x_t = [0.7937254 − 0.6082763, 2·0.7937254 + 0.5·0.6082763] = [0.1854491, 1.8915889].
    // Credit: ½ for α (one of two right) + 4 carried steps.
    name: 'a slip in α is carried through ᾱ, both coefficients and x_t',
    params,
    answers: { alphas: [0.9, 0.7], alpha_bar: 0.63, signal_coef: 0.7937254, noise_coef: 0.6082763, x_t: [0.1854491, 1.8915889] },
    expect: { alphas: 'partial', alpha_bar: 'carried', signal_coef: 'carried', noise_coef: 'carried', x_t: 'carried' },
    score: 4.5,
  },
  {
    // ᾱ slipped to 0.64: √0.64 = 0.8, √0.36 = 0.6, x_t = [0.8 − 0.6, 1.6 + 0.3] = [0.2, 1.9].
    name: 'a slip in ᾱ is carried; x_t follows from the carried coefficients',
    params,
    answers: { alphas: [0.9, 0.8], alpha_bar: 0.64, signal_coef: 0.8, noise_coef: 0.6, x_t: [0.2, 1.9] },
    expect: { alphas: 'correct', alpha_bar: 'incorrect', signal_coef: 'carried', noise_coef: 'carried', x_t: 'carried' },
    score: 4,
  },
  {
    name: 'alpha-bar-last-alpha: ᾱ taken as α_t = 0.8',
    params,
    answers: { alpha_bar: 0.8 },
    expect: { alpha_bar: 'incorrect' },
    misconceptions: { alpha_bar: 'alpha-bar-last-alpha' },
  },
  {
    // 1 − (0.1 + 0.2) = 0.7, against the true 0.72 (tolerance 0.001 + 0.0072).
    name: 'alpha-bar-one-minus-sum: ᾱ taken as 1 − Σβ',
    params,
    answers: { alpha_bar: 0.7 },
    expect: { alpha_bar: 'incorrect' },
    misconceptions: { alpha_bar: 'alpha-bar-one-minus-sum' },
  },
  {
    name: 'signal-no-square-root: √ᾱ written as ᾱ = 0.72',
    params,
    answers: { signal_coef: 0.72 },
    expect: { signal_coef: 'incorrect' },
    misconceptions: { signal_coef: 'signal-no-square-root' },
  },
  {
    name: 'noise-no-square-root: √(1 − ᾱ) written as 1 − ᾱ = 0.28',
    params,
    answers: { noise_coef: 0.28 },
    expect: { noise_coef: 'incorrect' },
    misconceptions: { noise_coef: 'noise-no-square-root' },
  },
  {
    // 1 − √0.72 = 1 − 0.8485281 = 0.1514719.
    name: 'noise-one-minus-sqrt: √(1 − ᾱ) written as 1 − √ᾱ',
    params,
    answers: { noise_coef: 0.1514719 },
    expect: { noise_coef: 'incorrect' },
    misconceptions: { noise_coef: 'noise-one-minus-sqrt' },
  },
  {
    // [0.5291503·1 + 0.8485281·(−1), 0.5291503·2 + 0.8485281·0.5] = [−0.3193779, 1.0583005 + 0.4242641].
    name: 'coefficients-swapped: x0 scaled by √(1 − ᾱ), ε by √ᾱ',
    params,
    answers: { x_t: [-0.3193779, 1.4825646] },
    expect: { x_t: 'incorrect' },
    misconceptions: { x_t: 'coefficients-swapped' },
  },
  {
    // [0.72·1 + 0.28·(−1), 0.72·2 + 0.28·0.5] = [0.44, 1.58].
    name: 'x-t-no-square-roots: x_t = ᾱ·x0 + (1 − ᾱ)·ε',
    params,
    answers: { x_t: [0.44, 1.58] },
    expect: { x_t: 'incorrect' },
    misconceptions: { x_t: 'x-t-no-square-roots' },
  },
  {
    name: 'unreadable answers are invalid, not crashes',
    params,
    answers: { alphas: [0.9], alpha_bar: 'sqrt(', signal_coef: NaN, noise_coef: [0.5], x_t: 'x0 + eps' },
    expect: { alphas: 'invalid', alpha_bar: 'invalid', signal_coef: 'invalid', noise_coef: 'invalid', x_t: 'invalid' },
    score: 0,
  },
];

describe('diffusion-forward golden cases', () => {
  for (const c of cases) it(c.name, () => runGolden('diffusion-forward', c));

  it('solves the hand-worked example to 1e-6', () => {
    const s = solved('diffusion-forward', params);
    for (const [id, v] of Object.entries(right)) expectClose(s[id], v, 1e-6, id);
  });

  it('names the field of a bad parameter', () => {
    expect(() => solveProblem('diffusion-forward', { ...params, betas: [0.1, 1] })).toThrow(StepwiseError);
    expect(() => solveProblem('diffusion-forward', { ...params, betas: [0.1, 1] })).toThrow(/params\.betas\[1\] must be < 1/);
    expect(() => solveProblem('diffusion-forward', { ...params, betas: [0, 0.2] })).toThrow(/params\.betas\[0\] must be > 0/);
    expect(() => solveProblem('diffusion-forward', { ...params, betas: [] })).toThrow(/params\.betas must NOT have fewer than 1 items/);
    expect(() => solveProblem('diffusion-forward', { ...params, betas: Array(11).fill(0.1) })).toThrow(/params\.betas must NOT have more than 10 items/);
    expect(() => solveProblem('diffusion-forward', { ...params, eps: [1, 2, 3] })).toThrow(/params\.eps has 3 entries but x0 has 2; they must match/);
    expect(() => solveProblem('diffusion-forward', { betas: [0.1], x0: [1] })).toThrow(/params\.eps is required/);
    expect(() => solveProblem('diffusion-forward', { ...params, x0: [1, null] })).toThrow(/params\.x0\[1\] must be number/);
    expect(() => solveProblem('diffusion-forward', { ...params, beta: 0.1 })).toThrow(/unknown field "beta"/);
  });
});

describe('diffusion-forward properties', () => {
  const beta = fc.double({ min: 0.0001, max: 0.9999, noNaN: true });
  const cell = fc.double({ min: -5, max: 5, noNaN: true });
  const problem = fc.integer({ min: 1, max: 16 }).chain((d) =>
    fc.record({
      betas: fc.array(beta, { minLength: 1, maxLength: 9 }),
      x0: fc.array(cell, { minLength: d, maxLength: d }),
      eps: fc.array(cell, { minLength: d, maxLength: d }),
    }),
  );

  it('signal_coef² + noise_coef² = 1', () => {
    fc.assert(
      fc.property(problem, (p) => {
        const s = solved('diffusion-forward', p);
        expect(Math.abs((s.signal_coef as number) ** 2 + (s.noise_coef as number) ** 2 - 1)).toBeLessThan(1e-12);
      }),
    );
  });

  it('ᾱ decreases strictly as a step is added, and stays in (0, 1)', () => {
    fc.assert(
      fc.property(problem, beta, (p, extra) => {
        const before = solved('diffusion-forward', p).alpha_bar as number;
        const after = solved('diffusion-forward', { ...p, betas: [...p.betas, extra] }).alpha_bar as number;
        expect(before).toBeGreaterThan(0);
        expect(before).toBeLessThan(1);
        expect(after).toBeLessThan(before);
      }),
    );
  });
});
