/**
 * The reference mini GAN of issue 12 (G 16→256→256→2, D 2→256→256→1, ReLU, Adam(1e-3, β1 0.5),
 * non-saturating loss, 8-Gaussian ring), one training step = one D step + one G step, built three
 * ways so bench:gpu can set them side by side:
 *   adam:  nn.ts layers, tf.train.adam (about 14 kernels per variable, 12 variables per network);
 *   flat:  nn.ts layers, FlatAdam (one concatenated update per network);
 *   fused: fused.ts's FlatMlp (one parameter buffer per network, fused dense layers with a
 *          hand-written backward), D run once on [real; fake], FlatAdam over the one buffer;
 *   kernels: the step kernels (step-kernels/: one kernel per dense layer, two per layer backward,
 *          one Adam per network over its state), a written-out training step with no autodiff tape,
 *          and K runs (seeds) side by side in one graph.
 * kernelsPerStep counts what one step launches with tf.profile, on any backend.
 */
import { Rng } from '../generators/rng.js';
import { flatMlp, flatMlpForward } from './fused.js';
import { dense, disposeLayers, layeredMlp as mlp, randomNormal, variables } from './nn.js';
import { FlatAdam } from './optim.js';
import { readValues } from './read.js';
import { KernelGan } from './step-kernels/gan.js';
import type { Tf } from './runtime.js';

type Scalar = import('@tensorflow/tfjs').Scalar;
type Tensor = import('@tensorflow/tfjs').Tensor;
type Tensor2D = import('@tensorflow/tfjs').Tensor2D;

export type ReferenceMode = 'adam' | 'flat' | 'fused' | 'kernels';
export const REFERENCE_MODES: ReferenceMode[] = ['adam', 'flat', 'fused', 'kernels'];

export interface ReferenceGan {
  step(): void;
  /** Resolves once every queued kernel has run (reads a few values back). */
  sync(): Promise<unknown>;
  /** G's then D's parameters, each network's layers in order (w then b), flattened (run 0's of K). */
  parameters(): Promise<Float32Array>;
  dispose(): void;
}

const LR = 1e-3;

/** The 8 ring centres, radius 2, as a [8, 2] table a batch of mode indices gathers from. */
const CENTRES = Array.from({ length: 8 }, (_, k) => [2 * Math.cos((2 * Math.PI * k) / 8), 2 * Math.sin((2 * Math.PI * k) / 8)]);

/** A batch from the ring: a uniform mode per point (one gather from the centres) plus N(0, 0.02²) noise. */
function ring(tf: Tf, rng: Rng, batch: number, centres: Tensor2D): Tensor2D {
  return tf.add(tf.gather(centres, tf.randomUniform([batch], 0, 8, 'int32', rng.int(0, 1e9))), randomNormal(tf, rng, [batch, 2], 0, 0.02)) as Tensor2D;
}

/**
 * sum(softplus(sign · logits)) / n with its gradient written out: sigmoid(sign · logits) · sign / n
 * (times the incoming scalar), three kernels instead of the tape's chain through mul, softplus,
 * sum and div. sign is ±1 per row (or a scalar); the loss is then −log σ or −log(1 − σ) per row.
 * signOverN is sign / n, made once with the step's constants.
 */
function softplusLoss(tf: Tf, logits: Tensor2D, sign: Tensor, n: number, signOverN: Tensor): Scalar {
  const f = tf.customGrad((...args) => {
    const [l, save] = args as unknown as [Tensor2D, (ts: Tensor[]) => void];
    const z = tf.mul(l, sign);
    save([z]);
    return {
      value: tf.div(tf.sum(tf.softplus(z)), n) as Scalar,
      gradFunc: (dy: Tensor, [saved]: Tensor[]) => tf.mul(tf.mul(tf.sigmoid(saved), signOverN), dy),
    };
  }) as unknown as (l: Tensor2D) => Scalar;
  return f(logits);
}

/** The reference GAN built one way; `runs` > 1 (K runs, seeds seed … seed + K − 1, side by side) only for 'kernels'. */
export function referenceGan(tf: Tf, batch: number, mode: ReferenceMode, seed = 0, runs = 1): ReferenceGan {
  if (runs !== 1 && mode !== 'kernels') throw new Error(`K runs in one graph are built for the 'kernels' step only, not '${mode}'`);
  if (mode === 'kernels') return kernelGan(tf, batch, seed, runs);
  return mode === 'fused' ? fusedGan(tf, batch, seed) : layeredGan(tf, batch, mode === 'flat', seed);
}

function kernelGan(tf: Tf, batch: number, seed: number, runs: number): ReferenceGan {
  const gan = new KernelGan(tf, batch, Array.from({ length: runs }, (_, k) => seed + k));
  return {
    step: () => gan.step(),
    sync: () => gan.G.state.data(),
    parameters: async () => new Float32Array([...(await gan.G.parameters(0)), ...(await gan.D.parameters(0))]),
    dispose: () => gan.dispose(),
  };
}

