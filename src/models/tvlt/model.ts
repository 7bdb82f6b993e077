/**
 * TVLT in miniature: linear patch embeddings for frames and spectrogram, plus modality and
 * factorised position embeddings (time + place for video, time + mel band for audio); one shared
 * transformer encoder over [CLS, video, audio]; an MAE decoder that fills masked positions with a
 * learned mask token and predicts their patches; a vision–audio matching head on [CLS].
 */
import type { Rng } from '../../generators/rng.js';
import { dense, disposeLayers, mlp, variables, type Dense } from '../nn.js';
import type { Tf } from '../runtime.js';
import { COLS_PER_FRAME, IMAGE, MEL_BINS, type Layout } from './data.js';
import { cpuBackend, fusedDecoderIn, fusedEmbed } from './cpu-ops.js';
import { applyBlock, block, blockVariables, disposeBlock, gatherRows, layerNorm, linear, norm, param, type Block, type Norm } from './layers.js';
import type { BatchMask } from './mask.js';

type Tensor = import('@tensorflow/tfjs').Tensor;
type Tensor2D = import('@tensorflow/tfjs').Tensor2D;
type Tensor3D = import('@tensorflow/tfjs').Tensor3D;
type Variable = import('@tensorflow/tfjs').Variable;

export interface ModelSize {
  width: number;
  heads: number;
  layers: number;
  decoderWidth: number;
  decoderLayers: number;
}

/** Modality + position embeddings for the patch sequence [video…, audio…] at one width. */
interface Positions {
  modality: Variable; // [2, d]: row 0 video, row 1 audio
  time: Variable; // [frames, d], shared: frame t and the audio of frame t get the same row
  vSpace: Variable; // [patches per frame, d]
  aSub: Variable; // [audio time patches per frame, d]
  aFreq: Variable; // [mel patch columns, d]
}

export interface Tvlt {
  L: Layout;
  size: ModelSize;
  videoEmbed: Dense;
  audioEmbed: Dense;
  cls: Variable;
  pos: Positions;
  encoder: Block[];
  encNorm: Norm;
  decEmbed: Dense;
  maskToken: Variable;
  decPos: Positions;
  decoder: Block[];
  decNorm: Norm;
  videoHead: Dense;
  audioHead: Dense;
  vam: Dense[];
}

const STD = 0.1;

function positions(tf: Tf, rng: Rng, L: Layout, d: number): Positions {
  const perFrame = (IMAGE / L.patchSize) ** 2;
  return {
    modality: param(tf, rng, [2, d], STD),
    time: param(tf, rng, [L.frames, d], STD),
    vSpace: param(tf, rng, [perFrame, d], STD),
    aSub: param(tf, rng, [COLS_PER_FRAME / L.audioPatch, d], STD),
    aFreq: param(tf, rng, [MEL_BINS / L.audioPatch, d], STD),
  };
}

/**
 * [nv + na, d]: each patch's modality row plus its position rows, in patchify's order: video
 * time + place in the frame; audio time (the frame's row, plus the step within the frame) + mel
 * band. The time rows are shared across modalities, so frame t and its own sound start out
 * aligned: a head-start for a model this small trained for a few hundred steps (TVLT learns
 * separate ones from far more data).
 */
function positionTable(tf: Tf, p: Positions): Tensor2D {
  const d = p.modality.shape[1] as number;
  const grid = (a: Tensor, b: Tensor) => tf.reshape(tf.add(tf.expandDims(a, 1), tf.expandDims(b, 0)), [-1, d]);
  const [mv, ma] = tf.split(p.modality, 2, 0);
  return tf.concat([tf.add(grid(p.time, p.vSpace), mv), tf.add(grid(grid(p.time, p.aSub), p.aFreq), ma)], 0) as Tensor2D;
}

/** A fresh model. tf.variable leaves its initial tensor alive, so those are made in a scope that is then closed. */
export function createTvlt(tf: Tf, rng: Rng, L: Layout, size: ModelSize): Tvlt {
  tf.engine().startScope();
  try {
    return build(tf, rng, L, size);
  } finally {
    tf.engine().endScope();
  }
}

