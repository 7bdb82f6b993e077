/**
 * gan-optimal-discriminator golden cases, worked by hand from D* = p_data/(p_data + p_g),
 * V = Σ p_data ln D* + Σ p_g ln(1 − D*), JSD = (V + ln 4)/2.
 *
 * p_data = [0.5, 0.5], p_g = [0.25, 0.75]:
 * D* = [0.5/0.75, 0.5/1.25] = [2/3, 0.4];
 * V = 0.5 ln(2/3) + 0.5 ln 0.4 + 0.25 ln(1/3) + 0.75 ln 0.6
 *   = 0.5(−0.405465) + 0.5(−0.916291) + 0.25(−1.098612) + 0.75(−0.510826)
 *   = −0.2027325 − 0.4581455 − 0.274653 − 0.3831195 = −1.3186505;
 * JSD = (−1.3186505 + 1.3862944)/2 = 0.0338220.
 * Cross-check from the definition, m = [0.375, 0.625]:
 * KL(p_data‖m) = 0.5 ln(4/3) + 0.5 ln 0.8 = 0.143841 − 0.111572 = 0.032269,
 * KL(p_g‖m) = 0.25 ln(2/3) + 0.75 ln 1.2 = −0.101366 + 0.136741 = 0.035375, half their sum 0.033822.
 *
 * With zeros, p_data = [0.5, 0.5, 0], p_g = [0.5, 0, 0.5]: D* = [0.5, 1, 0];
 * V = 0.5 ln 0.5 + 0.5 ln 1 + 0 + 0.5 ln 0.5 + 0 + 0.5 ln 1 = −ln 2 = −0.693147; JSD = ln 2 / 2 = 0.346574.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { solveProblem, workedSolution } from '../../src/engine.js';
import { errorOf, expectClose, runGolden, solved, type GoldenCase } from '../helpers.js';

const params = { p_data: [0.5, 0.5], p_g: [0.25, 0.75] };
const right = { d_star: [0.666667, 0.4], value: -1.3186505, jsd: 0.033822 };
const zeros = { p_data: [0.5, 0.5, 0], p_g: [0.5, 0, 0.5] };
const zerosRight = { d_star: [0.5, 1, 0], value: -0.693147, jsd: 0.346574 };

const cases: GoldenCase[] = [
  { name: 'hand-worked answers are all correct', params, answers: right, expect: { d_star: 'correct', value: 'correct', jsd: 'correct' }, score: 3 },
  {
    name: 'math strings are read',
    params,
    answers: { d_star: ['0.5/0.75', '0.5/1.25'], value: '0.5*ln(2/3) + 0.5*ln(0.4) + 0.25*ln(1/3) + 0.75*ln(0.6)', jsd: '(-1.3186505 + ln(4))/2' },
    expect: { d_star: 'correct', value: 'correct', jsd: 'correct' },
  },
  {
    name: 'zero probabilities: 0 · ln 0 counts as 0',
    params: zeros,
    answers: zerosRight,
    expect: { d_star: 'correct', value: 'correct', jsd: 'correct' },
    score: 3,
  },
  {
    // Inverted D* = [1/3, 0.6]; V on it: 0.5 ln(1/3) + 0.5 ln 0.6 + 0.25 ln(2/3) + 0.75 ln 0.4
    // = −0.549306 − 0.255413 − 0.101366 − 0.687218 = −1.593303; JSD on it (−1.593303 + 1.386294)/2 = −0.103504.
    name: 'D* inverted, carried through V and the JSD',
    params,
    answers: { d_star: [0.333333, 0.6], value: -1.593303, jsd: -0.103504 },
    expect: { d_star: 'incorrect', value: 'carried', jsd: 'carried' },
    misconceptions: { d_star: 'd-star-inverted' },
    score: 2,
  },
  {
    // p_data/p_g = [2, 2/3].
    name: 'D* as the likelihood ratio',
    params,
    answers: { d_star: [2, 0.666667] },
    expect: { d_star: 'incorrect' },
    misconceptions: { d_star: 'd-star-likelihood-ratio' },
  },
  {
    name: 'D* = 1/2 everywhere',
    params,
    answers: { d_star: [0.5, 0.5] },
    expect: { d_star: 'incorrect' },
    misconceptions: { d_star: 'd-star-half' },
  },
  {
    // −1.3186505 / ln 10 = −0.572683.
    name: 'the value in log base 10',
    params,
    answers: { value: -0.572683 },
    expect: { value: 'incorrect' },
    misconceptions: { value: 'value-log10' },
  },
  {
    // The notes' C(G): −1.3186505 − 1.3862944 = −2.704945.
    name: 'the notes’ extra − ln 4',
    params,
    answers: { value: -2.704945 },
    expect: { value: 'incorrect' },
    misconceptions: { value: 'value-minus-ln4' },
  },
  {
    name: 'the discriminator’s loss (the negative value)',
    params,
    answers: { value: 1.3186505 },
    expect: { value: 'incorrect' },
    misconceptions: { value: 'value-as-loss' },
  },
  {
    // ln(2/3) + ln 0.4 + ln(1/3) + ln 0.6 = −0.405465 − 0.916291 − 1.098612 − 0.510826 = −2.931194.
    name: 'the logs left unweighted',
    params,
    answers: { value: -2.931194 },
    expect: { value: 'incorrect' },
    misconceptions: { value: 'value-unweighted' },
  },
  {
    // V + ln 4 = 0.067644; (V − ln 4)/2 = −1.352472; (V + ln 2)/2 = (−1.3186505 + 0.6931472)/2 = −0.312752.
    name: 'JSD not halved',
    params,
    answers: { jsd: 0.067644 },
    expect: { jsd: 'incorrect' },
    misconceptions: { jsd: 'jsd-not-halved' },
  },
  { name: 'JSD with ln 4 subtracted', params, answers: { jsd: -1.352472 }, expect: { jsd: 'incorrect' }, misconceptions: { jsd: 'jsd-ln4-subtracted' } },
  { name: 'JSD with ln 2 for ln 4', params, answers: { jsd: -0.312752 }, expect: { jsd: 'incorrect' }, misconceptions: { jsd: 'jsd-ln2-for-ln4' } },
  {
    // A D* of 1 where p_g > 0 makes V −∞ from the student's own D*: nothing to carry, so V is judged against the truth.
    name: 'a D* that breaks the logarithm leaves nothing to carry',
    params,
    answers: { d_star: [1, 0.4], value: -1.3186505 },
    expect: { d_star: 'partial', value: 'correct' },
  },
];

describe('gan-optimal-discriminator golden cases', () => {
  for (const c of cases) it(c.name, () => runGolden('gan-optimal-discriminator', c));

  it('solves the hand-worked examples to 1e-6', () => {
    const s = solved('gan-optimal-discriminator', params);
    for (const [id, v] of Object.entries(right)) expectClose(s[id], v, 1e-6, id);
    const z = solved('gan-optimal-discriminator', zeros);
    for (const [id, v] of Object.entries(zerosRight)) expectClose(z[id], v, 1e-6, id);
    // Disjoint supports: D* = [1, 0], V = 0, JSD = ln 2 = 0.693147 (its largest value).
    const d = solved('gan-optimal-discriminator', { p_data: [1, 0], p_g: [0, 1] });
    expectClose(d.d_star, [1, 0], 0, 'd_star');
    expectClose(d.value, 0, 0, 'value');
    expectClose(d.jsd, 0.693147, 1e-6, 'jsd');
  });

  it('the worked solution cross-checks the JSD from its definition', () => {
    expect(workedSolution('gan-optimal-discriminator', params)).toMatch(/gives \$0\.0338\$ nats too/);
  });

  it('names the field of a bad parameter', () => {
    const bad = (over: object) => () => solveProblem('gan-optimal-discriminator', { ...params, ...over });
    expect(bad({ p_g: [0.25, 0.25, 0.5] })).toThrow(/params\.p_g has 3 entries but p_data has 2; they must match/);
    expect(bad({ p_data: [0.5, 0.4] })).toThrow(/params\.p_data sums to 0\.9; a distribution sums to 1/);
    expect(bad({ p_g: [-0.25, 1.25] })).toThrow(/params\.p_g\[0\] must be >= 0/);
    expect(() => solveProblem('gan-optimal-discriminator', { p_data: [0.5, 0.5, 0], p_g: [0.5, 0.5, 0] })).toThrow(
      /params\.p_g\[2\] is 0 and so is p_data\[2\]: D\* is undefined/,
    );
    expect(bad({ p_z: [1] })).toThrow(/unknown field "p_z"/);
    expect(() => solveProblem('gan-optimal-discriminator', { p_data: [0.5, 0.5] })).toThrow(/params\.p_g is required/);
    expect(errorOf(bad({ p_data: [0.5, 0.4] })).code).toBe('invalid_params');
  });
});

describe('gan-optimal-discriminator properties', () => {
  const normalise = (w: number[]) => {
    const total = w.reduce((a, b) => a + b, 0);
    return w.map((x) => x / total);
  };
  // Every point reached by at least one of the two (a weight pair never both 0).
  const pair = fc.integer({ min: 2, max: 8 }).chain((n) =>
    fc
      .array(fc.tuple(fc.integer({ min: 0, max: 100 }), fc.integer({ min: 0, max: 100 })).filter(([a, b]) => a + b > 0), { minLength: n, maxLength: n })
      .filter((ws) => ws.some(([a]) => a > 0) && ws.some(([, b]) => b > 0))
      .map((ws) => ({ p_data: normalise(ws.map(([a]) => a)), p_g: normalise(ws.map(([, b]) => b)) })),
  );

  it('0 ≤ JSD ≤ ln 2, so −ln 4 ≤ V ≤ 0', () => {
    fc.assert(
      fc.property(pair, (p) => {
        const s = solved('gan-optimal-discriminator', p);
        expect(s.jsd as number).toBeGreaterThanOrEqual(-1e-12);
        expect(s.jsd as number).toBeLessThanOrEqual(Math.log(2) + 1e-12);
        expect(s.value as number).toBeLessThanOrEqual(1e-12);
      }),
    );
  });

  it('swapping data and generator mirrors D* (D* ↦ 1 − D*) and keeps V and the JSD', () => {
    fc.assert(
      fc.property(pair, (p) => {
        const a = solved('gan-optimal-discriminator', p);
        const b = solved('gan-optimal-discriminator', { p_data: p.p_g, p_g: p.p_data });
        expectClose(b.d_star, (a.d_star as number[]).map((d) => 1 - d), 1e-12, 'd_star');
        expectClose(b.value, a.value, 1e-12, 'value');
        expectClose(b.jsd, a.jsd, 1e-12, 'jsd');
      }),
    );
  });

  it('D* maximises V: nudging it at any point lowers the value', () => {
    fc.assert(
      fc.property(pair, fc.nat(), fc.constantFrom(-0.01, 0.01), (p, at, delta) => {
        const i = at % p.p_data.length;
        const s = solved('gan-optimal-discriminator', p);
        const d = [...(s.d_star as number[])];
        if (d[i] + delta <= 0 || d[i] + delta >= 1) return;
        d[i] += delta;
        const v = p.p_data.reduce((t, x, j) => t + (x === 0 ? 0 : x * Math.log(d[j])) + (p.p_g[j] === 0 ? 0 : p.p_g[j] * Math.log(1 - d[j])), 0);
        expect(v).toBeLessThanOrEqual((s.value as number) + 1e-12);
      }),
    );
  });
});
