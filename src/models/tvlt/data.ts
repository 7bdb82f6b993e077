/**
 * Synthetic clips: a bright square moving up or down through 16×16 grey frames, with a tone whose
 * pitch follows the square's height (higher square, higher pitch), turned into a log-mel
 * spectrogram; and the patches the transformer sees.
 */
import type { Rng } from '../../generators/rng.js';
import { HOP, logMel, sineSweep } from './audio.js';

export const IMAGE = 16;
export const SQUARE = 4;
export const MEL_BINS = 16;
/** STFT columns per video frame: each frame's audio is this many hops long. */
export const COLS_PER_FRAME = 4;
/** Pitch range: the square at the bottom (row IMAGE − SQUARE) sounds F_LOW, at the top F_HIGH; geometric in between. */
export const F_LOW = 200;
export const F_HIGH = 3200;

export interface Clip {
  /** frames × IMAGE × IMAGE, row-major, 0 (black) … 1 (the square). */
  frames: Float32Array;
  /** (frames · COLS_PER_FRAME) time columns × MEL_BINS, time-major, 0 … 1. */
  spec: Float32Array;
  /** The square's top row in each frame. */
  ys: number[];
}

export function pitchFor(y: number): number {
  const top = IMAGE - SQUARE;
  return F_LOW * (F_HIGH / F_LOW) ** ((top - y) / top);
}

/** A clip whose square (top-left at column x) sits at row ys[t] in frame t. */
export function makeClip(ys: number[], x: number): Clip {
  const frames = new Float32Array(ys.length * IMAGE * IMAGE);
  ys.forEach((y, t) => {
    for (let r = y; r < y + SQUARE; r++) for (let c = x; c < x + SQUARE; c++) frames[(t * IMAGE + r) * IMAGE + c] = 1;
  });
  const audio = sineSweep(ys.map(pitchFor), COLS_PER_FRAME * HOP);
  return { frames, spec: Float32Array.from(logMel(audio, MEL_BINS).flat()), ys };
}

/** A random clip: start and end rows drawn independently, the square moving linearly between them. */
export function randomClip(rng: Rng, frames: number): Clip {
  const top = IMAGE - SQUARE;
  const y0 = rng.int(0, top);
  const y1 = rng.int(0, top);
  const x = (IMAGE - SQUARE) / 2;
  return makeClip(Array.from({ length: frames }, (_, t) => Math.round(y0 + ((y1 - y0) * t) / (frames - 1))), x);
}

/**
 * Cuts a [t][h][w] array into p×p patches, ordered by (t, patch row, patch column), each patch
 * row-major: out has t·(h/p)·(w/p) rows of p·p values.
 */
export function patchify(data: Float32Array, t: number, h: number, w: number, p: number): Float32Array {
  const out = new Float32Array(data.length);
  let o = 0;
  for (let f = 0; f < t; f++)
    for (let pr = 0; pr < h / p; pr++)
      for (let pc = 0; pc < w / p; pc++)
        for (let r = 0; r < p; r++) for (let c = 0; c < p; c++) out[o++] = data[(f * h + pr * p + r) * w + pc * p + c];
  return out;
}

/** The inverse of patchify. */
export function unpatchify(patches: Float32Array, t: number, h: number, w: number, p: number): Float32Array {
  const out = new Float32Array(patches.length);
  let o = 0;
  for (let f = 0; f < t; f++)
    for (let pr = 0; pr < h / p; pr++)
      for (let pc = 0; pc < w / p; pc++)
        for (let r = 0; r < p; r++) for (let c = 0; c < p; c++) out[(f * h + pr * p + r) * w + pc * p + c] = patches[o++];
  return out;
}

/** Patch geometry for a config: counts (nv video, na audio patches) and sizes (pv, pa values each). */
export interface Layout {
  frames: number;
  patchSize: number;
  audioPatch: number;
  nv: number;
  na: number;
  pv: number;
  pa: number;
}

export function layoutFor(c: { frames: number; patchSize: number; audioPatch: number }): Layout {
  const cols = c.frames * COLS_PER_FRAME;
  return {
    frames: c.frames,
    patchSize: c.patchSize,
    audioPatch: c.audioPatch,
    nv: c.frames * (IMAGE / c.patchSize) ** 2,
    na: (cols / c.audioPatch) * (MEL_BINS / c.audioPatch),
    pv: c.patchSize ** 2,
    pa: c.audioPatch ** 2,
  };
}

/** Clips as flat patch arrays: video [n][nv][pv], audio [n][na][pa]. */
export interface PatchSet {
  n: number;
  video: Float32Array;
  audio: Float32Array;
  clips: Clip[];
}

export function makeSet(rng: Rng, n: number, L: Layout): PatchSet {
  const clips = Array.from({ length: n }, () => randomClip(rng, L.frames));
  const video = new Float32Array(n * L.nv * L.pv);
  const audio = new Float32Array(n * L.na * L.pa);
  clips.forEach((c, i) => {
    video.set(patchify(c.frames, L.frames, IMAGE, IMAGE, L.patchSize), i * L.nv * L.pv);
    audio.set(patchify(c.spec, 1, L.frames * COLS_PER_FRAME, MEL_BINS, L.audioPatch), i * L.na * L.pa);
  });
  return { n, video, audio, clips };
}

/** Rows `idx` of a [n][rowLen] array, stacked. */
export function pickRows(data: Float32Array, rowLen: number, idx: number[]): Float32Array {
  const out = new Float32Array(idx.length * rowLen);
  idx.forEach((i, k) => out.set(data.subarray(i * rowLen, (i + 1) * rowLen), k * rowLen));
  return out;
}

/** The mean over the n clips of each patch position: the baseline's prediction, [count][size]. */
export function meanPatch(data: Float32Array, n: number, count: number, size: number): Float32Array {
  const out = new Float32Array(count * size);
  for (let i = 0; i < n; i++) for (let j = 0; j < count * size; j++) out[j] += data[i * count * size + j] / n;
  return out;
}
