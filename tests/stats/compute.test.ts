/**
 * Item statistics against values worked out by hand (in the comments), not by the code under test.
 * Variances divide by n − 1; discrimination is 100·r(mark, rest of exam without the item).
 */
import { describe, expect, it } from 'vitest';
import { computeStatistics, type ItemLayout, type Respondent } from '../../src/stats/compute.js';

const step = (item: number, s: string, note: string, mark: number, max: number) => ({ item, step: s, note, mark, max });
const close = (x: number | null, want: number, tol = 1e-4) => {
  expect(x).not.toBeNull();
  expect(Math.abs(x! - want)).toBeLessThan(tol);
};

// Item 1: steps a, b (1 mark each); item 2: step c (2 marks). Four students:
//   S1: a 1 correct,            b 1 correct,             c 2 correct  → total 4
//   S2: a 1 correct,            b 0 misconception:m1,    c 1 partial  → total 2
//   S3: a 0 missing,            b 1 carried,             c 2 correct  → total 3
//   S4: a 0 invalid:syntax,     b 0 misconception:m1,    c 0 missing  → total 0
const layout: ItemLayout[] = [
  { item: 1, label: 't1', steps: ['a', 'b'] },
  { item: 2, label: 't2', steps: ['c'] },
];
const people: Respondent[] = [
  { id: 'S1', steps: [step(1, 'a', 'correct', 1, 1), step(1, 'b', 'correct', 1, 1), step(2, 'c', 'correct', 2, 2)] },
  { id: 'S2', steps: [step(1, 'a', 'correct', 1, 1), step(1, 'b', 'misconception:m1', 0, 1), step(2, 'c', 'partial', 1, 2)] },
  { id: 'S3', steps: [step(1, 'a', 'missing', 0, 1), step(1, 'b', 'carried', 1, 1), step(2, 'c', 'correct', 2, 2)] },
  { id: 'S4', steps: [step(1, 'a', 'invalid:syntax', 0, 1), step(1, 'b', 'misconception:m1', 0, 1), step(2, 'c', 'missing', 0, 2)] },
];

