/**
 * The TVLT training step's scratch arrays (src/models/tvlt/arena.ts): reused step after step, zeroed
 * when asked, never seen outside the step — a step's gradients are the same bits with and without
 * the arena, however many steps have used it before.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../../src/generators/rng.js';
import { tensorflow, type Tf } from '../../src/models/runtime.js';
import { alloc, Arena, copyOf, inArena } from '../../src/models/tvlt/arena.js';
import { cpuBackend } from '../../src/models/tvlt/cpu-ops.js';
import { layoutFor, makeSet } from '../../src/models/tvlt/data.js';
import { sampleMask } from '../../src/models/tvlt/mask.js';
import { createTvlt, disposeTvlt, tvltVariables } from '../../src/models/tvlt/model.js';
import { batchTensors, maeLoss, vamLoss } from '../../src/models/tvlt/train.js';

type Scalar = import('@tensorflow/tfjs').Scalar;

let tf: Tf;
beforeAll(async () => {
  tf = (await tensorflow()).tf;
});

describe('Arena', () => {
  it('hands out the previous call’s arrays in turn, zeroed unless raw, and a fresh one where the size differs', () => {
    const arena = new Arena();
    const first = inArena(arena, () => {
      const a = alloc(4);
      const b = alloc(3, true);
      a.fill(7);
      b.fill(9);
      return [a, b];
    });
    const second = inArena(arena, () => [alloc(4), alloc(3, true), alloc(5)]);
    expect(second[0]).toBe(first[0]);
    expect(Array.from(second[0])).toEqual([0, 0, 0, 0]);
    expect(second[1]).toBe(first[1]);
    expect(Array.from(second[1])).toEqual([9, 9, 9]); // raw: left as it was, the caller overwrites it
    expect(arena.size).toBe(3);
    const third = inArena(arena, () => alloc(6));
    expect(third).not.toBe(first[0]);
    expect(third.length).toBe(6);
    expect(arena.size).toBe(3);
  });

  it('allocates afresh outside inArena, and disarms after a throw', () => {
    const arena = new Arena();
    expect(() =>
      inArena(arena, () => {
        alloc(2);
        throw new Error('boom');
      }),
    ).toThrow('boom');
    const a = alloc(2);
    const b = alloc(2);
    expect(a).not.toBe(b);
    expect(arena.size).toBe(1);
    const c = copyOf(Float32Array.of(1, 2));
    expect(Array.from(c)).toEqual([1, 2]);
  });
});

describe('a TVLT training step in an arena', () => {
  it('gives the same loss and gradients, bit for bit, as without one, step after step, without growing', (ctx) => {
    // The arena is for WASM, where every array handed to tfjs is copied (train.ts arms it there only).
    if (!cpuBackend(tf) || tf.getBackend() !== 'wasm') ctx.skip();
    const c = { frames: 4, patchSize: 8, audioPatch: 4, width: 16, heads: 4, layers: 2, decoderWidth: 16, decoderLayers: 1 };
    const L = layoutFor(c);
    const rng = new Rng(3);
    const set = makeSet(rng, 8, L);
    const m = createTvlt(tf, rng, L, c);
    const vars = tvltVariables(m);
    const t = batchTensors(tf, set, L, [0, 1, 2, 3, 4, 5]);
    const labels = tf.tensor1d([1, 1, 1, 0, 0, 0]);
    const before = tf.memory().numTensors;
    const step = (seed: number): Float32Array[] => {
      const mask = sampleMask(new Rng(seed), 6, L.nv, L.na, 0.75);
      const { value, grads } = tf.variableGrads(() => tf.add(maeLoss(tf, m, t.video, t.audio, mask), vamLoss(tf, m, t.video, t.audio, labels)) as Scalar, vars);
      const out = [value, ...vars.map((v) => grads[v.name])].map((x) => x.dataSync() as Float32Array);
      tf.dispose([value, ...Object.values(grads)]);
      return out;
    };
    const arena = new Arena();
    try {
      for (const seed of [1, 2, 1]) {
        const plain = step(seed);
        const inside = inArena(arena, () => step(seed));
        expect(inside.length).toBe(plain.length);
        inside.forEach((g, i) => expect(Array.from(g), `output ${i}, mask seed ${seed}`).toEqual(Array.from(plain[i])));
      }
      const held = arena.size;
      expect(held).toBeGreaterThan(50);
      inArena(arena, () => step(4));
      expect(arena.size).toBe(held);
      expect(tf.memory().numTensors).toBe(before);
    } finally {
      disposeTvlt(m);
      tf.dispose([t.video, t.audio, labels]);
    }
  });
});
