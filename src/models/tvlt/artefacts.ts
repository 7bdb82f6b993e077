/** The TVLT lab's pictures, all through plots.ts: masked / reconstructed / original frames and spectrograms, VAM, error vs mask ratio, loss curves. */
import type { Artefact } from '../lab.js';
import { heatmap, images, lines, plot } from '../plots.js';
import { COLS_PER_FRAME, IMAGE, MEL_BINS, unpatchify, type Clip, type Layout } from './data.js';
import type { Example, ReconEval, VamEval } from './evaluate.js';
import type { LossPoint } from './train.js';

type Pixel = number | number[];

/** Masked patches are painted this blue, so they cannot be mistaken for black background. */
const MASKED: Pixel = [0.3, 0.45, 0.95];
const GAP: Pixel = [1, 0.6, 0.2];

/** Per-value mask: each patch's flag spread over its p·p values, back in the data's layout. */
function maskMap(flags: Float32Array, size: number, t: number, h: number, w: number, p: number): Float32Array {
  const spread = new Float32Array(flags.length * size);
  flags.forEach((f, i) => spread.fill(f, i * size, (i + 1) * size));
  return unpatchify(spread, t, h, w, p);
}

interface Views {
  original: Pixel[][];
  masked: Pixel[][];
  recon: Pixel[][];
}

/** Original, masked input and reconstruction (visible patches as given, masked ones predicted) as pixel grids. */
function views(original: Float32Array, pred: Float32Array, mask: Float32Array, at: (i: number) => [number, number] | null, rows: number, cols: number): Views {
  const grid = (f: (i: number) => Pixel): Pixel[][] => {
    const g: Pixel[][] = Array.from({ length: rows }, () => Array.from({ length: cols }, () => GAP));
    for (let i = 0; i < original.length; i++) {
      const rc = at(i);
      if (rc) g[rc[0]][rc[1]] = f(i);
    }
    return g;
  };
  const clip = (v: number) => Math.max(0, Math.min(1, v));
  return {
    original: grid((i) => original[i]),
    masked: grid((i) => (mask[i] ? MASKED : original[i])),
    recon: grid((i) => (mask[i] ? clip(pred[i]) : original[i])),
  };
}

/** Grids of several clips stacked top to bottom, one gap row between them. */
function stack(grids: Pixel[][][]): Pixel[][] {
  return grids.flatMap((g, i) => (i === 0 ? g : [g[0].map(() => GAP), ...g]));
}

export async function reconstructionPlots(clips: Clip[], examples: Example[], L: Layout): Promise<Artefact[]> {
  const T = L.frames;
  const cols = L.frames * COLS_PER_FRAME;
  const video = examples.map((ex, k) => {
    // Frames left to right with a one-pixel gap.
    const pred = unpatchify(ex.video, T, IMAGE, IMAGE, L.patchSize);
    const mask = maskMap(ex.videoMask, L.pv, T, IMAGE, IMAGE, L.patchSize);
    const at = (i: number): [number, number] => [Math.floor(i / IMAGE) % IMAGE, Math.floor(i / (IMAGE * IMAGE)) * (IMAGE + 1) + (i % IMAGE)];
    return views(clips[k].frames, pred, mask, at, IMAGE, T * (IMAGE + 1) - 1);
  });
  const audio = examples.map((ex, k) => {
    // Time to the right and the highest mel band at the top.
    const pred = unpatchify(ex.audio, 1, cols, MEL_BINS, L.audioPatch);
    const mask = maskMap(ex.audioMask, L.pa, 1, cols, MEL_BINS, L.audioPatch);
    return views(clips[k].spec, pred, mask, (i) => [MEL_BINS - 1 - (i % MEL_BINS), Math.floor(i / MEL_BINS)], MEL_BINS, cols);
  });
  const panels = (w: Views[]) => [
    { title: 'masked input (blue)', pixels: stack(w.map((x) => x.masked)) },
    { title: 'reconstruction', pixels: stack(w.map((x) => x.recon)) },
    { title: 'original', pixels: stack(w.map((x) => x.original)) },
  ];
  const n = examples.length;
  return [
    ...(await plot(
      'frames-reconstruction',
      `${n} held-out clips, one per row, ${T} frames each (left to right): the masked input (masked video patches in blue), the TVLT reconstruction (visible patches as given, masked ones predicted) and the original.`,
      images({ title: 'Video frames: masked input / reconstruction / original', images: panels(video), pixelSize: 3 }),
    )),
    ...(await plot(
      'spectrogram-reconstruction',
      `The same ${n} clips' log-mel spectrograms, one per row (time to the right, high pitch at the top): the masked input (masked audio patches in blue), the reconstruction and the original.`,
      images({ title: 'Log-mel spectrograms: masked input / reconstruction / original', images: panels(audio), pixelSize: 5 }),
    )),
  ];
}

export async function vamPlot(v: VamEval): Promise<Artefact[]> {
  // Rates per actual class, so each row reads as "of the matched pairs, this share was called matched".
  const rates = v.confusion.map((row) => row.map((x) => x / (row[0] + row[1])));
  return plot(
    'vam',
    `Vision–audio matching on ${v.pairs} held-out pairs (each test clip with its own audio and with another clip's), as shares of each actual class; 0.5 by chance.`,
    heatmap({
      title: 'vision–audio matching (chance 0.5)',
      matrix: rates,
      rowLabels: ['matched', 'mismatched'],
      colLabels: ['says matched', 'says mismatched'],
      yTitle: 'actual pair',
      domain: [0, 1],
      showValues: true,
    }),
  );
}

/** The training mask ratio is left out of the picture: a question asks which run was trained at which. */
export async function ratioPlot(evals: ReconEval[]): Promise<Artefact[]> {
  const series = (name: string, pick: (e: ReconEval) => number) => ({ name, points: evals.map((e) => ({ x: e.realised, y: pick(e) })) });
  return plot(
    'error-vs-mask-ratio',
    `Masked-patch MSE on held-out clips against the share of patches masked, for the run's model and for the per-position mean-patch baseline (mean of the video and audio MSEs).`,
    lines({
      title: 'Reconstruction error vs mask ratio',
      series: [series('TVLT', (e) => e.model.mean), series('mean-patch baseline', (e) => e.baseline.mean)],
      xTitle: 'share of patches masked',
      yTitle: 'MSE on masked patches',
    }),
  );
}

/** The loss weights are left out: whether VAM is trained is what a question asks the curves about. */
export async function lossPlot(curve: LossPoint[]): Promise<Artefact[]> {
  // An exponential moving average (0.9) keeps the per-batch noise from hiding the trend.
  const smooth = (pick: (p: LossPoint) => number) => {
    let ema = pick(curve[0]);
    return curve.map((p) => ({ x: p.step, y: (ema = 0.9 * ema + 0.1 * pick(p)) }));
  };
  return plot(
    'loss-curves',
    `Training losses per step (moving average): MAE (masked-patch MSE), VAM (binary cross-entropy) and the total λ_MAE·MAE + λ_VAM·VAM.`,
    lines({
      title: 'Training losses',
      series: [
        { name: 'MAE', points: smooth((p) => p.mae) },
        { name: 'VAM', points: smooth((p) => p.vam) },
        { name: 'total', points: smooth((p) => p.total) },
      ],
      xTitle: 'step',
      yTitle: 'loss',
      logY: true,
    }),
  );
}
