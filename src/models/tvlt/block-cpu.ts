/**
 * One pre-norm transformer block (layers.ts's applyBlock: x + attn(LN(x)), then + MLP(LN(·))),
 * forward and backward written out over Float32Arrays: the products, attention (five calls each
 * way) and GELU's sigmoid go to a Kernels (tfjs's kernels on the CPU backends), everything between
 * them — layer norms, biases, the head split and merge, the scale, residuals — is loops.
 * A tfjs tape through the same block launches about 300 kernels; cpu-ops.ts runs this as one.
 */
import { alloc, copyOf } from './arena.js';
import { geluBackward, geluForward, layerNormBackward, layerNormForward, type Kernels, type NormCache } from './cpu-math.js';

/** A block's parameters as values, in blockVariables' order. */
export interface BlockValues {
  g1: Float32Array;
  b1: Float32Array;
  wQkv: Float32Array;
  bQkv: Float32Array;
  wProj: Float32Array;
  bProj: Float32Array;
  g2: Float32Array;
  b2: Float32Array;
  wFc1: Float32Array;
  bFc1: Float32Array;
  wFc2: Float32Array;
  bFc2: Float32Array;
}

export const BLOCK_KEYS = ['g1', 'b1', 'wQkv', 'bQkv', 'wProj', 'bProj', 'g2', 'b2', 'wFc1', 'bFc1', 'wFc2', 'bFc2'] as const;

/** Rows are batch·n tokens of width d; heads split d. */
export interface BlockShape {
  batch: number;
  n: number;
  heads: number;
}

/** What the backward pass reads, kept from the forward. */
export interface BlockCache {
  ln1: NormCache;
  a1: Float32Array; // LN1's output [rows, d]
  attn: unknown; // what the kernels' attendBack reads
  merged: Float32Array; // heads merged back [rows, d]
  ln2: NormCache;
  a2: Float32Array; // LN2's output [rows, d]
  z: Float32Array; // fc1's output before GELU [rows, hidden]
  sig: Float32Array; // σ(1.702 z)
  u: Float32Array; // GELU's output [rows, hidden]
}

/** (a, b) → a + b elementwise, into a. */
function addInto(a: Float32Array, b: Float32Array): Float32Array {
  for (let i = 0; i < a.length; i++) a[i] += b[i];
  return a;
}

/*
 * The head split and merge, as small functions of their own: V8 optimises a short hot loop far
 * better than the same loop inside a long function.
 */

/**
 * Copies one third of qkv [rows, 3d] (part 0 Q, 1 K, 2 V) to heads x [batch·heads, n, dh], or back
 * with toHeads false, times `factor` either way.
 */
function moveQkvPart(qkv: Float32Array, x: Float32Array, part: number, s: BlockShape, d: number, factor: number, toHeads: boolean): void {
  const { batch, n, heads } = s;
  const dh = d / heads;
  const [from, to] = toHeads ? [qkv, x] : [x, qkv];
  for (let b = 0; b < batch; b++)
    for (let i = 0; i < n; i++) {
      const r = (b * n + i) * 3 * d + part * d;
      for (let h = 0; h < heads; h++) {
        const inHeads = ((b * heads + h) * n + i) * dh;
        const inQkv = r + h * dh;
        const src = toHeads ? inQkv : inHeads;
        const dst = toHeads ? inHeads : inQkv;
        for (let c = 0; c < dh; c++) to[dst + c] = from[src + c] * factor;
      }
    }
}

/** [rows, 3d] → Q·scale, K and V, each [batch·heads, n, dh]. */
function splitQkv(qkv: Float32Array, s: BlockShape, d: number, scale: number): { qs: Float32Array; k: Float32Array; v: Float32Array } {
  const size = s.batch * s.n * d;
  const [qs, k, v] = [alloc(size, true), alloc(size, true), alloc(size, true)];
  [qs, k, v].forEach((x, part) => moveQkvPart(qkv, x, part, s, d, part === 0 ? scale : 1, true));
  return { qs, k, v };
}

/** The inverse of splitQkv for gradients: dQs (unscaled back to dQ), dK, dV → [rows, 3d]. */
function joinQkv(dQs: Float32Array, dK: Float32Array, dV: Float32Array, s: BlockShape, d: number, scale: number): Float32Array {
  const out = alloc(s.batch * s.n * 3 * d, true);
  [dQs, dK, dV].forEach((x, part) => moveQkvPart(out, x, part, s, d, part === 0 ? scale : 1, false));
  return out;
}

