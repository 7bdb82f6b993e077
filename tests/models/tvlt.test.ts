/** The TVLT lab: masking, STFT / mel, the clips' pitch, patches, training hygiene, determinism and config checks. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../../src/generators/rng.js';
import { loadArtefactQuestions } from '../../src/models/questions.js';
import { resolveRun, runLab } from '../../src/models/runner.js';
import { tensorflow, type Tf } from '../../src/models/runtime.js';
import { SAMPLE_RATE, fft, logMel, melFilterbank, sineSweep, stftPower } from '../../src/models/tvlt/audio.js';
import { COLS_PER_FRAME, MEL_BINS, layoutFor, makeClip, makeSet, patchify, unpatchify } from '../../src/models/tvlt/data.js';
import { maskCounts, realisedShare, sampleMask } from '../../src/models/tvlt/mask.js';
import { createTvlt, disposeTvlt } from '../../src/models/tvlt/model.js';
import { tvltLab } from '../../src/models/tvlt/index.js';
import { train, type TvltConfig } from '../../src/models/tvlt/train.js';

let tf: Tf;
const cache = mkdtempSync(join(tmpdir(), 'stepwise-tvlt-'));
beforeAll(async () => {
  process.env.STEPWISE_CACHE = cache;
  tf = (await tensorflow()).tf;
});
afterAll(() => {
  delete process.env.STEPWISE_CACHE;
});

const TINY = { steps: 3, batchSize: 4, trainClips: 8, testClips: 4, width: 8, heads: 2, layers: 1, decoderWidth: 8, decoderLayers: 1 };
const argmax = (xs: number[]) => xs.indexOf(Math.max(...xs));

describe('masking', () => {
  it('masks exactly 75 % of the patches of each modality, and never [CLS]', () => {
    const [nv, na, batch] = [16, 16, 5];
    const m = sampleMask(new Rng(3), batch, nv, na, 0.75);
    expect(m.seq).toBe(33);
    expect(m.kept).toBe(1 + 4 + 4);
    for (let b = 0; b < batch; b++) {
      const row = Array.from(m.masked.subarray(b * m.seq, (b + 1) * m.seq));
      expect(row[0]).toBe(0);
      expect(row.slice(1, 1 + nv).reduce((s, x) => s + x, 0)).toBe(12);
      expect(row.slice(1 + nv).reduce((s, x) => s + x, 0)).toBe(12);
      // The encoder's first token of every clip is that clip's [CLS].
      expect(m.keepRows[b * m.kept]).toBe(b * m.seq);
    }
    expect(realisedShare(0.75, nv, na)).toBe(0.75);
    // 0.9 of 16 rounds to 14: the realised share is 0.875, not 0.9.
    expect(maskCounts(0.9, 16, 16)).toEqual({ video: 14, audio: 14 });
    expect(realisedShare(0.9, 16, 16)).toBe(0.875);
  });
});

describe('audio', () => {
  it('STFT and mel filterbank put a pure tone in the right bin', () => {
    // 1000 Hz at 8 kHz with a 256-point FFT: bin 1000·256/8000 = 32. On the HTK mel scale
    // 0…4000 Hz is 0…2146.06 mel; 16 bands need 18 edges 126.24 mel apart, so band m peaks at
    // edge m+1: band 7 at 1015.0 Hz, band 6 at 833.3 Hz; 1000 Hz (999.99 mel, 7.92 spacings) is
    // at weight 0.92 in band 7 and 0.08 in band 6. 2000 Hz: bin 64, 12.05 spacings, band 11.
    for (const [hz, bin, band] of [
      [1000, 32, 7],
      [2000, 64, 11],
    ]) {
      const tone = sineSweep([hz], 1024, SAMPLE_RATE);
      const power = stftPower(tone);
      expect(power.length).toBe(4);
      expect(argmax(power[1])).toBe(bin);
      expect(argmax(logMel(tone, 16)[1])).toBe(band);
    }
    const bank = melFilterbank(16);
    expect(bank).toHaveLength(16);
    expect(bank[0]).toHaveLength(129);
    expect(Math.max(...bank.flat())).toBeLessThanOrEqual(1);
  });

  it("the spectrogram's pitch rises when the square rises", () => {
    const clip = makeClip([12, 8, 4, 0], 6);
    const cols = 4 * COLS_PER_FRAME;
    const peaks = Array.from({ length: cols }, (_, t) => argmax(Array.from(clip.spec.subarray(t * MEL_BINS, (t + 1) * MEL_BINS))));
    for (let t = 1; t < cols; t++) expect(peaks[t]).toBeGreaterThanOrEqual(peaks[t - 1]);
    for (let f = 1; f < 4; f++) expect(peaks[f * COLS_PER_FRAME]).toBeGreaterThan(peaks[(f - 1) * COLS_PER_FRAME]);
    const falling = makeClip([0, 12], 6);
    expect(argmax(Array.from(falling.spec.subarray(COLS_PER_FRAME * MEL_BINS, (COLS_PER_FRAME + 1) * MEL_BINS)))).toBeLessThan(
      argmax(Array.from(falling.spec.subarray(0, MEL_BINS))),
    );
  });
});

describe('patches', () => {
  it('patchify and unpatchify round-trip, in (frame, row, column) order', () => {
    const rng = new Rng(1);
    const data = Float32Array.from({ length: 3 * 8 * 8 }, () => rng.int(0, 1000) / 1000);
    const p = patchify(data, 3, 8, 8, 4);
    expect(Array.from(unpatchify(p, 3, 8, 8, 4))).toEqual(Array.from(data));
    const grid = Float32Array.from({ length: 16 }, (_, i) => i);
    expect(Array.from(patchify(grid, 1, 4, 4, 2).subarray(0, 8))).toEqual([0, 1, 4, 5, 2, 3, 6, 7]);
    expect(layoutFor({ frames: 4, patchSize: 8, audioPatch: 4 })).toMatchObject({ nv: 16, na: 16, pv: 64, pa: 16 });
  });
});

describe('training', () => {
  const config = { ...(tvltLab.runs.default.defaults as TvltConfig), ...TINY };

  it('gives finite losses and leaves no tensor behind across steps', async () => {
    const rng = new Rng(2);
    const L = layoutFor(config);
    const set = makeSet(rng, config.trainClips, L);
    const before = tf.memory().numTensors;
    const model = createTvlt(tf, rng, L, config);
    const withModel = tf.memory().numTensors;
    const curve = await train(tf, rng, model, set, config, () => undefined);
    expect(tf.memory().numTensors).toBe(withModel);
    disposeTvlt(model);
    expect(tf.memory().numTensors).toBe(before);
    expect(curve).toHaveLength(3);
    for (const p of curve) for (const v of [p.mae, p.vam, p.total]) expect(Number.isFinite(v)).toBe(true);
  });

  it('is deterministic for a seed and reports the realised mask share', async () => {
    const run = () => tvltLab.run('default', config, { tf, seed: 5, rng: new Rng(5), progress: () => undefined });
    const [a, b] = [await run(), await run()];
    expect(b.metrics).toEqual(a.metrics);
    const m = a.metrics as { maskRatio: { training: number; realised: number }; reconMse: number; vamAccuracy: number; errorVsRatio: unknown[] };
    expect(m.maskRatio).toMatchObject({ training: 0.75, realised: 0.75 });
    expect(Number.isFinite(m.reconMse)).toBe(true);
    expect(m.errorVsRatio).toHaveLength(6);
    expect(JSON.parse(JSON.stringify(a.metrics))).toEqual(a.metrics);
    expect(a.artefacts.map((x) => x.file)).toContain('frames-reconstruction.png');
    // Through the runner too, which refuses a run that leaks tensors.
    const out = await runLab({ lab: 'tvlt', run: 'default', seed: 5, config: TINY });
    expect(out.manifest.metrics).toEqual(a.metrics);
  });
});

describe('config', () => {
  it('rejects bad configs naming the field', () => {
    const err = (over: Record<string, unknown>) => {
      try {
        resolveRun(tvltLab, 'default', over);
      } catch (e) {
        return { message: (e as Error).message, path: (e as { path?: string }).path };
      }
      throw new Error('no error');
    };
    expect(err({ maskRatio: 1 })).toEqual({ message: 'config.maskRatio must be < 1', path: 'config.maskRatio' });
    expect(err({ maskRatio: 0.99 }).path).toBe('config.maskRatio');
    expect(err({ width: -4 })).toEqual({ message: 'config.width must be >= 4', path: 'config.width' });
    expect(err({ steps: 0 }).path).toBe('config.steps');
    expect(err({ colour: 'red' })).toEqual({ message: 'config: unknown field "colour"', path: 'config.colour' });
    expect(err({ patchSize: 5 }).message).toMatch(/^config\.patchSize must divide/);
    expect(err({ heads: 3 }).path).toBe('config.heads');
    expect(err({ lambdaMae: 0, lambdaVam: 0 }).path).toBe('config.lambdaVam');
  });

  it("the bank's tvlt questions load without problems", () => {
    const { questions, problems } = loadArtefactQuestions();
    expect(problems.filter((p) => p.file.includes('tvlt'))).toEqual([]);
    expect([...questions.values()].filter((q) => q.lab === 'tvlt').length).toBeGreaterThanOrEqual(2);
  });
});

describe('FFT with its twiddle factors made once per length', () => {
  it('gives the values of the twiddles evaluated in the loop, bit for bit, and the DFT of a known signal', () => {
    // The transform as it was written before the tables (the cos and sin evaluated in the innermost loop).
    const direct = (re: Float64Array, im: Float64Array): void => {
      const n = re.length;
      for (let i = 1, j = 0; i < n; i++) {
        let bit = n >> 1;
        for (; j & bit; bit >>= 1) j ^= bit;
        j ^= bit;
        if (i < j) {
          [re[i], re[j]] = [re[j], re[i]];
          [im[i], im[j]] = [im[j], im[i]];
        }
      }
      for (let len = 2; len <= n; len <<= 1) {
        const ang = (-2 * Math.PI) / len;
        for (let start = 0; start < n; start += len) {
          for (let k = 0; k < len / 2; k++) {
            const wr = Math.cos(ang * k);
            const wi = Math.sin(ang * k);
            const a = start + k;
            const b = a + len / 2;
            const tr = re[b] * wr - im[b] * wi;
            const ti = re[b] * wi + im[b] * wr;
            re[b] = re[a] - tr;
            im[b] = im[a] - ti;
            re[a] += tr;
            im[a] += ti;
          }
        }
      }
    };
    const rng = new Rng(5);
    for (const n of [2, 8, 256, 64, 256]) {
      const re = Float64Array.from({ length: n }, () => rng.int(-1000000, 1000000) / 1e6 + 1e-7);
      const im = Float64Array.from({ length: n }, () => rng.int(-1000000, 1000000) / 1e6 + 1e-7);
      const [re2, im2] = [Float64Array.from(re), Float64Array.from(im)];
      fft(re, im);
      direct(re2, im2);
      expect(Array.from(re)).toEqual(Array.from(re2));
      expect(Array.from(im)).toEqual(Array.from(im2));
    }
    // A cosine at bin 3 of 16: energy 8 at bins 3 and 13, nothing elsewhere (to 1e-12).
    const re = Float64Array.from({ length: 16 }, (_, t) => Math.cos((2 * Math.PI * 3 * t) / 16));
    const im = new Float64Array(16);
    fft(re, im);
    re.forEach((v, k) => expect(v).toBeCloseTo(k === 3 || k === 13 ? 8 : 0, 12));
  });
});