describe('item statistics on a small exam (hand-computed)', () => {
  const s = computeStatistics(layout, people, 'exam');
  const st = (id: string) => s.steps.find((x) => x.step === id)!;

  it('step a: facility, sd, discrimination against the rest of the exam without item 1, efficiency, invalid rate', () => {
    // x = [1,1,0,0]; rest = total − item 1 = c = [2,1,2,0].
    // facility = 2/4 = 0.5; sd of x/max: mean .5, Σd² = 4·.25 = 1, /3 → sd = √(1/3) = 0.57735.
    // dx = [.5,.5,−.5,−.5], dy = [.75,−.25,.75,−1.25]: Σdx·dy = .375−.125−.375+.625 = .5,
    // Σdx² = 1, Σdy² = 2.75 → r = .5/√2.75 = 0.301511 → 30.1511.
    // Sorted alike: x [0,0,1,1], y [0,1,2,2] (dy [−1.25,−.25,.75,.75]): Σ = .625+.125+.375+.375 = 1.5
    // → efficiency = 100·.5/1.5 = 33.3333 (ties in both x and y).
    const a = st('a');
    expect(a).toMatchObject({ item: 1, step: 'a', n: 4, maxMark: 1, ecfShare: 0, invalidRate: 0.25, unreliable: true });
    close(a.facility, 0.5);
    close(a.sd, 0.57735);
    close(a.discrimination, 30.1511);
    close(a.discriminativeEfficiency, 33.3333);
    expect(a.notes).toEqual({ correct: 2, missing: 1, 'invalid:syntax': 1 });
  });

  it('step b: a carried mark is half the credit; discrimination 90.45, efficiency 100', () => {
    // x = [1,0,1,0]: dx = [.5,−.5,.5,−.5] with dy as for a: Σ = .375+.125+.375+.625 = 1.5
    // → r = 1.5/√2.75 = 0.904534; max covariance sum is again 1.5 → 100. ECF: 1 of 2 credits.
    const b = st('b');
    close(b.facility, 0.5);
    close(b.discrimination, 90.4534);
    close(b.discriminativeEfficiency, 100);
    close(b.ecfShare, 0.5);
    expect(b.invalidRate).toBe(0);
  });

  it('step c (item 2): rest is item 1', () => {
    // x = [2,1,2,0] (max 2): facility 5/8 = .625; x/max = [1,.5,1,0], mean .625, Σd² = .6875 → sd = √(.6875/3) = 0.478714.
    // rest = item 1 = [2,1,1,0]: dx = [.75,−.25,.75,−1.25], dy = [1,0,0,−1]: Σ = 2; Σdx² 2.75, Σdy² 2 → r = 2/√5.5 = 0.852803.
    // Sorted: x [0,1,2,2] dx [−1.25,−.25,.75,.75], y [0,1,1,2] dy [−1,0,0,1]: Σ = 2 → 100.
    const c = st('c');
    close(c.facility, 0.625);
    close(c.sd, 0.478714);
    close(c.discrimination, 85.2803);
    close(c.discriminativeEfficiency, 100);
    expect(c.maxMark).toBe(2);
  });

  it('items: item 1 against item 2 (and back), ECF share and invalid rate over its step answers', () => {
    // Item 1 marks [2,1,1,0] (max 2): facility 4/8 = .5; x/max [1,.5,.5,0] → Σd² = .5, sd = √(.5/3) = 0.408248.
    // rest = c = [2,1,2,0]: dx [1,0,0,−1], dy [.75,−.25,.75,−1.25]: Σ = 2, Σdx² = 2, Σdy² = 2.75 → r = .852803.
    // ECF: 1 carried credit of 4 credits = .25; invalid: 1 of 8 step answers = .125.
    const [i1, i2] = s.items;
    expect(i1).toMatchObject({ item: 1, step: null, topic: 't1', n: 4, maxMark: 2 });
    close(i1.facility, 0.5);
    close(i1.sd, 0.408248);
    close(i1.discrimination, 85.2803);
    close(i1.discriminativeEfficiency, 100);
    close(i1.ecfShare, 0.25);
    close(i1.invalidRate, 0.125);
    close(i2.discrimination, 85.2803);
  });

  it('misconception m1 at step b: 2 of 4, correlation with the total', () => {
    // indicator [0,1,0,1], totals [4,2,3,0] (mean 2.25): dx [−.5,.5,−.5,.5], dy [1.75,−.25,.75,−2.25]
    // Σ = −.875−.125−.375−1.125 = −2.5; Σdx² = 1, Σdy² = 8.75 → r = −2.5/√8.75 = −0.845154.
    expect(s.misconceptions).toHaveLength(1);
    const m = s.misconceptions[0];
    expect(m).toMatchObject({ item: 1, step: 'b', misconception: 'm1', occurrences: 2, rate: 0.5 });
    close(m.correlationWithTotal, -0.845154);
    expect(s.misconceptionTotals).toHaveLength(1);
    expect(s.misconceptionTotals[0]).toMatchObject({ misconception: 'm1', occurrences: 2, respondents: 2 });
    close(s.misconceptionTotals[0].correlationWithTotal, -0.845154);
  });

  it('exam: mean, median of an even count, sd, α, histogram, unreliable below 20', () => {
    // totals [4,2,3,0]: mean 2.25, median (2+3)/2 = 2.5, sd = √(8.75/3) = 1.707825.
    // α = 2·(1 − (var item1 + var item2)/var total) = 2·(1 − (2/3 + 2.75/3)/(8.75/3)) = 2·(1 − 4.75/8.75) = 0.914286.
    // Percentages 100, 50, 75, 0 → bins [0,10), [50,60), [70,80), [90,100].
    expect(s.summary).toMatchObject({ n: 4, maxScore: 4, mean: 2.25, median: 2.5, unreliable: true });
    close(s.summary.sd, 1.707825);
    close(s.summary.alpha, 0.914286);
    expect(s.summary.histogram.map((b) => b.count)).toEqual([1, 0, 0, 0, 0, 1, 0, 1, 0, 1]);
    expect(s.minReliableN).toBe(20);
  });
});

