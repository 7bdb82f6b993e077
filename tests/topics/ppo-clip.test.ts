/**
 * ppo-clip golden cases, worked by hand from Schulman et al. 2017, eq. 7, with the loss −mean.
 *
 * logp_new = [−0.7, −1.2, −1.5], logp_old = [−1.2, −0.7, −2], advantages = [1.5, −2, −1], ε = 0.2
 *   ratios = [e^0.5, e^−0.5, e^0.5] = [1.648721, 0.606531, 1.648721]
 *   unclipped = [1.648721·1.5, 0.606531·(−2), 1.648721·(−1)] = [2.473082, −1.213061, −1.648721]
 *   clip(r, 0.8, 1.2) = [1.2, 0.8, 1.2] → clipped = [1.8, −1.6, −1.2]
 *   objective = min = [1.8, −1.6, −1.648721]   (the third: a bad action made likelier is not clipped)
 *   loss = −(1.8 − 1.6 − 1.648721)/3 = 1.448721/3 = 0.482907
 *
 * All-negative advantages, logp_new = [−0.7, −1.2], logp_old = [−1.2, −0.7], advantages = [−1, −2], ε = 0.2:
 *   ratios [1.648721, 0.606531]; unclipped [−1.648721, −1.213061]; clipped [−1.2, −1.6];
 *   objective [−1.648721, −1.6]
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { gradeAnswers, solveProblem } from '../../src/engine.js';
import { errorOf, expectClose, runGolden, solved, type GoldenCase } from '../helpers.js';

const params = { logp_new: [-0.7, -1.2, -1.5], logp_old: [-1.2, -0.7, -2], advantages: [1.5, -2, -1], epsilon: 0.2 };
const right = {
  ratios: [1.648721, 0.606531, 1.648721],
  unclipped: [2.473082, -1.213061, -1.648721],
  clipped: [1.8, -1.6, -1.2],
  objective: [1.8, -1.6, -1.648721],
  loss: 0.482907,
};
const negative = { logp_new: [-0.7, -1.2], logp_old: [-1.2, -0.7], advantages: [-1, -2], epsilon: 0.2 };

const cases: GoldenCase[] = [
  {
    name: 'hand-worked answers are all correct',
    params,
    answers: right,
    expect: { ratios: 'correct', unclipped: 'correct', clipped: 'correct', objective: 'correct', loss: 'correct' },
    score: 5,
  },
  {
    name: 'math strings are read',
    params,
    answers: { ratios: ['e^0.5', 'exp(-0.5)', 'sqrt(e)'], unclipped: '[1.5*e^0.5, -2*e^-0.5, -e^0.5]', clipped: [1.8, '-2*0.8', '-1.2'], loss: '-(1.8 - 1.6 - e^0.5)/3' },
    expect: { ratios: 'correct', unclipped: 'correct', clipped: 'correct', loss: 'correct' },
  },
  {
    // First ratio slipped to 1.1 (inside the clip range): unclipped [1.65, …], clipped [1.1·1.5 = 1.65, …],
    // objective [1.65, −1.6, −1.648721], loss −(1.65 − 1.6 − 1.648721)/3 = 1.598721/3 = 0.532907.
    name: 'a slip in one ratio is carried through both terms, the objective and the loss',
    params,
    answers: {
      ratios: [1.1, 0.606531, 1.648721],
      unclipped: [1.65, -1.213061, -1.648721],
      clipped: [1.65, -1.6, -1.2],
      objective: [1.65, -1.6, -1.648721],
      loss: 0.532907,
    },
    expect: { ratios: 'partial', unclipped: 'carried', clipped: 'carried', objective: 'carried', loss: 'carried' },
  },
  {
    name: 'ratio-inverted: e^(old − new) = [e^−0.5, e^0.5, e^−0.5]',
    params,
    answers: { ratios: [0.606531, 1.648721, 0.606531] },
    expect: { ratios: 'incorrect' },
    misconceptions: { ratios: 'ratio-inverted' },
  },
  {
    name: 'ratio-not-exponentiated: the log ratio [0.5, −0.5, 0.5]',
    params,
    answers: { ratios: [0.5, -0.5, 0.5] },
    expect: { ratios: 'incorrect' },
    misconceptions: { ratios: 'ratio-not-exponentiated' },
  },
  {
    // [−0.7/−1.2, −1.2/−0.7, −1.5/−2] = [0.583333, 1.714286, 0.75]
    name: 'ratio-of-log-probs: log π_new / log π_old',
    params,
    answers: { ratios: [0.583333, 1.714286, 0.75] },
    expect: { ratios: 'incorrect' },
    misconceptions: { ratios: 'ratio-of-log-probs' },
  },
  {
    // r·clip(Â, 0.8, 1.2) = [1.648721·1.2, 0.606531·0.8, 1.648721·0.8] = [1.978466, 0.485225, 1.318977]
    name: 'clipped-advantage: the advantage clipped instead of the ratio',
    params,
    answers: { clipped: [1.978466, 0.485225, 1.318977] },
    expect: { clipped: 'incorrect' },
    misconceptions: { clipped: 'clipped-advantage' },
  },
  {
    name: 'clip-not-multiplied: clip(r) = [1.2, 0.8, 1.2] without Â',
    params,
    answers: { clipped: [1.2, 0.8, 1.2] },
    expect: { clipped: 'incorrect' },
    misconceptions: { clipped: 'clip-not-multiplied' },
  },
  {
    // max(unclipped, clipped) = [2.473082, −1.213061, −1.2]
    name: 'max-not-min: the larger term kept',
    params,
    answers: { objective: [2.473082, -1.213061, -1.2] },
    expect: { objective: 'incorrect' },
    misconceptions: { objective: 'max-not-min' },
  },
  {
    name: 'loss-sign: the mean objective, +(1.8 − 1.6 − 1.648721)/3 = −0.482907',
    params,
    answers: { loss: -0.482907 },
    expect: { loss: 'incorrect' },
    misconceptions: { loss: 'loss-sign' },
  },
  {
    name: 'sum-not-mean: −(1.8 − 1.6 − 1.648721) = 1.448721',
    params,
    answers: { loss: 1.448721 },
    expect: { loss: 'incorrect' },
    misconceptions: { loss: 'sum-not-mean' },
  },
  {
    name: 'unreadable answers are invalid, not crashes',
    params,
    answers: { ratios: [1.6, 0.6], clipped: 'clip(r)', loss: NaN },
    expect: { ratios: 'invalid', clipped: 'invalid', loss: 'invalid' },
    score: 0,
  },
];

describe('ppo-clip golden cases', () => {
  for (const c of cases) it(c.name, () => runGolden('ppo-clip', c));

  it('solves the hand-worked examples to 1e-6', () => {
    const s = solved('ppo-clip', params);
    for (const [id, v] of Object.entries(right)) expectClose(s[id], v, 1e-6, id);
    const n = solved('ppo-clip', negative);
    expectClose(n.clipped, [-1.2, -1.6], 1e-12, 'clipped');
    expectClose(n.objective, [-1.648721, -1.6], 1e-6, 'objective');
  });

  it('min-before-advantage: min(r, clip(r))·Â is named, and earns nothing where the advantage is negative', () => {
    // min(r, clip r)·Â = [min(1.648721, 1.2)·1.5, min(0.606531, 0.8)·(−2), min(1.648721, 1.2)·(−1)]
    //                  = [1.8, −1.213061, −1.2]: right where Â > 0 (the first), the max where Â < 0.
    const g = gradeAnswers('ppo-clip', params, { objective: [1.8, -1.213061, -1.2] });
    const step = g.steps.find((x) => x.id === 'objective')!;
    expect(step.misconception?.id).toBe('min-before-advantage');
    expect(['partial', 'incorrect']).toContain(step.status);
    expect(step.credit).toBeLessThanOrEqual(1 / 3 + 1e-9);
    // With every advantage negative the same slip is exactly max-not-min (min(r, c)·Â = max(rÂ, cÂ) for Â < 0):
    // [max(−1.648721, −1.2), max(−1.213061, −1.6)] = [−1.2, −1.213061]; the truth is [−1.648721, −1.6].
    const n = gradeAnswers('ppo-clip', negative, { objective: [-1.2, -1.213061] });
    expect(n.steps.find((x) => x.id === 'objective')!.status).toBe('incorrect');
    expect(n.steps.find((x) => x.id === 'objective')!.misconception?.id).toBe('max-not-min');
  });

  it('names the field of a bad parameter', () => {
    const bad = (over: object) => () => solveProblem('ppo-clip', { ...params, ...over });
    expect(bad({ logp_old: [-1, -1] })).toThrow(/params\.logp_old has 2 entries but logp_new has 3; they must match/);
    expect(bad({ advantages: [1] })).toThrow(/params\.advantages has 1 entries but logp_new has 3; they must match/);
    expect(bad({ logp_new: [-0.7, 0.2, -1.5] })).toThrow(/params\.logp_new\[1\] must be <= 0/);
    expect(bad({ epsilon: 0 })).toThrow(/params\.epsilon must be > 0/);
    expect(bad({ epsilon: 1 })).toThrow(/params\.epsilon must be < 1/);
    expect(bad({ epsilon: '0.2' })).toThrow(/params\.epsilon must be number/);
    expect(bad({ clip: 0.2 })).toThrow(/unknown field "clip"/);
    expect(() => solveProblem('ppo-clip', { logp_new: [-1], logp_old: [-1], advantages: [1] })).toThrow(/params\.epsilon is required/);
    const far = errorOf(bad({ logp_new: [-0.7, -200, -1.5] }));
    expect(far.code).toBe('invalid_params');
    expect(far.path).toBe('params.logp_new[1]');
    expect(far.message).toMatch(/ratio beyond e\^100/);
  });
});

describe('ppo-clip properties', () => {
  const logp = fc.double({ min: -10, max: 0, noNaN: true });
  const problem = fc.integer({ min: 1, max: 16 }).chain((n) =>
    fc.record({
      logp_new: fc.array(logp, { minLength: n, maxLength: n }),
      logp_old: fc.array(logp, { minLength: n, maxLength: n }),
      advantages: fc.array(fc.double({ min: -5, max: 5, noNaN: true }), { minLength: n, maxLength: n }),
      epsilon: fc.double({ min: 0.01, max: 0.99, noNaN: true }),
    }),
  );

  it('the objective never exceeds the unclipped term, and equals it when the ratio is inside the clip range', () => {
    fc.assert(
      fc.property(problem, (p) => {
        const s = solved('ppo-clip', p);
        (s.objective as number[]).forEach((o, i) => {
          const u = (s.unclipped as number[])[i];
          expect(o).toBeLessThanOrEqual(u);
          const r = (s.ratios as number[])[i];
          if (r >= 1 - p.epsilon && r <= 1 + p.epsilon) expect(o).toBe(u);
        });
      }),
    );
  });

  it('unchanged policy (logp_new = logp_old): ratios 1 and loss −mean(Â)', () => {
    fc.assert(
      fc.property(problem, (p) => {
        const s = solved('ppo-clip', { ...p, logp_new: p.logp_old });
        expect(s.ratios).toEqual(p.logp_old.map(() => 1));
        const meanA = p.advantages.reduce((a, b) => a + b, 0) / p.advantages.length;
        expect(Math.abs((s.loss as number) + meanA)).toBeLessThan(1e-12);
      }),
    );
  });
});
