/**
 * bahdanau-attention golden cases, worked by hand from e_j = vᵀ tanh(W_s s + W_h h_j),
 * α = softmax(e), c = Σ_j α_j h_j, with
 *   s = [1, 0], h_1 = [1, 0], h_2 = [−1, 1], W_s = [[0, 1], [0.5, 0]], W_h = [[1, 1], [0, −1]], v = [1, 1].
 * W_s s = [0·1 + 1·0, 0.5·1 + 0·0] = [0, 0.5]
 * W_h h_1 = [1·1 + 1·0, 0·1 − 1·0] = [1, 0];  W_h h_2 = [1·(−1) + 1·1, 0·(−1) − 1·1] = [0, −1]
 * pre-activations: [0, 0.5] + [1, 0] = [1, 0.5];  [0, 0.5] + [0, −1] = [0, −0.5]
 * tanh: tanh 1 = 0.761594, tanh 0.5 = 0.462117, tanh 0 = 0  →  [[0.761594, 0.462117], [0, −0.462117]]
 * scores: e_1 = 0.761594 + 0.462117 = 1.223711;  e_2 = 0 − 0.462117 = −0.462117
 * softmax of two: α_1 = 1 / (1 + e^(e_2 − e_1)) = 1 / (1 + e^−1.685828) = 1 / 1.185291 = 0.843675,
 *   α_2 = 1 − α_1 = 0.156325
 * context: 0.843675·[1, 0] + 0.156325·[−1, 1] = [0.687350, 0.156325]
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { solveProblem, StepwiseError, workedSolution } from '../../src/engine.js';
import { expectClose, runGolden, solved, type GoldenCase } from '../helpers.js';

const params = {
  s: [1, 0],
  H: [[1, 0], [-1, 1]],
  W_s: [[0, 1], [0.5, 0]],
  W_h: [[1, 1], [0, -1]],
  v: [1, 1],
};
const right = {
  query_proj: [0, 0.5],
  key_proj: [[1, 0], [0, -1]],
  pre_activation: [[1, 0.5], [0, -0.5]],
  activation: [[0.761594, 0.462117], [0, -0.462117]],
  scores: [1.223711, -0.462117],
  weights: [0.843675, 0.156325],
  context: [0.68735, 0.156325],
};

const cases: GoldenCase[] = [
  { name: 'hand-worked answers are all correct', params, answers: right, expect: { query_proj: 'correct', context: 'correct' }, score: 7 },
  {
    name: 'math strings are read (tanh, exp, element-wise over arrays)',
    params,
    answers: {
      ...right,
      activation: 'tanh([[1, 0.5], [0, -0.5]])',
      scores: ['tanh(1) + tanh(0.5)', '-tanh(0.5)'],
      weights: ['1/(1+exp(-1.685828))', '1/(1+exp(1.685828))'],
      context: '[0.843675 - 0.156325, 0.156325]',
    },
    expect: { activation: 'correct', scores: 'correct', weights: 'correct', context: 'correct' },
    score: 7,
  },
  {
    // W_h h_2 written [0, 1] (sign slip). Carried: pre row 2 = [0, 1.5], tanh 1.5 = 0.905148,
    // e = [1.223711, 0.905148], α_1 = 1/(1 + e^−0.318563) = 1/1.727193 = 0.578974, α_2 = 0.421026,
    // c = [0.578974 − 0.421026, 0.421026] = [0.157948, 0.421026].
    name: 'a sign slip in W_h h_2 is carried through every later step',
    params,
    answers: {
      query_proj: [0, 0.5],
      key_proj: [[1, 0], [0, 1]],
      pre_activation: [[1, 0.5], [0, 1.5]],
      activation: [[0.761594, 0.462117], [0, 0.905148]],
      scores: [1.223711, 0.905148],
      weights: [0.578974, 0.421026],
      context: [0.157948, 0.421026],
    },
    expect: {
      query_proj: 'correct',
      key_proj: 'partial',
      pre_activation: 'carried',
      activation: 'carried',
      scores: 'carried',
      weights: 'carried',
      context: 'carried',
    },
    score: 6.75,
  },
  {
    // s W_s = W_sᵀ s = [[0, 0.5], [1, 0]]·[1, 0] = [0, 1]; the 0 agrees with the truth.
    name: 's W_s instead of W_s s',
    params,
    answers: { query_proj: [0, 1] },
    expect: { query_proj: 'incorrect', key_proj: 'missing' },
    misconceptions: { query_proj: 'query-projection-transposed' },
  },
  {
    // W_hᵀ = [[1, 0], [1, −1]]: W_hᵀ h_1 = [1, 1], W_hᵀ h_2 = [−1, −1 − 1] = [−1, −2].
    name: 'h_j W_h instead of W_h h_j',
    params,
    answers: { key_proj: [[1, 1], [-1, -2]] },
    expect: { key_proj: 'incorrect' },
    misconceptions: { key_proj: 'key-projection-transposed' },
  },
  {
    name: 'tanh skipped (the activation of 0 agrees)',
    params,
    answers: { activation: [[1, 0.5], [0, -0.5]] },
    expect: { activation: 'incorrect' },
    misconceptions: { activation: 'tanh-skipped' },
  },
  {
    // σ(1) = 1/(1 + e^−1) = 0.731059, σ(0.5) = 0.622459, σ(0) = 0.5, σ(−0.5) = 0.377541.
    name: 'logistic sigmoid instead of tanh',
    params,
    answers: { activation: [[0.731059, 0.622459], [0.5, 0.377541]] },
    expect: { activation: 'incorrect' },
    misconceptions: { activation: 'sigmoid-instead-of-tanh' },
  },
  {
    // Σ e = 1.223711 − 0.462117 = 0.761594; e / Σ e = [1.606776, −0.606776].
    name: 'scores divided by their sum instead of a softmax',
    params,
    answers: { weights: [1.606776, -0.606776] },
    expect: { weights: 'incorrect' },
    misconceptions: { weights: 'weights-normalised-by-sum' },
  },
  {
    // (h_1 + h_2)/2 = ([1, 0] + [−1, 1])/2 = [0, 0.5].
    name: 'context as the unweighted mean of the encoder states',
    params,
    answers: { context: [0, 0.5] },
    expect: { context: 'incorrect' },
    misconceptions: { context: 'context-unweighted-mean' },
  },
  {
    name: 'unreadable answers are invalid, not crashes',
    params,
    answers: {
      query_proj: [0, 0.5, 1],
      key_proj: 'x = 3',
      pre_activation: [[1, NaN], [0, -0.5]],
      activation: 'tanh(',
      scores: [[1.223711, -0.462117]],
      weights: 'import("fs")',
      context: [0.68735, 'abc'],
    },
    expect: {
      query_proj: 'invalid',
      key_proj: 'invalid',
      pre_activation: 'invalid',
      activation: 'invalid',
      scores: 'invalid',
      weights: 'invalid',
      context: 'invalid',
    },
    score: 0,
  },
];

describe('bahdanau-attention golden cases', () => {
  for (const c of cases) it(c.name, () => runGolden('bahdanau-attention', c));

  it('solves the hand-worked example to 1e-6', () => {
    const s = solved('bahdanau-attention', params);
    for (const [id, v] of Object.entries(right)) expectClose(s[id], v, 1e-6, id);
  });

  it('handles a non-square alignment layer (a = 3, d_s = 1, d_h = 2)', () => {
    // W_s s = [1, 0, −1]·2 = [2, 0, −2]; W_h h_1 = [0, 0, 0] (h_1 = 0); W_h h_2 = [1, 1, 0] (h_2 = [1, 0]).
    // pre: [[2, 0, −2], [3, 1, −2]]; tanh 2 = 0.964028, tanh 3 = 0.995055, tanh 1 = 0.761594.
    // v = [1, 0, 0]: e = [0.964028, 0.995055]; α_1 = 1/(1 + e^0.031027) = 0.492244, α_2 = 0.507756.
    // c = 0.492244·[0, 0] + 0.507756·[1, 0] = [0.507756, 0].
    const p = { s: [2], H: [[0, 0], [1, 0]], W_s: [[1], [0], [-1]], W_h: [[1, 0], [1, 0], [0, 0]], v: [1, 0, 0] };
    const s = solved('bahdanau-attention', p);
    expectClose(s.query_proj, [2, 0, -2], 1e-12, 'query_proj');
    expectClose(s.pre_activation, [[2, 0, -2], [3, 1, -2]], 1e-12, 'pre_activation');
    expectClose(s.scores, [0.964028, 0.995055], 1e-6, 'scores');
    expectClose(s.weights, [0.492244, 0.507756], 1e-6, 'weights');
    expectClose(s.context, [0.507756, 0], 1e-6, 'context');
    // The transposed-projection slip is not defined here, so grading a wrong answer names nothing.
    runGolden('bahdanau-attention', { name: 'non-square', params: p, answers: { query_proj: [1, 2, 3] }, expect: { query_proj: 'incorrect' } });
    expect(workedSolution('bahdanau-attention', p)).toContain('h_{2}');
  });

  it('names the field of a bad parameter', () => {
    const solve = (p: unknown) => () => solveProblem('bahdanau-attention', p);
    expect(solve({ ...params, W_h: [[1, 1, 0], [0, -1, 0]] })).toThrow(StepwiseError);
    expect(solve({ ...params, W_h: [[1, 1, 0], [0, -1, 0]] })).toThrow(/params\.W_h is 2×3 but must be 2×2 \(a × d_h/);
    expect(solve({ ...params, W_s: [[0, 1]] })).toThrow(/params\.W_s is 1×2 but must be 2×2 \(a × d_s/);
    expect(solve({ ...params, v: [1, 1, 1] })).toThrow(/params\.W_s is 2×2 but must be 3×2/);
    expect(solve({ ...params, s: [1, 0, 0] })).toThrow(/params\.W_s is 2×2 but must be 2×3/);
    expect(solve({ ...params, H: [[1, 0], [-1]] })).toThrow(/params\.H\[1\] has 1 entries; row 0 has 2/);
    expect(solve({ ...params, H: [] })).toThrow(/params\.H must NOT have fewer than 1 items/);
    expect(solve({ ...params, s: [1, 'a'] })).toThrow(/params\.s\[1\] must be number/);
    expect(solve({ s: [1, 0], H: params.H, W_s: params.W_s, W_h: params.W_h })).toThrow(/params\.v is required/);
    expect(solve({ ...params, extra: 1 })).toThrow(/unknown field "extra"/);
    expect(solve({ ...params, v: Array(17).fill(1) })).toThrow(/params\.v must NOT have more than 16 items/);
  });
});

describe('bahdanau-attention properties', () => {
  const cell = fc.double({ min: -3, max: 3, noNaN: true });
  const mat = (r: number, c: number) => fc.array(fc.array(cell, { minLength: c, maxLength: c }), { minLength: r, maxLength: r });
  const vec = (n: number) => fc.array(cell, { minLength: n, maxLength: n });
  const problem = fc
    .record({ n: fc.integer({ min: 1, max: 5 }), ds: fc.integer({ min: 1, max: 4 }), dh: fc.integer({ min: 1, max: 4 }), a: fc.integer({ min: 1, max: 4 }) })
    .chain(({ n, ds, dh, a }) => fc.record({ s: vec(ds), H: mat(n, dh), W_s: mat(a, ds), W_h: mat(a, dh), v: vec(a) }));

  it('weights lie in [0, 1] and sum to 1; activations lie in [−1, 1]', () => {
    fc.assert(
      fc.property(problem, (p) => {
        const s = solved('bahdanau-attention', p);
        const w = s.weights as number[];
        expect(Math.abs(w.reduce((x, y) => x + y, 0) - 1)).toBeLessThan(1e-12);
        for (const x of w) {
          expect(x).toBeGreaterThanOrEqual(0);
          expect(x).toBeLessThanOrEqual(1);
        }
        for (const row of s.activation as number[][]) for (const x of row) expect(Math.abs(x)).toBeLessThanOrEqual(1);
      }),
    );
  });

  it('the context lies in the convex hull of the h_j: each coordinate between their min and max', () => {
    fc.assert(
      fc.property(problem, (p) => {
        const c = solved('bahdanau-attention', p).context as number[];
        expect(c.length).toBe(p.H[0].length);
        c.forEach((x, k) => {
          const col = p.H.map((h) => h[k]);
          expect(x).toBeGreaterThanOrEqual(Math.min(...col) - 1e-12);
          expect(x).toBeLessThanOrEqual(Math.max(...col) + 1e-12);
        });
      }),
    );
  });
});