function build(tf: Tf, rng: Rng, L: Layout, size: ModelSize): Tvlt {
  const { width: d, decoderWidth: dd } = size;
  return {
    L,
    size,
    videoEmbed: dense(tf, rng, L.pv, d, Math.SQRT1_2),
    audioEmbed: dense(tf, rng, L.pa, d, Math.SQRT1_2),
    cls: param(tf, rng, [1, d], STD),
    pos: positions(tf, rng, L, d),
    encoder: Array.from({ length: size.layers }, () => block(tf, rng, d)),
    encNorm: norm(tf, d),
    decEmbed: dense(tf, rng, d, dd, Math.SQRT1_2),
    maskToken: param(tf, rng, [1, dd], STD),
    decPos: positions(tf, rng, L, dd),
    decoder: Array.from({ length: size.decoderLayers }, () => block(tf, rng, dd)),
    decNorm: norm(tf, dd),
    videoHead: dense(tf, rng, dd, L.pv, 0.5),
    audioHead: dense(tf, rng, dd, L.pa, 0.5),
    vam: [dense(tf, rng, d, d), dense(tf, rng, d, 1, 0.5)],
  };
}

export function tvltVariables(m: Tvlt): Variable[] {
  const pos = (p: Positions) => [p.modality, p.time, p.vSpace, p.aSub, p.aFreq];
  return [
    ...variables([m.videoEmbed, m.audioEmbed, m.decEmbed, m.videoHead, m.audioHead, ...m.vam]),
    m.cls,
    m.maskToken,
    ...pos(m.pos),
    ...pos(m.decPos),
    ...m.encoder.flatMap(blockVariables),
    ...m.decoder.flatMap(blockVariables),
    m.encNorm.g,
    m.encNorm.b,
    m.decNorm.g,
    m.decNorm.b,
  ];
}

export function disposeTvlt(m: Tvlt): void {
  disposeLayers([m.videoEmbed, m.audioEmbed, m.decEmbed, m.videoHead, m.audioHead, ...m.vam]);
  for (const v of [m.cls, m.maskToken, ...Object.values(m.pos), ...Object.values(m.decPos), m.encNorm.g, m.encNorm.b, m.decNorm.g, m.decNorm.b]) v.dispose();
  [...m.encoder, ...m.decoder].forEach(disposeBlock);
}

/**
 * Embedded tokens [batch·(1 + nv + na), d]: per clip [CLS, video patches, audio patches]. Copies of
 * [CLS] (and of the mask token) are made by broadcasting onto zeros, not tf.tile, whose gradient
 * is a slice and an add per copy.
 */
function embed(tf: Tf, m: Tvlt, video: Tensor3D, audio: Tensor3D): Tensor2D {
  return cpuBackend(tf) ? fusedEmbed(tf, embedParams(m), video, audio) : embedOps(tf, m, video, audio);
}

/** The parameters fusedEmbed reads, in its order. */
const embedParams = (m: Tvlt): Tensor[] => [m.videoEmbed.w, m.videoEmbed.b, m.audioEmbed.w, m.audioEmbed.b, m.cls, ...positionList(m.pos)];
const positionList = (p: Positions): Tensor[] => [p.modality, p.time, p.vSpace, p.aSub, p.aFreq];

function embedOps(tf: Tf, m: Tvlt, video: Tensor3D, audio: Tensor3D): Tensor2D {
  const { nv, na, pv, pa } = m.L;
  const b = video.shape[0];
  const d = m.size.width;
  const v = tf.reshape(linear(tf, m.videoEmbed, tf.reshape(video, [b * nv, pv])), [b, nv, d]);
  const a = tf.reshape(linear(tf, m.audioEmbed, tf.reshape(audio, [b * na, pa])), [b, na, d]);
  const patches = tf.add(tf.concat([v, a], 1), positionTable(tf, m.pos));
  const cls = tf.add(tf.zeros([b, 1, d]), tf.reshape(m.cls, [1, 1, d]));
  return tf.reshape(tf.concat([cls, patches], 1), [-1, d]) as Tensor2D;
}

function encode(tf: Tf, m: Tvlt, x: Tensor2D, batch: number, n: number): Tensor2D {
  let h = x;
  for (const l of m.encoder) h = applyBlock(tf, l, h, batch, n, m.size.heads);
  return layerNorm(tf, m.encNorm, h) as Tensor2D;
}

/** The encoder over all tokens of each clip (nothing masked): [batch·seq, d]. */
export function encodeAll(tf: Tf, m: Tvlt, video: Tensor3D, audio: Tensor3D): Tensor2D {
  return encode(tf, m, embed(tf, m, video, audio), video.shape[0], 1 + m.L.nv + m.L.na);
}

