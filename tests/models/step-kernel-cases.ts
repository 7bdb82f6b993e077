/**
 * Shared by the step-kernel tests (WASM and WebGPU): inputs for each kernel, and the reference
 * GAN's training written with tfjs autodiff and tf.train.adam — the independent check of the
 * written-out step.
 */
import { unpack } from '../../src/models/fused.js';
import type { Tf } from '../../src/models/runtime.js';
import type { GanBatch } from '../../src/models/step-kernels/gan.js';
import { GAN_SIZES } from '../../src/models/step-kernels/gan.js';
import type { tfOps } from '../../src/models/step-kernels/ops.js';
import { adamConstants, mlpLayout } from '../../src/models/step-kernels/spec.js';

type Tensor = import('@tensorflow/tfjs').Tensor;
type Tensor2D = import('@tensorflow/tfjs').Tensor2D;
type Tensor3D = import('@tensorflow/tfjs').Tensor3D;
type Scalar = import('@tensorflow/tfjs').Scalar;
type Ops = typeof tfOps;

export interface KernelCase {
  name: string;
  run(ops: Ops): Tensor;
  dispose(): void;
}

/** max |a − b| / max(1, max |b|). */
export function maxRelDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  let scale = 1;
  for (let i = 0; i < b.length; i++) scale = Math.max(scale, Math.abs(b[i]));
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return Number.isFinite(m) ? m / scale : Infinity;
}

/** Every kernel on seeded inputs: a small net [3, 4, 2] with K = 2 runs, and an odd-sized layer (37 → 29, K = 3, 70 rows). */
export function kernelCases(tf: Tf): KernelCase[] {
  const keep: Tensor[] = [];
  const t = <T extends Tensor>(x: T): T => {
    keep.push(x);
    return x;
  };
  const normal = (shape: number[], seed: number): Tensor => t(tf.randomNormal(shape, 0, 1, 'float32', seed));
  const sizes = [3, 4, 2];
  const { params, offsets } = mlpLayout(sizes);
  // θ and M any sign, V positive (it is a running mean of squares).
  const state = t(tf.tidy(() => tf.concat([tf.randomNormal([2, 2 * params], 0, 1, 'float32', 1), tf.abs(tf.randomNormal([2, params], 0, 1, 'float32', 2))], 1))) as Tensor2D;
  // A mask with negatives and exact zeros: ReLU outputs are ≥ 0, and a zero gets no gradient.
  const mask = t(tf.tidy(() => tf.relu(tf.randomNormal([2, 5, 4], 0, 1, 'float32', 3)))) as Tensor3D;
  const big = mlpLayout([37, 29]);
  const bigState = t(tf.randomNormal([3, 3 * big.params], 0, 1, 'float32', 4)) as Tensor2D;
  const bigX = normal([3, 70, 37], 5) as Tensor3D;
  const bigD = normal([3, 70, 29], 6) as Tensor3D;
  // Logits from −60 to 60: the gradient stays finite at both ends.
  const logits = t(tf.tidy(() => tf.reshape(tf.concat([tf.linspace(-60, 60, 6), tf.randomNormal([6], 0, 3, 'float32', 7)]), [2, 6, 1]))) as Tensor3D;
  const cases: Omit<KernelCase, 'dispose'>[] = [
    { name: 'dense, ReLU', run: (o) => o.dense(tf, normal([2, 5, 3], 8) as Tensor3D, state, { offset: offsets[0], out: 4, relu: true }) },
    { name: 'dense, linear', run: (o) => o.dense(tf, normal([2, 5, 4], 9) as Tensor3D, state, { offset: offsets[1], out: 2, relu: false }) },
    { name: 'dense, 37 → 29, K = 3', run: (o) => o.dense(tf, bigX, bigState, { offset: 0, out: 29, relu: true }) },
    { name: 'parameter gradient', run: (o) => o.paramGrad(tf, mask, normal([2, 5, 2], 10) as Tensor3D) },
    { name: 'parameter gradient, 37 → 29, K = 3', run: (o) => o.paramGrad(tf, bigX, bigD) },
    { name: 'input gradient, masked', run: (o) => o.inputGrad(tf, normal([2, 5, 2], 11) as Tensor3D, state, { offset: offsets[1], inn: 4 }, mask) },
    { name: 'input gradient, plain', run: (o) => o.inputGrad(tf, normal([2, 5, 4], 12) as Tensor3D, state, { offset: offsets[0], inn: 3 }) },
    { name: 'input gradient, 37 → 29, K = 3, masked', run: (o) => o.inputGrad(tf, bigD, bigState, { offset: 0, inn: 37 }, t(tf.relu(bigX)) as Tensor3D) },
    { name: 'logistic gradient', run: (o) => o.logisticGrad(tf, logits, { split: 2, n: 3 }) },
    {
      name: 'Adam over two layers',
      run: (o) => o.adam(tf, state, [normal([2, 16], 13) as Tensor2D, normal([2, 10], 14) as Tensor2D], adamConstants(params, 3, 1e-2, 0.5, 0.999, 1e-8)),
    },
  ];
  let left = cases.length;
  return cases.map((c) => ({
    ...c,
    dispose: () => {
      if (--left === 0) tf.dispose(keep);
    },
  }));
}

/** x through the MLP whose parameters are the flat θ (ReLU between layers, linear output), in plain ops. */
function mlp(tf: Tf, sizes: number[], theta: Tensor, x: Tensor2D): Tensor2D {
  let h = x;
  unpack(tf, sizes, theta).forEach((l, k, all) => {
    h = tf.add(tf.matMul(h, l.w), l.b) as Tensor2D;
    if (k < all.length - 1) h = tf.relu(h) as Tensor2D;
  });
  return h;
}

/**
 * Run k of a K-run KernelGan trained on `batches` the textbook way: tfjs autodiff of the
 * non-saturating losses, tf.train.adam(1e-3, β1 0.5, β2 0.999, ε 1e-8) for each network.
 */
export function autodiffGanStep(tf: Tf, start: { G: Float32Array; D: Float32Array }, batches: GanBatch[], k: number, B: number): { G: Float32Array; D: Float32Array } {
  const G = tf.variable(tf.tensor1d(start.G));
  const D = tf.variable(tf.tensor1d(start.D));
  const optD = tf.train.adam(1e-3, 0.5, 0.999, 1e-8);
  const optG = tf.train.adam(1e-3, 0.5, 0.999, 1e-8);
  const rows = (a: Float32Array, width: number): Tensor2D => tf.tensor2d(a.subarray(k * B * width, (k + 1) * B * width), [B, width]);
  for (const b of batches) {
    tf.tidy(() => {
      const real = rows(b.real, 2);
      const fake = mlp(tf, GAN_SIZES.G, G, rows(b.zD, 16));
      optD.minimize(() => tf.add(tf.mean(tf.softplus(tf.neg(mlp(tf, GAN_SIZES.D, D, real)))), tf.mean(tf.softplus(mlp(tf, GAN_SIZES.D, D, fake)))) as Scalar, false, [D]);
      optG.minimize(() => tf.mean(tf.softplus(tf.neg(mlp(tf, GAN_SIZES.D, D, mlp(tf, GAN_SIZES.G, G, rows(b.zG, 16)))))) as Scalar, false, [G]);
    });
  }
  const out = { G: G.dataSync() as Float32Array, D: D.dataSync() as Float32Array };
  tf.dispose([G, D]);
  optD.dispose();
  optG.dispose();
  return out;
}