/** [batch·heads, n, dh] → [rows, d] (heads side by side), or back with toHeads. */
function moveHeads(x: Float32Array, s: BlockShape, d: number, toHeads: boolean): Float32Array {
  const { batch, n, heads } = s;
  const dh = d / heads;
  const out = alloc(batch * n * d, true);
  for (let b = 0; b < batch; b++)
    for (let h = 0; h < heads; h++)
      for (let i = 0; i < n; i++) {
        const inHeads = ((b * heads + h) * n + i) * dh;
        const inRows = (b * n + i) * d + h * dh;
        const src = toHeads ? inRows : inHeads;
        const dst = toHeads ? inHeads : inRows;
        for (let c = 0; c < dh; c++) out[dst + c] = x[src + c];
      }
  return out;
}

export function blockForward(x: Float32Array, p: BlockValues, s: BlockShape, kernels: Kernels): { y: Float32Array; cache: BlockCache } {
  const d = p.g1.length;
  const hidden = p.bFc1.length;
  const { batch, n, heads } = s;
  const rows = batch * n;
  const dh = d / heads;
  const bh = batch * heads;
  const scale = 1 / Math.sqrt(dh);
  const { dense } = kernels;
  const { y: a1, cache: ln1 } = layerNormForward(x, p.g1, p.b1);
  const qkv = dense(a1, p.wQkv, p.bQkv, rows, d, 3 * d);
  const { qs, k, v } = splitQkv(qkv, s, d, scale);
  const { o, state: attn } = kernels.attend(qs, k, v, bh, n, dh);
  const merged = moveHeads(o, s, d, false);
  const hRes = addInto(dense(merged, p.wProj, p.bProj, rows, d, d), x);
  const { y: a2, cache: ln2 } = layerNormForward(hRes, p.g2, p.b2);
  const z = dense(a2, p.wFc1, p.bFc1, rows, d, hidden);
  const { u, sig } = geluForward(z, kernels.sigmoid);
  const y = addInto(dense(u, p.wFc2, p.bFc2, rows, hidden, d), hRes);
  return { y, cache: { ln1, a1, attn, merged, ln2, a2, z, sig, u } };
}

/** dx and every parameter's gradient (BlockValues' keys) from dy. */
export function blockBackward(dy: Float32Array, p: BlockValues, s: BlockShape, c: BlockCache, { denseBack, attendBack }: Kernels): { dx: Float32Array; grads: BlockValues } {
  const d = p.g1.length;
  const hidden = p.bFc1.length;
  const { batch, n, heads } = s;
  const rows = batch * n;
  const dh = d / heads;
  const bh = batch * heads;
  const scale = 1 / Math.sqrt(dh);
  // MLP branch: y = h + fc2(gelu(fc1(LN2(h)))).
  const fc2 = denseBack(c.u, dy, p.wFc2, rows, hidden, d);
  const dz = geluBackward(fc2.dX, c.z, c.sig);
  const fc1 = denseBack(c.a2, dz, p.wFc1, rows, d, hidden);
  const da2 = fc1.dX;
  const dhRes = copyOf(dy);
  const ln2 = layerNormBackward(da2, p.g2, c.ln2, dhRes);
  // Attention branch: h = x + proj(merge(softmax(Q·Kᵀ·scale)·V)).
  const proj = denseBack(c.merged, dhRes, p.wProj, rows, d, d);
  const dMerged = proj.dX;
  const { dQs, dK, dV } = attendBack(c.attn, moveHeads(dMerged, s, d, true), bh, n, dh);
  const dQkv = joinQkv(dQs, dK, dV, s, d, scale);
  const qkv = denseBack(c.a1, dQkv, p.wQkv, rows, d, 3 * d);
  const da1 = qkv.dX;
  const dx = copyOf(dhRes);
  const ln1 = layerNormBackward(da1, p.g1, c.ln1, dx);
  return { dx, grads: { g1: ln1.dg, b1: ln1.db, wQkv: qkv.dW, bQkv: qkv.db, wProj: proj.dW, bProj: proj.db, g2: ln2.dg, b2: ln2.db, wFc1: fc1.dW, bFc1: fc1.db, wFc2: fc2.dW, bFc2: fc2.db } };
}
