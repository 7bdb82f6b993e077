/**
 * bahdanau-attention: additive attention for one decoder step (Bahdanau, Cho & Bengio 2015).
 * e_j = vᵀ tanh(W_s s + W_h h_j), α = softmax(e), c = Σ_j α_j h_j.
 * Contract: the bahdanau-attention entry of the topic contract (tests/contract-ids.ts).
 */
import { addVectors, argmax, dot, mapMatrix, matvec, softmax, sum, transpose } from '../core/linalg.js';
import type { Matrix, Vector } from '../core/values.js';
import { defineTopic, type Difficulty } from '../solvers/topic.js';
import type { Rng } from '../generators/rng.js';
import { dims, rectangular } from './checks.js';
import { matrix, vector } from './schema-parts.js';

export interface BahdanauParams {
  /** Decoder state, length d_s. */
  s: Vector;
  /** Encoder states h_j as rows: n × d_h. */
  H: Matrix;
  /** a × d_s. */
  W_s: Matrix;
  /** a × d_h. */
  W_h: Matrix;
  /** Length a. */
  v: Vector;
}

type Steps = {
  query_proj: Vector;
  key_proj: Matrix;
  pre_activation: Matrix;
  activation: Matrix;
  scores: Vector;
  weights: Vector;
  context: Vector;
};

/** c = Σ_j α_j h_j for weights α (one per row of H). */
function weightedSum(H: Matrix, alpha: Vector): Vector {
  const out = new Array<number>(H[0].length).fill(0);
  H.forEach((h, j) => h.forEach((x, k) => (out[k] += alpha[j] * x)));
  return out;
}

/** x W (the row-vector habit) where the formula says W x: Wᵀ x, defined when W is square (`applies`). */
function rowTimes(W: Matrix, x: Vector): Vector {
  return matvec(transpose(W), x);
}

const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));

