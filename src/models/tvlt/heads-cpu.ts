/**
 * The two losses from the transformer's outputs, forward and backward over Float32Arrays for the
 * CPU backends' fused ops (cpu-ops.ts), computing what model.ts and train.ts's tensor ops compute:
 *
 * - MAE: the decoder's output rows of the video and audio patches through their linear heads, the
 *   per-patch MSE against the targets, its mean over masked patches per modality (Σ err·mask /
 *   max(Σ mask, 1)), and the mean of the two;
 * - VAM: each clip's [CLS] row of the encoder's output through the matching head (tanh layer,
 *   then one logit) and the binary cross-entropy from logits, max(z, 0) − z·y + log(1 + e^−|z|),
 *   averaged over the batch.
 */
import { alloc } from './arena.js';
import { addBias, columnSum, loopKernels, type Kernels } from './cpu-math.js';

/** The targets and masks of one modality: patches [batch, count, size], mask [batch, count] (1 = masked). */
export interface Targets {
  patches: Float32Array;
  mask: Float32Array;
  count: number;
  size: number;
}

/** Where a modality's patches sit in each clip's token rows: rows first … first + count − 1. */
interface Head {
  w: Float32Array; // [dd, size]
  b: Float32Array; // [size]
  first: number;
  t: Targets;
}

/** One modality's masked MSE and, for the backward, its rows and residuals. */
function headForward(out: Float32Array, dd: number, batch: number, seq: number, h: Head, { mm }: Kernels): { loss: number; x: Float32Array; diff: Float32Array; norm: number } {
  const { count, size } = h.t;
  const x = alloc(batch * count * dd);
  for (let b = 0; b < batch; b++) x.set(out.subarray((b * seq + h.first) * dd, (b * seq + h.first + count) * dd), b * count * dd);
  const diff = addBias(mm(x, h.w, 1, batch * count, dd, size), h.b);
  let sum = 0;
  let masked = 0;
  for (let r = 0; r < batch * count; r++) {
    let e = 0;
    for (let k = 0; k < size; k++) {
      const v = diff[r * size + k] - h.t.patches[r * size + k];
      diff[r * size + k] = v;
      e += v * v;
    }
    sum += (h.t.mask[r] * e) / size;
    masked += h.t.mask[r];
  }
  const norm = Math.max(masked, 1);
  return { loss: sum / norm, x, diff, norm };
}

/** Adds one modality's share of ∂loss/∂out into dOut; the head's weight and bias gradients. `g`: ∂total/∂(this modality's loss). */
function headBackward(g: number, dOut: Float32Array, dd: number, batch: number, seq: number, h: Head, f: { x: Float32Array; diff: Float32Array; norm: number }, { mmAT, mmBT }: Kernels): { w: Float32Array; b: Float32Array } {
  const { count, size } = h.t;
  const rows = batch * count;
  const dPred = alloc(rows * size);
  for (let r = 0; r < rows; r++) {
    const c = (g * h.t.mask[r] * 2) / (size * f.norm);
    if (c !== 0) for (let k = 0; k < size; k++) dPred[r * size + k] = c * f.diff[r * size + k];
  }
  const dx = mmBT(dPred, h.w, 1, rows, size, dd);
  for (let b = 0; b < batch; b++) {
    const o = (b * seq + h.first) * dd;
    const src = b * count * dd;
    for (let j = 0; j < count * dd; j++) dOut[o + j] += dx[src + j];
  }
  return { w: mmAT(f.x, dPred, 1, dd, rows, size), b: columnSum(dPred, rows, size) };
}

export interface MaeHeadValues {
  wv: Float32Array;
  bv: Float32Array;
  wa: Float32Array;
  ba: Float32Array;
}

/**
 * The MAE loss from the decoder's output out [batch·seq, dd] (seq = 1 + nv + na: [CLS], video,
 * audio); `back(g)` gives ∂(g·loss)/∂out and the heads' gradients (wv, bv, wa, ba).
 */
export function maeHeadLoss(p: MaeHeadValues, out: Float32Array, batch: number, video: Targets, audio: Targets, mm: Kernels): { loss: number; back: (g: number) => Float32Array[] } {
  const dd = p.wv.length / p.bv.length;
  const seq = 1 + video.count + audio.count;
  const hv: Head = { w: p.wv, b: p.bv, first: 1, t: video };
  const ha: Head = { w: p.wa, b: p.ba, first: 1 + video.count, t: audio };
  const fv = headForward(out, dd, batch, seq, hv, mm);
  const fa = headForward(out, dd, batch, seq, ha, mm);
  return {
    loss: 0.5 * (fv.loss + fa.loss),
    back: (g) => {
      const dOut = alloc(out.length);
      const gv = headBackward(0.5 * g, dOut, dd, batch, seq, hv, fv, mm);
      const ga = headBackward(0.5 * g, dOut, dd, batch, seq, ha, fa, mm);
      return [dOut, gv.w, gv.b, ga.w, ga.b];
    },
  };
}

export interface VamHeadValues {
  w1: Float32Array; // [d, hidden]
  b1: Float32Array;
  w2: Float32Array; // [hidden, 1]
  b2: Float32Array; // [1]
}

/**
 * The VAM loss from the encoder's output enc [batch·seq, d] and labels [batch] (1 = matched);
 * `back(g)` gives ∂(g·loss)/∂enc and the head's gradients (w1, b1, w2, b2). The head is tiny
 * (batch × d × hidden), so its products are loops here, not kernels.
 */
export function vamHeadLoss(p: VamHeadValues, enc: Float32Array, batch: number, seq: number, labels: Float32Array): { loss: number; back: (g: number) => Float32Array[] } {
  const hidden = p.b1.length;
  const d = p.w1.length / hidden;
  const { mm, mmAT, mmBT } = loopKernels;
  const x = new Float32Array(batch * d);
  for (let b = 0; b < batch; b++) x.set(enc.subarray(b * seq * d, (b * seq + 1) * d), b * d);
  const h = addBias(mm(x, p.w1, 1, batch, d, hidden), p.b1).map(Math.tanh);
  const z = addBias(mm(h, p.w2, 1, batch, hidden, 1), p.b2);
  let loss = 0;
  for (let b = 0; b < batch; b++) loss += Math.max(z[b], 0) - z[b] * labels[b] + Math.log1p(Math.exp(-Math.abs(z[b])));
  return {
    loss: loss / batch,
    back: (g) => {
      // ∂/∂z of the BCE from logits: σ(z) − y.
      const dz = z.map((zb, b) => (g * (1 / (1 + Math.exp(-zb)) - labels[b])) / batch);
      const dh = mm(dz, p.w2, 1, batch, 1, hidden).map((v, i) => v * (1 - h[i] * h[i]));
      const dx = mmBT(dh, p.w1, 1, batch, hidden, d);
      const dEnc = new Float32Array(enc.length);
      for (let b = 0; b < batch; b++) dEnc.set(dx.subarray(b * d, (b + 1) * d), b * seq * d);
      return [dEnc, mmAT(x, dh, 1, d, batch, hidden), columnSum(dh, batch, hidden), mmAT(h, dz, 1, hidden, batch, 1), columnSum(dz, batch, 1)];
    },
  };
}
