/**
 * self-attention golden cases, worked by hand from softmax(QKᵀ/√d_k)V + X with d_k = 2:
 * X = [[1,0],[1,1]], W_Q = W_V = I, W_K = [[1,1],[0,1]] gives Q = V = X, K = [[1,1],[1,2]],
 * QKᵀ = [[1,1],[2,3]], scaled = [[0.70711,0.70711],[1.41421,2.12132]],
 * weights = [[0.5,0.5],[0.330238,0.669762]] (1/(1+e^0.70711) = 0.330238),
 * AV = [[1,0.5],[1,0.669762]], output = [[2,0.5],[2,1.669762]].
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { solveProblem, StepwiseError } from '../../src/engine.js';
import { expectClose, runGolden, solved, type GoldenCase } from '../helpers.js';

const I = [
  [1, 0],
  [0, 1],
];
const params = { X: [[1, 0], [1, 1]], W_Q: I, W_K: [[1, 1], [0, 1]], W_V: I };
const right = {
  Q: [[1, 0], [1, 1]],
  K: [[1, 1], [1, 2]],
  V: [[1, 0], [1, 1]],
  scores: [[1, 1], [2, 3]],
  scaled_scores: [[0.70711, 0.70711], [1.41421, 2.12132]],
  weights: [[0.5, 0.5], [0.330238, 0.669762]],
  attention_output: [[1, 0.5], [1, 0.669762]],
  output: [[2, 0.5], [2, 1.669762]],
};

const cases: GoldenCase[] = [
  { name: 'hand-worked answers are all correct', params, answers: right, expect: { Q: 'correct', output: 'correct' }, score: 8 },
  {
    name: 'math strings are read',
    params,
    answers: { ...right, scaled_scores: '[[1, 1], [2, 3]] / sqrt(2)', weights: [['1/2', '0.5'], ['1/(1+e^(1/sqrt(2)))', '0.669762']] },
    expect: { scaled_scores: 'correct', weights: 'correct' },
  },
  {
    name: 'an arithmetic slip in the scores is carried through every later step',
    params,
    answers: {
      ...right,
      scores: [[1, 1], [2, 4]],
      scaled_scores: [[0.70711, 0.70711], [1.41421, 2.82843]],
      weights: [[0.5, 0.5], [0.195571, 0.804429]],
      attention_output: [[1, 0.5], [1, 0.804429]],
      output: [[2, 0.5], [2, 1.804429]],
    },
    expect: { scores: 'partial', scaled_scores: 'carried', weights: 'carried', attention_output: 'carried', output: 'carried' },
    score: 7.75,
  },
  {
    name: 'divided by d_k instead of √d_k',
    params,
    answers: { scaled_scores: [[0.5, 0.5], [1, 1.5]] },
    expect: { scaled_scores: 'incorrect', Q: 'missing' },
    misconceptions: { scaled_scores: 'divided-by-dk' },
  },
  {
    name: 'scores left unscaled',
    params,
    answers: { scaled_scores: [[1, 1], [2, 3]] },
    expect: { scaled_scores: 'incorrect' },
    misconceptions: { scaled_scores: 'no-scaling' },
  },
  {
    name: 'K Qᵀ instead of Q Kᵀ (the diagonal agrees)',
    params,
    answers: { scores: [[1, 2], [1, 3]] },
    expect: { scores: 'incorrect' },
    misconceptions: { scores: 'scores-transposed' },
  },
  {
    name: 'softmax taken down the columns (col 1: softmax(0.70711, 1.41421); col 2: softmax(0.70711, 2.12132))',
    params,
    answers: { weights: [[0.330238, 0.195571], [0.669762, 0.804429]] },
    expect: { weights: 'incorrect' },
    misconceptions: { weights: 'softmax-down-columns' },
  },
  {
    name: 'residual forgotten (the 0.5 agrees because X has a zero there)',
    params,
    answers: { output: [[1, 0.5], [1, 0.669762]] },
    expect: { output: 'incorrect' },
    misconceptions: { output: 'residual-forgotten' },
  },
  {
    name: 'causal: masked entries as null or -inf; the mask hides key 2 from query 1',
    params: { ...params, causal: true },
    answers: {
      scaled_scores: [[0.70711, null], [1.41421, 2.12132]],
      weights: [[1, 0], [0.330238, 0.669762]],
      attention_output: [['1', '0'], [1, 0.669762]],
      output: [[2, 0], [2, 1.669762]],
    },
    expect: { scaled_scores: 'correct', weights: 'correct', attention_output: 'correct', output: 'correct' },
  },
  {
    name: 'causal: "-inf" reads as masked',
    params: { ...params, causal: true },
    answers: { scaled_scores: [[0.70711, '-inf'], [1.41421, 2.12132]] },
    expect: { scaled_scores: 'correct' },
  },
  {
    name: 'causal: mask not applied',
    params: { ...params, causal: true },
    answers: { scaled_scores: [[0.70711, 0.70711], [1.41421, 2.12132]] },
    expect: { scaled_scores: 'incorrect' },
    misconceptions: { scaled_scores: 'causal-mask-missing' },
  },
  {
    name: 'unreadable answers are invalid, not crashes',
    params,
    answers: { Q: [[1, 0], [1]], K: 'x = 3', V: 'import("fs")', scores: [[1, 1], [2, NaN]], weights: '[[1,2],[3,4]] * [[1,0],[0,1]]' },
    expect: { Q: 'invalid', K: 'invalid', V: 'invalid', scores: 'invalid', weights: 'invalid' },
  },
];

describe('self-attention golden cases', () => {
  for (const c of cases) it(c.name, () => runGolden('self-attention', c));

  it('solves the hand-worked example to 1e-5', () => {
    const s = solved('self-attention', params);
    for (const [id, v] of Object.entries(right)) expectClose(s[id], v, 1e-5, id);
  });

  it('serialises masked entries as null in JSON', () => {
    const s = solveProblem('self-attention', { ...params, causal: true });
    expect(JSON.parse(JSON.stringify(s.steps.find((x) => x.id === 'scaled_scores')!.value))).toEqual([
      [expect.closeTo(0.70711, 5), null],
      [expect.closeTo(1.41421, 5), expect.closeTo(2.12132, 5)],
    ]);
  });

  it('names the field of a shape mismatch', () => {
    const bad = { ...params, W_K: [[1, 1, 0], [0, 1, 0]] };
    expect(() => solveProblem('self-attention', bad)).toThrow(StepwiseError);
    expect(() => solveProblem('self-attention', bad)).toThrow(/params\.W_K is 2×3 but must be 2×2/);
    expect(() => solveProblem('self-attention', { ...params, W_V: [[1]] })).toThrow(/params\.W_V/);
    expect(() => solveProblem('self-attention', { ...params, extra: 1 })).toThrow(/unknown field "extra"/);
    expect(() => solveProblem('self-attention', { ...params, X: [[1, 'a'], [1, 1]] })).toThrow(/params\.X\[0\]\[1\] must be number/);
  });
});

describe('self-attention generation', () => {
  it('sets causal problems at medium and hard, never at easy', async () => {
    const { generateProblem } = await import('../../src/engine.js');
    const causal = (d: 'easy' | 'medium' | 'hard') =>
      Array.from({ length: 200 }, (_, seed) => (generateProblem('self-attention', seed, d).params as { causal?: boolean }).causal === true).filter(Boolean).length;
    expect(causal('easy')).toBe(0);
    expect(causal('medium')).toBeGreaterThan(20); // a quarter is drawn causal
    expect(causal('hard')).toBeGreaterThan(60); // half is drawn causal
  });
});

describe('self-attention properties', () => {
  const cell = fc.double({ min: -3, max: 3, noNaN: true });
  const problem = fc
    .record({ n: fc.integer({ min: 1, max: 5 }), d: fc.integer({ min: 1, max: 4 }), dk: fc.integer({ min: 1, max: 4 }), causal: fc.boolean() })
    .chain(({ n, d, dk, causal }) =>
      fc.record({
        X: fc.array(fc.array(cell, { minLength: d, maxLength: d }), { minLength: n, maxLength: n }),
        W_Q: fc.array(fc.array(cell, { minLength: dk, maxLength: dk }), { minLength: d, maxLength: d }),
        W_K: fc.array(fc.array(cell, { minLength: dk, maxLength: dk }), { minLength: d, maxLength: d }),
        W_V: fc.array(fc.array(cell, { minLength: d, maxLength: d }), { minLength: d, maxLength: d }),
        causal: fc.constant(causal),
      }),
    );

  it('attention weights: each row sums to 1, entries in [0, 1], masked entries 0', () => {
    fc.assert(
      fc.property(problem, (p) => {
        const w = solved('self-attention', p).weights as number[][];
        w.forEach((row, i) => {
          expect(Math.abs(row.reduce((a, b) => a + b, 0) - 1)).toBeLessThan(1e-12);
          row.forEach((x, j) => {
            expect(x).toBeGreaterThanOrEqual(0);
            expect(x).toBeLessThanOrEqual(1);
            if (p.causal && j > i) expect(x).toBe(0);
          });
        });
      }),
    );
  });
});
