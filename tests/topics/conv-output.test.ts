/**
 * conv-output golden cases, worked by hand from out = ⌊(n + 2p − k)/s⌋ + 1, weights C_out·C_in·k·k,
 * biases C_out, pool = ⌊(out − k_pool)/s_pool⌋ + 1.
 *
 * AlexNet's first layer: 227 × 227 × 3, 96 filters 11 × 11, stride 4, no padding, then a 3 × 3 pool
 * with stride 2: out = ⌊(227 − 11)/4⌋ + 1 = ⌊216/4⌋ + 1 = 55; weights 96·3·11·11 = 96·363 = 34848;
 * biases 96; total 34944; pool ⌊(55 − 3)/2⌋ + 1 = 26 + 1 = 27.
 *
 * A non-square input where the floor bites: 32 × 28 × 3, 16 filters 5 × 5, stride 2, padding 1,
 * then a 2 × 2 pool with stride 2: out_h = ⌊(32 + 2 − 5)/2⌋ + 1 = ⌊14.5⌋ + 1 = 15,
 * out_w = ⌊(28 + 2 − 5)/2⌋ + 1 = ⌊12.5⌋ + 1 = 13; weights 16·3·25 = 1200; biases 16; total 1216;
 * pool_h = ⌊(15 − 2)/2⌋ + 1 = 7, pool_w = ⌊(13 − 2)/2⌋ + 1 = 6.
 *
 * "Same" padding: 32 × 32 × 1, 8 filters 5 × 5, stride 1, padding 2: out = 32 + 4 − 5 + 1 = 32.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { gradeAnswers, solveProblem } from '../../src/engine.js';
import { errorOf, expectClose, runGolden, solved, type GoldenCase } from '../helpers.js';

const alexnet = { input: [227, 227], channels_in: 3, channels_out: 96, kernel: 11, stride: 4, pool_kernel: 3, pool_stride: 2 };
const alexRight = { out_h: 55, out_w: 55, weights: 34848, biases: 96, total_params: 34944, pool_h: 27, pool_w: 27 };
const rect = { input: [32, 28], channels_in: 3, channels_out: 16, kernel: 5, stride: 2, padding: 1, pool_kernel: 2, pool_stride: 2 };
const rectRight = { out_h: 15, out_w: 13, weights: 1200, biases: 16, total_params: 1216, pool_h: 7, pool_w: 6 };
const same = { input: [32, 32], channels_in: 1, channels_out: 8, kernel: 5, padding: 2 };

const cases: GoldenCase[] = [
  {
    name: 'hand-worked AlexNet answers are all correct',
    params: alexnet,
    answers: alexRight,
    expect: { out_h: 'correct', out_w: 'correct', weights: 'correct', biases: 'correct', total_params: 'correct', pool_h: 'correct', pool_w: 'correct' },
    score: 7,
  },
  {
    name: 'hand-worked non-square answers are all correct, also as arithmetic strings',
    params: rect,
    answers: { ...rectRight, out_h: 'floor((32 + 2 - 5)/2) + 1', weights: '16*3*5*5', total_params: '1200 + 16' },
    expect: { out_h: 'correct', out_w: 'correct', weights: 'correct', biases: 'correct', total_params: 'correct', pool_h: 'correct', pool_w: 'correct' },
    score: 7,
  },
  {
    name: 'counts are exact: one off is wrong, even when large',
    params: alexnet,
    answers: { weights: 34847, total_params: 34943, out_h: 55.4 },
    expect: { weights: 'incorrect', total_params: 'carried', out_h: 'incorrect' },
  },
  {
    // 54 (the + 1 forgotten); the pool on it: ⌊(54 − 3)/2⌋ + 1 = 25 + 1 = 26.
    name: 'a wrong conv height is carried into the pooled height',
    params: alexnet,
    answers: { ...alexRight, out_h: 54, pool_h: 26 },
    expect: { out_h: 'incorrect', pool_h: 'carried', out_w: 'correct', pool_w: 'correct' },
    misconceptions: { out_h: 'plus-one-forgotten-h' },
    score: 6,
  },
  {
    // Input channels forgotten: 96·11·11 = 11616; total on it 11616 + 96 = 11712.
    name: 'weights without the input channels, total carried',
    params: alexnet,
    answers: { weights: 11616, biases: 96, total_params: 11712 },
    expect: { weights: 'incorrect', biases: 'correct', total_params: 'carried' },
    misconceptions: { weights: 'weights-in-channels-forgotten' },
  },
  {
    // The formula sheet: ⌊(32 − 2·2 − (5 − 1))/1⌋ + 1 = 24 + 1 = 25.
    name: 'the formula sheet’s −2·padding',
    params: same,
    answers: { out_h: 25, out_w: 25 },
    expect: { out_h: 'incorrect', out_w: 'incorrect' },
    misconceptions: { out_h: 'padding-subtracted-h', out_w: 'padding-subtracted-w' },
  },
  {
    // + 1 forgotten: 32 + 4 − 5 = 31; padding once: 32 + 2 − 5 + 1 = 30.
    name: 'the + 1 forgotten, and the padding added on one side only',
    params: same,
    answers: { out_h: 31, out_w: 30 },
    expect: { out_h: 'incorrect', out_w: 'incorrect' },
    misconceptions: { out_h: 'plus-one-forgotten-h', out_w: 'padding-one-side-w' },
  },
  {
    // Not floored: 29/2 + 1 = 15.5; rounded up: ⌈14.5⌉ + 1 = 16.
    name: 'the division not floored, or rounded up',
    params: rect,
    answers: { out_h: 15.5, out_w: 14 },
    expect: { out_h: 'incorrect', out_w: 'incorrect' },
    misconceptions: { out_h: 'not-floored-h', out_w: 'rounded-up-w' },
  },
  {
    // No division by the stride: 32 + 2 − 5 + 1 = 30.
    name: 'the stride ignored',
    params: rect,
    answers: { out_h: 30 },
    expect: { out_h: 'incorrect' },
    misconceptions: { out_h: 'stride-ignored-h' },
  },
  {
    // With the conv's stride 4: ⌊(55 − 3)/4⌋ + 1 = 13 + 1 = 14; on the input: ⌊(227 − 3)/2⌋ + 1 = 113.
    name: 'pooling with the conv’s stride, and pooling the input size',
    params: alexnet,
    answers: { pool_h: 14, pool_w: 113 },
    expect: { pool_h: 'incorrect', pool_w: 'incorrect' },
    misconceptions: { pool_h: 'pool-with-conv-stride-h', pool_w: 'pool-on-input-w' },
  },
  {
    // The conv's padding reused: ⌊(15 + 2 − 2)/2⌋ + 1 = 8; the + 1 forgotten: ⌊(13 − 2)/2⌋ = 5.
    name: 'pooling with the conv’s padding, and the pool’s + 1 forgotten',
    params: rect,
    answers: { pool_h: 8, pool_w: 5 },
    expect: { pool_h: 'incorrect', pool_w: 'incorrect' },
    misconceptions: { pool_h: 'pool-with-padding-h', pool_w: 'pool-plus-one-forgotten-w' },
  },
  {
    // k counted once: 96·3·11 = 3168; biases per input channel: 3; total without biases 34848.
    name: 'kernel not squared, biases per input channel, total without biases',
    params: alexnet,
    answers: { weights: 3168, biases: 3, total_params: 34848 },
    expect: { weights: 'incorrect', biases: 'incorrect', total_params: 'incorrect' },
    misconceptions: { weights: 'weights-kernel-not-squared', biases: 'biases-per-in-channel', total_params: 'total-without-biases' },
  },
  {
    // Per output position: 96·55·55 = 290400; weights with biases: 96·(363 + 1) = 34944.
    name: 'a bias per output position, and the biases counted with the weights',
    params: alexnet,
    answers: { biases: 290400, weights: 34944 },
    expect: { biases: 'incorrect', weights: 'incorrect' },
    misconceptions: { biases: 'biases-per-output-position', weights: 'weights-include-biases' },
  },
];

describe('conv-output golden cases', () => {
  for (const c of cases) it(c.name, () => runGolden('conv-output', c));

  it('solves the hand-worked examples exactly', () => {
    expect(solved('conv-output', alexnet)).toEqual(alexRight);
    expect(solved('conv-output', rect)).toEqual(rectRight);
    expect(solved('conv-output', same)).toEqual({ out_h: 32, out_w: 32, weights: 200, biases: 8, total_params: 208 });
  });

  it('without a pool there are no pool steps, and answering one only warns', () => {
    const g = gradeAnswers('conv-output', same, { out_h: 32, pool_h: 16 });
    expect(g.steps.map((s) => s.id)).toEqual(['out_h', 'out_w', 'weights', 'biases', 'total_params']);
    expect(g.warnings?.[0]).toMatch(/answers\.pool_h: this step does not apply/);
  });

  it('names the field of a bad parameter', () => {
    const bad = (over: object) => () => solveProblem('conv-output', { ...rect, ...over });
    const noPool = (over: object) => () => solveProblem('conv-output', { ...same, ...over });
    expect(noPool({ input: [4, 4], kernel: 7, padding: 1 })).toThrow(/params\.kernel is 7 but the padded input is only 6 high/);
    expect(noPool({ input: [12, 4], kernel: 7, padding: 1 })).toThrow(/params\.kernel is 7 but the padded input is only 6 wide/);
    // Conv output ⌊(28 + 2 − 5)/2⌋ + 1 = 13 wide; a 14-wide pool cannot fit.
    expect(bad({ pool_kernel: 14 })).toThrow(/params\.pool_kernel is 14 but the conv output is only 13 wide/);
    expect(() => solveProblem('conv-output', { ...same, pool_kernel: 2 })).toThrow(/params\.pool_stride is missing/);
    expect(() => solveProblem('conv-output', { ...same, pool_stride: 2 })).toThrow(/params\.pool_kernel is missing/);
    expect(bad({ stride: 1.5 })).toThrow(/params\.stride must be integer/);
    expect(bad({ stride: 0 })).toThrow(/params\.stride must be >= 1/);
    expect(bad({ padding: -1 })).toThrow(/params\.padding must be >= 0/);
    expect(bad({ input: [32] })).toThrow(/params\.input must NOT have fewer than 2 items/);
    expect(bad({ channels_in: 0 })).toThrow(/params\.channels_in must be >= 1/);
    expect(bad({ dilation: 2 })).toThrow(/unknown field "dilation"/);
    expect(() => solveProblem('conv-output', { input: [8, 8], channels_in: 1, kernel: 3 })).toThrow(/params\.channels_out is required/);
    expect(errorOf(bad({ kernel: 40 })).code).toBe('invalid_params');
  });
});

describe('conv-output properties', () => {
  const layer = fc
    .record({
      n: fc.integer({ min: 1, max: 300 }),
      k: fc.integer({ min: 1, max: 15 }),
      s: fc.integer({ min: 1, max: 6 }),
      p: fc.integer({ min: 0, max: 5 }),
    })
    .filter(({ n, k, p }) => k <= n + 2 * p);

  it('the output size is the number of kernel placements that fit in the padded input', () => {
    fc.assert(
      fc.property(layer, ({ n, k, s, p }) => {
        let placements = 0;
        for (let start = 0; start + k <= n + 2 * p; start += s) placements++;
        const v = solved('conv-output', { input: [n, n], channels_in: 1, channels_out: 1, kernel: k, stride: s, padding: p });
        expect(v.out_h).toBe(placements);
        expect(v.out_w).toBe(placements);
      }),
    );
  });

  it('stride 1 with padding (k − 1)/2 keeps the size (odd k)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 5, max: 300 }), fc.integer({ min: 0, max: 2 }), (n, half) => {
        const v = solved('conv-output', { input: [n, n + 1], channels_in: 3, channels_out: 4, kernel: 2 * half + 1, padding: half });
        expectClose([v.out_h as number, v.out_w as number], [n, n + 1], 0, 'size');
      }),
    );
  });
});
