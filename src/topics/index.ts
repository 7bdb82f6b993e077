/**
 * The registry: every topic, once. Adding a topic is its own file, its templates, and one line here.
 */
import { checkTopicDeclaration } from '../solvers/graph.js';
import type { Topic } from '../solvers/topic.js';
import { bahdanauAttention } from './bahdanau-attention.js';
import { bayesClassification } from './bayes-classification.js';
import { clipInfonce } from './clip-infonce.js';
import { convOutput } from './conv-output.js';
import { ddpmPosterior } from './ddpm-posterior.js';
import { diffusionForward } from './diffusion-forward.js';
import { diffusionStep } from './diffusion-step.js';
import { ganOptimalDiscriminator } from './gan-optimal-discriminator.js';
import { harrisCorner } from './harris-corner.js';
import { klDiscrete } from './kl-discrete.js';
import { klGaussian } from './kl-gaussian.js';
import { nextTokenLoss } from './next-token-loss.js';
import { positionalEncoding } from './positional-encoding.js';
import { ppoClip } from './ppo-clip.js';
import { rewardModelLoss } from './reward-model-loss.js';
import { selfAttention } from './self-attention.js';
import { vaeSampling } from './vae-sampling.js';

/** In the contract's order. */
export const TOPICS: readonly Topic[] = [
  bayesClassification,
  vaeSampling,
  klGaussian,
  klDiscrete,
  diffusionForward,
  diffusionStep,
  bahdanauAttention,
  selfAttention,
  positionalEncoding,
  convOutput,
  harrisCorner,
  ganOptimalDiscriminator,
  clipInfonce,
  ddpmPosterior,
  nextTokenLoss,
  rewardModelLoss,
  ppoClip,
];

const byId = new Map<string, Topic>();
for (const t of TOPICS) {
  checkTopicDeclaration(t);
  if (byId.has(t.id)) throw new Error(`topic ${t.id} is registered twice`);
  byId.set(t.id, t);
}

export function findTopic(id: string): Topic | undefined {
  return byId.get(id);
}
