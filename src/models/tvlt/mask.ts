/**
 * MAE masking over the token sequence [CLS, video patches…, audio patches…]. Each modality loses
 * exactly round(ratio · its patch count) patches, chosen at random per clip; the [CLS] token
 * (index 0) is never masked. The encoder sees only [CLS] and the kept patches; the decoder puts
 * mask tokens after them and gathers everything back into the original order (MAE's ids_restore).
 */
import type { Rng } from '../../generators/rng.js';

export interface MaskCounts {
  video: number;
  audio: number;
}

/** How many patches of each modality a ratio masks. */
export function maskCounts(ratio: number, nv: number, na: number): MaskCounts {
  return { video: Math.round(ratio * nv), audio: Math.round(ratio * na) };
}

/** The share of all patches (not counting [CLS]) that a ratio masks. */
export function realisedShare(ratio: number, nv: number, na: number): number {
  const m = maskCounts(ratio, nv, na);
  return (m.video + m.audio) / (nv + na);
}

export interface BatchMask {
  /** Tokens per clip, [CLS] included: 1 + nv + na. */
  seq: number;
  /** Tokens the encoder sees per clip: 1 + kept patches. */
  kept: number;
  /** Row indices into the flat [batch·seq] token matrix, in encoder order: [CLS, kept…] per clip. */
  keepRows: Int32Array;
  /** For each flat token row in original order, its row in the decoder's [CLS, kept…, masked…] matrix. */
  restoreRows: Int32Array;
  /** 1 where a token is masked, [batch·seq] in original order (0 for every [CLS]). */
  masked: Float32Array;
}

export function sampleMask(rng: Rng, batch: number, nv: number, na: number, ratio: number): BatchMask {
  const counts = maskCounts(ratio, nv, na);
  const seq = 1 + nv + na;
  const kept = seq - counts.video - counts.audio;
  const keepRows = new Int32Array(batch * kept);
  const restoreRows = new Int32Array(batch * seq);
  const masked = new Float32Array(batch * seq);
  for (let b = 0; b < batch; b++) {
    const video = rng.shuffle(Array.from({ length: nv }, (_, i) => 1 + i));
    const audio = rng.shuffle(Array.from({ length: na }, (_, i) => 1 + nv + i));
    const drop = [...video.slice(0, counts.video), ...audio.slice(0, counts.audio)].sort((x, y) => x - y);
    const keep = [0, ...video.slice(counts.video), ...audio.slice(counts.audio)].sort((x, y) => x - y);
    [...keep, ...drop].forEach((tok, pos) => {
      restoreRows[b * seq + tok] = b * seq + pos;
    });
    keep.forEach((tok, j) => {
      keepRows[b * kept + j] = b * seq + tok;
    });
    for (const tok of drop) masked[b * seq + tok] = 1;
  }
  return { seq, kept, keepRows, restoreRows, masked };
}
