/**
 * Minibatch discrimination's two training steps on the CPU backends, written out: each loss and its
 * gradient in one network's flat parameters, with the dense layers as backend kernels called below
 * the engine (direct-mlp.ts), the closeness features and D's output layer in plain loops
 * (closeness-cpu.ts), and no tape — train.ts hands the gradient to FlatAdam.apply. Through the tape
 * a step of both launched 275 kernels, each with the engine's bookkeeping, which on WASM cost more
 * than their arithmetic. WebGPU keeps the tensor-op version (losses.ts), which this one is checked
 * against, value and gradient, in tests/models/gan.test.ts.
 *
 * D: hidden layers (leaky ReLU) give the features f; M = f·T; o = closeness(M) within each group;
 * logit = [f, o]·w_o + b_o. Both losses are Σ_i softplus(s_i·logit_i) / n (the non-saturating BCE,
 * losses.ts), so ∂/∂logit_i = g_i = s_i·σ(s_i·logit_i) / n, and back through the head:
 *   ∂w_o = Σ_i g_i·[f_i, o_i],  ∂b_o = Σ g,  ∂o_i,b = g_i·w_o[hidden + b],  ∂M = closeness' backward,
 *   ∂T = fᵀ·∂M,  ∂f = ∂M·Tᵀ + g·w_o[:hidden]ᵀ = [∂M | g]·[Tᵀ; w_o[:hidden]ᵀ]  (one product),
 * then through D's hidden layers — into their weights for D's step, into D's input and on through G
 * for G's.
 */
import { DirectKernels, type Info } from '../direct-kernels.js';
import { directBackward, directForward, directLayers, layerOffsets, placeGradients, transpose } from '../direct-mlp.js';
import type { Tf } from '../runtime.js';
import { closenessWithin } from './closeness-cpu.js';
import type { Discriminator, Generator } from './nets.js';

type Tensor = import('@tensorflow/tfjs').Tensor;
type Tensor2D = import('@tensorflow/tfjs').Tensor2D;

export interface LossAndGradient {
  loss: number;
  grad: Float32Array;
}

/**
 * D's step: −mean log D(real) − mean log(1 − D(fake)) on [real; fake] as one batch, each half its
 * own group for the closeness features (as losses.ts's discriminatorLoss), and its gradient in D's
 * flat parameters.
 */
export function minibatchDiscriminatorStep(tf: Tf, d: Discriminator, real: Tensor2D, fake: Tensor2D, theta: Tensor = d.net.theta): LossAndGradient {
  const mbd = need(d);
  const [n, width] = real.shape;
  if (fake.shape[0] !== n || fake.shape[1] !== width) throw new Error(`minibatch D step: real [${real.shape}] and fake [${fake.shape}] do not match`);
  const x = new Float32Array(2 * n * width);
  x.set(real.dataSync() as Float32Array, 0);
  x.set(fake.dataSync() as Float32Array, n * width);
  const signs = new Float64Array(2 * n);
  signs.fill(-1, 0, n);
  signs.fill(1, n, 2 * n);
  const K = new DirectKernels(tf);
  try {
    const th = K.read(DirectKernels.of(theta));
    const body = directLayers(K, th, d.net.dims, 0, d.depth);
    const F = directForward(K, body, K.make(x, [1, 2 * n, width]), 'leakyrelu', 'leakyrelu');
    const head = headOf(K, th, d, mbd, F.H[d.depth], 2);
    const { loss, g } = bce(head.logit, signs, n);
    const back = head.backward(g, true);
    const grad = new Float32Array(theta.size);
    placeGradients(K, body, directBackward(K, body, F, back.df, { input: false, weights: true }).grads, grad);
    // T's slot, then its bias slot (never read: zero gradient), then the output layer.
    grad.set(K.read(back.dT as Info), head.tAt);
    grad.set(back.dOut, head.outAt);
    return { loss, grad };
  } finally {
    K.dispose();
  }
}

/**
 * G's step: −mean log D(G(z)), the fakes one group of their own, and its gradient in G's flat
 * parameters (D is only read).
 */
export function minibatchGeneratorStep(tf: Tf, g: Generator, d: Discriminator, z: Tensor2D, thetaG: Tensor = g.net.theta): LossAndGradient {
  const mbd = need(d);
  const n = z.shape[0];
  const K = new DirectKernels(tf);
  try {
    const tg = K.read(DirectKernels.of(thetaG));
    const gen = directLayers(K, tg, g.net.dims, 0, g.net.dims.length);
    const FG = directForward(K, gen, { ...DirectKernels.of(z), shape: [1, n, z.shape[1]] }, 'relu', 'linear');
    const th = K.read(DirectKernels.of(d.net.theta));
    const body = directLayers(K, th, d.net.dims, 0, d.depth);
    const FD = directForward(K, body, FG.H[FG.H.length - 1], 'leakyrelu', 'leakyrelu');
    const head = headOf(K, th, d, mbd, FD.H[d.depth], 1);
    const { loss, g: dLogit } = bce(head.logit, new Float64Array(n).fill(-1), n);
    const dx = directBackward(K, body, FD, head.backward(dLogit, false).df, { input: true, weights: false }).dx as Info;
    const grad = new Float32Array(thetaG.size);
    placeGradients(K, gen, directBackward(K, gen, FG, dx, { input: false, weights: true }).grads, grad);
    return { loss, grad };
  } finally {
    K.dispose();
  }
}

