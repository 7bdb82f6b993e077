/**
 * harris-corner golden cases, worked by hand from M = Σ [[Ix², IxIy], [IxIy, Iy²]],
 * det = M₁₁M₂₂ − M₁₂M₂₁, trace = M₁₁ + M₂₂, R = det − k·trace².
 *
 * A corner: Ix = [1, 2, 0, 1], Iy = [0, 1, 2, −1], k = 0.05, t = 5:
 * Σ Ix² = 1 + 4 + 0 + 1 = 6, Σ Iy² = 0 + 1 + 4 + 1 = 6, Σ IxIy = 0 + 2 + 0 − 1 = 1;
 * M = [[6, 1], [1, 6]], det = 36 − 1 = 35, trace 12, R = 35 − 0.05·144 = 35 − 7.2 = 27.8 > 5: corner.
 *
 * An edge: Ix = [2, 1, −1, 3], Iy = [0, 0, 0, 1], k = 0.04, t = 2:
 * Σ Ix² = 4 + 1 + 1 + 9 = 15, Σ Iy² = 1, Σ IxIy = 3; M = [[15, 3], [3, 1]], det = 15 − 9 = 6,
 * trace 16, R = 6 − 0.04·256 = 6 − 10.24 = −4.24 < −2: edge. With t = 10 the same window is flat.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { getTopic, solveProblem, workedSolution } from '../../src/engine.js';
import { generateParams } from '../../src/generators/generate.js';
import { DIFFICULTIES } from '../../src/solvers/topic.js';
import { errorOf, expectClose, runGolden, solved, type GoldenCase } from '../helpers.js';

const corner = { Ix: [1, 2, 0, 1], Iy: [0, 1, 2, -1], k: 0.05, threshold: 5 };
const cornerRight = { M: [[6, 1], [1, 6]], det: 35, trace: 12, response: 27.8, region: 'corner' };
const edge = { Ix: [2, 1, -1, 3], Iy: [0, 0, 0, 1], k: 0.04, threshold: 2 };
const edgeRight = { M: [[15, 3], [3, 1]], det: 6, trace: 16, response: -4.24, region: 'edge' };
const flat = { ...edge, threshold: 10 };

const cases: GoldenCase[] = [
  {
    name: 'hand-worked corner answers are all correct',
    params: corner,
    answers: cornerRight,
    expect: { M: 'correct', det: 'correct', trace: 'correct', response: 'correct', region: 'correct' },
    score: 5,
  },
  {
    name: 'hand-worked edge answers are all correct, as strings too',
    params: edge,
    answers: { M: '[[4+1+1+9, 3], [3, 1]]', det: '15*1 - 3*3', trace: 16, response: '6 - 0.04*16^2', region: 'Edge' },
    expect: { M: 'correct', det: 'correct', trace: 'correct', response: 'correct', region: 'correct' },
    score: 5,
  },
  {
    name: 'the same window is flat under a larger threshold',
    params: flat,
    answers: { ...edgeRight, region: 'flat' },
    expect: { response: 'correct', region: 'correct' },
  },
  {
    // One slip in Σ Iy² (7): det 6·7 − 1 = 41, trace 13, R = 41 − 0.05·169 = 41 − 8.45 = 32.55, still a corner.
    name: 'a slip in M is carried through det, trace and R',
    params: corner,
    answers: { M: [[6, 1], [1, 7]], det: 41, trace: 13, response: 32.55, region: 'corner' },
    expect: { M: 'partial', det: 'carried', trace: 'carried', response: 'carried', region: 'correct' },
    score: 4.75,
  },
  {
    // R from a wrong det: 10 − 0.04·256 = −0.24, flat at t = 2.
    name: 'a region read off a wrong response is carried',
    params: edge,
    answers: { det: 10, trace: 16, response: -0.24, region: 'flat' },
    expect: { det: 'incorrect', response: 'carried', region: 'carried' },
  },
  {
    // (Σ Ix)² etc.: Σ Ix = 4, Σ Iy = 2 → [[16, 8], [8, 4]].
    name: 'gradients summed before squaring',
    params: corner,
    answers: { M: [[16, 8], [8, 4]] },
    expect: { M: 'incorrect' },
    misconceptions: { M: 'M-from-summed-gradients' },
  },
  {
    // [[6, 1], [1, 6]] / 4.
    name: 'M averaged over the window',
    params: corner,
    answers: { M: [[1.5, 0.25], [0.25, 1.5]] },
    expect: { M: 'incorrect' },
    misconceptions: { M: 'M-averaged' },
  },
  {
    name: 'the formula sheet’s det taken pixel by pixel (always 0)',
    params: corner,
    answers: { det: 0 },
    expect: { det: 'incorrect' },
    misconceptions: { det: 'det-per-pixel' },
  },
  {
    // 36 + 1 = 37; trace of every entry 6 + 1 + 1 + 6 = 14.
    name: 'det with a plus, and the trace of every entry',
    params: corner,
    answers: { det: 37, trace: 14 },
    expect: { det: 'incorrect', trace: 'incorrect' },
    misconceptions: { det: 'det-plus', trace: 'trace-all-entries' },
  },
  {
    // 15·1 − 3 = 12.
    name: 'the off-diagonal subtracted once, not squared',
    params: edge,
    answers: { det: 12 },
    expect: { det: 'incorrect' },
    misconceptions: { det: 'det-off-diagonal-not-squared' },
  },
  {
    // 35 − 0.05·12 = 34.4.
    name: 'the trace not squared',
    params: corner,
    answers: { response: 34.4 },
    expect: { response: 'incorrect' },
    misconceptions: { response: 'trace-not-squared' },
  },
  {
    // 6 − (0.04·16)² = 6 − 0.4096 = 5.5904.
    name: 'k squared with the trace',
    params: edge,
    answers: { response: 5.5904 },
    expect: { response: 'incorrect' },
    misconceptions: { response: 'k-inside-square' },
  },
  {
    // 0.04·256 − 6 = 4.24.
    name: 'the response subtracted the other way round',
    params: edge,
    answers: { response: 4.24 },
    expect: { response: 'incorrect' },
    misconceptions: { response: 'response-reversed' },
  },
  {
    name: 'corner and edge swapped',
    params: edge,
    answers: { region: 'corner' },
    expect: { region: 'incorrect' },
    misconceptions: { region: 'corner-edge-swapped' },
  },
  {
    name: 'the threshold ignored: a small negative R called an edge',
    params: flat,
    answers: { region: 'edge' },
    expect: { region: 'incorrect' },
    misconceptions: { region: 'threshold-ignored' },
  },
  {
    name: 'an unknown region word or a wrong-shaped M is invalid',
    params: corner,
    answers: { region: 'blob', M: [6, 1, 1, 6] },
    expect: { region: 'invalid', M: 'invalid' },
  },
];

describe('harris-corner golden cases', () => {
  for (const c of cases) it(c.name, () => runGolden('harris-corner', c));

  it('solves the hand-worked examples to 1e-12', () => {
    for (const [params, right] of [[corner, cornerRight], [edge, edgeRight]] as const) {
      const s = solved('harris-corner', params);
      for (const [id, v] of Object.entries(right)) expectClose(s[id], v, 1e-12, id);
    }
    expect(solved('harris-corner', flat).region).toBe('flat');
  });

  it('the worked solution gives M’s eigenvalues (corner: 7 and 5, from 6 ± 1)', () => {
    const text = workedSolution('harris-corner', corner);
    expect(text).toMatch(/\\lambda_1 = 7\$ and \$\\lambda_2 = 5\$/);
    expect(text).toMatch(/\*\*corner\*\*/);
  });

  it('a question can promise the region (shape option), and every seed keeps to it', () => {
    const topic = getTopic('harris-corner');
    for (const region of ['corner', 'edge', 'flat']) {
      for (const d of DIFFICULTIES) {
        for (let seed = 0; seed < 60; seed++) {
          const { params } = generateParams(topic, seed, d, { region });
          expect(solved('harris-corner', params).region, `${region}, ${d}, seed ${seed}`).toBe(region);
        }
      }
    }
  });

  it('names the field of a bad parameter', () => {
    const bad = (over: object) => () => solveProblem('harris-corner', { ...corner, ...over });
    expect(bad({ Iy: [0, 1, 2] })).toThrow(/params\.Iy has 3 entries but Ix has 4; they must match/);
    expect(bad({ k: 0.3 })).toThrow(/params\.k must be <= 0\.25/);
    expect(bad({ k: 0 })).toThrow(/params\.k must be > 0/);
    expect(bad({ threshold: 0 })).toThrow(/params\.threshold must be > 0/);
    expect(bad({ Ix: [] })).toThrow(/params\.Ix must NOT have fewer than 1 items/);
    expect(bad({ Ix: [1, 'a', 0, 1] })).toThrow(/params\.Ix\[1\] must be number/);
    expect(bad({ window: 3 })).toThrow(/unknown field "window"/);
    expect(errorOf(bad({ k: -1 })).code).toBe('invalid_params');
  });
});

