/**
 * self-attention: scaled dot-product attention with a residual connection (Vaswani et al. 2017),
 * optionally causal. Contract: the self-attention entry of the topic contract (tests/contract-ids.ts).
 */
import { addMatrices, mapMatrix, matmul, matmulTransposed, softmaxRows, transpose } from '../core/linalg.js';
import type { Matrix } from '../core/values.js';
import { defineTopic, type Difficulty } from '../solvers/topic.js';
import type { Rng } from '../generators/rng.js';
import { honour, shapeSchema, type Shape } from '../generators/shape.js';
import { dims, rectangular } from './checks.js';
import { matrix } from './schema-parts.js';

export interface SelfAttentionParams {
  X: Matrix;
  W_Q: Matrix;
  W_K: Matrix;
  W_V: Matrix;
  causal?: boolean;
}

type Steps = {
  Q: Matrix;
  K: Matrix;
  V: Matrix;
  scores: Matrix;
  scaled_scores: Matrix;
  weights: Matrix;
  attention_output: Matrix;
  output: Matrix;
};

/** Scale by 1/√d_k and, when causal, mask key j > query i with −∞. */
function scale(p: SelfAttentionParams, scores: Matrix, divisor: number): Matrix {
  return mapMatrix(scores, (x, i, j) => (p.causal && j > i ? -Infinity : x / divisor));
}

const dk = (p: SelfAttentionParams): number => p.W_Q[0].length;

/** Softmax down each column (over queries), masked entries kept at 0: a common slip. */
function columnSoftmax(m: Matrix): Matrix {
  return transpose(softmaxRows(transpose(m)));
}

