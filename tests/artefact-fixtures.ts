/**
 * Tiny artefact questions (GANs of a few steps, well under a second each) shared by the artefact
 * tests (pages, exports, CLI): a test spreads one and gives it its own id (and whatever else it varies).
 */
import type { ArtefactQuestion } from '../src/models/questions.js';

/** A GAN run's config small enough to train in a test. */
export const TINY = { steps: 6, batch: 8, hidden: 8, evalSamples: 200, checkpoints: 0 };

/** "Which run ends with the lower D loss?" over a vanilla and a minibatch GAN (run seed 3; a choice answer). */
export const whichRun: ArtefactQuestion = {
  id: 'tiny-which-run',
  title: 'Which run ends lower?',
  lab: 'gan',
  runs: [
    { name: 'vanilla', run: 'vanilla', seed: 3, config: TINY },
    { name: 'minibatch', run: 'minibatch', seed: 3, config: TINY },
  ],
  prompt: 'Runs A and B train the same GAN; in one of them D also sees how alike a batch is. Which run ends with the lower D loss? Answer A or B.',
  show: ['vanilla:samples-final.png', 'minibatch:samples-final.png'],
  answer: { type: 'choice', pick: 'min', metric: 'finalDLoss' },
};

/** "How many of the 8 modes does it cover?" over one vanilla GAN (run seed 3; a number answer, tolerance 0). */
export const howMany: ArtefactQuestion = {
  id: 'tiny-how-many',
  title: 'How many are covered?',
  lab: 'gan',
  runs: [{ name: 'vanilla', run: 'vanilla', seed: 3, config: TINY }],
  prompt: 'Run {{vanilla}} trains a GAN on the ring. How many of the 8 modes does it cover?',
  show: ['vanilla:samples-final.png'],
  answer: { type: 'number', metric: 'vanilla.modesCovered', tolerance: 0 },
};

/** Shows a plot its run does not make: the worker fails, naming the question's internals in its error. */
export const broken: ArtefactQuestion = { ...howMany, id: 'tiny-broken', title: 'A broken question', show: ['vanilla:no-such-plot.png'] };