describe('zero variance and missing answers', () => {
  // Three students. Item 1: step a, everyone right (1,1,1). Item 2: step c: 1, 0 (missing), 1.
  const s = computeStatistics(
    [
      { item: 1, label: 't1', steps: ['a'] },
      { item: 2, label: 't2', steps: ['c'] },
    ],
    [
      { id: 'A', steps: [step(1, 'a', 'correct', 1, 1), step(2, 'c', 'correct', 1, 1)] },
      { id: 'B', steps: [step(1, 'a', 'correct', 1, 1), step(2, 'c', 'missing', 0, 1)] },
      { id: 'C', steps: [step(1, 'a', 'correct', 1, 1), step(2, 'c', 'correct', 1, 1)] },
    ],
    'exam',
  );
  it('a step nobody missed has sd 0 and no discrimination (null, not NaN)', () => {
    const a = s.steps[0];
    expect(a.facility).toBe(1);
    expect(a.sd).toBe(0);
    expect(a.discrimination).toBeNull();
    expect(a.discriminativeEfficiency).toBeNull();
  });
  it('a step whose rest of exam does not vary has no discrimination either', () => {
    // c = [1,0,1]: facility 2/3; rest = item 1 = [1,1,1], constant → null.
    const c = s.steps[1];
    close(c.facility, 2 / 3);
    expect(c.discrimination).toBeNull();
    expect(c.discriminativeEfficiency).toBeNull();
    expect(c.notes).toEqual({ correct: 2, missing: 1 });
  });
  it('α with one constant item: 2·(1 − (0 + 1/3)/(1/3)) = 0; mean 5/3, median 2', () => {
    // var c = ((1/3)² + (2/3)² + (1/3)²)/2 = 1/3; totals [2,1,2] var = 1/3.
    close(s.summary.alpha, 0, 1e-9);
    close(s.summary.mean, 5 / 3);
    expect(s.summary.median).toBe(2);
    expect(JSON.stringify(s)).not.toMatch(/NaN|Infinity/);
  });
  it('no respondents: counts are 0 and every figure null', () => {
    const e = computeStatistics([{ item: 1, label: 't', steps: ['a'] }], [], 'exam');
    expect(e.steps[0]).toMatchObject({ n: 0, facility: null, sd: null, discrimination: null, invalidRate: null, ecfShare: null });
    expect(e.summary).toMatchObject({ n: 0, mean: null, median: null, sd: null, alpha: null });
  });
});

describe('practice pools: the rest is the rest of the attempt', () => {
  // Three attempts at one topic, steps p (1) and q (1): [1,1], [1,0], [0,0].
  // Step p: x [1,1,0], rest = q = [1,0,0]: dx [1/3,1/3,−2/3], dy [2/3,−1/3,−1/3]: Σ = 2/9−1/9+2/9 = 1/3;
  // Σdx² = 2/3, Σdy² = 2/3 → r = (1/3)/(2/3) = .5 → 50. Items get no discrimination.
  const s = computeStatistics(
    [{ item: 1, label: 'topic', steps: ['p', 'q'] }],
    [
      { id: 'x1', steps: [step(1, 'p', 'correct', 1, 1), step(1, 'q', 'correct', 1, 1)] },
      { id: 'x2', steps: [step(1, 'p', 'correct', 1, 1), step(1, 'q', 'incorrect', 0, 1)] },
      { id: 'x3', steps: [step(1, 'p', 'incorrect', 0, 1), step(1, 'q', 'missing', 0, 1)] },
    ],
    'item',
  );
  it('step discrimination against the other steps; none for the item; no α', () => {
    close(s.steps[0].discrimination, 50);
    expect(s.items[0].discrimination).toBeNull();
    expect(s.summary.alpha).toBeNull();
  });
});