export const bahdanauAttention = defineTopic<BahdanauParams, Steps>({
  id: 'bahdanau-attention',
  title: 'Bahdanau (additive) attention',
  summary: 'One decoder step of additive attention: scores vᵀ tanh(W_s s + W_h h_j), softmax weights and the context vector Σ α_j h_j.',
  paramsSchema: {
    type: 'object',
    additionalProperties: false,
    required: ['s', 'H', 'W_s', 'W_h', 'v'],
    properties: {
      s: vector(),
      H: matrix(),
      W_s: matrix(),
      W_h: matrix(),
      v: vector(),
    },
  },
  checkParams(p) {
    const [, dh] = rectangular('H', p.H);
    const a = p.v.length;
    const ds = p.s.length;
    dims('W_s', p.W_s, a, ds, `a × d_s: one row per entry of v (a = ${a}), one column per entry of s (d_s = ${ds})`);
    dims('W_h', p.W_h, a, dh, `a × d_h: one row per entry of v (a = ${a}), one column per entry of h_j (d_h = ${dh})`);
  },
  steps: {
    query_proj: {
      label: 'Query projection W_s s',
      kind: 'vector',
      deps: [],
      formula: 'W_s s',
      compute: (p) => matvec(p.W_s, p.s),
    },
    key_proj: {
      label: 'Key projections W_h h_j (one row per encoder state)',
      kind: 'matrix',
      deps: [],
      formula: '\\left[ W_h h_j \\right]_{\\text{row } j} = H W_h^\\top',
      compute: (p) => p.H.map((h) => matvec(p.W_h, h)),
    },
    pre_activation: {
      label: 'Pre-activations W_s s + W_h h_j (one row per encoder state)',
      kind: 'matrix',
      deps: ['query_proj', 'key_proj'],
      formula: '\\left[ W_s s + W_h h_j \\right]_{\\text{row } j}',
      compute: (_p, s) => s.key_proj.map((k) => addVectors(s.query_proj, k)),
    },
    activation: {
      label: 'Activations tanh(W_s s + W_h h_j), element-wise',
      kind: 'matrix',
      deps: ['pre_activation'],
      formula: '\\left[ \\tanh(W_s s + W_h h_j) \\right]_{\\text{row } j}',
      compute: (_p, s) => mapMatrix(s.pre_activation, Math.tanh),
    },
    scores: {
      label: 'Alignment scores e_j = vᵀ tanh(W_s s + W_h h_j)',
      kind: 'vector',
      deps: ['activation'],
      formula: 'e_j = v^\\top \\tanh(W_s s + W_h h_j)',
      compute: (p, s) => s.activation.map((row) => dot(p.v, row)),
    },
    weights: {
      label: 'Attention weights α = softmax(e)',
      kind: 'vector',
      deps: ['scores'],
      formula: '\\alpha_j = \\frac{\\exp(e_j)}{\\sum_k \\exp(e_k)}',
      compute: (_p, s) => softmax(s.scores),
    },
    context: {
      label: 'Context vector c = Σ_j α_j h_j',
      kind: 'vector',
      deps: ['weights'],
      formula: 'c = \\sum_j \\alpha_j h_j',
      compute: (p, s) => weightedSum(p.H, s.weights),
    },
  },
  misconceptions: [
    {
      id: 'query-projection-transposed',
      step: 'query_proj',
      explanation: 'You computed s W_s (s as a row times W_s), which is W_sᵀ s; the projection is W_s s, each row of W_s dotted with s.',
      applies: (p) => p.W_s.length === p.s.length,
      compute: (p) => rowTimes(p.W_s, p.s),
    },
    {
      id: 'key-projection-transposed',
      step: 'key_proj',
      explanation: 'You computed h_j W_h (h_j as a row times W_h), which is W_hᵀ h_j; the projection is W_h h_j, each row of W_h dotted with h_j.',
      applies: (p) => p.W_h.length === p.H[0].length,
      compute: (p) => p.H.map((h) => rowTimes(p.W_h, h)),
    },
    {
      id: 'tanh-skipped',
      step: 'activation',
      explanation: 'You skipped the tanh: the activations are tanh(W_s s + W_h h_j), applied to every entry.',
      compute: (_p, s) => s.pre_activation.map((row) => [...row]),
    },
    {
      id: 'sigmoid-instead-of-tanh',
      step: 'activation',
      explanation: 'You used the logistic sigmoid; additive attention uses tanh, which lies in (−1, 1) and is 0 at 0.',
      compute: (_p, s) => mapMatrix(s.pre_activation, sigmoid),
    },
    {
      id: 'weights-normalised-by-sum',
      step: 'weights',
      explanation: 'You divided each score by the sum of the scores; the weights are a softmax: exponentiate each score, then divide by the sum of the exponentials.',
      compute: (_p, s) => {
        const total = sum(s.scores);
        return s.scores.map((e) => e / total); // total 0 gives ±∞/NaN, which matching skips
      },
    },
    {
      id: 'context-unweighted-mean',
      step: 'context',
      explanation: 'You averaged the encoder states equally; the context weights each h_j by its attention weight α_j.',
      compute: (p) => weightedSum(p.H, p.H.map(() => 1 / p.H.length)),
    },
  ],
  generate: (rng, difficulty) => generate(rng, difficulty),
  templateData(p, s) {
    const w = s.weights;
    const top = argmax(w);
    return {
      n: p.H.length,
      d_s: p.s.length,
      d_h: p.H[0].length,
      a: p.v.length,
      topState: `h_{${top + 1}}`,
      topAlpha: `\\alpha_{${top + 1}}`,
      topWeight: w[top],
    };
  },
  degenerate(_p, s) {
    // Informative and hand-checkable: tanh not saturated, softmax not (almost) one-hot.
    for (const row of s.pre_activation) {
      for (const x of row) if (Math.abs(x) > 3) return 'a pre-activation exceeds 3 in size (tanh saturated)';
    }
    for (const w of s.weights) if (w > 0.95) return 'the softmax is saturated';
    return null;
  },
});

interface Sizes {
  n: number[];
  a: number;
  ds: number[];
  dh: number[];
}

const SIZES: Record<Difficulty, Sizes> = {
  easy: { n: [2], a: 2, ds: [2], dh: [2] },
  medium: { n: [3], a: 2, ds: [2], dh: [2] },
  hard: { n: [3, 4], a: 3, ds: [2, 3], dh: [2, 3] },
};

function generate(rng: Rng, difficulty: Difficulty): BahdanauParams {
  const { n: ns, a, ds: dss, dh: dhs } = SIZES[difficulty];
  const n = rng.pick(ns);
  const ds = rng.pick(dss);
  const dh = rng.pick(dhs);
  // Easy: weight matrices of small integers; every vector (and, above easy, every matrix) one decimal.
  const w = () => (difficulty === 'easy' ? rng.int(-1, 1) : rng.decimal(-1, 1, 1));
  const x = () => rng.decimal(-1, 1, 1);
  return {
    s: rng.vector(ds, x),
    H: rng.matrix(n, dh, x),
    W_s: rng.matrix(a, ds, w),
    W_h: rng.matrix(a, dh, w),
    v: rng.vector(a, () => rng.nonzeroDecimal(-1.5, 1.5, 1)),
  };
}
