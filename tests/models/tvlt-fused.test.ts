/**
 * TVLT's fused ops for the CPU backends (src/models/tvlt/cpu-ops.ts and the loops beside it)
 * against the tensor ops they replace, in value and in gradient, and what they are for: a training
 * step in a few hundred kernels instead of two thousand.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../../src/generators/rng.js';
import { tensorflow, type Tf } from '../../src/models/runtime.js';
import { blockBackward, blockForward, BLOCK_KEYS, type BlockValues } from '../../src/models/tvlt/block-cpu.js';
import { loopKernels } from '../../src/models/tvlt/cpu-math.js';
import { cpuBackend, fusedBlock, fusedCpuOps, fusedLayerNorm, tfKernels } from '../../src/models/tvlt/cpu-ops.js';
import { layoutFor, makeSet } from '../../src/models/tvlt/data.js';
import { applyBlockOps, block, blockVariables, disposeBlock, layerNormOps, norm } from '../../src/models/tvlt/layers.js';
import { sampleMask } from '../../src/models/tvlt/mask.js';
import { createTvlt, disposeTvlt, maeForward, tvltVariables, vamLogits } from '../../src/models/tvlt/model.js';
import { batchTensors, maeLoss, vamLoss } from '../../src/models/tvlt/train.js';

type Scalar = import('@tensorflow/tfjs').Scalar;
type Tensor = import('@tensorflow/tfjs').Tensor;
type Tensor2D = import('@tensorflow/tfjs').Tensor2D;

let tf: Tf;
beforeAll(async () => {
  tf = (await tensorflow()).tf;
});
afterEach(() => {
  fusedCpuOps.enabled = true;
});

/** max |a − b| over max |b|: the error relative to the values' scale. */
function relErr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let err = 0;
  let scale = 0;
  for (let i = 0; i < a.length; i++) {
    err = Math.max(err, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(b[i]));
  }
  expect(scale).toBeGreaterThan(0);
  return err / scale;
}

/** Values, then the gradients of Σ w·f(x) in x and each parameter (a weight per output, so each output counts differently). */
function valueAndGrads(f: (x: Tensor, ...ps: Tensor[]) => Tensor, x: Tensor, params: Tensor[], w: Tensor): Float32Array[] {
  return tf.tidy(() => {
    const grads = tf.grads((...args: Tensor[]) => tf.sum(tf.mul(f(args[0], ...args.slice(1)), w)) as Scalar)([x, ...params]);
    return [f(x, ...params), ...grads].map((t) => t.dataSync() as Float32Array);
  });
}

/** Moves each variable off its initial value (layer norm's 1 and 0, zero biases), so every term of the gradient shows. */
function jitter(vars: import('@tensorflow/tfjs').Variable[], std: number, seed: number): void {
  vars.forEach((v, i) => {
    const moved = tf.tidy(() => tf.add(v, tf.randomNormal(v.shape, 0, std, 'float32', seed + i)));
    v.assign(moved);
    moved.dispose();
  });
}

/** Layers made in a scope then closed, as createTvlt does: tf.variable leaves its initial tensor alive. */
function scoped<T>(make: () => T): T {
  tf.engine().startScope();
  try {
    return make();
  } finally {
    tf.engine().endScope();
  }
}

function jitteredBlock(d: number) {
  const b = scoped(() => block(tf, new Rng(5), d));
  jitter(blockVariables(b), 0.2, 100);
  return b;
}

