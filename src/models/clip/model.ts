/**
 * The dual encoder: an MLP on pixels for images, a bag of word embeddings for captions (order does
 * not matter in this grammar: one colour, one shape), each projected to a shared space and L2
 * normalised. Logits are cosine similarities times a learnable logit scale exp(s) = 1/τ, clipped
 * at `maxLogitScale` as in CLIP, and the loss is the symmetric InfoNCE over rows and columns.
 */
import type { Rng } from '../../generators/rng.js';
import { dense, disposeLayers, matMul, mlp, variables, type Dense } from '../nn.js';
import type { FlatAdam } from '../optim.js';
import type { Tf } from '../runtime.js';
import { KERNEL, STRIDE, convForward, convVariables, createConv, disposeConv, patchesInto, type ConvEncoder } from './conv.js';

type Tensor2D = import('@tensorflow/tfjs').Tensor2D;
type Scalar = import('@tensorflow/tfjs').Scalar;
type Variable = import('@tensorflow/tfjs').Variable;

export interface ModelOptions {
  /** A tiny CNN (conv.ts) or an MLP on the raw pixels. */
  encoder: 'conv' | 'mlp';
  imageSize: number;
  /** First-layer filters of the CNN (the second has twice as many). */
  filters: number;
  vocab: number;
  hiddenSize: number;
  textDim: number;
  embedDim: number;
  initTemperature: number;
  learnTemperature: boolean;
  maxLogitScale: number;
}

export interface ClipModel {
  /** Pixels → hidden (ReLU) → projection to the shared space, or the CNN. */
  image: Dense[] | ConvEncoder;
  /** Bag of words → word embeddings (averaged by the bag) → projection to the shared space. */
  text: Dense[];
  /** log of the logit scale 1/τ. */
  logScale: Variable;
  options: ModelOptions;
}

/** A dense layer: the shared, seeded He initialisation (nn.dense). */
export const layer = (tf: Tf, rng: Rng, inputs: number, outputs: number): Dense => dense(tf, rng, inputs, outputs);

export function createModel(tf: Tf, rng: Rng, o: ModelOptions): ClipModel {
  return {
    image:
      o.encoder === 'conv'
        ? createConv(tf, rng, layer, { size: o.imageSize, filters: o.filters, hidden: o.hiddenSize, out: o.embedDim })
        : [layer(tf, rng, o.imageSize ** 2 * 3, o.hiddenSize), layer(tf, rng, o.hiddenSize, o.embedDim)],
    text: [layer(tf, rng, o.vocab, o.textDim), layer(tf, rng, o.textDim, o.embedDim)],
    logScale: tf.tidy(() => tf.variable(tf.scalar(Math.log(1 / o.initTemperature)), o.learnTemperature)),
    options: o,
  };
}

export function trainableVariables(m: ClipModel): Variable[] {
  const image = Array.isArray(m.image) ? variables(m.image) : convVariables(m.image);
  return [...image, ...variables(m.text), ...(m.options.learnTemperature ? [m.logScale] : [])];
}

export function disposeModel(m: ClipModel): void {
  if (Array.isArray(m.image)) disposeLayers(m.image);
  else disposeConv(m.image);
  disposeLayers(m.text);
  m.logScale.dispose();
}

/** Rows scaled to unit length (the epsilon keeps a zero row finite). */
export function l2normalise(tf: Tf, x: Tensor2D): Tensor2D {
  return tf.mul(x, tf.rsqrt(tf.add(tf.sum(tf.square(x), 1, true), 1e-8))) as Tensor2D;
}

/** What the image encoder reads for these images: the pixels (MLP) or their 3×3 patches (CNN). */
export function imageInput(tf: Tf, m: ClipModel, pixels: Float32Array[]): Tensor2D {
  if (Array.isArray(m.image)) return stack(tf, pixels, pixels[0].length);
  const s = m.options.imageSize;
  const width = KERNEL * KERNEL * 3;
  const places = (s / STRIDE) ** 2;
  // Every image's patches straight into the batch's matrix: no array per image, no second copy.
  const flat = new Float32Array(pixels.length * places * width);
  pixels.forEach((p, i) => patchesInto(p, s, flat, i * places * width));
  return tf.tensor2d(flat, [pixels.length * places, width]);
}

export function encodeImages(tf: Tf, m: ClipModel, input: Tensor2D): Tensor2D {
  return l2normalise(tf, Array.isArray(m.image) ? mlp(tf, m.image, input, 'relu', 'linear', { constantInput: true }) : convForward(tf, m.image, input));
}

export function encodeTexts(tf: Tf, m: ClipModel, bags: Tensor2D): Tensor2D {
  return l2normalise(tf, mlp(tf, m.text, bags, 'linear', 'linear', { constantInput: true }));
}

/** Cosine similarities of every image (rows) with every text (columns); the transpose is explicit (fast on WASM). */
export function cosine(tf: Tf, images: Tensor2D, texts: Tensor2D): Tensor2D {
  return matMul(tf, images, tf.transpose(texts));
}

/**
 * Symmetric InfoNCE of a square logit matrix whose matching pairs sit on the diagonal: the mean of
 * the cross-entropy of each row (image → which text) and of each column (text → which image).
 */
export function infoNCE(tf: Tf, logits: Tensor2D): Scalar {
  return tf.tidy(() => {
    const eye = tf.eye(logits.shape[0]);
    const rows = tf.neg(tf.mean(tf.sum(tf.mul(tf.logSoftmax(logits), eye), 1)));
    // logSoftmax works on the last axis only, so the columns are the rows of the transpose.
    const cols = tf.neg(tf.mean(tf.sum(tf.mul(tf.logSoftmax(tf.transpose(logits)), eye), 1)));
    return tf.div(tf.add(rows, cols), 2) as Scalar;
  });
}

/** The batch's logits: exp(logScale) · cos(image_i, text_j). */
export function logits(tf: Tf, m: ClipModel, pixels: Tensor2D, bags: Tensor2D): Tensor2D {
  return tf.mul(tf.exp(m.logScale), cosine(tf, encodeImages(tf, m, pixels), encodeTexts(tf, m, bags))) as Tensor2D;
}

/** τ = 1 / exp(logScale), read back (asynchronously: a GPU has no synchronous read in Node). */
export async function temperature(m: ClipModel): Promise<number> {
  return 1 / Math.exp((await m.logScale.data())[0]);
}

/**
 * One optimiser step on a batch; returns the loss as a tensor the caller reads and disposes (kept on
 * the device: reads are batched, each is a GPU sync). The logit scale is clipped after the step, as CLIP does.
 */
export function trainStep(tf: Tf, m: ClipModel, opt: FlatAdam, lr: number, pixels: Tensor2D, bags: Tensor2D): Scalar {
  const value = opt.minimize(() => infoNCE(tf, logits(tf, m, pixels, bags)), lr, true) as Scalar;
  if (m.options.learnTemperature) {
    tf.tidy(() => m.logScale.assign(tf.clipByValue(m.logScale, 0, Math.log(m.options.maxLogitScale))));
  }
  return value;
}

/** Rows of a Float32Array list as a 2-D tensor. */
export function stack(tf: Tf, rows: Float32Array[], width: number): Tensor2D {
  const flat = new Float32Array(rows.length * width);
  rows.forEach((r, i) => flat.set(r, i * width));
  return tf.tensor2d(flat, [rows.length, width]);
}
