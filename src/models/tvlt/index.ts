/**
 * The TVLT lab (Textless Vision-Language Transformer, Tang et al. 2022) in miniature: one
 * transformer over video-frame patches and log-mel spectrogram patches of synthetic clips (a
 * square moving up or down, a tone whose pitch follows its height), trained by masked
 * autoencoding plus vision–audio matching.
 */
import { StepwiseError } from '../../core/errors.js';
import { defineLab } from '../lab.js';
import { lossPlot, ratioPlot, reconstructionPlots, vamPlot } from './artefacts.js';
import { COLS_PER_FRAME, IMAGE, MEL_BINS, layoutFor, makeSet } from './data.js';
import { evaluateRecon, evaluateVam, type ReconEval, type VamEval } from './evaluate.js';
import { maskCounts } from './mask.js';
import { createTvlt, disposeTvlt } from './model.js';
import { train, type LossPoint, type TvltConfig } from './train.js';

/** The ratios the trained model is evaluated at for the error-vs-ratio curve. */
export const EVAL_RATIOS = [0.25, 0.4, 0.5, 0.6, 0.75, 0.9];

const DEFAULTS: TvltConfig = {
  steps: 600,
  batchSize: 16,
  learningRate: 0.003,
  trainClips: 512,
  testClips: 128,
  frames: 4,
  patchSize: 8,
  audioPatch: 4,
  width: 32,
  heads: 4,
  layers: 2,
  decoderWidth: 32,
  decoderLayers: 1,
  maskRatio: 0.75,
  lambdaMae: 10,
  lambdaVam: 1,
};

const int = (minimum: number, maximum: number) => ({ type: 'integer', minimum, maximum });

const configSchema = {
  type: 'object',
  additionalProperties: false,
  required: Object.keys(DEFAULTS),
  properties: {
    steps: int(1, 5000),
    batchSize: int(2, 256),
    learningRate: { type: 'number', exclusiveMinimum: 0, maximum: 0.1 },
    trainClips: int(2, 4096),
    testClips: int(2, 1024),
    frames: int(2, 8),
    patchSize: int(1, IMAGE),
    audioPatch: int(1, COLS_PER_FRAME),
    width: int(4, 128),
    heads: int(1, 8),
    layers: int(1, 4),
    decoderWidth: int(4, 128),
    decoderLayers: int(1, 4),
    maskRatio: { type: 'number', exclusiveMinimum: 0, exclusiveMaximum: 1 },
    lambdaMae: { type: 'number', minimum: 0, maximum: 10 },
    lambdaVam: { type: 'number', minimum: 0, maximum: 10 },
  },
};

const bad = (field: keyof TvltConfig, msg: string): never => {
  throw new StepwiseError('invalid_request', `config.${field} ${msg}`, `config.${field}`);
};

function checkConfig(c: TvltConfig): void {
  if (IMAGE % c.patchSize) bad('patchSize', `must divide the ${IMAGE}-pixel frames, got ${c.patchSize}`);
  if (COLS_PER_FRAME % c.audioPatch) bad('audioPatch', `must divide the ${COLS_PER_FRAME} spectrogram columns of a frame, got ${c.audioPatch}`);
  if (c.width % c.heads || c.decoderWidth % c.heads) bad('heads', `must divide width (${c.width}) and decoderWidth (${c.decoderWidth}), got ${c.heads}`);
  const L = layoutFor(c);
  const m = maskCounts(c.maskRatio, L.nv, L.na);
  if (m.video < 1 || m.audio < 1 || m.video >= L.nv || m.audio >= L.na) {
    bad('maskRatio', `must mask at least one and keep at least one of the ${L.nv} video and ${L.na} audio patches (it masks ${m.video} and ${m.audio})`);
  }
  if (c.lambdaMae + c.lambdaVam === 0) bad('lambdaVam', 'and lambdaMae cannot both be 0: nothing would be trained');
}

/** Numbers for the metrics: rounded to 6 decimals, and never NaN or ±Infinity. */
function num(x: number, what: string): number {
  if (!Number.isFinite(x)) throw new StepwiseError('internal', `tvlt: ${what} is not finite (${x}); training diverged`);
  return +x.toFixed(6);
}