/** Vision–audio matching logits [batch]: encoder over all tokens (nothing masked), head on [CLS]. */
export function vamLogits(tf: Tf, m: Tvlt, video: Tensor3D, audio: Tensor3D): Tensor {
  const b = video.shape[0];
  const seq = 1 + m.L.nv + m.L.na;
  const h = tf.reshape(encodeAll(tf, m, video, audio), [b, seq, m.size.width]);
  const cls = tf.reshape(tf.slice(h, [0, 0, 0], [b, 1, m.size.width]), [b, m.size.width]) as Tensor2D;
  return tf.reshape(mlp(tf, m.vam, cls, 'tanh'), [b]);
}

/** MAE: the encoder sees [CLS] and the kept patches; the decoder predicts every patch, [batch, nv, pv] and [batch, na, pa]. */
export function maeForward(tf: Tf, m: Tvlt, video: Tensor3D, audio: Tensor3D, mask: BatchMask): { video: Tensor3D; audio: Tensor3D } {
  const { nv, na, pv, pa } = m.L;
  const b = video.shape[0];
  const dd = m.size.decoderWidth;
  const out = tf.reshape(maeDecode(tf, m, video, audio, mask), [b, mask.seq, dd]);
  const head = (from: number, count: number, layer: Dense, size: number) =>
    tf.reshape(linear(tf, layer, tf.reshape(tf.slice(out, [0, from, 0], [b, count, dd]), [b * count, dd]) as Tensor2D), [b, count, size]) as Tensor3D;
  return { video: head(1, nv, m.videoHead, pv), audio: head(1 + nv, na, m.audioHead, pa) };
}

/** The MAE decoder's output [batch·seq, dd] (after its layer norm), before the patch heads. */
export function maeDecode(tf: Tf, m: Tvlt, video: Tensor3D, audio: Tensor3D, mask: BatchMask): Tensor2D {
  const b = video.shape[0];
  const cpu = cpuBackend(tf);
  const kept = cpu ? fusedEmbed(tf, embedParams(m), video, audio, mask.keepRows) : gatherRows(tf, embedOps(tf, m, video, audio), mask.keepRows);
  const encoded = encode(tf, m, kept, b, mask.kept);
  let h = cpu
    ? fusedDecoderIn(tf, [m.decEmbed.w, m.decEmbed.b, m.maskToken, ...positionList(m.decPos)], encoded, { batch: b, seq: mask.seq, kept: mask.kept, rows: mask.restoreRows })
    : decoderInOps(tf, m, encoded, mask);
  for (const l of m.decoder) h = applyBlock(tf, l, h, b, mask.seq, m.size.heads);
  return layerNorm(tf, m.decNorm, h) as Tensor2D;
}

/** The decoder's input as tensor ops: decEmbed, mask tokens at the masked positions, the original order, the decoder's positions. */
function decoderInOps(tf: Tf, m: Tvlt, encoded: Tensor2D, mask: BatchMask): Tensor2D {
  const dd = m.size.decoderWidth;
  const b = encoded.shape[0] / mask.kept;
  const enc = linear(tf, m.decEmbed, encoded);
  const filled = tf.concat([tf.reshape(enc, [b, mask.kept, dd]), tf.add(tf.zeros([b, mask.seq - mask.kept, dd]), m.maskToken)], 1);
  const ordered = gatherRows(tf, tf.reshape(filled, [-1, dd]) as Tensor2D, mask.restoreRows);
  // The decoder's [CLS] row gets no position; patches get the decoder's own modality + position rows.
  const pos = tf.concat([tf.zeros([1, dd]), positionTable(tf, m.decPos)], 0);
  return tf.reshape(tf.add(tf.reshape(ordered, [b, mask.seq, dd]), pos), [-1, dd]) as Tensor2D;
}

/** Mean squared error per patch [batch, count], from predictions and targets [batch, count, size]. */
export function patchErrors(tf: Tf, pred: Tensor, target: Tensor): Tensor {
  return tf.mean(tf.squaredDifference(pred, target), -1);
}

/** The MSE over masked patches only: Σ err·mask / Σ mask. */
export function maskedMean(tf: Tf, errors: Tensor, mask: Tensor): Tensor {
  return tf.div(tf.sum(tf.mul(errors, mask)), tf.maximum(tf.sum(mask), 1));
}

/** Binary cross-entropy from logits, computed stably: max(z, 0) − z·y + log(1 + e^−|z|). */
export function bceWithLogits(tf: Tf, logits: Tensor, labels: Tensor): Tensor {
  return tf.mean(tf.add(tf.sub(tf.relu(logits), tf.mul(logits, labels)), tf.log1p(tf.exp(tf.neg(tf.abs(logits))))));
}
