/**
 * clip-infonce: CLIP's symmetric contrastive (InfoNCE) loss over a batch of n matching
 * image–text pairs (Radford et al. 2021): cosine similarities scaled by 1/τ, cross-entropy of each
 * image against every text (rows) and of each text against every image (columns), averaged.
 * Contract: the clip-infonce entry of the topic contract (tests/contract-ids.ts).
 */
import { matmulTransposed, transpose } from '../core/linalg.js';
import type { Matrix, Vector } from '../core/values.js';
import type { Rng } from '../generators/rng.js';
import { paramsError } from '../solvers/params.js';
import { defineTopic, type Difficulty } from '../solvers/topic.js';
import { dims, rectangular } from './checks.js';
import { matrix } from './schema-parts.js';

export interface ClipParams {
  image_emb: Matrix;
  text_emb: Matrix;
  temperature: number;
}

type Steps = {
  image_norm: Matrix;
  text_norm: Matrix;
  logits: Matrix;
  loss_image: number;
  loss_text: number;
  loss: number;
};

const MAX_BATCH = 8;

const l2 = (v: Vector): number => Math.sqrt(v.reduce((t, x) => t + x * x, 0));
const l1 = (v: Vector): number => v.reduce((t, x) => t + Math.abs(x), 0);
const scaleRows = (m: Matrix, norm: (v: Vector) => number): Matrix => m.map((row) => {
  const n = norm(row);
  return row.map((x) => x / n);
});
const scale = (m: Matrix, f: number): Matrix => m.map((row) => row.map((x) => x * f));

/** Cosine similarities of image i and text j, divided by τ. */
const cosineLogits = (p: ClipParams, img: Matrix, txt: Matrix, factor = 1 / p.temperature): Matrix => scale(matmulTransposed(img, txt), factor);

/** −ln softmax(row)[i], stably: log-sum-exp minus the entry. */
function nll(row: Vector, i: number): number {
  const max = Math.max(...row);
  return max + Math.log(row.reduce((t, x) => t + Math.exp(x - max), 0)) - row[i];
}

/** Mean (or sum) over rows i of −ln softmax(row i)[i] (in log base 10 when asked): each row's match is on the diagonal. */
function rowLoss(m: Matrix, opts: { sum?: boolean; log10?: boolean } = {}): number {
  const total = m.reduce((t, row, i) => t + nll(row, i), 0) / (opts.log10 ? Math.LN10 : 1);
  return opts.sum ? total : total / m.length;
}

const notUnit = (m: Matrix): boolean => m.some((row) => Math.abs(l2(row) - 1) > 1e-12);
const symmetric = (m: Matrix): boolean => m.every((row, i) => row.every((x, j) => Math.abs(x - m[j][i]) <= 1e-12 * Math.max(1, Math.abs(x))));

