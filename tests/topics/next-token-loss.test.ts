/**
 * next-token-loss golden cases, worked by hand.
 *
 * logits = [[2, 1, 0], [0, 1, 3]], targets = [1, 0]
 *   row 0: e² = 7.389056, e¹ = 2.718282, e⁰ = 1; Σ = 11.107338
 *          probs = [7.389056, 2.718282, 1]/11.107338 = [0.665241, 0.244728, 0.090031]
 *   row 1: e⁰ = 1, e¹ = 2.718282, e³ = 20.085537; Σ = 23.803819
 *          probs = [0.042010, 0.114195, 0.843795]
 *   target_probs = [p(0,1), p(1,0)] = [0.244728, 0.042010]
 *   losses = −ln p = ln Σ − z_target = [ln 11.107338 − 1, ln 23.803819 − 0] = [2.407606 − 1, 3.169846] = [1.407606, 3.169846]
 *   loss = (1.407606 + 3.169846)/2 = 2.288726
 *   perplexity = e^2.288726 = 1/√(0.244728·0.042010) = 1/√0.0102810 = 1/0.101396 = 9.86236
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { solveProblem } from '../../src/engine.js';
import { errorOf, expectClose, runGolden, solved, type GoldenCase } from '../helpers.js';

const params = { logits: [[2, 1, 0], [0, 1, 3]], targets: [1, 0] };
const right = {
  probs: [[0.665241, 0.244728, 0.090031], [0.04201, 0.114195, 0.843795]],
  target_probs: [0.244728, 0.04201],
  losses: [1.407606, 3.169846],
  loss: 2.288726,
  perplexity: 9.86236,
};

const cases: GoldenCase[] = [
  {
    name: 'hand-worked answers are all correct',
    params,
    answers: right,
    expect: { probs: 'correct', target_probs: 'correct', losses: 'correct', loss: 'correct', perplexity: 'correct' },
    score: 5,
  },
  {
    name: 'math strings are read',
    params,
    answers: {
      target_probs: ['e/(e^2 + e + 1)', '1/(1 + e + e^3)'],
      losses: ['ln(e^2 + e + 1) - 1', 'ln(1 + e + e^3)'],
      loss: '(ln(e^2 + e + 1) - 1 + ln(1 + e + e^3))/2',
      perplexity: 'exp(2.288726)',
    },
    expect: { target_probs: 'correct', losses: 'correct', loss: 'correct', perplexity: 'correct' },
  },
  {
    // p(0,1) slipped to 0.3: losses [−ln 0.3, 3.169846] = [1.203973, 3.169846];
    // loss (1.203973 + 3.169846)/2 = 2.186910; perplexity 1/√(0.3·0.042010) = 1/0.112263 = 8.90764.
    name: 'a slip in one target probability is carried through the losses, the mean and the perplexity',
    params,
    answers: { target_probs: [0.3, 0.04201], losses: [1.203973, 3.169846], loss: 2.18691, perplexity: 8.90764 },
    expect: { target_probs: 'partial', losses: 'carried', loss: 'carried', perplexity: 'carried' },
  },
  {
    // Columns: [2, 0] → [e²/(e² + 1), 1/(e² + 1)] = [0.880797, 0.119203]; [1, 1] → [0.5, 0.5];
    // [0, 3] → [1/(1 + e³), e³/(1 + e³)] = [0.047426, 0.952574].
    name: 'softmax-over-positions: normalised down the columns',
    params,
    answers: { probs: [[0.880797, 0.5, 0.047426], [0.119203, 0.5, 0.952574]] },
    expect: { probs: 'incorrect' },
    misconceptions: { probs: 'softmax-over-positions' },
  },
  {
    // σ(2) = 0.880797, σ(1) = 0.731059, σ(0) = 0.5, σ(3) = 0.952574
    name: 'sigmoid-per-logit: each logit squashed on its own',
    params,
    answers: { probs: [[0.880797, 0.731059, 0.5], [0.5, 0.731059, 0.952574]] },
    expect: { probs: 'incorrect' },
    misconceptions: { probs: 'sigmoid-per-logit' },
  },
  {
    // The largest probability of each row: [0.665241, 0.843795]
    name: "argmax-probability: the most likely token's probability, not the target's",
    params,
    answers: { target_probs: [0.665241, 0.843795] },
    expect: { target_probs: 'incorrect' },
    misconceptions: { target_probs: 'argmax-probability' },
  },
  {
    name: "raw-logit: the target's logit [z(0,1), z(1,0)] = [1, 0]",
    params,
    answers: { target_probs: [1, 0] },
    expect: { target_probs: 'incorrect' },
    misconceptions: { target_probs: 'raw-logit' },
  },
  {
    // [1.407606/ln 10, 3.169846/ln 10] = [1.407606/2.302585, 3.169846/2.302585] = [0.611316, 1.376647]
    name: 'used-log10: −log₁₀ p',
    params,
    answers: { losses: [0.611316, 1.376647] },
    expect: { losses: 'incorrect' },
    misconceptions: { losses: 'used-log10' },
  },
  {
    // [1.407606/ln 2, 3.169846/ln 2] = [1.407606/0.693147, 3.169846/0.693147] = [2.030746, 4.573121]
    name: 'used-log2: −log₂ p',
    params,
    answers: { losses: [2.030746, 4.573121] },
    expect: { losses: 'incorrect' },
    misconceptions: { losses: 'used-log2' },
  },
  {
    name: 'no-minus-sign: ln p',
    params,
    answers: { losses: [-1.407606, -3.169846] },
    expect: { losses: 'incorrect' },
    misconceptions: { losses: 'no-minus-sign' },
  },
  {
    // 1.407606 + 3.169846 = 4.577452
    name: 'sum-not-mean: the losses summed',
    params,
    answers: { loss: 4.577452 },
    expect: { loss: 'incorrect' },
    misconceptions: { loss: 'sum-not-mean' },
  },
  {
    // 2^2.288726 = e^(2.288726·0.693147) = e^1.586424 = 4.88624
    name: 'perplexity-base-2: 2^L',
    params,
    answers: { perplexity: 4.88624 },
    expect: { perplexity: 'incorrect' },
    misconceptions: { perplexity: 'perplexity-base-2' },
  },
  {
    // e^−2.288726 = 1/9.86236 = 0.101396
    name: 'perplexity-inverse: e^−L',
    params,
    answers: { perplexity: 0.101396 },
    expect: { perplexity: 'incorrect' },
    misconceptions: { perplexity: 'perplexity-inverse' },
  },
  {
    name: 'unreadable answers are invalid, not crashes',
    params,
    answers: { probs: [[0.66, 0.24, 0.09]], target_probs: 'p[1]', loss: NaN },
    expect: { probs: 'invalid', target_probs: 'invalid', loss: 'invalid' },
    score: 0,
  },
];

describe('next-token-loss golden cases', () => {
  for (const c of cases) it(c.name, () => runGolden('next-token-loss', c));

  it('solves the hand-worked example to 1e-5', () => {
    const s = solved('next-token-loss', params);
    for (const [id, v] of Object.entries(right)) expectClose(s[id], v, 1e-5, id);
  });

  it('uniform logits: every token 1/V, loss ln V, perplexity V', () => {
    // Four equal logits: p = 1/4, loss = ln 4 = 1.386294, perplexity 4.
    const s = solved('next-token-loss', { logits: [[0.5, 0.5, 0.5, 0.5]], targets: [2] });
    expectClose(s.target_probs, [0.25], 1e-12, 'target_probs');
    expectClose(s.loss, 1.386294, 1e-6, 'loss');
    expectClose(s.perplexity, 4, 1e-12, 'perplexity');
  });

  it('names the field of a bad parameter', () => {
    const bad = (over: object) => () => solveProblem('next-token-loss', { ...params, ...over });
    expect(bad({ targets: [1, 3] })).toThrow(/params\.targets\[1\] is 3, but logits has 3 columns, so a token index is 0 … 2/);
    expect(bad({ targets: [1] })).toThrow(/params\.targets has 1 entries but logits has 2; they must match/);
    expect(bad({ targets: [1, 0.5] })).toThrow(/params\.targets\[1\] must be integer/);
    expect(bad({ targets: [1, -1] })).toThrow(/params\.targets\[1\] must be >= 0/);
    expect(bad({ logits: [[2, 1, 0], [0, 1]] })).toThrow(/params\.logits\[1\] has 2 entries; row 0 has 3/);
    expect(bad({ logits: [[2], [1]] })).toThrow(/params\.logits\[0\] must NOT have fewer than 2 items/);
    expect(bad({ labels: [1, 0] })).toThrow(/unknown field "labels"/);
    expect(() => solveProblem('next-token-loss', { logits: [[1, 2]] })).toThrow(/params\.targets is required/);
    const far = errorOf(bad({ logits: [[2, -900, 0], [0, 1, 3]] }));
    expect(far.code).toBe('invalid_params');
    expect(far.path).toBe('params.logits[0]');
    expect(far.message).toMatch(/underflows double precision/);
  });
});

describe('next-token-loss properties', () => {
  const problem = fc
    .record({ n: fc.integer({ min: 1, max: 6 }), V: fc.integer({ min: 2, max: 8 }) })
    .chain(({ n, V }) =>
      fc.record({
        logits: fc.array(fc.array(fc.double({ min: -20, max: 20, noNaN: true }), { minLength: V, maxLength: V }), { minLength: n, maxLength: n }),
        targets: fc.array(fc.integer({ min: 0, max: V - 1 }), { minLength: n, maxLength: n }),
      }),
    );

  it('rows sum to 1, losses ≥ 0, perplexity ≥ 1 and equals 1/geometric mean of the target probabilities', () => {
    fc.assert(
      fc.property(problem, (p) => {
        const s = solved('next-token-loss', p);
        for (const row of s.probs as number[][]) expect(Math.abs(row.reduce((a, b) => a + b, 0) - 1)).toBeLessThan(1e-12);
        for (const l of s.losses as number[]) expect(l).toBeGreaterThanOrEqual(0);
        expect(s.perplexity as number).toBeGreaterThanOrEqual(1 - 1e-12);
        const logGeo = (s.target_probs as number[]).reduce((a, x) => a + Math.log(x), 0) / p.targets.length;
        expect(Math.abs(Math.log(s.perplexity as number) + logGeo)).toBeLessThan(1e-9);
      }),
    );
  });

  it('adding a constant to a row changes nothing (softmax is shift-invariant)', () => {
    fc.assert(
      fc.property(problem, fc.double({ min: -50, max: 50, noNaN: true }), (p, c) => {
        const a = solved('next-token-loss', p);
        const b = solved('next-token-loss', { ...p, logits: p.logits.map((r) => r.map((x) => x + c)) });
        expectClose(b.loss, a.loss as number, 1e-9, 'loss');
      }),
    );
  });
});