const runs = {
  default: { summary: `MAE at mask ratio 0.75 plus VAM (λ_MAE = λ_VAM = 1)`, defaults: DEFAULTS },
  'mask-50': { summary: 'the same, trained with half of the patches masked', defaults: { ...DEFAULTS, maskRatio: 0.5 } },
  'mask-90': { summary: 'the same, trained with 90 % of the patches masked (14 of 16 per modality)', defaults: { ...DEFAULTS, maskRatio: 0.9 } },
  'mae-only': { summary: 'MAE alone (λ_VAM = 0): the matching head is never trained', defaults: { ...DEFAULTS, lambdaVam: 0 } },
};

export const tvltLab = defineLab<TvltConfig>({
  id: 'tvlt',
  title: 'TVLT: one transformer over video and audio patches, masked autoencoding + vision–audio matching',
  runs,
  configSchema,
  checkConfig,
  async run(_run, c, ctx) {
    const { tf, rng } = ctx;
    const L = layoutFor(c);
    const trainSet = makeSet(rng, c.trainClips, L);
    const testSet = makeSet(rng, c.testClips, L);
    const model = createTvlt(tf, rng, L, c);
    let trained: { curve: LossPoint[]; atTrain: ReconEval; evals: ReconEval[]; vam: VamEval };
    try {
      const curve = await train(tf, rng, model, trainSet, c, ctx.progress);
      // One after another: each draws its masks from the run's PRNG.
      const evals: ReconEval[] = [];
      for (const r of EVAL_RATIOS) evals.push(await evaluateRecon(tf, rng, model, trainSet, testSet, r));
      // The training ratio's numbers are the curve's own point when it has one, so the two agree.
      const atTrain = evals.find((e) => e.ratio === c.maskRatio) ?? (await evaluateRecon(tf, rng, model, trainSet, testSet, c.maskRatio));
      trained = { curve, atTrain, evals, vam: await evaluateVam(tf, rng, model, testSet) };
    } finally {
      disposeTvlt(model);
    }
    const { curve, atTrain, evals, vam } = trained;
    const counts = maskCounts(c.maskRatio, L.nv, L.na);
    const tail = curve.slice(-Math.min(20, curve.length));
    const avg = (k: 'mae' | 'vam' | 'total') => num(tail.reduce((s, p) => s + p[k], 0) / tail.length, `final ${k} loss`);
    const metrics = {
      maskRatio: {
        training: c.maskRatio,
        realised: num(atTrain.realised, 'realised mask share'),
        maskedPatches: { video: counts.video, audio: counts.audio, total: counts.video + counts.audio },
        patches: { video: L.nv, audio: L.na, total: L.nv + L.na },
      },
      reconMse: num(atTrain.model.mean, 'reconMse'),
      reconMseByModality: { video: num(atTrain.model.video, 'video MSE'), audio: num(atTrain.model.audio, 'audio MSE') },
      meanPatchBaselineMse: num(atTrain.baseline.mean, 'baseline MSE'),
      meanPatchBaselineByModality: { video: num(atTrain.baseline.video, 'baseline video MSE'), audio: num(atTrain.baseline.audio, 'baseline audio MSE') },
      baseline: 'per-position mean patch: each masked patch predicted by the mean of that position over the training clips',
      reconBeatsBaseline: atTrain.model.mean < atTrain.baseline.mean,
      reconToBaseline: num(atTrain.model.mean / atTrain.baseline.mean, 'reconToBaseline'),
      vamAccuracy: num(vam.accuracy, 'vamAccuracy'),
      vamChance: 0.5,
      vamConfusion: { rows: ['matched', 'mismatched'], cols: ['says matched', 'says mismatched'], counts: vam.confusion },
      errorVsRatio: evals.map((e) => ({
        ratio: e.ratio,
        realised: num(e.realised, 'realised share'),
        reconMse: num(e.model.mean, 'reconMse'),
        baselineMse: num(e.baseline.mean, 'baseline MSE'),
        reconMseVideo: num(e.model.video, 'video MSE'),
        reconMseAudio: num(e.model.audio, 'audio MSE'),
      })),
      finalLoss: { mae: avg('mae'), vam: avg('vam'), total: avg('total') },
      data: { trainClips: c.trainClips, testClips: c.testClips, frames: c.frames, frameSize: IMAGE, melBands: MEL_BINS, spectrogramColumns: c.frames * COLS_PER_FRAME },
    };
    const artefacts = [
      ...(await reconstructionPlots(testSet.clips, atTrain.examples, L)),
      ...(await vamPlot(vam)),
      ...(await ratioPlot(evals)),
      ...(await lossPlot(curve)),
    ];
    return { metrics, artefacts };
  },
});
