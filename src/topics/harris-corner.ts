/**
 * harris-corner: the Harris response R = det(M) − k·trace(M)² of the structure matrix
 * M = Σ_window [[Ix², IxIy], [IxIy, Iy²]] (Harris & Stephens 1988), and the region it signals.
 * Contract: the harris-corner entry of the topic contract (tests/contract-ids.ts).
 */
import type { Matrix, Vector } from '../core/values.js';
import type { Rng } from '../generators/rng.js';
import { honour, oneOrSome, shapeSchema, type OneOrSome, type Shape } from '../generators/shape.js';
import { defineTopic, type Difficulty } from '../solvers/topic.js';
import { sameLength } from './checks.js';
import { positive, vector } from './schema-parts.js';

export interface HarrisParams {
  Ix: Vector;
  Iy: Vector;
  k: number;
  threshold: number;
}

type Region = 'corner' | 'edge' | 'flat';

type Steps = {
  M: Matrix;
  det: number;
  trace: number;
  response: number;
  region: string;
};

const REGIONS: readonly Region[] = ['corner', 'edge', 'flat'];
/** A 5 × 5 window at most: enough for any hand problem. */
const MAX_WINDOW = 25;

const sumOf = (xs: Vector, f: (x: number, i: number) => number): number => xs.reduce((t, x, i) => t + f(x, i), 0);

/** Σ Ix·Iy: where it is 0 (gradients along an axis), slips in the off-diagonal cannot be seen. */
const offDiagonal = (p: HarrisParams): number => sumOf(p.Ix, (x, i) => x * p.Iy[i]);
const hasOffDiagonal = (p: HarrisParams): boolean => Math.abs(offDiagonal(p)) > 1e-9;

function structure(p: HarrisParams): Matrix {
  const xy = offDiagonal(p);
  return [
    [sumOf(p.Ix, (x) => x * x), xy],
    [xy, sumOf(p.Iy, (y) => y * y)],
  ];
}

const det = (m: Matrix): number => m[0][0] * m[1][1] - m[0][1] * m[1][0];
const trace = (m: Matrix): number => m[0][0] + m[1][1];
const response = (p: HarrisParams): number => {
  const m = structure(p);
  return det(m) - p.k * trace(m) ** 2;
};

function classify(r: number, threshold: number): Region {
  if (r > threshold) return 'corner';
  if (r < -threshold) return 'edge';
  return 'flat';
}