describe('harris-corner properties', () => {
  const window = fc.integer({ min: 1, max: 9 }).chain((n) =>
    fc.record({
      Ix: fc.array(fc.integer({ min: -20, max: 20 }), { minLength: n, maxLength: n }),
      Iy: fc.array(fc.integer({ min: -20, max: 20 }), { minLength: n, maxLength: n }),
      k: fc.constantFrom(0.04, 0.05, 0.06),
      threshold: fc.constantFrom(1, 10, 100),
    }),
  );

  it('M is positive semi-definite: det ≥ 0 (Cauchy–Schwarz) and trace ≥ 0', () => {
    fc.assert(
      fc.property(window, (p) => {
        const s = solved('harris-corner', p);
        expect(s.det as number).toBeGreaterThanOrEqual(0);
        expect(s.trace as number).toBeGreaterThanOrEqual(0);
      }),
    );
  });

  it('turning every gradient by 90° leaves det, trace and R unchanged', () => {
    fc.assert(
      fc.property(window, (p) => {
        const a = solved('harris-corner', p);
        const b = solved('harris-corner', { ...p, Ix: p.Iy.map((y) => -y), Iy: p.Ix });
        for (const id of ['det', 'trace', 'response']) expectClose(b[id], a[id], 1e-9 * Math.max(1, Math.abs(a[id] as number)), id);
        expect(b.region).toBe(a.region);
      }),
    );
  });

  it('gradients all along one direction make M of rank 1: det 0, R = −k·trace² ≤ 0, never a corner', () => {
    fc.assert(
      fc.property(window, fc.integer({ min: -3, max: 3 }), fc.integer({ min: -3, max: 3 }), (p, a, b) => {
        const s = solved('harris-corner', { ...p, Ix: p.Ix.map((m) => m * a), Iy: p.Ix.map((m) => m * b) });
        expect(s.det).toBe(0);
        expectClose(s.response, -p.k * (s.trace as number) ** 2, 1e-9, 'response');
        expect(s.region).not.toBe('corner');
      }),
    );
  });
});
