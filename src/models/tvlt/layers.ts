/**
 * Lab-local transformer pieces on top of nn.ts: layer norm, a batched matMul and a row gather with
 * WASM-friendly gradients, multi-head self-attention and a pre-norm encoder block.
 */
import type { Rng } from '../../generators/rng.js';
import { dense, matMul, randomNormal, type Dense } from '../nn.js';
import type { Tf } from '../runtime.js';
import { cpuBackend, fusedBlock, fusedLayerNorm } from './cpu-ops.js';

type Tensor = import('@tensorflow/tfjs').Tensor;
type Tensor2D = import('@tensorflow/tfjs').Tensor2D;
type Tensor3D = import('@tensorflow/tfjs').Tensor3D;
type Variable = import('@tensorflow/tfjs').Variable;

/** A learned tensor drawn N(0, std²) from the run's stream. */
export function param(tf: Tf, rng: Rng, shape: number[], std: number): Variable {
  return tf.variable(tf.tidy(() => randomNormal(tf, rng, shape, 0, std)));
}

export interface Norm {
  g: Variable;
  b: Variable;
}

export function norm(tf: Tf, d: number): Norm {
  return { g: tf.variable(tf.ones([d])), b: tf.variable(tf.zeros([d])) };
}

/** Layer norm over the last axis: one fused op on the CPU backends (cpu-ops.ts), tensor ops elsewhere. */
export function layerNorm(tf: Tf, n: Norm, x: Tensor): Tensor {
  return cpuBackend(tf) ? fusedLayerNorm(tf, n.g, n.b, x) : layerNormOps(tf, n, x);
}

/** Layer norm as tensor ops (biased variance, ε = 1e-5). */
export function layerNormOps(tf: Tf, n: Norm, x: Tensor): Tensor {
  const mean = tf.mean(x, -1, true);
  const xc = tf.sub(x, mean);
  const variance = tf.mean(tf.square(xc), -1, true);
  return tf.add(tf.mul(tf.mul(xc, tf.rsqrt(tf.add(variance, 1e-5))), n.g), n.b);
}

/**
 * Batched a·b for 3-D tensors; the gradient transposes explicitly, because tf.matMul's own
 * gradient multiplies with transpose flags, which are slow on WASM.
 */
export function bmm(tf: Tf, a: Tensor3D, b: Tensor3D): Tensor3D {
  const f = tf.customGrad((...args) => {
    const [A, B, save] = args as [Tensor3D, Tensor3D, (ts: Tensor[]) => void];
    save([A, B]);
    return {
      value: tf.matMul(A, B),
      gradFunc: (dy, saved) => {
        const [sa, sb] = saved as Tensor3D[];
        const g = dy as Tensor3D;
        return [tf.matMul(g, tf.transpose(sb, [0, 2, 1])), tf.matMul(tf.transpose(sa, [0, 2, 1]), g)];
      },
    };
  }) as unknown as (a: Tensor3D, b: Tensor3D) => Tensor3D;
  return f(a, b);
}

/**
 * Rows `idx` of a 2-D tensor. The WASM backend has no UnsortedSegmentSum, which tf.gather's
 * gradient needs, so the gradient scatters back with scatterND (the indices here never repeat).
 */
export function gatherRows(tf: Tf, x: Tensor2D, idx: Int32Array): Tensor2D {
  const rows = x.shape[0];
  const f = tf.customGrad((...args) => {
    const [X] = args as [Tensor2D];
    return {
      value: tf.gather(X, Array.from(idx)),
      gradFunc: (dy) => [tf.scatterND(tf.tensor2d(idx, [idx.length, 1], 'int32'), dy as Tensor2D, [rows, x.shape[1]])],
    };
  }) as unknown as (x: Tensor2D) => Tensor2D;
  return f(x);
}

export interface Block {
  ln1: Norm;
  qkv: Dense;
  proj: Dense;
  ln2: Norm;
  fc1: Dense;
  fc2: Dense;
}

