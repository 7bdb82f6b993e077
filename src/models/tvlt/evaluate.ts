/**
 * Evaluation on held-out clips: masked-patch MSE of the trained model and of the baseline that
 * predicts each position's mean patch over the training clips (same masks, same patches), at any
 * mask ratio; and vision–audio matching accuracy on every test clip with its own audio and with
 * another test clip's.
 */
import { readAll, readValues } from '../read.js';
import type { Rng } from '../../generators/rng.js';
import type { Tf } from '../runtime.js';
import { meanPatch, type Layout, type PatchSet } from './data.js';
import { realisedShare, sampleMask } from './mask.js';
import { maeForward, vamLogits, type Tvlt } from './model.js';
import { batchTensors, modalityMasks, otherClip } from './train.js';

const EVAL_BATCH = 64;

export interface Mse {
  video: number;
  audio: number;
  /** The mean of the two, as in the MAE loss. */
  mean: number;
}

export const EXAMPLES = 3;

export interface Example {
  videoMask: Float32Array;
  audioMask: Float32Array;
  video: Float32Array;
  audio: Float32Array;
}

export interface ReconEval {
  ratio: number;
  /** The exact share of patches masked (round(ratio · count) per modality). */
  realised: number;
  model: Mse;
  baseline: Mse;
  /** The first EXAMPLES test clips' masks and predicted patches, for the pictures. */
  examples: Example[];
}

/** Σ over masked patches of per-patch MSE, and how many were masked. */
function accumulate(pred: Float32Array, target: Float32Array, mask: Float32Array, size: number, acc: { sum: number; n: number }, offset: number): void {
  for (let p = 0; p < mask.length; p++) {
    if (!mask[p]) continue;
    let e = 0;
    for (let k = 0; k < size; k++) e += (pred[p * size + k] - target[(offset + p) * size + k]) ** 2;
    acc.sum += e / size;
    acc.n++;
  }
}

const mse = (v: { sum: number; n: number }, a: { sum: number; n: number }): Mse => {
  const video = v.sum / v.n;
  const audio = a.sum / a.n;
  return { video, audio, mean: (video + audio) / 2 };
};

export async function evaluateRecon(tf: Tf, rng: Rng, m: Tvlt, train: PatchSet, test: PatchSet, ratio: number): Promise<ReconEval> {
  const L: Layout = m.L;
  const meanV = meanPatch(train.video, train.n, L.nv, L.pv);
  const meanA = meanPatch(train.audio, train.n, L.na, L.pa);
  const [mv, ma, bv, ba] = [0, 0, 0, 0].map(() => ({ sum: 0, n: 0 }));
  const examples: Example[] = [];
  for (let start = 0; start < test.n; start += EVAL_BATCH) {
    const idx = Array.from({ length: Math.min(EVAL_BATCH, test.n - start) }, (_, k) => start + k);
    const mask = sampleMask(rng, idx.length, L.nv, L.na, ratio);
    const masks = modalityMasks(mask, idx.length, L);
    const t = batchTensors(tf, test, L, idx);
    const [pv, pa] = await readAll(tf, () => {
      const p = maeForward(tf, m, t.video, t.audio, mask);
      return [p.video, p.audio];
    });
    tf.dispose([t.video, t.audio]);
    accumulate(pv, test.video, masks.video, L.pv, mv, start * L.nv);
    accumulate(pa, test.audio, masks.audio, L.pa, ma, start * L.na);
    const tiledV = tile(meanV, idx.length);
    const tiledA = tile(meanA, idx.length);
    accumulate(tiledV, test.video, masks.video, L.pv, bv, start * L.nv);
    accumulate(tiledA, test.audio, masks.audio, L.pa, ba, start * L.na);
    for (let k = 0; k < idx.length && examples.length < EXAMPLES; k++) {
      examples.push({
        videoMask: masks.video.slice(k * L.nv, (k + 1) * L.nv),
        audioMask: masks.audio.slice(k * L.na, (k + 1) * L.na),
        video: pv.slice(k * L.nv * L.pv, (k + 1) * L.nv * L.pv),
        audio: pa.slice(k * L.na * L.pa, (k + 1) * L.na * L.pa),
      });
    }
  }
  return { ratio, realised: realisedShare(ratio, L.nv, L.na), model: mse(mv, ma), baseline: mse(bv, ba), examples };
}

function tile(a: Float32Array, times: number): Float32Array {
  const out = new Float32Array(a.length * times);
  for (let i = 0; i < times; i++) out.set(a, i * a.length);
  return out;
}

export interface VamEval {
  accuracy: number;
  /** confusion[actual][predicted], 0 = matched, 1 = mismatched. */
  confusion: number[][];
  pairs: number;
}

export async function evaluateVam(tf: Tf, rng: Rng, m: Tvlt, test: PatchSet): Promise<VamEval> {
  const confusion = [
    [0, 0],
    [0, 0],
  ];
  const swapped = Array.from({ length: test.n }, (_, i) => otherClip(rng, test.n, i));
  for (let start = 0; start < test.n; start += EVAL_BATCH) {
    const idx = Array.from({ length: Math.min(EVAL_BATCH, test.n - start) }, (_, k) => start + k);
    for (const [actual, audioFrom] of [
      [0, idx],
      [1, idx.map((i) => swapped[i])],
    ] as [number, number[]][]) {
      const t = batchTensors(tf, test, m.L, idx, audioFrom);
      const logits = await readValues(tf, () => vamLogits(tf, m, t.video, t.audio));
      tf.dispose([t.video, t.audio]);
      for (const z of logits) confusion[actual][z > 0 ? 0 : 1]++;
    }
  }
  return { accuracy: (confusion[0][0] + confusion[1][1]) / (2 * test.n), confusion, pairs: 2 * test.n };
}