export const harrisCorner = defineTopic<HarrisParams, Steps>({
  id: 'harris-corner',
  title: 'Harris corner response',
  summary: 'The structure matrix M of a window of gradients, its determinant and trace, the Harris response det M − k·(trace M)² and the region it signals.',
  paramsSchema: {
    type: 'object',
    additionalProperties: false,
    required: ['Ix', 'Iy', 'k', 'threshold'],
    properties: {
      Ix: vector({ max: MAX_WINDOW }),
      Iy: vector({ max: MAX_WINDOW }),
      // Above 1/4 the response is never positive (det ≤ trace²/4), so no window could be a corner.
      k: { type: 'number', exclusiveMinimum: 0, maximum: 0.25, description: 'usually 0.04–0.06' },
      threshold: positive,
    },
  },
  checkParams(p) {
    sameLength('Iy', p.Iy, 'Ix', p.Ix);
  },
  steps: {
    M: {
      label: 'Structure matrix M',
      kind: 'matrix',
      deps: [],
      formula: 'M = \\sum_{\\text{window}} \\nabla I \\, \\nabla I^\\top',
      compute: (p) => structure(p),
    },
    det: {
      label: 'Determinant det M',
      kind: 'scalar',
      deps: ['M'],
      formula: '\\det M = M_{11} M_{22} - M_{12} M_{21}',
      compute: (_p, s) => det(s.M),
    },
    trace: {
      label: 'Trace of M',
      kind: 'scalar',
      deps: ['M'],
      formula: '\\operatorname{tr} M = M_{11} + M_{22}',
      compute: (_p, s) => trace(s.M),
    },
    response: {
      label: 'Harris response R',
      kind: 'scalar',
      deps: ['det', 'trace'],
      formula: 'R = \\det M - k \\, (\\operatorname{tr} M)^2',
      compute: (p, s) => s.det - p.k * s.trace ** 2,
    },
    region: {
      label: 'Region: corner, edge or flat',
      kind: 'label',
      deps: ['response'],
      formula: '\\text{region of } R \\text{ against } \\pm t',
      compute: (p, s) => classify(s.response, p.threshold),
    },
  },
  misconceptions: [
    {
      id: 'M-from-summed-gradients',
      step: 'M',
      explanation: 'You summed the gradients first and then squared or multiplied the sums; M sums the products pixel by pixel: Σ Ix², Σ Ix·Iy, Σ Iy².',
      applies: (p) => p.Ix.length > 1,
      compute: (p) => {
        const sx = sumOf(p.Ix, (x) => x);
        const sy = sumOf(p.Iy, (y) => y);
        return [
          [sx * sx, sx * sy],
          [sx * sy, sy * sy],
        ];
      },
    },
    {
      id: 'M-averaged',
      step: 'M',
      explanation: 'You averaged over the window; here M sums the products over it (every pixel weighs 1).',
      applies: (p) => p.Ix.length > 1,
      compute: (p) => structure(p).map((row) => row.map((x) => x / p.Ix.length)),
    },
    {
      id: 'det-per-pixel',
      step: 'det',
      explanation: 'You applied det = Ix²·Iy² − (Ix·Iy)² pixel by pixel (the formula sheet’s shorthand), which is always 0; the determinant is of the summed matrix: (Σ Ix²)(Σ Iy²) − (Σ Ix·Iy)².',
      applies: (p) => det(structure(p)) !== 0,
      compute: () => 0,
    },
    {
      id: 'det-plus',
      step: 'det',
      explanation: 'You added the off-diagonal product; the determinant subtracts it: M₁₁·M₂₂ − M₁₂·M₂₁.',
      applies: hasOffDiagonal,
      compute: (_p, s) => s.M[0][0] * s.M[1][1] + s.M[0][1] * s.M[1][0],
    },
    {
      id: 'det-off-diagonal-not-squared',
      step: 'det',
      explanation: 'You subtracted M₁₂ once; the determinant subtracts the product M₁₂·M₂₁ = (Σ Ix·Iy)².',
      applies: (p) => hasOffDiagonal(p) && Math.abs(offDiagonal(p) - 1) > 1e-9,
      compute: (_p, s) => s.M[0][0] * s.M[1][1] - s.M[0][1],
    },
    {
      id: 'trace-all-entries',
      step: 'trace',
      explanation: 'You added every entry of M; the trace is the sum of the diagonal only, Σ Ix² + Σ Iy².',
      applies: hasOffDiagonal,
      compute: (_p, s) => s.M[0][0] + s.M[0][1] + s.M[1][0] + s.M[1][1],
    },
    {
      id: 'trace-not-squared',
      step: 'response',
      explanation: 'You did not square the trace: R = det M − k·(trace M)².',
      compute: (p, s) => s.det - p.k * s.trace,
    },
    {
      id: 'k-inside-square',
      step: 'response',
      explanation: 'You squared k with the trace; only the trace is squared: R = det M − k·(trace M)².',
      compute: (p, s) => s.det - (p.k * s.trace) ** 2,
    },
    {
      id: 'response-reversed',
      step: 'response',
      explanation: 'You subtracted the other way round; R = det M − k·(trace M)², positive at a corner.',
      compute: (p, s) => p.k * s.trace ** 2 - s.det,
    },
    {
      id: 'corner-edge-swapped',
      step: 'region',
      explanation: 'You swapped corner and edge: a large positive R (both eigenvalues of M large) is a corner, a large negative R (one large, one small) an edge.',
      applies: (p) => classify(response(p), p.threshold) !== 'flat',
      compute: (p, s) => (classify(s.response, p.threshold) === 'corner' ? 'edge' : 'corner'),
    },
    {
      id: 'threshold-ignored',
      step: 'region',
      explanation: 'You classified by the sign of R alone; |R| ≤ threshold is a flat region, whatever its sign.',
      applies: (p) => classify(response(p), p.threshold) === 'flat' && response(p) !== 0,
      compute: (_p, s) => (s.response > 0 ? 'corner' : 'edge'),
    },
  ],
  labels: () => REGIONS,
  shapes: shapeSchema({ region: oneOrSome({ enum: [...REGIONS] }, 'the region the window turns out to be') }),
  generate: (rng, difficulty, shape) => generate(rng, difficulty, shape),
  templateData(p, s) {
    const m = s.M;
    const half = Math.sqrt(((m[0][0] - m[1][1]) / 2) ** 2 + m[0][1] ** 2);
    const mid = (m[0][0] + m[1][1]) / 2;
    return {
      n: p.Ix.length,
      rows: p.Ix.map((x, i) => ({ i: i + 1, x, y: p.Iy[i] })),
      lambda1: mid + half,
      lambda2: mid - half,
      isCorner: s.region === 'corner',
      isEdge: s.region === 'edge',
    };
  },
  degenerate(p, s) {
    if (s.trace === 0) return 'every gradient is 0';
    const r = Math.abs(s.response);
    if (r > p.threshold / 1.2 && r < p.threshold * 1.2) return 'the response is within 20% of ±threshold (a near tie between regions)';
    return null;
  },
});

