/** The CLIP lab: its loss by hand, its renderer, its held-out split, and its runs (tiny configs). */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StepwiseError } from '../../src/core/errors.js';
import { Rng } from '../../src/generators/rng.js';
import { clipLab } from '../../src/models/clip/index.js';
import { COLOURS, SHAPES, VOCAB, bagOfWords, hsv, prompt, render, trainingSet, type Scene } from '../../src/models/clip/data.js';
import { createModel, disposeModel, imageInput, infoNCE, stack, trainableVariables, trainStep } from '../../src/models/clip/model.js';
import { FlatAdam } from '../../src/models/optim.js';
import { train } from '../../src/models/clip/train.js';
import { patches, patchesInto } from '../../src/models/clip/conv.js';
import { getLab } from '../../src/models/labs.js';
import { resolveRun, runLab } from '../../src/models/runner.js';
import { tensorflow, type Tf } from '../../src/models/runtime.js';

const TINY = { steps: 4, batchSize: 8, trainPairs: 48, testPerCombo: 2, filters: 4, hiddenSize: 16, textDim: 8, embedDim: 8 };

let tf: Tf;
let cache: string;
beforeAll(async () => {
  tf = (await tensorflow()).tf;
  cache = mkdtempSync(join(tmpdir(), 'stepwise-clip-'));
  process.env.STEPWISE_CACHE = cache;
});
afterAll(() => rmSync(cache, { recursive: true, force: true }));

describe('symmetric InfoNCE', () => {
  it('equals the hand computation on a 3×3 logit matrix', () => {
    // L = [[1, 0, 0], [0, 1, 0], [1, 0, 0]], matching pairs on the diagonal (L00 = 1, L11 = 1, L22 = 0).
    // Rows (image → text), cross-entropy = log Σ_j e^{L_ij} − L_ii:
    //   row 0: ln(e + 1 + 1) − 1 = ln(e + 2) − 1 = 1.551445 − 1 = 0.551445
    //   row 1: ln(1 + e + 1) − 1 = 0.551445
    //   row 2: ln(e + 1 + 1) − 0 = 1.551445              mean = 2.654334 / 3 = 0.884778
    // Columns (text → image), cross-entropy = log Σ_i e^{L_ij} − L_jj:
    //   col 0 (1, 0, 1): ln(2e + 1) − 1 = 1.861995 − 1 = 0.861995
    //   col 1 (0, 1, 0): ln(e + 2) − 1 = 0.551445
    //   col 2 (0, 0, 0): ln 3 − 0 = 1.098612               mean = 2.512052 / 3 = 0.837351
    // InfoNCE = (0.884778 + 0.837351) / 2 = 0.861064
    const loss = tf.tidy(() => infoNCE(tf, tf.tensor2d([[1, 0, 0], [0, 1, 0], [1, 0, 0]])).dataSync()[0]);
    expect(Math.abs(loss - 0.861064)).toBeLessThan(1e-5);
  });

  it('is symmetric: transposing the logits leaves it unchanged', () => {
    const [a, b] = tf.tidy(() => {
      const l = tf.tensor2d([[3, -1, 0.5], [0.2, 2, -2], [1, 1, 1]]);
      return [infoNCE(tf, l).dataSync()[0], infoNCE(tf, tf.transpose(l)).dataSync()[0]];
    });
    expect(Math.abs(a - b)).toBeLessThan(1e-6);
  });
});

describe('the image renderer', () => {
  const scene = (over: Partial<Scene>): Scene => ({ shape: 'square', colour: 'red', size: 'big', position: 'left', dx: 0, dy: 0, hue: 0, saturation: 1, value: 1, ...over });
  const at = (px: Float32Array, x: number, y: number) => [0, 1, 2].map((c) => px[(y * 16 + x) * 3 + c]);

  it('puts the colour where the caption says and leaves the rest background', () => {
    const px = render(scene({}), 16, 0.08);
    expect(at(px, 4, 8)).toEqual([1, 0, 0]); // inside the big red square on the left
    for (const v of at(px, 12, 8)) expect(v).toBeCloseTo(0.08, 6); // the right half is background
    const top = render(scene({ shape: 'circle', colour: 'green', position: 'top' }), 16, 0.08);
    expect(at(top, 8, 4)).toEqual(hsv(120, 1, 1));
    expect(hsv(120, 1, 1)).toEqual([0, 1, 0]);
    for (const v of at(top, 8, 12)) expect(v).toBeCloseTo(0.08, 6);
  });

  it('draws a ring hollow and a circle filled', () => {
    const ring = render(scene({ shape: 'ring', position: 'middle' }), 16, 0);
    const disc = render(scene({ shape: 'circle', position: 'middle' }), 16, 0);
    expect(at(ring, 8, 8)).toEqual([0, 0, 0]);
    expect(at(disc, 8, 8)).toEqual([1, 0, 0]);
  });
});

