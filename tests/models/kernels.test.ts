/**
 * The labs' wasm kernels (src/models/kernels.ts). Slice and SplitV that copy only the slice: the
 * values of contiguous and non-contiguous slices and splits, worked out from the index arithmetic
 * here. The others must give tfjs-backend-wasm's own kernels' values bit for bit (the lab runs'
 * metrics, and the exam questions checked against them, must not move): each against the original
 * kernel on inputs with ties, zeros and both signs, and against a case worked by hand.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { FLAT_ADAM, FLAT_ADAM_APPLY, runOriginalKernel } from '../../src/models/kernels.js';
import { tensorflow, type Tf } from '../../src/models/runtime.js';

let tf: Tf;
beforeAll(async () => {
  tf = (await tensorflow()).tf;
});

const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

describe('wasm Slice and SplitV', () => {
  it('are the labs’ versions on wasm', () => {
    if (tf.getBackend() !== 'wasm') return;
    expect(tf.getKernel('Slice', 'wasm')?.kernelFunc.name).toBe('fastSlice');
    expect(tf.getKernel('SplitV', 'wasm')?.kernelFunc.name).toBe('fastSplit');
  });

  it('give the slices, contiguous or not, and leave no tensor behind', () => {
    const before = tf.memory().numTensors;
    tf.tidy(() => {
      const flat = tf.tensor1d(range(20));
      expect(Array.from(tf.slice(flat, 3, 5).dataSync())).toEqual([3, 4, 5, 6, 7]);
      expect(tf.split(flat, [4, 6, 10]).map((t) => Array.from(t.dataSync()))).toEqual([range(4), range(6).map((i) => i + 4), range(10).map((i) => i + 10)]);
      // [4, 5] with value 5·r + c: rows 1–2 are one run; columns 1–2 are not.
      const m = tf.tensor2d(range(20), [4, 5]);
      expect(tf.slice(m, [1, 0], [2, 5]).arraySync()).toEqual([range(5).map((c) => 5 + c), range(5).map((c) => 10 + c)]);
      expect(tf.slice(m, [0, 1], [4, 2]).arraySync()).toEqual(range(4).map((r) => [5 * r + 1, 5 * r + 2]));
      const [left, right] = tf.split(m, [2, 3], 1);
      expect(left.arraySync()).toEqual(range(4).map((r) => [5 * r, 5 * r + 1]));
      expect(right.arraySync()).toEqual(range(4).map((r) => [5 * r + 2, 5 * r + 3, 5 * r + 4]));
      const ints = tf.tensor1d([7, 8, 9], 'int32');
      expect(Array.from(tf.slice(ints, 1, 2).dataSync())).toEqual([8, 9]);
      // Slices after many allocations (the heap may have grown) still read the right values.
      const big = tf.range(0, 300000);
      const pieces = tf.split(big, [100000, 200000]);
      expect(pieces[1].dataSync()[199999]).toBe(299999);
    });
    expect(tf.memory().numTensors).toBe(before);
  });
});

/** Bit-for-bit equality (Object.is: −0 is not +0, NaN is NaN): the labs' kernels must not move a single bit. */
function expectSameBits(actual: ArrayLike<number>, expected: ArrayLike<number>): void {
  expect(actual.length).toBe(expected.length);
  let differ = 0;
  for (let i = 0; i < actual.length; i++) if (!Object.is(actual[i], expected[i])) differ++;
  expect(differ).toBe(0);
}

