/**
 * positional-encoding: the sinusoidal encoding of Vaswani et al. (2017),
 * PE[pos, 2i] = sin(pos / base^(2i/d_model)), PE[pos, 2i+1] = cos(pos / base^(2i/d_model)),
 * optionally added to token embeddings. Angles are in radians.
 * Contract: the positional-encoding entry of the topic contract (tests/contract-ids.ts).
 */
import { addMatrices } from '../core/linalg.js';
import type { Matrix, Vector } from '../core/values.js';
import { defineTopic, type Difficulty } from '../solvers/topic.js';
import type { Rng } from '../generators/rng.js';
import { honour, oneOrSome, shapeSchema, type OneOrSome, type Shape } from '../generators/shape.js';
import { paramsError } from '../solvers/params.js';
import { dims } from './checks.js';
import { MAX_ABS, MAX_DIM, matrix } from './schema-parts.js';

export interface PositionalEncodingParams {
  d_model: number;
  positions: number[];
  /** Default 10000. */
  base?: number;
  /** One row of length d_model per position. */
  embeddings?: Matrix;
}

type Steps = {
  denominators: Vector;
  angles: Matrix;
  encoding: Matrix;
  embedded: Matrix;
};

export const DEFAULT_BASE = 10000;
export const MAX_D_MODEL = 64;
/** Largest position accepted: far beyond any hand problem, still exact as a double. */
export const MAX_POSITION = 1_000_000;

const baseOf = (p: PositionalEncodingParams): number => p.base ?? DEFAULT_BASE;

/** base^(e·i/d_model) for i = 0 … d_model/2 − 1 (e = 2 is the right exponent). */
function denominators(p: PositionalEncodingParams, e: number): Vector {
  return Array.from({ length: p.d_model / 2 }, (_, i) => baseOf(p) ** ((e * i) / p.d_model));
}

/** Interleaved [f(θ_0), g(θ_0), f(θ_1), g(θ_1), …] per row. */
function interleave(angles: Matrix, f: (x: number) => number, g: (x: number) => number): Matrix {
  return angles.map((row) => row.flatMap((x) => [f(x), g(x)]));
}

const DEG = Math.PI / 180;