function layeredGan(tf: Tf, batch: number, flat: boolean, seed: number): ReferenceGan {
  const rng = new Rng(seed);
  const centres = tf.tensor2d(CENTRES);
  const G = [dense(tf, rng, 16, 256), dense(tf, rng, 256, 256), dense(tf, rng, 256, 2)];
  const D = [dense(tf, rng, 2, 256), dense(tf, rng, 256, 256), dense(tf, rng, 256, 1)];
  const adamD = flat ? undefined : tf.train.adam(LR, 0.5);
  const adamG = flat ? undefined : tf.train.adam(LR, 0.5);
  const flatD = flat ? new FlatAdam(tf, variables(D), 0.5, 0.999) : undefined;
  const flatG = flat ? new FlatAdam(tf, variables(G), 0.5, 0.999) : undefined;
  const minimize = (loss: () => Scalar, net: 'D' | 'G'): void => {
    const vars = variables(net === 'D' ? D : G);
    if (!flat) {
      (net === 'D' ? adamD : adamG)!.minimize(loss, false, vars);
      return;
    }
    const { value, grads } = tf.variableGrads(loss, vars);
    (net === 'D' ? flatD : flatG)!.apply(grads, LR);
    tf.dispose([value, ...Object.values(grads)]);
  };
  const step = (): void =>
    tf.tidy(() => {
      const x = ring(tf, rng, batch, centres);
      const z = randomNormal(tf, rng, [batch, 16]) as Tensor2D;
      minimize(() => tf.add(tf.mean(tf.softplus(tf.neg(mlp(tf, D, x)))), tf.mean(tf.softplus(mlp(tf, D, mlp(tf, G, z))))) as Scalar, 'D');
      minimize(() => tf.mean(tf.softplus(tf.neg(mlp(tf, D, mlp(tf, G, randomNormal(tf, rng, [batch, 16]) as Tensor2D))))) as Scalar, 'G');
    });
  return {
    step,
    sync: () => G[2].w.data(),
    parameters: () => readValues(tf, () => tf.concat([...variables(G), ...variables(D)].map((v) => tf.reshape(v, [-1])))),
    dispose: () => {
      disposeLayers([...G, ...D]);
      centres.dispose();
      for (const o of [adamD, adamG, flatD, flatG]) o?.dispose();
    },
  };
}

function fusedGan(tf: Tf, batch: number, seed: number): ReferenceGan {
  const rng = new Rng(seed);
  const centres = tf.tensor2d(CENTRES);
  const G = flatMlp(tf, rng, [16, 256, 256, 2]);
  const D = flatMlp(tf, rng, [2, 256, 256, 1]);
  const optD = new FlatAdam(tf, [D.theta], 0.5, 0.999);
  const optG = new FlatAdam(tf, [G.theta], 0.5, 0.999);
  // −1 on the real half, +1 on the fake half: softplus(sign·logit) is −log σ on real, −log(1 − σ) on fake.
  const sign = tf.tidy(() => tf.concat([tf.fill([batch, 1], -1), tf.fill([batch, 1], 1)]));
  const minus = tf.scalar(-1);
  const [signOverN, minusOverN] = tf.tidy(() => [tf.div(sign, batch), tf.scalar(-1 / batch)]);
  const minimize = (loss: () => Scalar, opt: FlatAdam, theta: import('@tensorflow/tfjs').Variable): void => {
    const { value, grads } = tf.variableGrads(loss, [theta]);
    opt.apply(grads, LR);
    tf.dispose([value, ...Object.values(grads)]);
  };
  const step = (): void =>
    tf.tidy(() => {
      const both = tf.concat([ring(tf, rng, batch, centres), flatMlpForward(tf, G, randomNormal(tf, rng, [batch, 16]) as Tensor2D, { input: false, params: false })]) as Tensor2D;
      // mean over real + mean over fake = sum over both / batch.
      minimize(() => softplusLoss(tf, flatMlpForward(tf, D, both, { input: false, params: true }), sign, batch, signOverN), optD, D.theta);
      const z = randomNormal(tf, rng, [batch, 16]) as Tensor2D;
      minimize(() => softplusLoss(tf, flatMlpForward(tf, D, flatMlpForward(tf, G, z, { input: false, params: true }), { input: true, params: false }), minus, batch, minusOverN), optG, G.theta);
    });
  return {
    step,
    sync: () => G.theta.data(),
    parameters: () => readValues(tf, () => tf.concat([G.theta, D.theta])),
    dispose: () => {
      tf.dispose([G.theta, D.theta, sign, minus, signOverN, minusOverN, centres]);
      optD.dispose();
      optG.dispose();
    },
  };
}

export interface KernelCount {
  /** Every entry tf.profile records for one step (includes op scopes such as customGrad's "forward"). */
  profiled: number;
  /** Entries that are kernels registered for the backend. */
  kernels: number;
  /** Kernels less Reshape and Identity, which share their input's buffer and run no shader on WebGPU. */
  compute: number;
  byName: Record<string, number>;
}

/** Kernels one step launches (tf.profile), after `warmup` steps so one-off work is not counted. */
export async function kernelsPerStep(tf: Tf, gan: ReferenceGan, warmup = 2): Promise<KernelCount> {
  for (let i = 0; i < warmup; i++) gan.step();
  await gan.sync();
  const profile = await tf.profile(() => gan.step());
  const byName: Record<string, number> = {};
  for (const k of profile.kernels) byName[k.name] = (byName[k.name] ?? 0) + 1;
  const backend = tf.getBackend();
  const registered = Object.entries(byName).filter(([name]) => tf.getKernel(name, backend) !== undefined);
  const kernels = registered.reduce((s, [, n]) => s + n, 0);
  const compute = registered.filter(([name]) => name !== 'Reshape' && name !== 'Identity').reduce((s, [, n]) => s + n, 0);
  return { profiled: profile.kernels.length, kernels, compute, byName };
}