interface Gen {
  n: number;
  /** Gradient values: integers from −max to max, or decimals with `places`. */
  max: number;
  places: number;
  /** Gradients of a flat window lie in −flat … flat. */
  flat: number;
}

const GEN: Record<Difficulty, Gen> = {
  // A 2 × 2 window of small integers.
  easy: { n: 4, max: 3, places: 0, flat: 1 },
  // A 3 × 3 window of integers.
  medium: { n: 9, max: 4, places: 0, flat: 1 },
  // A 3 × 3 window of one-decimal gradients.
  hard: { n: 9, max: 2, places: 1, flat: 0.5 },
};

/** Thresholds an instructor would write. */
const THRESHOLDS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000];
/** Edge directions (a, b): the gradient is m·(a, b) along the edge's normal. */
const DIRECTIONS: readonly [number, number][] = [[1, 0], [0, 1], [1, 1], [1, -1], [2, 1], [1, 2], [1, -2], [2, -1]];
const MARGIN = 1.25;

function gradients(rng: Rng, g: Gen, target: Region): [Vector, Vector] {
  const draw = (max: number) => (g.places === 0 ? rng.int(-max, max) : rng.decimal(-max, max, g.places));
  if (target === 'corner') return [rng.vector(g.n, () => draw(g.max)), rng.vector(g.n, () => draw(g.max))];
  if (target === 'flat') return [rng.vector(g.n, () => draw(g.flat)), rng.vector(g.n, () => draw(g.flat))];
  // An edge: every gradient along one direction (M of rank 1), sometimes one pixel nudged off it.
  const [a, b] = rng.pick(DIRECTIONS);
  const scale = Math.max(Math.abs(a), Math.abs(b));
  const m = rng.vector(g.n, () => draw(Math.max(1, Math.floor(g.max / scale))));
  const Ix = m.map((x) => +(x * a).toFixed(g.places));
  const Iy = m.map((x) => +(x * b).toFixed(g.places));
  if (rng.int(0, 1) === 1) {
    const i = rng.int(0, g.n - 1);
    Iy[i] = +(Iy[i] + (g.places === 0 ? 1 : 0.1)).toFixed(g.places);
  }
  return [Ix, Iy];
}

function generate(rng: Rng, difficulty: Difficulty, shape: Shape): HarrisParams {
  const g = GEN[difficulty];
  const target = honour(rng, rng.pick(REGIONS), shape.region as OneOrSome<Region> | undefined);
  const k = rng.pick([0.04, 0.05, 0.06]);
  let last: HarrisParams | undefined;
  // Draw gradients until the window is clearly the target region for some listed threshold.
  for (let tries = 0; tries < 100; tries++) {
    const [Ix, Iy] = gradients(rng, g, target);
    const r = response({ Ix, Iy, k, threshold: 1 });
    const fits = THRESHOLDS.filter((t) =>
      target === 'corner' ? r > MARGIN * t : target === 'edge' ? r < -MARGIN * t : Math.abs(r) < t / MARGIN && t <= 100 * Math.max(1, Math.abs(r)),
    );
    last = { Ix, Iy, k, threshold: rng.pick(fits.length > 0 ? fits : THRESHOLDS) };
    if (fits.length > 0) return last;
  }
  return last!; // the degenerate check and the next draw deal with it
}
