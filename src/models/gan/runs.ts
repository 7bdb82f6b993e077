/**
 * The GAN lab's runs and their default configs. The GAN runs share one short budget (3,000 Adam
 * steps, β1 0.5, batch 64, learning rates decaying over the last 40 %) and differ only in the
 * remedy, so their mode counts can be compared. Measured on the ring over seeds 1–5 (2026-11-30, WASM):
 * vanilla covers 5.6 of 8 modes (3, 7, 6, 6, 6), minibatch discrimination 7.4 (7, 7, 7, 8, 8). z has 4 dims: with
 * 16, vanilla collapses harder (1.8) but minibatch discrimination's D overpowers G (2.6).
 */
import type { LabRunSpec } from '../lab.js';
import type { GanConfig, GanRun } from './config.js';

const BASE = {
  dataset: 'ring',
  steps: 3000,
  batch: 64,
  hidden: 64,
  depth: 3,
  zDim: 4,
  lrD: 1e-3,
  lrG: 1e-3,
  beta1: 0.5,
  beta2: 0.999,
  lrDecay: 0.4,
  dSteps: 1,
  evalSamples: 2500,
  checkpoints: 3,
} satisfies GanConfig;

export const RUNS: Record<GanRun, LabRunSpec<GanConfig>> = {
  vanilla: { summary: 'the non-saturating GAN: G maximises log D(G(z))', defaults: BASE },
  minibatch: { summary: 'minibatch discrimination: D sees how close each sample is to the rest of its batch', defaults: { ...BASE, mbKernels: 5, mbDims: 3 } },
  'feature-matching': { summary: 'feature matching: G matches the mean of D’s last hidden features on real data', defaults: BASE },
  'wgan-gp': { summary: 'WGAN-GP: a critic with a gradient penalty, 5 critic steps per G step', defaults: { ...BASE, steps: 1500, beta2: 0.9, dSteps: 5, gpWeight: 0.1 } },
  ttur: { summary: 'two time-scale update rule: D learns faster than G', defaults: { ...BASE, lrD: 1e-3, lrG: 2.5e-4 } },
  replay: { summary: 'experience replay: half of D’s fakes are old samples of G', defaults: { ...BASE, replaySize: 6400, replayShare: 0.5 } },
  conditional: { summary: 'conditional GAN: the one-hot mode label is concatenated to z and to x', defaults: BASE },
  'optimal-d': {
    summary: 'D trained against a frozen G with a known density, compared with the analytic D*',
    // Modes of std 0.2, not 0.02: D* of 0.02-wide modes is 8 spikes narrower than a grid cell, which
    // neither the grid nor a small ReLU D resolves (D then spreads into rays; mean error 0.06).
    defaults: { dataset: 'ring', dataStd: 0.2, steps: 2500, batch: 256, hidden: 128, depth: 2, lrD: 2e-3, beta1: 0.5, beta2: 0.999, lrDecay: 0.5, gStd: 1.5, gridSize: 40 },
  },
};
