/**
 * ddpm-posterior golden cases, worked by hand from Ho et al. 2020, eq. 6–7:
 *   c_0 = √ᾱ_{t−1}·β_t / (1 − ᾱ_t),  c_t = √α_t·(1 − ᾱ_{t−1}) / (1 − ᾱ_t),
 *   μ̃ = c_0·x_0 + c_t·x_t,  β̃ = (1 − ᾱ_{t−1}) / (1 − ᾱ_t) · β_t.
 *
 * betas = [0.2, 0.5] (t = 2), x0 = [1, −2], x_t = [0.6, 1.2]
 *   α_1 = 0.8, α_2 = 0.5 → alpha_t = 0.5, ᾱ_2 = 0.8·0.5 = 0.4, ᾱ_1 = 0.8, 1 − ᾱ_2 = 0.6
 *   c_0 = √0.8·0.5/0.6 = 0.8944272·0.8333333 = 0.7453560
 *   c_t = √0.5·(1 − 0.8)/0.6 = 0.7071068·0.3333333 = 0.2357023
 *   μ̃ = [0.7453560 + 0.2357023·0.6, 0.7453560·(−2) + 0.2357023·1.2]
 *     = [0.7453560 + 0.1414214, −1.4907120 + 0.2828427] = [0.8867774, −1.2078693]
 *   β̃ = 0.2/0.6·0.5 = 0.1666667
 *   check: c_0 + √ᾱ_2·c_t = 0.7453560 + 0.6324555·0.2357023 = 0.7453560 + 0.1490712 = 0.8944272 = √0.8 ✓
 *
 * betas = [0.1, 0.2, 0.5] (t = 3): ᾱ_3 = 0.9·0.8·0.5 = 0.36, ᾱ_2 = 0.72, α_3 = 0.5, 1 − ᾱ_3 = 0.64
 *   c_0 = √0.72·0.5/0.64 = 0.8485281·0.78125 = 0.6629126; c_t = √0.5·0.28/0.64 = 0.7071068·0.4375 = 0.3093592
 *   β̃ = 0.28/0.64·0.5 = 0.21875
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { solveProblem } from '../../src/engine.js';
import { errorOf, expectClose, runGolden, solved, type GoldenCase } from '../helpers.js';

const params = { betas: [0.2, 0.5], x0: [1, -2], x_t: [0.6, 1.2] };
const right = {
  alpha_t: 0.5,
  alpha_bar_t: 0.4,
  alpha_bar_prev: 0.8,
  coef_x0: 0.745356,
  coef_xt: 0.2357023,
  mean: [0.8867774, -1.2078693],
  variance: 0.1666667,
};
const three = { betas: [0.1, 0.2, 0.5], x0: [1, -2], x_t: [0.6, 1.2] };
const threeRight = { alpha_t: 0.5, alpha_bar_t: 0.36, alpha_bar_prev: 0.72, coef_x0: 0.6629126, coef_xt: 0.3093592, variance: 0.21875 };
const all = (status: 'correct') => Object.fromEntries(Object.keys(right).map((k) => [k, status]));

const cases: GoldenCase[] = [
  { name: 'hand-worked answers are all correct', params, answers: right, expect: all('correct'), score: 7 },
  {
    name: 'math strings are read',
    params,
    answers: {
      alpha_t: '1 - 0.5',
      alpha_bar_t: '0.8*0.5',
      alpha_bar_prev: '4/5',
      coef_x0: 'sqrt(0.8)*0.5/0.6',
      coef_xt: 'sqrt(0.5)*0.2/0.6',
      mean: ['sqrt(0.8)*0.5/0.6 + 0.6*sqrt(0.5)/3', '-2*sqrt(0.8)*0.5/0.6 + 1.2*sqrt(0.5)/3'],
      variance: '1/6',
    },
    expect: all('correct'),
  },
  {
    // ᾱ_{t−1} slipped to 0.7: c_0 = √0.7·0.5/0.6 = 0.8366600·0.8333333 = 0.6972167,
    // c_t = √0.5·0.3/0.6 = 0.3535534, β̃ = 0.3/0.6·0.5 = 0.25;
    // μ̃ = [0.6972167 + 0.3535534·0.6, −1.3944334 + 0.3535534·1.2] = [0.9093487, −0.9701693].
    name: 'a slip in ᾱ_{t−1} is carried into both coefficients, the mean and the variance',
    params,
    answers: { ...right, alpha_bar_prev: 0.7, coef_x0: 0.6972167, coef_xt: 0.3535534, mean: [0.9093487, -0.9701693], variance: 0.25 },
    expect: { alpha_bar_prev: 'incorrect', coef_x0: 'carried', coef_xt: 'carried', mean: 'carried', variance: 'carried', alpha_t: 'correct' },
    score: 6,
  },
  {
    // c_0 slipped to 0.7 (c_t right): μ̃ = [0.7 + 0.1414214, −1.4 + 0.2828427] = [0.8414214, −1.1171573].
    name: 'a slip in c_0 is carried into the mean',
    params,
    answers: { coef_x0: 0.7, coef_xt: 0.2357023, mean: [0.8414214, -1.1171573] },
    expect: { coef_x0: 'incorrect', coef_xt: 'correct', mean: 'carried' },
  },
  {
    name: 'alpha-bar-prev-is-alpha-bar-t: ᾱ_{t−1} written as ᾱ_t = 0.4',
    params,
    answers: { alpha_bar_prev: 0.4 },
    expect: { alpha_bar_prev: 'incorrect' },
    misconceptions: { alpha_bar_prev: 'alpha-bar-prev-is-alpha-bar-t' },
  },
  {
    // α_2 = 1 − 0.2 = 0.8, where ᾱ_2 = 0.72.
    name: 'alpha-bar-prev-single-alpha (t = 3): ᾱ_{t−1} written as α_{t−1} = 0.8',
    params: three,
    answers: { alpha_bar_prev: 0.8 },
    expect: { alpha_bar_prev: 'incorrect' },
    misconceptions: { alpha_bar_prev: 'alpha-bar-prev-single-alpha' },
  },
  {
    // 1 − (0.2 + 0.5) = 0.3
    name: 'alpha-bar-one-minus-sum: ᾱ_t = 1 − Σβ',
    params,
    answers: { alpha_bar_t: 0.3 },
    expect: { alpha_bar_t: 'incorrect' },
    misconceptions: { alpha_bar_t: 'alpha-bar-one-minus-sum' },
  },
  {
    name: 'alpha-bar-last-alpha (t = 3): ᾱ_t written as α_t = 0.5',
    params: three,
    answers: { alpha_bar_t: 0.5 },
    expect: { alpha_bar_t: 'incorrect' },
    misconceptions: { alpha_bar_t: 'alpha-bar-last-alpha' },
  },
  {
    // √0.4·0.5/0.6 = 0.6324555·0.8333333 = 0.5270463
    name: 'coef-x0-alpha-bar-t: √ᾱ_t where √ᾱ_{t−1} belongs',
    params,
    answers: { coef_x0: 0.5270463 },
    expect: { coef_x0: 'incorrect' },
    misconceptions: { coef_x0: 'coef-x0-alpha-bar-t' },
  },
  {
    // 0.8·0.5/0.6 = 0.6666667
    name: 'coef-x0-no-square-root: ᾱ_{t−1}·β_t/(1 − ᾱ_t)',
    params,
    answers: { coef_x0: 0.6666667 },
    expect: { coef_x0: 'incorrect' },
    misconceptions: { coef_x0: 'coef-x0-no-square-root' },
  },
  {
    // √0.4·0.2/0.6 = 0.6324555/3 = 0.2108185
    name: "coef-xt-alpha-bar-t: the notes' √ᾱ_t where √α_t belongs",
    params,
    answers: { coef_xt: 0.2108185 },
    expect: { coef_xt: 'incorrect' },
    misconceptions: { coef_xt: 'coef-xt-alpha-bar-t' },
  },
  {
    // √0.5·0.2/0.5 = 0.2828427
    name: "coef-xt-denominator-beta: the notes' 1 − α_t = β_t in the denominator",
    params,
    answers: { coef_xt: 0.2828427 },
    expect: { coef_xt: 'incorrect' },
    misconceptions: { coef_xt: 'coef-xt-denominator-beta' },
  },
  {
    // [c_t·1 + c_0·0.6, c_t·(−2) + c_0·1.2] = [0.2357023 + 0.4472136, −0.4714045 + 0.8944272] = [0.6829159, 0.4230227]
    name: 'mean-coefficients-swapped: c_t on x_0 and c_0 on x_t',
    params,
    answers: { mean: [0.6829159, 0.4230227] },
    expect: { mean: 'incorrect' },
    misconceptions: { mean: 'mean-coefficients-swapped' },
  },
  {
    // k = β_t/√(1 − ᾱ_t) = 0.5/0.7745967 = 0.6454972; [(0.6 − 0.6454972)/0.6324555, (1.2 + 1.2909944)/0.6324555]
    //   = [−0.0454972/0.6324555, 2.4909944/0.6324555] = [−0.0719374, 3.9386080]
    name: "mean-notes-eps-form: the notes' (x_t − β_t/√(1 − ᾱ_t)·x_0)/√ᾱ_t",
    params,
    answers: { mean: [-0.0719374, 3.938608] },
    expect: { mean: 'incorrect' },
    misconceptions: { mean: 'mean-notes-eps-form' },
  },
  {
    name: 'variance-is-beta: β̃_t written as β_t = 0.5',
    params,
    answers: { variance: 0.5 },
    expect: { variance: 'incorrect' },
    misconceptions: { variance: 'variance-is-beta' },
  },
  {
    // (1 − 0.8)/(1 − 0.5)·0.5 = 0.2
    name: "variance-notes-denominator: the notes' 1 − α_t in the denominator leaves 1 − ᾱ_{t−1}",
    params,
    answers: { variance: 0.2 },
    expect: { variance: 'incorrect' },
    misconceptions: { variance: 'variance-notes-denominator' },
  },
  {
    name: 'unreadable answers are invalid, not crashes',
    params,
    answers: { alpha_t: 'half', coef_x0: NaN, mean: [0.88] },
    expect: { alpha_t: 'invalid', coef_x0: 'invalid', mean: 'invalid' },
    score: 0,
  },
];

describe('ddpm-posterior golden cases', () => {
  for (const c of cases) it(c.name, () => runGolden('ddpm-posterior', c));

  it('solves the hand-worked examples to 1e-6', () => {
    const s = solved('ddpm-posterior', params);
    for (const [id, v] of Object.entries(right)) expectClose(s[id], v, 1e-6, id);
    const s3 = solved('ddpm-posterior', three);
    for (const [id, v] of Object.entries(threeRight)) expectClose(s3[id], v, 1e-6, id);
  });

  it('t = 1: ᾱ_0 = 1, so the posterior is the point x_0 (c_0 = 1, c_t = 0, variance 0)', () => {
    // c_0 = √1·β_1/(1 − (1 − β_1)) = 1; c_t = √α_1·(1 − 1)/β_1 = 0.
    const s = solved('ddpm-posterior', { betas: [0.3], x0: [1.5, -0.5], x_t: [2, 2] });
    expectClose(s.alpha_bar_prev, 1, 0, 'alpha_bar_prev');
    expectClose(s.coef_x0, 1, 1e-12, 'coef_x0');
    expectClose(s.coef_xt, 0, 1e-12, 'coef_xt');
    expectClose(s.mean, [1.5, -0.5], 1e-12, 'mean');
    expectClose(s.variance, 0, 1e-12, 'variance');
  });

  it('names the field of a bad parameter', () => {
    const bad = (over: object) => () => solveProblem('ddpm-posterior', { ...params, ...over });
    expect(bad({ x_t: [1] })).toThrow(/params\.x_t has 1 entries but x0 has 2; they must match/);
    expect(bad({ betas: [0.2, 1] })).toThrow(/params\.betas\[1\] must be < 1/);
    expect(bad({ betas: [0, 0.5] })).toThrow(/params\.betas\[0\] must be > 0/);
    expect(bad({ betas: [] })).toThrow(/params\.betas must NOT have fewer than 1 items/);
    expect(bad({ betas: Array(11).fill(0.1) })).toThrow(/params\.betas must NOT have more than 10 items/);
    expect(bad({ eps: [0, 1] })).toThrow(/unknown field "eps"/);
    expect(() => solveProblem('ddpm-posterior', { betas: [0.1], x0: [1] })).toThrow(/params\.x_t is required/);
    const tiny = errorOf(bad({ betas: [1e-12, 1e-12] }));
    expect(tiny.code).toBe('invalid_params');
    expect(tiny.message).toMatch(/betas.*1 − ᾱ_t is below 1e-9/);
  });
});

describe('ddpm-posterior properties', () => {
  const problem = fc.integer({ min: 1, max: 8 }).chain((d) =>
    fc.record({
      betas: fc.array(fc.double({ min: 0.001, max: 0.999, noNaN: true }), { minLength: 1, maxLength: 10 }),
      x0: fc.array(fc.double({ min: -5, max: 5, noNaN: true }), { minLength: d, maxLength: d }),
      x_t: fc.array(fc.double({ min: -5, max: 5, noNaN: true }), { minLength: d, maxLength: d }),
    }),
  );

  it('c_0 + √ᾱ_t·c_t = √ᾱ_{t−1}, and 0 ≤ β̃_t ≤ β_t', () => {
    fc.assert(
      fc.property(problem, (p) => {
        const s = solved('ddpm-posterior', p);
        const lhs = (s.coef_x0 as number) + Math.sqrt(s.alpha_bar_t as number) * (s.coef_xt as number);
        expect(Math.abs(lhs - Math.sqrt(s.alpha_bar_prev as number))).toBeLessThan(1e-9);
        expect(s.variance as number).toBeGreaterThanOrEqual(0);
        expect(s.variance as number).toBeLessThanOrEqual(p.betas[p.betas.length - 1] * (1 + 1e-12));
      }),
    );
  });

  it('the mean of a noise-free x_t = √ᾱ_t·x_0 is √ᾱ_{t−1}·x_0', () => {
    fc.assert(
      fc.property(problem, (p) => {
        const ab = p.betas.reduce((a, b) => a * (1 - b), 1);
        const abPrev = ab / (1 - p.betas[p.betas.length - 1]);
        const s = solved('ddpm-posterior', { ...p, x_t: p.x0.map((x) => Math.sqrt(ab) * x) });
        expectClose(s.mean, p.x0.map((x) => Math.sqrt(abPrev) * x), 1e-9, 'mean');
      }),
    );
  });
});