/** A block of width d with an MLP 2d wide; the residual branches start small. */
export function block(tf: Tf, rng: Rng, d: number): Block {
  return {
    ln1: norm(tf, d),
    qkv: dense(tf, rng, d, 3 * d, Math.SQRT1_2),
    proj: dense(tf, rng, d, d, 0.5),
    ln2: norm(tf, d),
    fc1: dense(tf, rng, d, 2 * d),
    fc2: dense(tf, rng, 2 * d, d, 0.5),
  };
}

export function blockVariables(b: Block): Variable[] {
  return [b.ln1.g, b.ln1.b, b.qkv.w, b.qkv.b, b.proj.w, b.proj.b, b.ln2.g, b.ln2.b, b.fc1.w, b.fc1.b, b.fc2.w, b.fc2.b];
}

/** x·W + b through nn.ts's matMul. */
export const linear = (tf: Tf, l: Dense, x: Tensor2D): Tensor2D => tf.add(matMul(tf, x, l.w as unknown as Tensor2D), l.b) as Tensor2D;

/** GELU by its sigmoid approximation x·σ(1.702x) (tfjs has no gelu op). */
const gelu = (tf: Tf, x: Tensor2D): Tensor2D => tf.mul(x, tf.sigmoid(tf.mul(x, 1.702))) as Tensor2D;

/** Multi-head self-attention over x [batch·n, d] (n tokens per clip, all attending to all). */
export function attention(tf: Tf, l: Block, x: Tensor2D, batch: number, n: number, heads: number): Tensor2D {
  const d = x.shape[1];
  const dh = d / heads;
  const qkv = linear(tf, l.qkv, x);
  const [q, k, v] = tf.split(qkv, 3, 1);
  // [batch·n, d] → [batch·heads, n, dh]; K goes straight to [batch·heads, dh, n] so no matMul needs a transpose flag.
  const split = (t: Tensor, perm: number[], shape: [number, number, number]): Tensor3D => tf.reshape(tf.transpose(tf.reshape(t, [batch, n, heads, dh]), perm), shape);
  const Q = split(q, [0, 2, 1, 3], [batch * heads, n, dh]);
  const Kt = split(k, [0, 2, 3, 1], [batch * heads, dh, n]);
  const V = split(v, [0, 2, 1, 3], [batch * heads, n, dh]);
  const weights = tf.softmax(tf.mul(bmm(tf, Q, Kt), 1 / Math.sqrt(dh))) as Tensor3D;
  const out = tf.reshape(tf.transpose(tf.reshape(bmm(tf, weights, V), [batch, heads, n, dh]), [0, 2, 1, 3]), [batch * n, d]) as Tensor2D;
  return linear(tf, l.proj, out);
}

/**
 * Pre-norm block: x + attn(LN(x)), then + MLP(LN(·)). On the CPU backends one fused op
 * (cpu-ops.ts: about 20 kernels a forward and backward instead of some 300); elsewhere tensor ops.
 */
export function applyBlock(tf: Tf, l: Block, x: Tensor2D, batch: number, n: number, heads: number): Tensor2D {
  return cpuBackend(tf) ? fusedBlock(tf, blockVariables(l), x, { batch, n, heads }) : applyBlockOps(tf, l, x, batch, n, heads);
}

/** The block as tensor ops, differentiated by tfjs's tape. */
export function applyBlockOps(tf: Tf, l: Block, x: Tensor2D, batch: number, n: number, heads: number): Tensor2D {
  const h = tf.add(x, attention(tf, l, layerNormOps(tf, l.ln1, x) as Tensor2D, batch, n, heads)) as Tensor2D;
  const m = linear(tf, l.fc2, gelu(tf, linear(tf, l.fc1, layerNormOps(tf, l.ln2, h) as Tensor2D)));
  return tf.add(h, m) as Tensor2D;
}

export function disposeBlock(b: Block): void {
  for (const v of blockVariables(b)) v.dispose();
}
