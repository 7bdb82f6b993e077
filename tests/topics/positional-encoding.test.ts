/**
 * positional-encoding golden cases, worked by hand (calculator in radians) from
 * PE[pos, 2i] = sin(pos / base^(2i/d)), PE[pos, 2i+1] = cos(pos / base^(2i/d)), with
 *   d_model = 4, base = 100, positions [0, 1, 2].
 * denominators: 100^(0/4) = 1, 100^(2/4) = √100 = 10
 * angles: pos 0 → [0, 0]; pos 1 → [1, 0.1]; pos 2 → [2, 0.2]
 * sin 1 = 0.841471, cos 1 = 0.540302, sin 0.1 = 0.099833, cos 0.1 = 0.995004,
 * sin 2 = 0.909297, cos 2 = −0.416147, sin 0.2 = 0.198669, cos 0.2 = 0.980067
 * embeddings E = [[0.5, 0, −0.5, 0], [0, 0.5, 0, −0.5], [1, 1, 1, 1]] added element-wise.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { generateProblem, gradeAnswers, solveProblem, StepwiseError, workedSolution } from '../../src/engine.js';
import { expectClose, runGolden, solved, type GoldenCase } from '../helpers.js';

const params = { d_model: 4, positions: [0, 1, 2], base: 100 };
const E = [
  [0.5, 0, -0.5, 0],
  [0, 0.5, 0, -0.5],
  [1, 1, 1, 1],
];
const withE = { ...params, embeddings: E };
const right = {
  denominators: [1, 10],
  angles: [[0, 0], [1, 0.1], [2, 0.2]],
  encoding: [
    [0, 1, 0, 1],
    [0.841471, 0.540302, 0.099833, 0.995004],
    [0.909297, -0.416147, 0.198669, 0.980067],
  ],
};
// E + PE: row 0 [0.5, 1, −0.5, 1]; row 1 [0.841471, 1.040302, 0.099833, 0.495004];
// row 2 [1.909297, 0.583853, 1.198669, 1.980067].
const embedded = [
  [0.5, 1, -0.5, 1],
  [0.841471, 1.040302, 0.099833, 0.495004],
  [1.909297, 0.583853, 1.198669, 1.980067],
];

const cases: GoldenCase[] = [
  { name: 'hand-worked answers are all correct', params, answers: right, expect: { denominators: 'correct', encoding: 'correct' }, score: 3 },
  { name: 'with embeddings, E + PE is a fourth step', params: withE, answers: { ...right, embedded }, expect: { embedded: 'correct' }, score: 4 },
  {
    name: 'math strings are read (sin/cos in radians, powers, fractions)',
    params,
    answers: {
      denominators: ['100^(0/4)', '100^(2/4)'],
      angles: '[[0, 0], [1, 1/10], [2, 2/10]]',
      encoding: [
        ['sin(0)', 'cos(0)', 'sin(0)', 'cos(0)'],
        ['sin(1)', 'cos(1)', 'sin(1/10)', 'cos(1/10)'],
        '[sin(2), cos(2), sin(0.2), cos(0.2)]',
      ],
    },
    expect: { denominators: 'correct', angles: 'correct', encoding: 'correct' },
    score: 3,
  },
  {
    name: 'the default base is 10000: "sin(1/100)" for d_model = 4 at position 1',
    // 10000^(2/4) = 100; angles [1, 0.01]; sin 0.01 = 0.0099998, cos 0.01 = 0.99995.
    params: { d_model: 4, positions: [1] },
    answers: { denominators: [1, 100], angles: [[1, '1/100']], encoding: [['sin(1)', 'cos(1)', 'sin(1/100)', 'cos(1/100)']] },
    expect: { denominators: 'correct', angles: 'correct', encoding: 'correct' },
    score: 3,
  },
  {
    // Denominators written [1, 100] (base^1 for i = 1). Carried: angles [[0, 0], [1, 0.01], [2, 0.02]];
    // sin 0.01 = 0.01, cos 0.01 = 0.99995, sin 0.02 = 0.019999, cos 0.02 = 0.9998;
    // E + PE row 1 = [0.841471, 1.040302, 0.01, 0.49995], row 2 = [1.909297, 0.583853, 1.019999, 1.9998].
    name: 'a wrong denominator is carried through the angles, the encoding and E + PE',
    params: withE,
    answers: {
      denominators: [1, 100],
      angles: [[0, 0], [1, 0.01], [2, 0.02]],
      encoding: [
        [0, 1, 0, 1],
        [0.841471, 0.540302, 0.01, 0.99995],
        [0.909297, -0.416147, 0.019999, 0.9998],
      ],
      embedded: [
        [0.5, 1, -0.5, 1],
        [0.841471, 1.040302, 0.01, 0.49995],
        [1.909297, 0.583853, 1.019999, 1.9998],
      ],
    },
    expect: { denominators: 'partial', angles: 'carried', encoding: 'carried', embedded: 'carried' },
    score: 3.5,
  },
  {
    // 100^(i/4): i = 0 → 1, i = 1 → 100^0.25 = 3.162278.
    name: 'exponent i/d_model instead of 2i/d_model',
    params,
    answers: { denominators: [1, 3.162278] },
    expect: { denominators: 'incorrect', angles: 'missing' },
    misconceptions: { denominators: 'exponent-i-over-d' },
  },
  {
    // (100^(2i)) / 4: i = 0 → 1/4, i = 1 → 10000 / 4 = 2500 (brackets missing round 2i/d_model).
    name: 'base^2i/d_model read as (base^(2i)) / d_model',
    params,
    answers: { denominators: [0.25, 2500] },
    expect: { denominators: 'incorrect', angles: 'missing' },
    misconceptions: { denominators: 'exponent-precedence' },
  },
  {
    // pos × [1, 10]: [[0, 0], [1, 10], [2, 20]].
    name: 'position multiplied by the denominator',
    params,
    answers: { angles: [[0, 0], [1, 10], [2, 20]] },
    expect: { angles: 'incorrect' },
    misconceptions: { angles: 'multiplied-by-denominator' },
  },
  {
    name: 'sin and cos swapped',
    params,
    answers: {
      encoding: [
        [1, 0, 1, 0],
        [0.540302, 0.841471, 0.995004, 0.099833],
        [-0.416147, 0.909297, 0.980067, 0.198669],
      ],
    },
    expect: { encoding: 'incorrect' },
    misconceptions: { encoding: 'sin-cos-swapped' },
  },
  {
    // Degrees: sin 1° = 0.017452, cos 1° = 0.999848, sin 0.1° = 0.001745, cos 0.1° = 0.999998,
    // sin 2° = 0.034899, cos 2° = 0.999391, sin 0.2° = 0.003491, cos 0.2° = 0.999994.
    // Row 0 agrees (sin 0 = 0 in any unit), as does cos 0.1° ≈ cos 0.1 rad within tolerance.
    name: 'calculator in degree mode',
    params,
    answers: {
      encoding: [
        [0, 1, 0, 1],
        [0.017452, 0.999848, 0.001745, 0.999998],
        [0.034899, 0.999391, 0.003491, 0.999994],
      ],
    },
    expect: { encoding: 'incorrect' },
    misconceptions: { encoding: 'degree-mode' },
  },
  {
    // [sin θ_0, sin θ_1, cos θ_0, cos θ_1] per row.
    name: 'all sines first, then all cosines',
    params,
    answers: {
      encoding: [
        [0, 0, 1, 1],
        [0.841471, 0.099833, 0.540302, 0.995004],
        [0.909297, 0.198669, -0.416147, 0.980067],
      ],
    },
    expect: { encoding: 'incorrect' },
    misconceptions: { encoding: 'sin-cos-concatenated' },
  },
  {
    name: 'unreadable answers are invalid, not crashes',
    params: withE,
    answers: {
      denominators: [1, 10, 100],
      angles: [[0, 0], [1, NaN], [2, 0.2]],
      encoding: 'sin(',
      embedded: [[0.5, 1, -0.5], [0, 1, 0, 1], [1, 1, 1, 1]],
    },
    expect: { denominators: 'invalid', angles: 'invalid', encoding: 'invalid', embedded: 'invalid' },
    score: 0,
  },
];

describe('positional-encoding golden cases', () => {
  for (const c of cases) it(c.name, () => runGolden('positional-encoding', c));

  it('solves the hand-worked example to 1e-6', () => {
    const s = solved('positional-encoding', withE);
    for (const [id, v] of Object.entries({ ...right, embedded })) expectClose(s[id], v, 1e-6, id);
  });

  it('d_model = 8 with the default base: denominators 1, 10, 100, 1000', () => {
    // 10000^(0/8, 2/8, 4/8, 6/8) = 1, 10, 100, 1000; position 5 → angles 5, 0.5, 0.05, 0.005.
    // sin 5 = −0.958924, cos 5 = 0.283662, sin 0.5 = 0.479426, cos 0.5 = 0.877583,
    // sin 0.05 = 0.049979, cos 0.05 = 0.998750, sin 0.005 = 0.005000, cos 0.005 = 0.999988.
    const s = solved('positional-encoding', { d_model: 8, positions: [5] });
    expectClose(s.denominators, [1, 10, 100, 1000], 1e-9, 'denominators');
    expectClose(s.angles, [[5, 0.5, 0.05, 0.005]], 1e-12, 'angles');
    expectClose(s.encoding, [[-0.958924, 0.283662, 0.479426, 0.877583, 0.049979, 0.99875, 0.005, 0.999988]], 1e-6, 'encoding');
  });

  it('has no embedded step without embeddings, and warns when one is answered', () => {
    expect(solveProblem('positional-encoding', params).steps.map((s) => s.id)).toEqual(['denominators', 'angles', 'encoding']);
    const g = gradeAnswers('positional-encoding', params, { ...right, embedded });
    expect(g.steps.map((s) => s.id)).toEqual(['denominators', 'angles', 'encoding']);
    expect(g.warnings?.[0]).toMatch(/answers\.embedded: this step does not apply/);
  });

  it('renders prompts and solutions with and without the optional base and embeddings', () => {
    const variants: { d_model: number; positions: number[]; base?: number; embeddings?: number[][] }[] = [
      params,
      withE,
      { d_model: 2, positions: [3] },
      { d_model: 4, positions: [0, 7], embeddings: [[1, 2, 3, 4], [0, 0, 0, 0]] },
    ];
    for (const p of variants) {
      const text = workedSolution('positional-encoding', p);
      expect(text).not.toMatch(/undefined|NaN|\[object Object\]/);
      expect(text).toContain(p.base === undefined ? '\\text{base} = 10000' : '\\text{base} = 100');
    }
    expect(workedSolution('positional-encoding', params)).toContain('position 0 always encodes as');
    const hard = generateProblem('positional-encoding', 3, 'hard');
    expect(hard.prompt).toContain('E = \\begin{bmatrix}');
    expect(hard.steps).toContain('embedded');
  });

  it('names the field of a bad parameter', () => {
    const solve = (p: unknown) => () => solveProblem('positional-encoding', p);
    expect(solve({ ...params, d_model: 5 })).toThrow(StepwiseError);
    expect(solve({ ...params, d_model: 5 })).toThrow(/params\.d_model is 5 but must be even/);
    expect(solve({ ...params, d_model: 4.5 })).toThrow(/params\.d_model must be integer/);
    expect(solve({ ...params, d_model: 66 })).toThrow(/params\.d_model must be <= 64/);
    expect(solve({ ...params, positions: [0, 1.5] })).toThrow(/params\.positions\[1\] is 1\.5; positions are non-negative integers/);
    expect(solve({ ...params, positions: [-1] })).toThrow(/params\.positions\[0\] is -1; positions are non-negative integers/);
    expect(solve({ ...params, positions: [] })).toThrow(/params\.positions must NOT have fewer than 1 items/);
    expect(solve({ ...params, base: 1 })).toThrow(/params\.base must be > 1/);
    expect(solve({ ...params, base: '10000' })).toThrow(/params\.base must be number/);
    expect(solve({ ...params, embeddings: [[1, 2, 3, 4], [1, 2, 3, 4]] })).toThrow(/params\.embeddings is 2×4 but must be 3×4 \(one row per position/);
    expect(solve({ ...params, embeddings: [[1, 2, 3], [1, 2, 3], [1, 2, 3]] })).toThrow(/params\.embeddings is 3×3 but must be 3×4/);
    expect(solve({ ...params, embeddings: [[1, 2, 3, 4], [1, 2], [1, 2, 3, 4]] })).toThrow(/params\.embeddings\[1\] has 2 entries/);
    expect(solve({ positions: [1] })).toThrow(/params\.d_model is required/);
    expect(solve({ ...params, extra: 1 })).toThrow(/unknown field "extra"/);
  });
});

describe('positional-encoding properties', () => {
  const problem = fc
    .record({
      pairs: fc.integer({ min: 1, max: 32 }),
      positions: fc.array(fc.integer({ min: 0, max: 10000 }), { minLength: 1, maxLength: 16 }),
      base: fc.option(fc.double({ min: 1.01, max: 1e5, noNaN: true }), { nil: undefined }),
    })
    .chain(({ pairs, positions, base }) =>
      fc.record({
        d_model: fc.constant(2 * pairs),
        positions: fc.constant(positions),
        base: fc.constant(base),
        embeddings: fc.array(fc.array(fc.double({ min: -5, max: 5, noNaN: true }), { minLength: 2 * pairs, maxLength: 2 * pairs }), {
          minLength: positions.length,
          maxLength: positions.length,
        }),
      }),
    )
    .map((p) => (p.base === undefined ? { d_model: p.d_model, positions: p.positions, embeddings: p.embeddings } : p));

  it('sin² + cos² = 1 in every (2i, 2i+1) pair at every position', () => {
    fc.assert(
      fc.property(problem, (p) => {
        const pe = solved('positional-encoding', p).encoding as number[][];
        expect(pe.length).toBe(p.positions.length);
        for (const row of pe) {
          expect(row.length).toBe(p.d_model);
          for (let i = 0; i < row.length; i += 2) expect(Math.abs(row[i] ** 2 + row[i + 1] ** 2 - 1)).toBeLessThan(1e-12);
        }
      }),
    );
  });

  it('position 0 encodes as [0, 1, 0, 1, …]', () => {
    fc.assert(
      fc.property(problem, (p) => {
        const pe = solved('positional-encoding', { ...p, positions: [0, ...p.positions.slice(1)] }).encoding as number[][];
        expect(pe[0]).toEqual(Array.from({ length: p.d_model }, (_, k) => (k % 2 === 0 ? 0 : 1)));
      }),
    );
  });

  it('embedded − embeddings = encoding', () => {
    fc.assert(
      fc.property(problem, (p) => {
        const s = solved('positional-encoding', p);
        const emb = s.embedded as number[][];
        const pe = s.encoding as number[][];
        emb.forEach((row, r) => row.forEach((x, c) => expect(Math.abs(x - p.embeddings[r][c] - pe[r][c])).toBeLessThan(1e-12)));
      }),
    );
  });
});
