/**
 * reward-model-loss golden cases, worked by hand from the Bradley–Terry pairwise loss
 * L = −mean ln σ(r_chosen − r_rejected).
 *
 * chosen = [2, 0.5], rejected = [1, 1.5]
 *   margins = [2 − 1, 0.5 − 1.5] = [1, −1]
 *   probs = [σ(1), σ(−1)] = [1/(1 + e^−1), 1/(1 + e)] = [1/1.367879, 1/3.718282] = [0.731059, 0.268941]
 *   losses = −ln P = ln(1 + e^−m) = [ln 1.367879, ln 3.718282] = [0.313262, 1.313262]
 *   loss = (0.313262 + 1.313262)/2 = 0.813262
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { solveProblem } from '../../src/engine.js';
import { errorOf, expectClose, runGolden, solved, type GoldenCase } from '../helpers.js';

const params = { chosen: [2, 0.5], rejected: [1, 1.5] };
const right = { margins: [1, -1], probs: [0.731059, 0.268941], losses: [0.313262, 1.313262], loss: 0.813262 };

const cases: GoldenCase[] = [
  {
    name: 'hand-worked answers are all correct',
    params,
    answers: right,
    expect: { margins: 'correct', probs: 'correct', losses: 'correct', loss: 'correct' },
    score: 4,
  },
  {
    name: 'math strings are read',
    params,
    answers: { margins: '[2 - 1, 0.5 - 1.5]', probs: ['1/(1 + e^-1)', '1/(1 + e)'], losses: ['ln(1 + exp(-1))', 'ln(1 + e)'], loss: '(ln(1 + e^-1) + ln(1 + e))/2' },
    expect: { margins: 'correct', probs: 'correct', losses: 'correct', loss: 'correct' },
    score: 4,
  },
  {
    // Second margin slipped to −0.5: probs [0.731059, σ(−0.5) = 1/(1 + e^0.5) = 1/2.648721 = 0.377541];
    // losses [0.313262, ln 2.648721 = 0.974077]; loss (0.313262 + 0.974077)/2 = 0.643670.
    name: 'a slip in one margin is carried through the probabilities, the losses and the mean',
    params,
    answers: { margins: [1, -0.5], probs: [0.731059, 0.377541], losses: [0.313262, 0.974077], loss: 0.64367 },
    expect: { margins: 'partial', probs: 'carried', losses: 'carried', loss: 'carried' },
    score: 3.5,
  },
  {
    name: 'margin-reversed: r_rejected − r_chosen = [−1, 1]',
    params,
    answers: { margins: [-1, 1] },
    expect: { margins: 'incorrect' },
    misconceptions: { margins: 'margin-reversed' },
  },
  {
    // A student who flips the margin but then applies σ correctly is carried, not wrong twice:
    // probs σ(−1), σ(1) = [0.268941, 0.731059]; losses [1.313262, 0.313262]; loss the same 0.813262.
    name: 'a flipped margin carried through a correct sigmoid is carried',
    params,
    answers: { margins: [-1, 1], probs: [0.268941, 0.731059], losses: [1.313262, 0.313262], loss: 0.813262 },
    expect: { margins: 'incorrect', probs: 'carried', losses: 'carried', loss: 'correct' },
  },
  {
    name: 'sigmoid-sign-flipped: 1/(1 + e^m) = [0.268941, 0.731059] from the right margins',
    params,
    answers: { margins: [1, -1], probs: [0.268941, 0.731059] },
    expect: { margins: 'correct', probs: 'incorrect' },
    misconceptions: { probs: 'sigmoid-sign-flipped' },
  },
  {
    // [2/(2 + 1), 0.5/(0.5 + 1.5)] = [0.666667, 0.25]
    name: 'ratio-without-exp: r_c/(r_c + r_r)',
    params,
    answers: { probs: [0.666667, 0.25] },
    expect: { probs: 'incorrect' },
    misconceptions: { probs: 'ratio-without-exp' },
  },
  {
    // −ln(1 − P) = [−ln 0.268941, −ln 0.731059] = [1.313262, 0.313262]
    name: 'loss-of-rejected: −ln(1 − σ(m))',
    params,
    answers: { losses: [1.313262, 0.313262] },
    expect: { losses: 'incorrect' },
    misconceptions: { losses: 'loss-of-rejected' },
  },
  {
    name: 'no-minus-sign: ln σ(m)',
    params,
    answers: { losses: [-0.313262, -1.313262] },
    expect: { losses: 'incorrect' },
    misconceptions: { losses: 'no-minus-sign' },
  },
  {
    // [0.313262/2.302585, 1.313262/2.302585] = [0.136048, 0.570342]
    name: 'used-log10: −log₁₀ σ(m)',
    params,
    answers: { losses: [0.136048, 0.570342] },
    expect: { losses: 'incorrect' },
    misconceptions: { losses: 'used-log10' },
  },
  {
    // 0.313262 + 1.313262 = 1.626524
    name: 'sum-not-mean: the losses summed',
    params,
    answers: { loss: 1.626524 },
    expect: { loss: 'incorrect' },
    misconceptions: { loss: 'sum-not-mean' },
  },
  {
    name: 'unreadable answers are invalid, not crashes',
    params,
    answers: { margins: [1], probs: 'sigma(1)', loss: NaN },
    expect: { margins: 'invalid', probs: 'invalid', loss: 'invalid' },
    score: 0,
  },
];

describe('reward-model-loss golden cases', () => {
  for (const c of cases) it(c.name, () => runGolden('reward-model-loss', c));

  it('solves the hand-worked example to 1e-6', () => {
    const s = solved('reward-model-loss', params);
    for (const [id, v] of Object.entries(right)) expectClose(s[id], v, 1e-6, id);
  });

  it('a tie (equal rewards) costs ln 2', () => {
    // σ(0) = ½, −ln ½ = ln 2 = 0.693147
    const s = solved('reward-model-loss', { chosen: [0.3], rejected: [0.3] });
    expectClose(s.probs, [0.5], 1e-12, 'probs');
    expectClose(s.loss, 0.693147, 1e-6, 'loss');
  });

  it('names the field of a bad parameter', () => {
    const bad = (over: object) => () => solveProblem('reward-model-loss', { ...params, ...over });
    expect(bad({ rejected: [1] })).toThrow(/params\.rejected has 1 entries but chosen has 2; they must match/);
    expect(bad({ chosen: [2, '0.5'] })).toThrow(/params\.chosen\[1\] must be number/);
    expect(bad({ chosen: [] })).toThrow(/params\.chosen must NOT have fewer than 1 items/);
    expect(bad({ chosen: [2, 2e6] })).toThrow(/params\.chosen\[1\] must be <= 1000000/);
    expect(bad({ margin: [1, 1] })).toThrow(/unknown field "margin"/);
    expect(() => solveProblem('reward-model-loss', { chosen: [1] })).toThrow(/params\.rejected is required/);
    const far = errorOf(bad({ rejected: [1, 800] }));
    expect(far.code).toBe('invalid_params');
    expect(far.path).toBe('params.rejected[1]');
    expect(far.message).toMatch(/loss is infinite in double precision/);
  });
});

describe('reward-model-loss properties', () => {
  const reward = fc.double({ min: -30, max: 30, noNaN: true });
  const problem = fc.integer({ min: 1, max: 16 }).chain((n) =>
    fc.record({ chosen: fc.array(reward, { minLength: n, maxLength: n }), rejected: fc.array(reward, { minLength: n, maxLength: n }) }),
  );

  it('loss ≥ 0, P > ½ when the margin is positive (< ½ when negative), and swapping the answers gives the probabilities 1 − P', () => {
    fc.assert(
      fc.property(problem, (p) => {
        const s = solved('reward-model-loss', p);
        const swapped = solved('reward-model-loss', { chosen: p.rejected, rejected: p.chosen });
        expect(s.loss as number).toBeGreaterThanOrEqual(0);
        (s.margins as number[]).forEach((m, i) => {
          const P = (s.probs as number[])[i];
          // (A margin below 1e-9 moves σ less than a double can show: P rounds to ½.)
          if (m > 1e-9) expect(P).toBeGreaterThan(0.5);
          if (m < -1e-9) expect(P).toBeLessThan(0.5);
          expect(Math.abs(P + (swapped.probs as number[])[i] - 1)).toBeLessThan(1e-12);
        });
      }),
    );
  });

  it('adding the same constant to both rewards changes nothing', () => {
    fc.assert(
      fc.property(problem, fc.double({ min: -100, max: 100, noNaN: true }), (p, c) => {
        const a = solved('reward-model-loss', p);
        const b = solved('reward-model-loss', { chosen: p.chosen.map((x) => x + c), rejected: p.rejected.map((x) => x + c) });
        expectClose(b.loss, a.loss as number, 1e-9 * Math.max(1, a.loss as number), 'loss');
      }),
    );
  });
});
