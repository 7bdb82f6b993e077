/**
 * A tiny convolutional image encoder built from matMuls: one 5×5 convolution with stride 2 (each
 * output sees a patch of the image; the filters are shared by every place), ReLU, then an MLP on
 * the flattened 8×8 feature map. tfjs-backend-wasm has no Conv2D filter gradient and its slices are
 * slow, so the patches (im2col) are cut in plain JS from the fixed pixels, and the convolution is
 * one matMul: patches [batch · places, 5·5·3] × filters [75, F].
 */
import type { Rng } from '../../generators/rng.js';
import { disposeLayers, mlp, variables, type Dense } from '../nn.js';
import type { Tf } from '../runtime.js';

type Tensor2D = import('@tensorflow/tfjs').Tensor2D;
type Variable = import('@tensorflow/tfjs').Variable;

export const KERNEL = 5;
export const STRIDE = 2;
const PAD = 2;

export interface ConvEncoder {
  conv: Dense;
  /** Flattened feature map → hidden (ReLU) → projection. */
  head: Dense[];
  /** Output places per image (side²). */
  places: number;
}

type MakeLayer = (tf: Tf, rng: Rng, inputs: number, outputs: number) => Dense;

export function createConv(tf: Tf, rng: Rng, layer: MakeLayer, o: { size: number; filters: number; hidden: number; out: number }): ConvEncoder {
  const places = (o.size / STRIDE) ** 2;
  return {
    conv: layer(tf, rng, KERNEL * KERNEL * 3, o.filters),
    head: [layer(tf, rng, (places / 4) * o.filters, o.hidden), layer(tf, rng, o.hidden, o.out)],
    places,
  };
}

export function convVariables(e: ConvEncoder): Variable[] {
  return variables([e.conv, ...e.head]);
}

export function disposeConv(e: ConvEncoder): void {
  disposeLayers([e.conv, ...e.head]);
}

/**
 * For each value of an image's patch matrix (one row of 75 per output place), the index of the
 * pixel value it copies, or −1 for the zero padding; made once per image size.
 */
const patchMaps = new Map<number, Int32Array>();

function patchMap(size: number): Int32Array {
  let map = patchMaps.get(size);
  if (map) return map;
  const side = size / STRIDE;
  map = new Int32Array(side * side * KERNEL * KERNEL * 3);
  let o = 0;
  for (let oy = 0; oy < side; oy++) {
    for (let ox = 0; ox < side; ox++) {
      for (let ky = 0; ky < KERNEL; ky++) {
        for (let kx = 0; kx < KERNEL; kx++) {
          const y = oy * STRIDE - PAD + ky;
          const x = ox * STRIDE - PAD + kx;
          const inside = y >= 0 && y < size && x >= 0 && x < size;
          for (let c = 0; c < 3; c++) map[o++] = inside ? (y * size + x) * 3 + c : -1;
        }
      }
    }
  }
  patchMaps.set(size, map);
  return map;
}

/**
 * The 5×5 patches (stride 2, zero padding 2) of RGB images, one row of 75 values per output place,
 * image after image, written into `out` from `offset` (a whole batch's matrix is filled in place);
 * a gather through patchMap, which the training step runs for every image of every batch.
 */
export function patchesInto(pixels: Float32Array, size: number, out: Float32Array, offset: number): void {
  const map = patchMap(size);
  for (let i = 0; i < map.length; i++) {
    const from = map[i];
    out[offset + i] = from < 0 ? 0 : pixels[from];
  }
}

/** The 5×5 patches (stride 2, zero padding 2) of an RGB image: one row of 75 values per output place. */
export function patches(pixels: Float32Array, size: number): Float32Array {
  const out = new Float32Array(patchMap(size).length);
  patchesInto(pixels, size, out, 0);
  return out;
}

/** Features of a batch given as patches [batch · places, 75]; returns [batch, out]. */
export function convForward(tf: Tf, e: ConvEncoder, cols: Tensor2D): Tensor2D {
  const n = cols.shape[0] / e.places;
  // One fused layer; the patches are data, so their gradient (as much arithmetic as the filters') is skipped.
  const h = mlp(tf, [e.conv], cols, 'relu', 'relu', { constantInput: true });
  const side = Math.sqrt(e.places);
  const pooled = tf.maxPool(tf.reshape(h, [n, side, side, e.conv.b.shape[0]]) as import('@tensorflow/tfjs').Tensor4D, 2, 2, 'valid');
  return mlp(tf, e.head, tf.reshape(pooled, [n, -1]) as Tensor2D);
}