describe('the training data', () => {
  it('never shows a held-out shape–colour pair in training, and still trains every word', () => {
    for (const seed of [1, 2, 3]) {
      const d = trainingSet(new Rng(seed), { heldOut: 5, pairs: 1500, imageSize: 16 });
      expect(new Set(d.heldOut.map((h) => h.shape)).size).toBe(5);
      expect(new Set(d.heldOut.map((h) => h.colour)).size).toBe(5);
      for (const p of d.train) {
        expect(d.heldOut.some((h) => h.shape === p.scene.shape && h.colour === p.scene.colour)).toBe(false);
        for (const h of d.heldOut) expect(p.caption).not.toMatch(new RegExp(`\\b${h.colour} ${h.shape}\\b`));
      }
      const words = new Set(d.train.flatMap((p) => p.caption.split(' ')));
      for (const w of [...COLOURS, ...SHAPES]) expect(words.has(w)).toBe(true);
    }
  });

  it('says "an" before orange and knows every word of the prompts', () => {
    expect(prompt('orange', 'cross')).toBe('a photo of an orange cross');
    expect(prompt('red', 'circle')).toBe('a photo of a red circle');
    expect(Array.from(bagOfWords('a photo of a red circle')).reduce((x, y) => x + y, 0)).toBeCloseTo(1, 6);
    expect(() => bagOfWords('a photo of a mauve circle')).toThrow(/mauve/);
  });
});

describe('training', () => {
  const options = { encoder: 'conv' as const, imageSize: 16, filters: 4, hiddenSize: 16, textDim: 8, embedDim: 8, initTemperature: 0.07, learnTemperature: true, maxLogitScale: 100 };

  it('gives finite losses and keeps τ at or above 1 / maxLogitScale', async () => {
    const rng = new Rng(5);
    const d = trainingSet(rng, { heldOut: 3, pairs: 40, imageSize: 16 });
    const before = tf.memory().numTensors;
    const t = await train(tf, rng, d.train, { ...options, steps: 6, batchSize: 8, learningRate: 0.5, maxLogitScale: 20 }, () => undefined);
    disposeModel(t.model);
    expect(tf.memory().numTensors).toBe(before);
    expect(t.losses).toHaveLength(6);
    for (const l of t.losses) expect(Number.isFinite(l)).toBe(true);
    for (const tau of t.temperatures) expect(tau).toBeGreaterThanOrEqual(1 / 20 - 1e-6);
  });

  it('leaves no tensor behind from one step to the next', () => {
    const rng = new Rng(6);
    const d = trainingSet(rng, { heldOut: 2, pairs: 8, imageSize: 16 });
    for (const encoder of ['conv', 'mlp'] as const) {
      const m = createModel(tf, rng, { ...options, encoder, vocab: VOCAB.length });
      const opt = new FlatAdam(tf, trainableVariables(m), 0.9, 0.999);
      const counts: number[] = [];
      for (let s = 0; s < 4; s++) {
        const x = imageInput(tf, m, d.train.map((p) => p.pixels));
        const t = stack(tf, d.train.map((p) => bagOfWords(p.caption)), VOCAB.length);
        // The step hands back its loss, kept for the caller to read: disposed here.
        trainStep(tf, m, opt, 0.01, x, t).dispose();
        x.dispose();
        t.dispose();
        counts.push(tf.memory().numTensors);
      }
      // The moments exist from the start (FlatAdam); the count must not move from step to step.
      expect(counts.slice(1)).toEqual([counts[1], counts[1], counts[1]]);
      opt.dispose();
      disposeModel(m);
    }
  });
});

