/**
 * Training: each step draws a batch of training clips and takes one Adam step on
 * λ_MAE·MAE + λ_VAM·VAM. MAE masks each matched clip afresh; VAM sees the same frames unmasked,
 * the first half with their own audio (label 1) and the second half with another clip's (label 0).
 * Adam (β₂ = 0.98) with a linear warm-up.
 */
import type { Rng } from '../../generators/rng.js';
import type { Tf } from '../runtime.js';
import { pickRows, type Layout, type PatchSet } from './data.js';
import { sampleMask, type BatchMask } from './mask.js';
import { FlatAdam } from '../optim.js';
import { LossLog } from '../read.js';
import { cpuBackend, fusedMaeLoss, fusedVamLoss } from './cpu-ops.js';
import { Arena, inArena } from './arena.js';
import { bceWithLogits, encodeAll, maeDecode, maeForward, maskedMean, patchErrors, tvltVariables, vamLogits, type ModelSize, type Tvlt } from './model.js';

type Scalar = import('@tensorflow/tfjs').Scalar;
type Tensor = import('@tensorflow/tfjs').Tensor;
type Tensor3D = import('@tensorflow/tfjs').Tensor3D;

export interface TvltConfig extends ModelSize {
  steps: number;
  batchSize: number;
  learningRate: number;
  trainClips: number;
  testClips: number;
  frames: number;
  patchSize: number;
  audioPatch: number;
  maskRatio: number;
  lambdaMae: number;
  lambdaVam: number;
}

/** Steps over which the learning rate ramps up linearly: early Adam steps on a fresh transformer are erratic. */
const WARMUP = 50;

export interface LossPoint {
  step: number;
  mae: number;
  vam: number;
  total: number;
}

/** Clips i's patches as tensors [k, nv, pv] and [k, na, pa]; `audioFrom` swaps in other clips' audio. */
export function batchTensors(tf: Tf, set: PatchSet, L: Layout, idx: number[], audioFrom = idx): { video: Tensor3D; audio: Tensor3D } {
  return {
    video: tf.tensor3d(pickRows(set.video, L.nv * L.pv, idx), [idx.length, L.nv, L.pv]),
    audio: tf.tensor3d(pickRows(set.audio, L.na * L.pa, audioFrom), [idx.length, L.na, L.pa]),
  };
}

/** A clip index other than i, uniformly. */
export function otherClip(rng: Rng, n: number, i: number): number {
  const j = rng.int(0, n - 2);
  return j >= i ? j + 1 : j;
}

/** Per-modality masks [batch, nv] and [batch, na] from a BatchMask (its [CLS] column dropped). */
export function modalityMasks(mask: BatchMask, batch: number, L: Layout): { video: Float32Array; audio: Float32Array } {
  const video = new Float32Array(batch * L.nv);
  const audio = new Float32Array(batch * L.na);
  for (let b = 0; b < batch; b++) {
    video.set(mask.masked.subarray(b * mask.seq + 1, b * mask.seq + 1 + L.nv), b * L.nv);
    audio.set(mask.masked.subarray(b * mask.seq + 1 + L.nv, (b + 1) * mask.seq), b * L.na);
  }
  return { video, audio };
}

/** The MAE loss: the mean of the video and the audio masked-patch MSEs. On the CPU backends the heads and the loss are one fused op. */
export function maeLoss(tf: Tf, m: Tvlt, video: Tensor3D, audio: Tensor3D, mask: BatchMask): Tensor {
  const b = video.shape[0];
  const masks = modalityMasks(mask, b, m.L);
  if (cpuBackend(tf)) {
    const { nv, na, pv, pa } = m.L;
    const targets = (t: Tensor3D, mask: Float32Array, count: number, size: number) => ({ patches: t.dataSync() as Float32Array, mask, count, size });
    return fusedMaeLoss(tf, [m.videoHead.w, m.videoHead.b, m.audioHead.w, m.audioHead.b], maeDecode(tf, m, video, audio, mask), b, targets(video, masks.video, nv, pv), targets(audio, masks.audio, na, pa));
  }
  const pred = maeForward(tf, m, video, audio, mask);
  const lv = maskedMean(tf, patchErrors(tf, pred.video, video), tf.tensor2d(masks.video, [b, m.L.nv]));
  const la = maskedMean(tf, patchErrors(tf, pred.audio, audio), tf.tensor2d(masks.audio, [b, m.L.na]));
  return tf.mul(tf.add(lv, la), 0.5);
}

/** The VAM loss: binary cross-entropy of the matching head's logits. On the CPU backends the head and the loss are one fused op. */
export function vamLoss(tf: Tf, m: Tvlt, video: Tensor3D, audio: Tensor3D, labels: Tensor): Tensor {
  if (!cpuBackend(tf)) return bceWithLogits(tf, vamLogits(tf, m, video, audio), labels);
  const [w1, w2] = m.vam;
  return fusedVamLoss(tf, [w1.w, w1.b, w2.w, w2.b], encodeAll(tf, m, video, audio), video.shape[0], 1 + m.L.nv + m.L.na, labels);
}

export async function train(tf: Tf, rng: Rng, m: Tvlt, set: PatchSet, c: TvltConfig, progress: (done: number, total: number) => void): Promise<LossPoint[]> {
  const opt = new FlatAdam(tf, tvltVariables(m));
  const vars = tvltVariables(m);
  // Every step's losses, kept on the device and read in batches (each read is a GPU sync).
  const log = new LossLog<'mae' | 'vam' | 'total'>(tf);
  const half = Math.floor(c.batchSize / 2);
  // On WASM only: the cpu backend keeps the arrays it is given as a tensor's values (arena.ts).
  const arena = cpuBackend(tf) && tf.getBackend() === 'wasm' ? new Arena() : undefined;
  const labels = tf.tensor1d(Array.from({ length: c.batchSize }, (_, i) => (i < c.batchSize - half ? 1 : 0)));
  for (let step = 1; step <= c.steps; step++) {
    const idx = Array.from({ length: c.batchSize }, () => rng.int(0, set.n - 1));
    const swapped = idx.map((i, k) => (k < c.batchSize - half ? i : otherClip(rng, set.n, i)));
    const mask = sampleMask(rng, c.batchSize, m.L.nv, m.L.na, c.maskRatio);
    const own = batchTensors(tf, set, m.L, idx);
    const mixed = batchTensors(tf, set, m.L, idx, swapped);
    let parts: Tensor[] = [];
    const losses = () =>
      tf.variableGrads(() => {
        const mae = maeLoss(tf, m, own.video, own.audio, mask);
        const vam = vamLoss(tf, m, mixed.video, mixed.audio, labels);
        parts = [tf.keep(mae), tf.keep(vam)] as Tensor[];
        return tf.add(tf.mul(mae, c.lambdaMae), tf.mul(vam, c.lambdaVam)) as import('@tensorflow/tfjs').Scalar;
      }, vars);
    // The fused ops' scratch arrays reused step after step; the gradients leave as tensors (copies).
    const { value, grads } = arena ? inArena(arena, losses) : losses();
    opt.apply(grads, c.learningRate * Math.min(1, step / WARMUP));
    log.add(step, { mae: parts[0] as Scalar, vam: parts[1] as Scalar, total: value });
    tf.dispose([...Object.values(grads), own.video, own.audio, mixed.video, mixed.audio]);
    await log.drain();
    progress(step, c.steps);
  }
  const curve = (await log.read()).map((r) => ({ step: r.step, mae: r.mae as number, vam: r.vam as number, total: r.total as number }));
  labels.dispose();
  opt.dispose();
  return curve;
}