export const positionalEncoding = defineTopic<PositionalEncodingParams, Steps>({
  id: 'positional-encoding',
  title: 'Sinusoidal positional encoding',
  summary: 'The Transformer’s sinusoidal position encoding sin/cos(pos / base^(2i/d_model)), optionally added to token embeddings.',
  paramsSchema: {
    type: 'object',
    additionalProperties: false,
    required: ['d_model', 'positions'],
    properties: {
      d_model: { type: 'integer', minimum: 2, maximum: MAX_D_MODEL, description: 'even: one (sin, cos) pair per frequency' },
      // Integrality and sign are checked in checkParams, so the message can say what a position is.
      positions: {
        type: 'array',
        minItems: 1,
        maxItems: MAX_DIM,
        items: { type: 'number', minimum: -MAX_ABS, maximum: MAX_ABS },
        description: 'token positions: non-negative integers',
      },
      base: { type: 'number', exclusiveMinimum: 1, maximum: MAX_ABS, default: DEFAULT_BASE },
      embeddings: { ...matrix({ maxCols: MAX_D_MODEL }), description: 'one row of length d_model per position' },
    },
  },
  checkParams(p) {
    if (p.d_model % 2 !== 0) paramsError('d_model', `is ${p.d_model} but must be even (sin and cos come in pairs, one pair per frequency)`);
    p.positions.forEach((pos, k) => {
      if (!Number.isInteger(pos) || pos < 0 || pos > MAX_POSITION) {
        paramsError(`positions[${k}]`, `is ${pos}; positions are non-negative integers (0, 1, 2, …) up to ${MAX_POSITION}`);
      }
    });
    if (p.embeddings !== undefined) {
      dims('embeddings', p.embeddings, p.positions.length, p.d_model, 'one row per position, each of length d_model');
    }
  },
  steps: {
    denominators: {
      label: 'Denominators base^(2i/d_model), i = 0 … d_model/2 − 1',
      kind: 'vector',
      deps: [],
      formula: '\\left[ \\text{base}^{2i/d_{\\text{model}}} \\right]_{i = 0, \\dots, d_{\\text{model}}/2 - 1}',
      compute: (p) => denominators(p, 2),
    },
    angles: {
      label: 'Angles pos / base^(2i/d_model) in radians (one row per position)',
      kind: 'matrix',
      deps: ['denominators'],
      formula: '\\theta_{\\text{pos}, i} = \\frac{\\text{pos}}{\\text{base}^{2i/d_{\\text{model}}}}',
      compute: (p, s) => p.positions.map((pos) => s.denominators.map((dn) => pos / dn)),
    },
    encoding: {
      label: 'Positional encoding PE (one row per position)',
      kind: 'matrix',
      deps: ['angles'],
      formula:
        '\\mathrm{PE}_{\\text{pos}} = \\begin{bmatrix} \\sin\\theta_{\\text{pos},0} & \\cos\\theta_{\\text{pos},0} & \\sin\\theta_{\\text{pos},1} & \\cos\\theta_{\\text{pos},1} & \\cdots \\end{bmatrix}',
      compute: (_p, s) => interleave(s.angles, Math.sin, Math.cos),
    },
    embedded: {
      label: 'Embeddings plus encoding E + PE',
      kind: 'matrix',
      deps: ['encoding'],
      formula: 'E + \\mathrm{PE}',
      when: (p) => p.embeddings !== undefined,
      compute: (p, s) => addMatrices(p.embeddings as Matrix, s.encoding),
    },
  },
  misconceptions: [
    {
      id: 'exponent-i-over-d',
      step: 'denominators',
      explanation: 'You used the exponent i/d_model; it is 2i/d_model (i counts (sin, cos) pairs, so 2i is the dimension index).',
      applies: (p) => p.d_model >= 4,
      compute: (p) => denominators(p, 1),
    },
    {
      // base^2i/d_model typed into a calculator is (base^(2i)) / d_model: the exponent needs brackets.
      id: 'exponent-precedence',
      step: 'denominators',
      explanation: 'You computed base^(2i) / d_model (as a calculator reads base^2i/d_model); the whole 2i/d_model is the exponent: base^(2i/d_model).',
      // Only while base^(2i) stays a number a student could write down (and finite).
      applies: (p) => (p.d_model - 2) * Math.log10(baseOf(p)) <= 15,
      compute: (p) => Array.from({ length: p.d_model / 2 }, (_, i) => baseOf(p) ** (2 * i) / p.d_model),
    },
    {
      id: 'multiplied-by-denominator',
      step: 'angles',
      explanation: 'You multiplied the position by base^(2i/d_model); divide by it, so higher dimensions turn more slowly.',
      applies: (p) => p.d_model >= 4,
      compute: (p, s) => p.positions.map((pos) => s.denominators.map((dn) => pos * dn)),
    },
    {
      // The course notes write the exponent (i−1)/d with i the 1-based dimension: the sines come out
      // right and every cosine is wrong, so the answer is only half right.
      id: 'exponent-dimension-index',
      step: 'encoding',
      explanation: 'You used the dimension index in the exponent (base^(j/d_model) for dimension j, as in the notes’ (i−1)/d); both dimensions 2i and 2i+1 of a pair use base^(2i/d_model).',
      applies: (p) => p.d_model >= 2,
      compute: (p) => p.positions.map((pos) => Array.from({ length: p.d_model }, (_, j) => (j % 2 === 0 ? Math.sin : Math.cos)(pos / baseOf(p) ** (j / p.d_model)))),
    },
    {
      id: 'sin-cos-swapped',
      step: 'encoding',
      explanation: 'You swapped sin and cos: even dimensions 2i take sin, odd dimensions 2i+1 take cos.',
      compute: (_p, s) => interleave(s.angles, Math.cos, Math.sin),
    },
    {
      id: 'degree-mode',
      step: 'encoding',
      explanation: 'Your calculator was in degree mode: the angles are in radians.',
      compute: (_p, s) => interleave(s.angles, (x) => Math.sin(x * DEG), (x) => Math.cos(x * DEG)),
    },
    {
      id: 'sin-cos-concatenated',
      step: 'encoding',
      explanation: 'You put all the sines first and all the cosines after; they interleave: sin θ_0, cos θ_0, sin θ_1, cos θ_1, ….',
      applies: (p) => p.d_model >= 4,
      compute: (_p, s) => s.angles.map((row) => [...row.map(Math.sin), ...row.map(Math.cos)]),
    },
  ],
  shapes: shapeSchema({
    positions: oneOrSome({ type: 'integer', minimum: 1, maximum: MAX_DIM }, 'how many positions are encoded'),
    embeddings: { type: 'boolean', description: 'token embeddings are given, and the encoding is added to them' },
  }),
  generate: (rng, difficulty, shape) => generate(rng, difficulty, shape),
  templateData: (p) => {
    const last = p.d_model / 2 - 1;
    const ps = p.positions;
    return {
      base: baseOf(p),
      baseIsDefault: p.base === undefined,
      hasEmbeddings: p.embeddings !== undefined,
      pairs: p.d_model / 2,
      // TeX for the frequency indices: "i = 0", "i = 0, 1", "i = 0, \dots, 3".
      frequencies: last === 0 ? 'i = 0' : last === 1 ? 'i = 0, 1' : `i = 0, \\dots, ${last}`,
      // "position 3", "positions 13 and 58", "positions 41, 73 and 75".
      positionList: ps.length === 1 ? `position ${ps[0]}` : `positions ${ps.slice(0, -1).join(', ')} and ${ps[ps.length - 1]}`,
      hasZero: ps.includes(0),
    };
  },
  degenerate(p) {
    // Two tokens at one position get the same encoding: nothing to learn from the second row.
    if (new Set(p.positions).size !== p.positions.length) return 'a position is repeated';
    return null;
  },
});

