/**
 * diffusion-step golden cases, worked by hand from x_t = √(1 − β)·x_{t−1} + √β·ε.
 *
 * β = 0.1, x_prev = [1.2, −0.5], ε = [0.4, 1]
 *   √(1 − β) = √0.9 = 0.9486833 (= 3√0.1);  √β = √0.1 = 0.3162278
 *   x_t = [1.2·0.9486833 + 0.4·0.3162278, −0.5·0.9486833 + 1·0.3162278]
 *       = [1.1384200 + 0.1264911, −0.4743416 + 0.3162278] = [1.2649111, −0.1581139]
 *   (check with √0.9 = 3√0.1: [3.6√0.1 + 0.4√0.1, −1.5√0.1 + √0.1] = [4√0.1, −0.5√0.1]).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { solveProblem, StepwiseError } from '../../src/engine.js';
import { expectClose, runGolden, solved, type GoldenCase } from '../helpers.js';

const params = { beta: 0.1, x_prev: [1.2, -0.5], eps: [0.4, 1] };
const right = { signal_coef: 0.9486833, noise_coef: 0.3162278, x_t: [1.2649111, -0.1581139] };

const cases: GoldenCase[] = [
  {
    name: 'hand-worked answers are all correct',
    params,
    answers: right,
    expect: { signal_coef: 'correct', noise_coef: 'correct', x_t: 'correct' },
    score: 3,
  },
  {
    name: 'math strings are read',
    params,
    answers: { signal_coef: 'sqrt(0.9)', noise_coef: 'sqrt(1/10)', x_t: ['sqrt(0.9)*1.2 + sqrt(0.1)*0.4', '-0.5*sqrt(0.1)'] },
    expect: { signal_coef: 'correct', noise_coef: 'correct', x_t: 'correct' },
    score: 3,
  },
  {
    // √β slipped to 0.5 (√0.25): x_t = [1.1384200 + 0.4·0.5, −0.4743416 + 0.5] = [1.3384200, 0.0256584].
    name: 'a slip in √β is carried into x_t',
    params,
    answers: { signal_coef: 0.9486833, noise_coef: 0.5, x_t: [1.33842, 0.0256584] },
    expect: { signal_coef: 'correct', noise_coef: 'incorrect', x_t: 'carried' },
    score: 2,
  },
  {
    // √(1 − β) slipped to 0.8: x_t = [0.96 + 0.1264911, −0.4 + 0.3162278] = [1.0864911, −0.0837722].
    name: 'a slip in √(1 − β) is carried into x_t',
    params,
    answers: { signal_coef: 0.8, noise_coef: 0.3162278, x_t: [1.0864911, -0.0837722] },
    expect: { signal_coef: 'incorrect', noise_coef: 'correct', x_t: 'carried' },
    score: 2,
  },
  {
    name: 'signal-no-square-root: √(1 − β) written as 1 − β = 0.9',
    params,
    answers: { signal_coef: 0.9 },
    expect: { signal_coef: 'incorrect' },
    misconceptions: { signal_coef: 'signal-no-square-root' },
  },
  {
    // 1 − √0.1 = 1 − 0.3162278 = 0.6837722.
    name: 'signal-one-minus-sqrt-beta: √(1 − β) written as 1 − √β',
    params,
    answers: { signal_coef: 0.6837722 },
    expect: { signal_coef: 'incorrect' },
    misconceptions: { signal_coef: 'signal-one-minus-sqrt-beta' },
  },
  {
    name: 'noise-no-square-root: √β written as β = 0.1',
    params,
    answers: { noise_coef: 0.1 },
    expect: { noise_coef: 'incorrect' },
    misconceptions: { noise_coef: 'noise-no-square-root' },
  },
  {
    // [1.2·0.3162278 + 0.4·0.9486833, −0.5·0.3162278 + 1·0.9486833] = [0.3794733 + 0.3794733, −0.1581139 + 0.9486833].
    name: 'coefficients-swapped: x_prev scaled by √β, ε by √(1 − β)',
    params,
    answers: { x_t: [0.7589466, 0.7905694] },
    expect: { x_t: 'incorrect' },
    misconceptions: { x_t: 'coefficients-swapped' },
  },
  {
    // [0.9·1.2 + 0.1·0.4, 0.9·(−0.5) + 0.1·1] = [1.12, −0.35].
    name: 'x-t-no-square-roots: x_t = (1 − β)·x_prev + β·ε',
    params,
    answers: { x_t: [1.12, -0.35] },
    expect: { x_t: 'incorrect' },
    misconceptions: { x_t: 'x-t-no-square-roots' },
  },
  {
    name: 'unreadable answers are invalid, not crashes',
    params,
    answers: { signal_coef: '0.9.5', noise_coef: NaN, x_t: [1.2649111] },
    expect: { signal_coef: 'invalid', noise_coef: 'invalid', x_t: 'invalid' },
    score: 0,
  },
];

describe('diffusion-step golden cases', () => {
  for (const c of cases) it(c.name, () => runGolden('diffusion-step', c));

  it('solves the hand-worked example to 1e-6', () => {
    const s = solved('diffusion-step', params);
    for (const [id, v] of Object.entries(right)) expectClose(s[id], v, 1e-6, id);
  });

  it('names the field of a bad parameter', () => {
    expect(() => solveProblem('diffusion-step', { ...params, beta: 1 })).toThrow(StepwiseError);
    expect(() => solveProblem('diffusion-step', { ...params, beta: 1 })).toThrow(/params\.beta must be < 1/);
    expect(() => solveProblem('diffusion-step', { ...params, beta: 0 })).toThrow(/params\.beta must be > 0/);
    expect(() => solveProblem('diffusion-step', { ...params, beta: [0.1] })).toThrow(/params\.beta must be number/);
    expect(() => solveProblem('diffusion-step', { ...params, eps: [1] })).toThrow(/params\.eps has 1 entries but x_prev has 2; they must match/);
    expect(() => solveProblem('diffusion-step', { ...params, x_prev: Array(17).fill(1) })).toThrow(/params\.x_prev must NOT have more than 16 items/);
    expect(() => solveProblem('diffusion-step', { beta: 0.1, eps: [1] })).toThrow(/params\.x_prev is required/);
    expect(() => solveProblem('diffusion-step', { ...params, betas: [0.1] })).toThrow(/unknown field "betas"/);
  });
});

describe('diffusion-step properties', () => {
  const beta = fc.double({ min: 0.0001, max: 0.9999, noNaN: true });
  const cell = fc.double({ min: -5, max: 5, noNaN: true });
  const problem = fc.integer({ min: 1, max: 16 }).chain((d) =>
    fc.record({
      beta,
      x_prev: fc.array(cell, { minLength: d, maxLength: d }),
      eps: fc.array(cell, { minLength: d, maxLength: d }),
    }),
  );

  it('signal_coef² + noise_coef² = 1', () => {
    fc.assert(
      fc.property(problem, (p) => {
        const s = solved('diffusion-step', p);
        expect(Math.abs((s.signal_coef as number) ** 2 + (s.noise_coef as number) ** 2 - 1)).toBeLessThan(1e-12);
      }),
    );
  });

  it('equals diffusion-forward with the single beta', () => {
    fc.assert(
      fc.property(problem, (p) => {
        const step = solved('diffusion-step', p);
        const fwd = solved('diffusion-forward', { betas: [p.beta], x0: p.x_prev, eps: p.eps });
        expectClose(step.signal_coef, fwd.signal_coef, 1e-12, 'signal_coef');
        expectClose(step.noise_coef, fwd.noise_coef, 1e-12, 'noise_coef');
        expectClose(step.x_t, fwd.x_t, 1e-12, 'x_t');
      }),
    );
  });
});