describe('the labs’ other wasm kernels, bit for bit against tfjs-backend-wasm’s own', () => {
  const wasm = () => tf.getBackend() === 'wasm';

  it('Identity and a same-dtype Cast share the buffer: a clone outlives its source, and an assign leaves it alone', () => {
    if (!wasm()) return;
    const before = tf.memory().numTensors;
    const x = tf.tensor1d([1.5, -0, 3]);
    const c = tf.clone(x);
    const same = tf.cast(x, 'float32');
    const floats = tf.tensor1d([1.7, -2.2]);
    const ints = tf.cast(floats, 'int32');
    x.dispose();
    expectSameBits(c.dataSync(), [1.5, -0, 3]);
    expectSameBits(same.dataSync(), [1.5, -0, 3]);
    // A cast to another dtype still converts (the original kernel).
    expect(ints.dtype).toBe('int32');
    expect(Array.from(ints.dataSync())).toEqual([1, -2]);
    const [one, two] = [tf.tensor1d([1, 2]), tf.tensor1d([5, 6])];
    const v = tf.variable(one);
    const snapshot = tf.clone(v);
    v.assign(two);
    expect(Array.from(snapshot.dataSync())).toEqual([1, 2]);
    expect(Array.from(v.dataSync())).toEqual([5, 6]);
    tf.dispose([c, same, floats, ints, v, snapshot, one, two]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('Sum over leading axes adds in the wasm order; other sums are the original kernel’s', () => {
    if (!wasm()) return;
    tf.tidy(() => {
      const cases: [number[], number | number[], boolean][] = [
        [[1, 4096, 32], [0, 1], false],
        [[528, 32], [0], false],
        [[528, 32], 0, true],
        [[16, 33, 32], [0, 1], false],
        // Axes out of order are summed in that order by the original (the labs' version leaves them to it).
        [[16, 33, 32], [1, 0], false],
        [[64, 64], [1], false],
        [[3, 4, 5], [1], true],
        // Column counts that are not a multiple of 4 (the SIMD kernel's tail), a single column, a single row.
        [[528, 33], [0], false],
        [[16, 9, 7], [0, 1], true],
        [[40, 1], [0], false],
        [[1, 6], [0], false],
      ];
      for (const [shape, axis, keepDims] of cases) {
        // Zeros and sign changes: the order of the additions shows in the last bits.
        const x = tf.mul(tf.randomNormal(shape, 0, 100, 'float32', 5), tf.cast(tf.greater(tf.randomUniform(shape, 0, 1, 'float32', 6), 0.3), 'float32'));
        const fast = tf.sum(x, axis, keepDims);
        const original = runOriginalKernel(tf, 'Sum', { x }, { axis, keepDims });
        expect(fast.shape).toEqual(original.shape);
        expectSameBits(fast.dataSync(), original.dataSync());
      }
      // Against plain arithmetic too: [[1, 2], [3, 4], [5, 6]] summed down the columns.
      expect(Array.from(tf.sum(tf.tensor2d([1, 2, 3, 4, 5, 6], [3, 2]), 0).dataSync())).toEqual([9, 12]);
      expect(Array.from(tf.sum(tf.tensor2d([1, 2, 3, 4], [2, 2], 'int32'), 0).dataSync())).toEqual([4, 6]);
    });
  });

  it('BatchMatMul of a batch (attention’s products) sums in the wasm order, four outputs at a time', () => {
    if (!wasm()) return;
    tf.tidy(() => {
      const cases: [number[], number[], boolean, boolean][] = [
        [[64, 33, 33], [64, 33, 8], false, false],
        [[64, 33, 8], [64, 8, 33], false, false],
        [[64, 8, 33], [64, 33, 33], false, false],
        [[64, 9, 9], [64, 9, 8], false, false],
        [[2, 2, 5, 6], [2, 2, 6, 3], false, false],
        [[7, 3, 48], [7, 48, 5], false, false],
        [[5, 1, 1], [5, 1, 1], false, false],
        // Left to the original: k > 48 (summed in blocks there), transposed operands, one pair, a broadcast batch.
        [[3, 50, 100], [3, 100, 7], false, false],
        [[3, 100, 50], [3, 100, 7], true, false],
        [[3, 50, 100], [3, 7, 100], false, true],
        [[1, 60, 30], [1, 30, 40], false, false],
        [[4, 6, 5], [1, 5, 3], false, false],
      ];
      for (const [sa, sb, transposeA, transposeB] of cases) {
        const a = tf.mul(tf.randomNormal(sa, 0, 1, 'float32', 7), tf.cast(tf.greater(tf.randomUniform(sa, 0, 1, 'float32', 8), 0.3), 'float32'));
        const b = tf.neg(tf.randomNormal(sb, 0, 1, 'float32', 9));
        const fast = tf.matMul(a, b, transposeA, transposeB);
        const original = runOriginalKernel(tf, 'BatchMatMul', { a, b }, { transposeA, transposeB });
        expect(fast.shape).toEqual(original.shape);
        expectSameBits(fast.dataSync(), original.dataSync());
      }
      // By hand: [[1, 2], [3, 4]]·[[5], [6]] = [[17], [39]] and [[1]]·[[2]] = [[2]].
      const ab = tf.matMul(tf.tensor3d([1, 2, 3, 4, 1, 0, 0, 0], [2, 2, 2]), tf.tensor3d([5, 6, 2, 0], [2, 2, 1]));
      expect(Array.from(ab.dataSync())).toEqual([17, 39, 2, 0]);
    });
  });

  it('Transpose copies every value to its place, any rank 1–4 and permutation', () => {
    if (!wasm()) return;
    tf.tidy(() => {
      const cases: [number[], number[], 'float32' | 'int32' | 'bool'][] = [
        [[16, 33, 4, 8], [0, 2, 1, 3], 'float32'],
        [[16, 33, 4, 8], [0, 2, 3, 1], 'float32'],
        [[16, 4, 33, 8], [0, 2, 1, 3], 'float32'],
        [[64, 33, 8], [0, 2, 1], 'float32'],
        [[1, 4096, 75], [0, 2, 1], 'float32'],
        [[528, 32], [1, 0], 'float32'],
        [[2, 3, 4, 5], [3, 1, 0, 2], 'int32'],
        [[7], [0], 'float32'],
        [[3, 1, 2], [2, 0, 1], 'float32'],
        // A byte per value on the heap: the original's.
        [[3, 4], [1, 0], 'bool'],
      ];
      for (const [shape, perm, dtype] of cases) {
        const x = tf.cast(tf.mul(tf.randomNormal(shape, 0, 10, 'float32', 3), tf.cast(tf.greater(tf.randomUniform(shape, 0, 1, 'float32', 4), 0.5), 'float32')), dtype);
        const fast = tf.transpose(x, perm);
        const original = runOriginalKernel(tf, 'Transpose', { x }, { perm });
        expect(fast.shape).toEqual(original.shape);
        expect(fast.dtype).toBe(dtype);
        expectSameBits(fast.dataSync(), original.dataSync());
      }
      // By hand: [[1, 2, 3], [4, 5, 6]]ᵀ, and −0 and NaN kept as they are.
      expect(tf.transpose(tf.tensor2d([1, 2, 3, 4, 5, 6], [2, 3])).arraySync()).toEqual([[1, 4], [2, 5], [3, 6]]);
      expectSameBits(tf.transpose(tf.tensor2d([-0, NaN, 1, 2], [2, 2])).dataSync(), [-0, 1, NaN, 2]);
    });
  });

  it('MaxPoolGrad of a tiling pool sends dy to the last maximum (offset 0 for a window of zeros), as the C++ does', () => {
    if (!wasm()) return;
    tf.tidy(() => {
      for (const [shape, size, stride, pad] of [
        [[64, 8, 8, 32], 2, 2, 'valid'],
        [[4, 7, 7, 3], 3, 2, 'same'],
        [[2, 6, 6, 2], 2, 1, 'valid'],
      ] as [number[], number, number, 'valid' | 'same'][]) {
        for (const seed of [1, 2]) {
          // ReLU of rounded values: ties and windows of zeros everywhere; dy of both signs.
          const x = tf.relu(tf.round(tf.randomNormal(shape, 0, 1, 'float32', seed))) as import('@tensorflow/tfjs').Tensor4D;
          const y = tf.maxPool(x, size, stride, pad);
          const dy = tf.randomNormal(y.shape, 0, 1, 'float32', seed + 10);
          const attrs = { filterSize: size, strides: stride, pad };
          const fast = tf.engine().runKernel('MaxPoolGrad', { dy, input: x, output: y }, attrs) as import('@tensorflow/tfjs').Tensor;
          expectSameBits(fast.dataSync(), runOriginalKernel(tf, 'MaxPoolGrad', { dy, input: x, output: y }, attrs).dataSync());
        }
      }
      // Worked by hand: a 4×4 image, 2×2 windows. Window 0 holds 0, 5, 5, 1 (the last 5 wins, at
      // offset 4); window 1 is all zeros (its gradient goes to flat offset 0, outside it: lost);
      // window 2 holds 2, 2, 0, 0 (the last 2, offset 9); window 3 holds 7, 0, 0, 0 (offset 10).
      const x = tf.tensor4d([0, 5, 0, 0, 5, 1, 0, 0, 2, 2, 7, 0, 0, 0, 0, 0], [1, 4, 4, 1]);
      const dy = tf.tensor4d([10, 20, 30, 40], [1, 2, 2, 1]);
      const dx = tf.grad((t) => tf.sum(tf.mul(tf.maxPool(t as import('@tensorflow/tfjs').Tensor4D, 2, 2, 'valid'), dy)))(x);
      expect(Array.from(dx.dataSync())).toEqual([0, 0, 0, 0, 10, 0, 0, 0, 0, 30, 40, 0, 0, 0, 0, 0]);
    });
  });

  it('FlatAdam’s one-kernel update gives the concat → FLAT_ADAM → split → add values', () => {
    if (!wasm()) return;
    tf.tidy(() => {
      const shapes = [[3, 4], [4], [2, 2, 2], [1]];
      const init = shapes.map((s, k) => tf.randomNormal(s, 0, 1, 'float32', 20 + k));
      const grads = shapes.map((s, k) => tf.randomNormal(s, 0, 1e-3, 'float32', 30 + k));
      const n = 4 * 3 + 4 + 8 + 1;
      const m = tf.randomNormal([n], 0, 1e-2, 'float32', 40);
      const v = tf.abs(tf.randomNormal([n], 0, 1e-4, 'float32', 41));
      const attrs = { beta1: 0.9, beta2: 0.98, eps: 1e-8 / Math.sqrt(0.02), scale: -0.003 };
      const out = tf.engine().runKernel(FLAT_ADAM_APPLY, { m, v, ...Object.fromEntries(init.flatMap((w, k) => [[`w${k}`, w], [`g${k}`, grads[k]]])) }, { ...attrs, count: 4 }) as unknown as import('@tensorflow/tfjs').Tensor[];
      const g = tf.concat(grads.map((t) => tf.reshape(t, [-1])));
      const [m2, v2, delta] = tf.engine().runKernel(FLAT_ADAM, { m, v, g }, attrs) as unknown as import('@tensorflow/tfjs').Tensor[];
      expectSameBits(out[0].dataSync(), m2.dataSync());
      expectSameBits(out[1].dataSync(), v2.dataSync());
      const steps = tf.split(delta, shapes.map((s) => s.reduce((a, b) => a * b, 1)));
      init.forEach((w, k) => {
        expect(out[2 + k].shape).toEqual(w.shape);
        expectSameBits(out[2 + k].dataSync(), tf.add(w, tf.reshape(steps[k], w.shape)).dataSync());
      });
      // And the step itself, from the formula: m' = β1·m + g, v' = β2·v + g², w + scale·m'/(√v' + ε), within float32 rounding.
      const [g0, m0, v0, w0] = [grads[0].dataSync()[0], m.dataSync()[0], v.dataSync()[0], init[0].dataSync()[0]];
      const m1 = 0.9 * m0 + g0;
      const v1 = 0.98 * v0 + g0 * g0;
      expect(out[2].dataSync()[0]).toBeCloseTo(w0 + (attrs.scale * m1) / (Math.sqrt(v1) + attrs.eps), 5);
    });
  });
});
