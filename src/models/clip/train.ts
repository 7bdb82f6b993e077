/**
 * Training the dual encoder on the synthetic pairs: shuffled mini-batches (a new order each
 * epoch, from the run's PRNG), Adam, and a record of the loss and temperature for the curves.
 */
import type { Rng } from '../../generators/rng.js';
import type { Tf } from '../runtime.js';

type Scalar = import('@tensorflow/tfjs').Scalar;
import { VOCAB, bagOfWords, type Pair } from './data.js';
import { FlatAdam } from '../optim.js';
import { LossLog } from '../read.js';
import { createModel, disposeModel, imageInput, stack, trainableVariables, trainStep, type ClipModel, type ModelOptions } from './model.js';

export interface TrainOptions extends Omit<ModelOptions, 'vocab'> {
  steps: number;
  batchSize: number;
  learningRate: number;
}

export interface Trained {
  model: ClipModel;
  /** The loss at every step. */
  losses: number[];
  /** τ after every step. */
  temperatures: number[];
}

/** Trains a fresh model; the caller disposes `model`. */
export async function train(tf: Tf, rng: Rng, pairs: Pair[], o: TrainOptions, progress: (done: number, total: number) => void): Promise<Trained> {
  const model = createModel(tf, rng, { ...o, vocab: VOCAB.length });
  // One Adam update over all parameters (FlatAdam, β as tf.train.adam's defaults), not ~14 kernels per variable.
  const opt = new FlatAdam(tf, trainableVariables(model), 0.9, 0.999);
  const bags = pairs.map((p) => bagOfWords(p.caption));
  // The loss and the logit scale of every step, kept on the device and read in batches (each read is a GPU sync).
  const log = new LossLog<'loss' | 'logScale'>(tf);
  let order: number[] = [];
  try {
    for (let step = 0; step < o.steps; step++) {
      if (order.length < o.batchSize) order = rng.shuffle(pairs.map((_, i) => i));
      const batch = order.splice(0, o.batchSize);
      const x = imageInput(tf, model, batch.map((i) => pairs[i].pixels));
      const t = stack(tf, batch.map((i) => bags[i]), VOCAB.length);
      const loss = trainStep(tf, model, opt, o.learningRate, x, t);
      x.dispose();
      t.dispose();
      log.add(step, { loss, logScale: tf.clone(model.logScale) as Scalar });
      await log.drain();
      if (step % 10 === 9 || step === o.steps - 1) progress(step + 1, o.steps);
    }
    const rows = await log.read();
    return { model, losses: rows.map((r) => r.loss as number), temperatures: rows.map((r) => 1 / Math.exp(r.logScale as number)) };
  } catch (e) {
    disposeModel(model);
    throw e;
  } finally {
    log.dispose();
    opt.dispose();
  }
}
