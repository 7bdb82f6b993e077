/**
 * The wasm Slice and SplitV that copy only the slice (src/models/kernels.ts): the values of
 * contiguous and non-contiguous slices and splits, worked out from the index arithmetic here.
 */
import { beforeAll, describe, expect, it } from 'vitest';
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