export const clipInfonce = defineTopic<ClipParams, Steps>({
  id: 'clip-infonce',
  title: 'CLIP’s symmetric contrastive (InfoNCE) loss',
  summary: 'L2-normalised image and text embeddings, cosine logits over a temperature τ, and the symmetric cross-entropy of CLIP over a batch of matching pairs.',
  paramsSchema: {
    type: 'object',
    additionalProperties: false,
    required: ['image_emb', 'text_emb', 'temperature'],
    properties: {
      image_emb: { ...matrix({ maxRows: MAX_BATCH }), minItems: 2, description: 'n × d: a contrastive batch needs at least two pairs' },
      text_emb: { ...matrix({ maxRows: MAX_BATCH }), minItems: 2 },
      temperature: { type: 'number', exclusiveMinimum: 0, maximum: 100, description: 'τ; CLIP learns it, starting from 0.07' },
    },
  },
  checkParams(p) {
    const [n, d] = rectangular('image_emb', p.image_emb);
    dims('text_emb', p.text_emb, n, d, 'one text per image, in the same embedding space');
    for (const name of ['image_emb', 'text_emb'] as const) {
      p[name].forEach((row, i) => {
        if (l2(row) === 0) paramsError(`${name}[${i}]`, 'is all zeros; it has no direction, so it cannot be normalised');
      });
    }
  },
  steps: {
    image_norm: {
      label: 'Normalised image embeddings',
      kind: 'matrix',
      deps: [],
      formula: '\\hat I_i = \\frac{I_i}{\\lVert I_i \\rVert_2}',
      compute: (p) => scaleRows(p.image_emb, l2),
    },
    text_norm: {
      label: 'Normalised text embeddings',
      kind: 'matrix',
      deps: [],
      formula: '\\hat T_j = \\frac{T_j}{\\lVert T_j \\rVert_2}',
      compute: (p) => scaleRows(p.text_emb, l2),
    },
    logits: {
      label: 'Logits: cosine similarities over τ',
      kind: 'matrix',
      deps: ['image_norm', 'text_norm'],
      formula: 'L_{ij} = \\hat I_i \\cdot \\hat T_j \\,/\\, \\tau',
      compute: (p, s) => cosineLogits(p, s.image_norm, s.text_norm),
    },
    loss_image: {
      label: 'Image → text loss (over each row)',
      kind: 'scalar',
      deps: ['logits'],
      formula: '\\ell_{\\text{image}} = -\\frac{1}{n} \\sum_i \\ln \\frac{e^{L_{ii}}}{\\sum_j e^{L_{ij}}}',
      compute: (_p, s) => rowLoss(s.logits),
    },
    loss_text: {
      label: 'Text → image loss (over each column)',
      kind: 'scalar',
      deps: ['logits'],
      formula: '\\ell_{\\text{text}} = -\\frac{1}{n} \\sum_j \\ln \\frac{e^{L_{jj}}}{\\sum_i e^{L_{ij}}}',
      compute: (_p, s) => rowLoss(transpose(s.logits)),
    },
    loss: {
      label: 'Symmetric loss',
      kind: 'scalar',
      deps: ['loss_image', 'loss_text'],
      formula: '\\ell = \\tfrac12 \\left( \\ell_{\\text{image}} + \\ell_{\\text{text}} \\right)',
      compute: (_p, s) => (s.loss_image + s.loss_text) / 2,
    },
  },
  misconceptions: [
    {
      id: 'image-not-normalised',
      step: 'image_norm',
      explanation: 'You left the image embeddings as they are; each row is divided by its L2 norm, so that dot products are cosine similarities.',
      applies: (p) => notUnit(p.image_emb),
      compute: (p) => p.image_emb.map((row) => [...row]),
    },
    {
      id: 'image-l1-normalised',
      step: 'image_norm',
      explanation: 'You divided each image row by the sum of its absolute values (L1); CLIP divides by the L2 norm √(Σ x²).',
      compute: (p) => scaleRows(p.image_emb, l1),
    },
    {
      id: 'text-not-normalised',
      step: 'text_norm',
      explanation: 'You left the text embeddings as they are; each row is divided by its L2 norm, so that dot products are cosine similarities.',
      applies: (p) => notUnit(p.text_emb),
      compute: (p) => p.text_emb.map((row) => [...row]),
    },
    {
      id: 'text-l1-normalised',
      step: 'text_norm',
      explanation: 'You divided each text row by the sum of its absolute values (L1); CLIP divides by the L2 norm √(Σ x²).',
      compute: (p) => scaleRows(p.text_emb, l1),
    },
    {
      id: 'logits-unnormalised',
      step: 'logits',
      explanation: 'You took dot products of the raw embeddings; CLIP normalises both first, so each logit is a cosine similarity (between −1 and 1) over τ.',
      applies: (p) => notUnit(p.image_emb) || notUnit(p.text_emb),
      compute: (p) => cosineLogits(p, p.image_emb, p.text_emb),
    },
    {
      id: 'logits-no-temperature',
      step: 'logits',
      explanation: 'You left out the temperature: the cosine similarities are divided by τ before the softmax.',
      applies: (p) => p.temperature !== 1,
      compute: (p, s) => cosineLogits(p, s.image_norm, s.text_norm, 1),
    },
    {
      id: 'logits-times-temperature',
      step: 'logits',
      explanation: 'You multiplied by τ; the cosine similarities are divided by it (a small τ sharpens the softmax).',
      applies: (p) => p.temperature !== 1,
      compute: (p, s) => cosineLogits(p, s.image_norm, s.text_norm, p.temperature),
    },
    {
      id: 'logits-transposed',
      step: 'logits',
      explanation: 'You put texts in the rows; row i of the logits is image i against every text, L_ij = Î_i · T̂_j / τ.',
      applies: (p) => !symmetric(matmulTransposed(scaleRows(p.image_emb, l2), scaleRows(p.text_emb, l2))),
      compute: (p, s) => cosineLogits(p, s.text_norm, s.image_norm),
    },
    {
      id: 'loss-image-summed',
      step: 'loss_image',
      explanation: 'You summed over the batch; the loss is the mean over its n images.',
      compute: (_p, s) => rowLoss(s.logits, { sum: true }),
    },
    {
      id: 'loss-image-log10',
      step: 'loss_image',
      explanation: 'You used log base 10; the cross-entropy uses the natural log.',
      compute: (_p, s) => rowLoss(s.logits, { log10: true }),
    },
    {
      id: 'loss-image-no-softmax',
      step: 'loss_image',
      explanation: 'You took −L_ii alone; the loss is −ln of the softmax, so each row also adds ln Σ_j e^{L_ij} (the negatives count).',
      compute: (_p, s) => -s.logits.reduce((t, row, i) => t + row[i], 0) / s.logits.length,
    },
    {
      id: 'loss-image-over-columns',
      step: 'loss_image',
      explanation: 'You normalised down the columns; the image → text loss takes the softmax along each row (image i against every text).',
      compute: (_p, s) => rowLoss(transpose(s.logits)),
    },
    {
      id: 'loss-text-summed',
      step: 'loss_text',
      explanation: 'You summed over the batch; the loss is the mean over its n texts.',
      compute: (_p, s) => rowLoss(transpose(s.logits), { sum: true }),
    },
    {
      id: 'loss-text-log10',
      step: 'loss_text',
      explanation: 'You used log base 10; the cross-entropy uses the natural log.',
      compute: (_p, s) => rowLoss(transpose(s.logits), { log10: true }),
    },
    {
      id: 'loss-text-over-rows',
      step: 'loss_text',
      explanation: 'You took the softmax along the rows again; the text → image loss normalises down each column (text j against every image).',
      compute: (_p, s) => rowLoss(s.logits),
    },
    {
      id: 'loss-image-direction-only',
      step: 'loss',
      explanation: 'You gave only the image → text direction; CLIP’s loss is symmetric, the mean of both directions.',
      compute: (_p, s) => s.loss_image,
    },
    {
      id: 'loss-text-direction-only',
      step: 'loss',
      explanation: 'You gave only the text → image direction; CLIP’s loss is symmetric, the mean of both directions.',
      compute: (_p, s) => s.loss_text,
    },
    {
      id: 'loss-directions-summed',
      step: 'loss',
      explanation: 'You added the two directions; CLIP averages them: (L_image + L_text)/2.',
      compute: (_p, s) => s.loss_image + s.loss_text,
    },
  ],
  generate: (rng, difficulty) => generate(rng, difficulty),
  templateData(p, s) {
    const n = p.image_emb.length;
    const probs = s.logits.map((row, i) => Math.exp(-nll(row, i)));
    return {
      n,
      d: p.image_emb[0].length,
      tau: p.temperature,
      chance: Math.log(n),
      diagonalProbs: probs,
      better: s.loss < Math.log(n),
    };
  },
  degenerate(_p, s) {
    if (s.loss < 0.02) return 'the softmax is saturated (loss below 0.02)';
    return null;
  },
});