interface Plan {
  d: number[];
  /** Bases to draw from; 10000 is left out of the params (the default). */
  bases: number[];
  count: number[];
  maxPosition: number;
  embeddings: boolean;
}

/**
 * Easy keeps d_model = 4 and a base that is a perfect square, so base^(2/4) is a whole number
 * (10, 20, 50 or 100) and the angles are short decimals. The positions range up to 63 rather than
 * a handful so that 300 seeds give ≥ 95% distinct problems (two positions from 0–5 allow only 15).
 */
const PLANS: Record<Difficulty, Plan> = {
  easy: { d: [4], bases: [100, 400, 2500, 10000], count: [2], maxPosition: 63, embeddings: false },
  medium: { d: [4, 6], bases: [100, 1000, 10000], count: [2, 3], maxPosition: 99, embeddings: false },
  hard: { d: [8], bases: [10000], count: [2, 3], maxPosition: 99, embeddings: true },
};

function generate(rng: Rng, difficulty: Difficulty, shape: Shape): PositionalEncodingParams {
  const plan = PLANS[difficulty];
  const d = rng.pick(plan.d);
  const base = rng.pick(plan.bases);
  const count = honour(rng, rng.pick(plan.count), shape.positions as OneOrSome<number> | undefined);
  const all = Array.from({ length: plan.maxPosition + 1 }, (_, i) => i);
  const positions = rng.sample(all, count).sort((a, b) => a - b);
  const p: PositionalEncodingParams = { d_model: d, positions };
  if (base !== DEFAULT_BASE) p.base = base;
  if ((shape.embeddings as boolean | undefined) ?? plan.embeddings) p.embeddings = rng.matrix(count, d, () => rng.decimal(-1, 1, 1));
  return p;
}