describe('fused ops against the tensor ops', () => {
  it('layer norm: the same values and gradients in x, g and b', () => {
    const before = tf.memory().numTensors;
    const n = scoped(() => norm(tf, 16));
    jitter([n.g, n.b], 0.3, 1);
    const x = tf.randomNormal([12, 16], 0.5, 2, 'float32', 3);
    const w = tf.randomNormal([12, 16], 0, 1, 'float32', 4);
    const fused = valueAndGrads((xx, g, b) => fusedLayerNorm(tf, g, b, xx), x, [n.g, n.b], w);
    const ops = valueAndGrads((xx, g, b) => layerNormOps(tf, { g: g as never, b: b as never }, xx), x, [n.g, n.b], w);
    fused.forEach((v, i) => expect(relErr(v, ops[i]), `output ${i}`).toBeLessThan(2e-6));
    tf.dispose([x, w, n.g, n.b]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('transformer block: the same values and gradients in x and all twelve parameters', () => {
    const before = tf.memory().numTensors;
    const [d, batch, n, heads] = [16, 3, 5, 4];
    const b = jitteredBlock(d);
    const x = tf.randomNormal([batch * n, d], 0, 1, 'float32', 6);
    const w = tf.randomNormal([batch * n, d], 0, 1, 'float32', 7);
    const vars = blockVariables(b);
    const fused = valueAndGrads((xx, ...ps) => fusedBlock(tf, ps, xx as Tensor2D, { batch, n, heads }), x, vars, w);
    const ops = valueAndGrads((xx) => applyBlockOps(tf, b, xx as Tensor2D, batch, n, heads), x, vars, w);
    expect(fused).toHaveLength(14);
    fused.forEach((v, i) => expect(relErr(v, ops[i]), i === 0 ? 'value' : i === 1 ? 'dx' : `d${BLOCK_KEYS[i - 2]}`).toBeLessThan(2e-5));
    // Outside a tape: the forward alone, the same values, nothing kept.
    const plain = tf.tidy(() => fusedBlock(tf, vars, x as Tensor2D, { batch, n, heads }).dataSync());
    expect(relErr(plain, ops[0])).toBeLessThan(2e-6);
    disposeBlock(b);
    tf.dispose([x, w]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it("the block's loops give the same values through tfjs's kernels as through plain loops (the kernels' plumbing: transposes, softmax, its backward)", () => {
    const before = tf.memory().numTensors;
    const [d, batch, n, heads] = [8, 2, 7, 2];
    const b = jitteredBlock(d);
    const p = Object.fromEntries(BLOCK_KEYS.map((k, i) => [k, blockVariables(b)[i].dataSync()])) as unknown as BlockValues;
    const x = Float32Array.from({ length: batch * n * d }, (_, i) => Math.sin(i * 1.7));
    const dy = Float32Array.from({ length: batch * n * d }, (_, i) => Math.cos(i * 0.3));
    const shape = { batch, n, heads };
    const viaLoops = blockForward(x, p, shape, loopKernels);
    const loopsBack = blockBackward(dy, p, shape, viaLoops.cache, loopKernels);
    // Kept for a backward (as under a tape): attention's operands and weights stay in its state.
    const buffers = (tf.backend() as unknown as { numDataIds(): number }).numDataIds();
    const kernels = tfKernels(tf, true);
    const viaKernels = blockForward(x, p, shape, kernels);
    const kernelsBack = blockBackward(dy, p, shape, viaKernels.cache, kernels);
    // Every buffer the kernels made was freed as soon as it was read.
    expect((tf.backend() as unknown as { numDataIds(): number }).numDataIds()).toBe(buffers);
    expect(relErr(viaKernels.y, viaLoops.y)).toBeLessThan(2e-6);
    expect(relErr(kernelsBack.dx, loopsBack.dx)).toBeLessThan(2e-5);
    for (const k of BLOCK_KEYS) expect(relErr(kernelsBack.grads[k], loopsBack.grads[k]), k).toBeLessThan(2e-5);
    disposeBlock(b);
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('the whole TVLT on the CPU backends', () => {
  const c = { frames: 4, patchSize: 8, audioPatch: 4, width: 16, heads: 4, layers: 2, decoderWidth: 16, decoderLayers: 1 };

  /** A model, a batch, a mask and labels; every parameter jittered off its initial value. */
  function setup() {
    const L = layoutFor(c);
    const rng = new Rng(2);
    const set = makeSet(rng, 8, L);
    const m = createTvlt(tf, rng, L, c);
    jitter(tvltVariables(m), 0.05, 200);
    const t = batchTensors(tf, set, L, [0, 1, 2, 3, 4, 5]);
    const mask = sampleMask(new Rng(9), 6, L.nv, L.na, 0.75);
    const labels = tf.tensor1d([1, 1, 1, 0, 0, 0]);
    const dispose = () => {
      disposeTvlt(m);
      tf.dispose([t.video, t.audio, labels]);
    };
    return { m, t, mask, labels, dispose };
  }

  /** The training loss, every parameter's gradient, and the evaluation's outputs (predicted patches, matching logits). */
  function outputs(s: ReturnType<typeof setup>): Float32Array[] {
    const { m, t, mask, labels } = s;
    const vars = tvltVariables(m);
    return tf.tidy(() => {
      const { value, grads } = tf.variableGrads(() => tf.add(tf.mul(maeLoss(tf, m, t.video, t.audio, mask), 10), vamLoss(tf, m, t.video, t.audio, labels)) as Scalar, vars);
      const pred = maeForward(tf, m, t.video, t.audio, mask);
      return [value, pred.video, pred.audio, vamLogits(tf, m, t.video, t.audio), ...vars.map((v) => grads[v.name])].map((x) => x.dataSync() as Float32Array);
    });
  }

  it('fused and tensor ops give the same loss, predictions, logits and gradients of all parameters', (ctx) => {
    // WebGPU runs the tensor ops only: nothing to compare there.
    if (!cpuBackend(tf)) ctx.skip();
    const before = tf.memory().numTensors;
    const s = setup();
    const fused = outputs(s);
    fusedCpuOps.enabled = false;
    const ops = outputs(s);
    s.dispose();
    expect(fused.length).toBe(4 + tvltVariables(s.m).length);
    fused.forEach((v, i) => expect(relErr(v, ops[i]), `output ${i}`).toBeLessThan(5e-5));
    expect(tf.memory().numTensors).toBe(before);
  });

  it('a training step launches a tenth of the kernels, and leaves no tensor behind', (ctx) => {
    if (!cpuBackend(tf)) ctx.skip();
    const s = setup();
    const vars = tvltVariables(s.m);
    const engine = tf.engine() as unknown as { runKernelFunc: (a: unknown) => unknown };
    const original = engine.runKernelFunc;
    let kernels = 0;
    engine.runKernelFunc = function (this: unknown, a: unknown) {
      kernels++;
      return original.call(this, a);
    };
    const step = (): number => {
      kernels = 0;
      const { value, grads } = tf.variableGrads(() => tf.add(maeLoss(tf, s.m, s.t.video, s.t.audio, s.mask), vamLoss(tf, s.m, s.t.video, s.t.audio, s.labels)) as Scalar, vars);
      tf.dispose([value, ...Object.values(grads)]);
      return kernels;
    };
    try {
      step();
      const before = tf.memory().numTensors;
      const buffers = (tf.backend() as unknown as { numDataIds(): number }).numDataIds();
      const fused = step();
      expect(tf.memory().numTensors).toBe(before);
      // Nor a buffer of the kernels called below the engine.
      expect((tf.backend() as unknown as { numDataIds(): number }).numDataIds()).toBe(buffers);
      fusedCpuOps.enabled = false;
      const ops = step();
      // Measured here: 276 against about 2,000 (the lab's default step, with Adam: 287 against 2,123).
      expect(ops).toBeGreaterThan(1500);
      expect(fused).toBeLessThan(ops / 6);
    } finally {
      engine.runKernelFunc = original;
      s.dispose();
    }
  });
});