/** Integer vectors with integer L2 norms, so the normalised rows are exact fractions. */
const POOLS: Record<number, readonly number[][]> = {
  2: [[3, 4], [4, 3], [5, 12], [12, 5], [6, 8], [8, 6], [1, 0], [0, 2]],
  3: [[1, 2, 2], [2, 1, 2], [2, 2, 1], [2, 3, 6], [3, 6, 2], [6, 2, 3], [1, 4, 8], [4, 4, 7], [0, 3, 4], [4, 0, 3]],
  4: [[1, 1, 1, 1], [1, 2, 2, 4], [1, 1, 3, 5], [2, 4, 5, 6], [1, 3, 3, 9], [0, 0, 3, 4], [2, 2, 4, 5]],
};

const GEN: Record<Difficulty, { n: number[]; d: number[]; taus: number[] }> = {
  easy: { n: [2], d: [2], taus: [1, 0.5] },
  medium: { n: [2, 3], d: [3], taus: [0.5, 0.25, 0.2] },
  hard: { n: [3, 4], d: [3, 4], taus: [0.5, 0.2, 0.1] },
};

/** A pool vector with its entries shuffled and their signs drawn. */
function drawVector(rng: Rng, d: number): number[] {
  return rng.shuffle([...rng.pick(POOLS[d])]).map((x) => (x !== 0 && rng.int(0, 1) === 1 ? -x : x));
}

function generate(rng: Rng, difficulty: Difficulty): ClipParams {
  const g = GEN[difficulty];
  const n = rng.pick(g.n);
  const d = rng.pick(g.d);
  const image_emb = Array.from({ length: n }, () => drawVector(rng, d));
  // A matching caption points roughly the same way as its image (positive cosine), as after some training.
  const text_emb = image_emb.map((img) => {
    let t = drawVector(rng, d);
    for (let tries = 0; tries < 20 && t.reduce((s, x, j) => s + x * img[j], 0) <= 0; tries++) t = drawVector(rng, d);
    return t;
  });
  return { image_emb, text_emb, temperature: rng.pick(g.taus) };
}