function need(d: Discriminator): { kernels: number; dims: number } {
  if (!d.mbd) throw new Error('minibatch step: D has no minibatch features');
  return d.mbd;
}

/** Σ softplus(s_i·l_i) / n and its gradient in the logits, in doubles; softplus and σ written to stay finite for large |l|. */
function bce(logit: Float64Array, signs: Float64Array, n: number): { loss: number; g: Float64Array } {
  let loss = 0;
  const g = new Float64Array(logit.length);
  for (let i = 0; i < logit.length; i++) {
    const a = signs[i] * logit[i];
    const e = Math.exp(-Math.abs(a));
    loss += Math.max(a, 0) + Math.log1p(e);
    // σ(a) = 1 / (1 + e^−a), from e = e^−|a| on either side of 0.
    g[i] = (signs[i] * (a >= 0 ? 1 / (1 + e) : e / (1 + e))) / n;
  }
  return { loss: loss / n, g };
}

/**
 * D's head on the features f ([1, rows, hidden]): the logits, and the backward from ∂/∂logit — ∂f
 * as a kernel output, the output layer's gradient [w_o, b_o], and ∂T when asked.
 */
function headOf(K: DirectKernels, th: Float32Array, d: Discriminator, mbd: { kernels: number; dims: number }, f: Info, groups: number) {
  const { kernels, dims } = mbd;
  const kd = kernels * dims;
  const rows = f.shape[1];
  const hidden = f.shape[2];
  const offsets = layerOffsets(d.net.dims);
  const tAt = offsets[d.depth];
  const outAt = offsets[d.depth + 1];
  const T = th.subarray(tAt, tAt + hidden * kd);
  const wo = th.subarray(outAt, outAt + hidden + kernels);
  const bo = th[outAt + hidden + kernels];
  const fv = K.read(f);
  const close = closenessWithin(K.read(K.run('BatchMatMul', { a: f, b: K.make(T, [1, hidden, kd]) }, { transposeA: false, transposeB: false })), rows, kernels, dims, groups);
  const o = close.values;
  const logit = new Float64Array(rows);
  for (let i = 0; i < rows; i++) {
    let s = bo;
    for (let a = 0; a < hidden; a++) s += fv[i * hidden + a] * wo[a];
    for (let b = 0; b < kernels; b++) s += o[i * kernels + b] * wo[hidden + b];
    logit[i] = s;
  }
  const backward = (g: Float64Array, withT: boolean): { df: Info; dOut: Float32Array; dT?: Info } => {
    const dOut = new Float32Array(hidden + kernels + 1);
    const dO = new Float32Array(rows * kernels);
    let db = 0;
    for (let i = 0; i < rows; i++) {
      const gi = g[i];
      for (let a = 0; a < hidden; a++) dOut[a] += gi * fv[i * hidden + a];
      for (let b = 0; b < kernels; b++) {
        dOut[hidden + b] += gi * o[i * kernels + b];
        dO[i * kernels + b] = gi * wo[hidden + b];
      }
      db += gi;
    }
    dOut[hidden + kernels] = db;
    const dM = close.backward(dO);
    // [∂M | g] ([rows, kd + 1]) · [Tᵀ; w_o[:hidden]] ([kd + 1, hidden]) = ∂f.
    const left = new Float32Array(rows * (kd + 1));
    for (let i = 0; i < rows; i++) {
      left.set(dM.subarray(i * kd, (i + 1) * kd), i * (kd + 1));
      left[i * (kd + 1) + kd] = g[i];
    }
    const right = new Float32Array((kd + 1) * hidden);
    right.set(transpose(T, hidden, kd), 0);
    right.set(wo.subarray(0, hidden), kd * hidden);
    const mm = (a: Info, b: Info): Info => K.run('BatchMatMul', { a, b }, { transposeA: false, transposeB: false });
    const df = mm(K.make(left, [1, rows, kd + 1]), K.make(right, [1, kd + 1, hidden]));
    if (!withT) return { df, dOut };
    return { df, dOut, dT: mm(K.run('Transpose', { x: f }, { perm: [0, 2, 1] }), K.make(dM, [1, rows, kd])) };
  };
  return { logit, backward, tAt, outAt };
}