export const selfAttention = defineTopic<SelfAttentionParams, Steps>({
  id: 'self-attention',
  title: 'Self-attention with a residual connection',
  summary: 'Scaled dot-product self-attention softmax(QKᵀ/√d_k)·V added back to X, optionally with a causal mask.',
  paramsSchema: {
    type: 'object',
    additionalProperties: false,
    required: ['X', 'W_Q', 'W_K', 'W_V'],
    properties: {
      X: matrix(),
      W_Q: matrix(),
      W_K: matrix(),
      W_V: matrix(),
      causal: { type: 'boolean', default: false },
    },
  },
  checkParams(p) {
    const [, d] = rectangular('X', p.X);
    const [rq, cq] = rectangular('W_Q', p.W_Q);
    if (rq !== d) dims('W_Q', p.W_Q, d, cq, 'one row per column of X');
    dims('W_K', p.W_K, d, cq, 'the same shape as W_Q, so Q Kᵀ is defined');
    dims('W_V', p.W_V, d, d, 'd × d, so the residual X + attention can be added');
  },
  steps: {
    Q: { label: 'Queries Q', kind: 'matrix', deps: [], formula: 'Q = X W_Q', compute: (p) => matmul(p.X, p.W_Q) },
    K: { label: 'Keys K', kind: 'matrix', deps: [], formula: 'K = X W_K', compute: (p) => matmul(p.X, p.W_K) },
    V: { label: 'Values V', kind: 'matrix', deps: [], formula: 'V = X W_V', compute: (p) => matmul(p.X, p.W_V) },
    scores: {
      label: 'Scores QKᵀ',
      kind: 'matrix',
      deps: ['Q', 'K'],
      formula: 'S = Q K^\\top',
      compute: (_p, s) => matmulTransposed(s.Q, s.K),
    },
    scaled_scores: {
      label: 'Scaled scores QKᵀ/√d_k',
      kind: 'matrix',
      deps: ['scores'],
      formula: '\\tilde S = \\frac{Q K^\\top}{\\sqrt{d_k}}',
      maskable: true,
      compute: (p, s) => scale(p, s.scores, Math.sqrt(dk(p))),
    },
    weights: {
      label: 'Attention weights (row softmax)',
      kind: 'matrix',
      deps: ['scaled_scores'],
      formula: 'A = \\operatorname{softmax}_{\\text{row}}(\\tilde S)',
      compute: (_p, s) => softmaxRows(s.scaled_scores),
    },
    attention_output: {
      label: 'Attention output A·V',
      kind: 'matrix',
      deps: ['weights', 'V'],
      formula: 'A V',
      compute: (_p, s) => matmul(s.weights, s.V),
    },
    output: {
      label: 'Output with residual X + A·V',
      kind: 'matrix',
      deps: ['attention_output'],
      formula: 'X + A V',
      compute: (p, s) => addMatrices(p.X, s.attention_output),
    },
  },
  misconceptions: [
    {
      // The course notes' formula sheet writes the score as q vᵀ/√d_k; students copy it.
      id: 'scores-with-values',
      step: 'scores',
      explanation: 'You multiplied the queries by the values (Q Vᵀ); a score compares a query with a key: Q Kᵀ.',
      // V is not a dep of the scores: the values come from the params, the queries as the student has them.
      compute: (p, s) => matmulTransposed(s.Q, matmul(p.X, p.W_V)),
    },
    {
      id: 'scaled-scores-with-values',
      step: 'scaled_scores',
      explanation: 'You scaled Q Vᵀ; the scores compare queries with keys: Q Kᵀ/√d_k.',
      compute: (p) => scale(p, matmulTransposed(matmul(p.X, p.W_Q), matmul(p.X, p.W_V)), Math.sqrt(dk(p))),
    },
    {
      id: 'divided-by-dk',
      step: 'scaled_scores',
      explanation: 'You divided by d_k, not √d_k.',
      compute: (p, s) => scale(p, s.scores, dk(p)),
    },
    {
      id: 'no-scaling',
      step: 'scaled_scores',
      explanation: 'You left the scores unscaled; divide Q Kᵀ by √d_k.',
      compute: (p, s) => scale(p, s.scores, 1),
    },
    {
      id: 'causal-mask-missing',
      step: 'scaled_scores',
      explanation: 'You did not apply the causal mask: query i may not attend to keys j > i (set those to −∞).',
      applies: (p) => p.causal === true,
      compute: (p, s) => scale({ ...p, causal: false }, s.scores, Math.sqrt(dk(p))),
    },
    {
      id: 'scores-transposed',
      step: 'scores',
      explanation: 'You computed K Qᵀ, the transpose: row i of the scores holds query i against every key, Q Kᵀ.',
      compute: (_p, s) => matmulTransposed(s.K, s.Q),
    },
    {
      id: 'softmax-down-columns',
      step: 'weights',
      explanation: 'You took the softmax down each column; it runs along each row, over the keys for one query.',
      compute: (_p, s) => columnSoftmax(s.scaled_scores),
    },
    {
      id: 'residual-forgotten',
      step: 'output',
      explanation: 'You left out the residual connection: the output is X + attention output.',
      compute: (_p, s) => s.attention_output,
    },
  ],
  shapes: shapeSchema({ causal: { type: 'boolean', description: 'a causal mask (true) or none (false)' } }),
  generate: (rng, difficulty, shape) => generate(rng, difficulty, shape),
  templateData: (p) => ({ n: p.X.length, d: p.X[0].length, d_k: dk(p), sqrt_dk: Math.sqrt(dk(p)), causal: p.causal === true }),
  degenerate(p, s) {
    // Hand-computable and informative: no row where one key takes (almost) all the weight — except
    // a causal row that can see a single key, whose weight is 1 by construction.
    for (let i = 0; i < s.weights.length; i++) {
      const visible = p.causal ? i + 1 : s.weights[i].length;
      if (visible > 1 && s.weights[i].some((w) => w > 0.95)) return 'a softmax row is saturated';
    }
    return null;
  },
});

const SIZES: Record<Difficulty, { n: number; d: number; dk: number[]; places: number; causal: number }> = {
  easy: { n: 2, d: 2, dk: [2], places: 0, causal: 0 },
  medium: { n: 3, d: 4, dk: [2, 4], places: 1, causal: 0.25 },
  hard: { n: 4, d: 4, dk: [2, 3], places: 1, causal: 0.5 },
};

function generate(rng: Rng, difficulty: Difficulty, shape: Shape): SelfAttentionParams {
  const { n, d, dk: dks, places, causal } = SIZES[difficulty];
  const k = rng.pick(dks);
  // Easy: small integers; otherwise one decimal, weights kept small so scores stay moderate.
  const x = () => (places === 0 ? rng.int(-1, 2) : rng.decimal(-1, 1, places));
  const w = () => (places === 0 ? rng.int(-1, 1) : rng.decimal(-1, 1, places));
  const p: SelfAttentionParams = {
    X: rng.matrix(n, d, x),
    W_Q: rng.matrix(d, k, w),
    W_K: rng.matrix(d, k, w),
    W_V: rng.matrix(d, d, w),
  };
  if (honour(rng, rng.int(0, 99) < causal * 100, shape.causal as boolean | undefined)) p.causal = true;
  return p;
}