describe('the clip lab', () => {
  it('runs a tiny config through the runner (which rejects leaks) with plain finite metrics', async () => {
    const out = await runLab({ lab: 'clip', seed: 3, config: TINY });
    const m = out.manifest.metrics as Record<string, any>;
    expect(m.chance).toBe(0.025);
    expect(m.zeroShotAccuracy).toBeGreaterThanOrEqual(0);
    expect(m.zeroShotAccuracy).toBeLessThanOrEqual(1);
    expect(typeof m.zeroShot.examples[0].predicted).toBe('string');
    expect(Object.keys(m.retrieval.seen.textToImage)).toEqual(['r1', 'r5']);
    expect(JSON.stringify(m)).not.toMatch(/null|NaN|Infinity/);
    for (const f of ['similarity-matrix.png', 'zero-shot-example-0.png', 'zero-shot-accuracy.png', 'retrieval.png', 'loss.png', 'temperature.png']) {
      expect(out.manifest.files.map((x) => x.file)).toContain(f);
    }
    expect((await runLab({ lab: 'clip', seed: 3, config: TINY })).cached).toBe(true);
  });

  it('is deterministic for a seed, and another seed gives another run', async () => {
    const go = async (seed: number) => {
      const { config } = resolveRun(clipLab, 'default', TINY);
      return (await clipLab.run('default', config, { tf, seed, rng: new Rng(seed), progress: () => undefined })).metrics;
    };
    const a = await go(11);
    expect(await go(11)).toEqual(a);
    expect((await go(12)).loss).not.toBe(a.loss);
  });

  it('rejects a bad config with an error naming the field', () => {
    const lab = getLab('clip');
    const field = (over: Record<string, unknown>) => {
      try {
        resolveRun(lab, 'default', over);
      } catch (e) {
        expect(e).toBeInstanceOf(StepwiseError);
        return (e as StepwiseError).path;
      }
      return 'no error';
    };
    expect(field({ steps: 0 })).toBe('config.steps');
    expect(field({ encoder: 'vit' })).toBe('config.encoder');
    expect(field({ learningRate: -1 })).toBe('config.learningRate');
    expect(field({ colour: 'red' })).toBe('config.colour');
    expect(field({ batchSize: 64, trainPairs: 32 })).toBe('config.batchSize');
    expect(field({ initTemperature: 0.001, maxLogitScale: 100 })).toBe('config.initTemperature');
    expect(field({ imageSize: 15 })).toBe('config.imageSize');
  });
});

describe('conv patches (im2col through an index map)', () => {
  it('are each place’s 5×5×3 window, stride 2, zero padding 2, for one image and a whole batch', () => {
    const size = 6;
    const images = [0, 1].map((k) => Float32Array.from({ length: size * size * 3 }, (_, i) => k * 1000 + i + 1));
    // Worked from the definition: place (oy, ox) reads pixel (2·oy − 2 + ky, 2·ox − 2 + kx), channel c, or 0 outside.
    const expected = (pixels: Float32Array): number[] => {
      const out: number[] = [];
      for (let oy = 0; oy < size / 2; oy++)
        for (let ox = 0; ox < size / 2; ox++)
          for (let ky = 0; ky < 5; ky++)
            for (let kx = 0; kx < 5; kx++)
              for (let c = 0; c < 3; c++) {
                const y = 2 * oy - 2 + ky;
                const x = 2 * ox - 2 + kx;
                out.push(y < 0 || x < 0 || y >= size || x >= size ? 0 : pixels[(y * size + x) * 3 + c]);
              }
      return out;
    };
    expect(Array.from(patches(images[0], size))).toEqual(expected(images[0]));
    // Place (1, 1)'s window starts at pixel (0, 0): its first value is pixel 0's red, 1.
    expect(patches(images[0], size)[(1 * 3 + 1) * 75]).toBe(1);
    const batch = new Float32Array(2 * 9 * 75);
    images.forEach((p, i) => patchesInto(p, size, batch, i * 9 * 75));
    expect(Array.from(batch)).toEqual([...expected(images[0]), ...expected(images[1])]);
  });
});
