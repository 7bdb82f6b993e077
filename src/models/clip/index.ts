/**
 * The CLIP lab: a dual encoder trained with symmetric InfoNCE on procedurally drawn image–caption
 * pairs, some shape–colour combinations held out; then zero-shot classification of the held-out
 * combinations with "a photo of a {colour} {shape}", retrieval recall@k and the similarity matrix.
 */
import { StepwiseError } from '../../core/errors.js';
import { defineLab } from '../lab.js';
import { clipArtefacts } from './artefacts.js';
import { allCombos, isHeldOut, randomPair, trainingSet, type Pair } from './data.js';
import { batchMatrix, retrieval, round, zeroShot } from './evaluate.js';
import { disposeModel, temperature } from './model.js';
import { train } from './train.js';

export interface ClipConfig {
  steps: number;
  batchSize: number;
  trainPairs: number;
  heldOut: number;
  imageSize: number;
  encoder: 'conv' | 'mlp';
  filters: number;
  hiddenSize: number;
  textDim: number;
  embedDim: number;
  learningRate: number;
  initTemperature: number;
  learnTemperature: boolean;
  maxLogitScale: number;
  testPerCombo: number;
}

const DEFAULTS: ClipConfig = {
  steps: 1200,
  batchSize: 64,
  trainPairs: 8000,
  heldOut: 5,
  imageSize: 16,
  encoder: 'conv',
  filters: 32,
  hiddenSize: 128,
  textDim: 32,
  embedDim: 32,
  learningRate: 0.003,
  initTemperature: 0.07,
  learnTemperature: true,
  maxLogitScale: 100,
  testPerCombo: 20,
};

const int = (minimum: number, maximum: number) => ({ type: 'integer', minimum, maximum });

export const clipLab = defineLab<ClipConfig>({
  id: 'clip',
  title: 'CLIP: contrastive image–text pre-training and zero-shot classification',
  runs: {
    default: { summary: 'learnable temperature (initial τ = 0.07, logit scale clipped at 100), 5 shape–colour pairs held out', defaults: DEFAULTS },
    'fixed-temperature': { summary: 'the same, with τ fixed at 1: logits stay within ±1, so InfoNCE cannot get sharp', defaults: { ...DEFAULTS, learnTemperature: false, initTemperature: 1 } },
  },
  configSchema: {
    type: 'object',
    additionalProperties: false,
    required: Object.keys(DEFAULTS),
    properties: {
      steps: int(1, 20000),
      batchSize: int(2, 512),
      trainPairs: int(2, 20000),
      heldOut: int(1, 5),
      imageSize: int(12, 32),
      encoder: { enum: ['conv', 'mlp'] },
      filters: int(1, 64),
      hiddenSize: int(4, 1024),
      textDim: int(2, 256),
      embedDim: int(2, 256),
      learningRate: { type: 'number', exclusiveMinimum: 0, maximum: 1 },
      initTemperature: { type: 'number', minimum: 0.001, maximum: 100 },
      learnTemperature: { type: 'boolean' },
      maxLogitScale: { type: 'number', minimum: 1, maximum: 1000 },
      testPerCombo: int(1, 200),
    },
  },
  checkConfig(c) {
    if (c.encoder === 'conv' && c.imageSize % 2 !== 0) {
      throw new StepwiseError('invalid_request', `config.imageSize must be even for the conv encoder (stride 2), got ${c.imageSize}`, 'config.imageSize');
    }
    if (c.batchSize > c.trainPairs) {
      throw new StepwiseError('invalid_request', `config.batchSize (${c.batchSize}) must not exceed config.trainPairs (${c.trainPairs})`, 'config.batchSize');
    }
    if (c.learnTemperature && 1 / c.initTemperature > c.maxLogitScale) {
      throw new StepwiseError('invalid_request', `config.initTemperature ${c.initTemperature} gives a logit scale 1/τ above config.maxLogitScale ${c.maxLogitScale}`, 'config.initTemperature');
    }
  },
  async run(_run, c, { tf, rng, seed, progress }) {
    const data = trainingSet(rng, { heldOut: c.heldOut, pairs: c.trainPairs, imageSize: c.imageSize });
    const full = (combos: Parameters<typeof randomPair>[1]) => randomPair(rng, combos, c.imageSize, 'full');
    // Fresh test images, cycling through the combinations so each is tested equally often.
    const heldTest = Array.from({ length: c.testPerCombo * c.heldOut }, (_, i) => full([data.heldOut[i % c.heldOut]]));
    const seen = allCombos().filter((x) => !isHeldOut(data.heldOut, x));
    const seenTest = Array.from({ length: c.testPerCombo * seen.length }, (_, i) => full([seen[i % seen.length]]));
    const retrievalSeen = Array.from({ length: 100 }, () => full(seen));
    const retrievalHeld = Array.from({ length: 100 }, () => full(data.heldOut));
    const batch = distinctBatch(() => full(seen), 8);

    const { model, losses, temperatures } = await train(tf, rng, data.train, c, progress);
    try {
      const tau = round(await temperature(model), 4);
      const zs = await zeroShot(tf, model, heldTest, 8, tau);
      const zsSeen = await zeroShot(tf, model, seenTest, 0, tau);
      const rec = { seen: await retrieval(tf, model, retrievalSeen), heldOut: await retrieval(tf, model, retrievalHeld) };
      const sim = await batchMatrix(tf, model, batch, tau);
      const tail = losses.slice(-Math.min(20, losses.length));
      const metrics = {
        zeroShotAccuracy: zs.accuracy,
        chance: zs.chance,
        seenAccuracy: zsSeen.accuracy,
        zeroShot: {
          heldOut: data.heldOut.map((h) => `${h.colour} ${h.shape}`),
          images: heldTest.length,
          candidates: zs.candidates.length,
          colourAccuracy: zs.colourAccuracy,
          shapeAccuracy: zs.shapeAccuracy,
          examples: zs.examples.map((e) => ({ image: e.image, trueCaption: e.trueCaption, predicted: e.predicted, correct: e.correct })),
        },
        retrieval: rec,
        temperature: tau,
        logitScale: round(1 / (await temperature(model)), 2),
        loss: round(tail.reduce((a, b) => a + b, 0) / tail.length, 4),
        initialLoss: round(losses[0], 4),
        similarity: sim,
        trainPairs: data.train.length,
        seed,
      };
      assertFinite(metrics, 'metrics');
      const artefacts = await clipArtefacts({ config: c, tau, data, heldTest, zs, zsSeen, seenTest, rec, sim, batch, losses, temperatures });
      return { metrics, artefacts };
    } finally {
      disposeModel(model);
    }
  },
});

/** `n` pairs of different shape–colour pairs, hence different captions: each heatmap row has one right column. */
function distinctBatch(draw: () => Pair, n: number): Pair[] {
  const out: Pair[] = [];
  while (out.length < n) {
    const p = draw();
    if (!out.some((q) => q.scene.shape === p.scene.shape && q.scene.colour === p.scene.colour)) out.push(p);
  }
  return out;
}

/** Metrics are plain JSON: a NaN or an infinity is a bug, not a result. */
function assertFinite(v: unknown, path: string): void {
  if (typeof v === 'number' && !Number.isFinite(v)) throw new StepwiseError('internal', `clip metric ${path} is ${v}`);
  if (v !== null && typeof v === 'object') for (const [k, x] of Object.entries(v)) assertFinite(x, `${path}.${k}`);
}
