/**
 * Training the dual encoder on the synthetic pairs: shuffled mini-batches (a new order each
 * epoch, from the run's PRNG), Adam, and a record of the loss and temperature for the curves.
 */
import type { Rng } from '../../generators/rng.js';
import type { Tf } from '../runtime.js';
import { VOCAB, bagOfWords, type Pair } from './data.js';
import { FlatAdam } from '../optim.js';
import { createModel, disposeModel, imageInput, stack, temperature, trainableVariables, trainStep, type ClipModel, type ModelOptions } from './model.js';

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
export function train(tf: Tf, rng: Rng, pairs: Pair[], o: TrainOptions, progress: (done: number, total: number) => void): Trained {
  const model = createModel(tf, rng, { ...o, vocab: VOCAB.length });
  // One Adam update over all parameters (FlatAdam, β as tf.train.adam's defaults), not ~14 kernels per variable.
  const opt = new FlatAdam(tf, trainableVariables(model), 0.9, 0.999);
  const bags = pairs.map((p) => bagOfWords(p.caption));
  const losses: number[] = [];
  const temperatures: number[] = [];
  let order: number[] = [];
  try {
    for (let step = 0; step < o.steps; step++) {
      if (order.length < o.batchSize) order = rng.shuffle(pairs.map((_, i) => i));
      const batch = order.splice(0, o.batchSize);
      const x = imageInput(tf, model, batch.map((i) => pairs[i].pixels));
      const t = stack(tf, batch.map((i) => bags[i]), VOCAB.length);
      losses.push(trainStep(tf, model, opt, o.learningRate, x, t));
      x.dispose();
      t.dispose();
      temperatures.push(temperature(model));
      if (step % 10 === 9 || step === o.steps - 1) progress(step + 1, o.steps);
    }
  } catch (e) {
    disposeModel(model);
    throw e;
  } finally {
    opt.dispose();
  }
  return { model, losses, temperatures };
}
