/**
 * TVLT's fused ops for the CPU backends (wasm, cpu): a transformer block, a layer norm, the
 * embeddings, the decoder's input and the two losses, each one tf.customGrad whose forward and
 * backward are computed over the values (block-cpu.ts, embed-cpu.ts, heads-cpu.ts, cpu-math.ts)
 * with only the products, attention's softmax, GELU's sigmoid and the transposes left to tfjs's
 * kernels, called below the engine. Reading a tensor's values there is a copy, not a device sync,
 * and the activations the backward needs stay in the gradient's closure. A training step: 65
 * engine kernels and 207 below it (was 287 engine kernels, and 2,123 through the tape). WebGPU
 * keeps the tensor ops: there every read would stall the GPU. Checked against the tensor ops, values and gradients, in
 * tests/models/tvlt-fused.test.ts.
 */
import type { Tf } from '../runtime.js';
import { blockBackward, blockForward, BLOCK_KEYS, type BlockShape, type BlockValues } from './block-cpu.js';
import { layerNormBackward, layerNormForward, softmaxBackward, type Kernels, type MatMul } from './cpu-math.js';
import { DirectKernels, type Info } from '../direct-kernels.js';
import { alloc } from './arena.js';
import { maeHeadLoss, vamHeadLoss, type Targets } from './heads-cpu.js';
import { decoderInBackward, decoderInForward, embedBackward, embedForward, POSITION_KEYS, type DecoderInValues, type EmbedValues, type Patches, type PositionValues, type Restore } from './embed-cpu.js';

type Tensor = import('@tensorflow/tfjs').Tensor;
type Tensor2D = import('@tensorflow/tfjs').Tensor2D;

/** Off: the CPU backends run the tensor ops too (the tests compare the two on one backend). */
export const fusedCpuOps = { enabled: true };

/** Whether the fused CPU ops apply: the backends where reading values back is a cheap copy. */
export const cpuBackend = (tf: Tf): boolean => fusedCpuOps.enabled && (tf.getBackend() === 'wasm' || tf.getBackend() === 'cpu');

/** Inside a gradient tape (tf.grad, variableGrads): only then does a fused op keep its activations. */
const taping = (tf: Tf): boolean => (tf.engine().state as unknown as { gradientDepth: number }).gradientDepth > 0;

/** A tensor's values as a copy (by alloc: an armed arena's array inside a training step). */
const f32 = (tf: Tf, t: Tensor): Float32Array => DirectKernels.readInto(tf, t, alloc(t.size, true));

/**
 * The products, attention's softmax and GELU's sigmoid as tfjs's backend kernels (XNNPACK's GEMM
 * and sigmoid, the labs' SIMD batched matMul and transpose on WASM), called below the engine
 * (direct-kernels.ts): no Tensor objects, no scopes, each buffer freed as soon as it is read. The
 * operands are fresh buffers, so the products never need a transpose flag (the kernels are slow
 * with one): an operand is transposed by the Transpose kernel first. Attention keeps what its
 * backward reads — Q, K, V and the weights P — as values in its state when `keep` (under a tape).
 */
export function tfKernels(tf: Tf, keep = false): Kernels {
  const k = new DirectKernels(tf);
  const flags = { transposeA: false, transposeB: false };
  const bmm = (a: Info, b: Info): Info => k.run('BatchMatMul', { a, b }, flags);
  const t3 = (x: Info): Info => k.run('Transpose', { x }, { perm: [0, 2, 1] });
  const put = (a: Float32Array, shape: number[]): Info => k.make(a, shape);
  const read = (t: Info): Float32Array => k.readInto(t, alloc(t.shape.reduce((a, b) => a * b, 1), true));
  /** Reads what `f` returns, then frees every buffer it made. */
  const once = <T>(f: () => T): T => {
    try {
      return f();
    } finally {
      k.dispose();
    }
  };
  /** aᵀ·b or a·bᵀ. */
  const mmT = (transposeA: boolean): MatMul => (a, b, batch, m, kk, n) =>
    once(() => {
      const A = put(a, transposeA ? [batch, kk, m] : [batch, m, kk]);
      const B = put(b, transposeA ? [batch, kk, n] : [batch, n, kk]);
      return read(transposeA ? bmm(t3(A), B) : bmm(A, t3(B)));
    });
  return {
    mm: (a, b, batch, m, kk, n) => once(() => read(bmm(put(a, [batch, m, kk]), put(b, [batch, kk, n])))),
    mmAT: mmT(true),
    mmBT: mmT(false),
    // The bias rides in the product (XNNPACK's GEMM adds it), and its gradient is the backend's column Sum.
    dense: (x, w, b, rows, inputs, outputs) => once(() => read(k.run('_FusedMatMul', { a: put(x, [1, rows, inputs]), b: put(w, [1, inputs, outputs]), bias: put(b, [outputs]) }, { ...flags, activation: 'linear' }))),
    denseBack: (x, dOut, w, rows, inputs, outputs) =>
      once(() => {
        const D = put(dOut, [1, rows, outputs]);
        return {
          dW: read(bmm(t3(put(x, [1, rows, inputs])), D)),
          dX: read(bmm(D, t3(put(w, [1, inputs, outputs])))),
          db: read(k.run('Sum', { x: D }, { axis: [0, 1], keepDims: false })),
        };
      }),
    attend: (qs, kv, v, batch, n, dh) =>
      once(() => {
        const P = k.run('Softmax', { logits: bmm(put(qs, [batch, n, dh]), t3(put(kv, [batch, n, dh]))) }, { dim: 2 });
        const o = read(bmm(P, put(v, [batch, n, dh])));
        return { o, state: keep ? { qs, k: kv, v, p: read(P) } : undefined };
      }),
    attendBack: (state, dO, batch, n, dh) =>
      once(() => {
        const { qs, k: kv, v, p } = state as AttentionState;
        const DO = put(dO, [batch, n, dh]);
        const dV = read(bmm(t3(put(p, [batch, n, n])), DO));
        // dS = P ⊙ (dP − Σ_j dP·P) in a loop: cheaper than the four kernels it would take.
        const DS = put(softmaxBackward(read(bmm(DO, t3(put(v, [batch, n, dh])))), p, n), [batch, n, n]);
        return { dQs: read(bmm(DS, put(kv, [batch, n, dh]))), dK: read(bmm(t3(DS), put(qs, [batch, n, dh]))), dV };
      }),
    sigmoid: (x) => once(() => read(k.run('Sigmoid', { x: put(x, [x.length]) }))),
  };
}

/** What attention's backward reads, kept by its forward. */
interface AttentionState {
  qs: Float32Array;
  k: Float32Array;
  v: Float32Array;
  p: Float32Array;
}

/**
 * An op computed over values: `run` gets the inputs' values and returns the output's, and, when
 * `keep` (under a gradient tape), a backward that maps the output's gradient to each input's. One
 * customGrad on the tape; outside one, the forward alone.
 */
export function valuesOp(tf: Tf, inputs: Tensor[], shape: number[], run: (values: Float32Array[], keep: boolean) => { y: Float32Array; back?: (dy: Float32Array) => Float32Array[] }): Tensor {
  if (!taping(tf)) return tf.tensor(run(inputs.map((t) => f32(tf, t)), false).y, shape);
  const f = tf.customGrad((...args) => {
    const ins = args.slice(0, -1) as unknown as Tensor[];
    const { y, back } = run(ins.map((t) => f32(tf, t)), true);
    return {
      value: tf.tensor(y, shape),
      gradFunc: (dy: Tensor) => back!(f32(tf, dy)).map((g, i) => tf.tensor(g, ins[i].shape)),
    };
  }) as unknown as (...ts: Tensor[]) => Tensor;
  return f(...inputs);
}

/**
 * A pre-norm block x + attn(LN(x)), then + MLP(LN(·)) on x [batch·n, d], its parameters given in
 * blockVariables' order: one op on the tape, differentiated in x and every parameter.
 */
export function fusedBlock(tf: Tf, params: Tensor[], x: Tensor2D, shape: BlockShape): Tensor2D {
  const values = (ts: Tensor[]): BlockValues => Object.fromEntries(BLOCK_KEYS.map((k, i) => [k, f32(tf, ts[i])])) as unknown as BlockValues;
  if (!taping(tf)) return tf.tensor2d(blockForward(f32(tf, x), values(params), shape, tfKernels(tf)).y, x.shape);
  const f = tf.customGrad((...args) => {
    const [X, ...ps] = args.slice(0, -1) as unknown as Tensor[];
    const kernels = tfKernels(tf, true);
    const p = values(ps);
    const { y, cache } = blockForward(f32(tf, X), p, shape, kernels);
    return {
      value: tf.tensor2d(y, x.shape),
      gradFunc: (dy: Tensor) => {
        const { dx, grads } = blockBackward(f32(tf, dy), p, shape, cache, kernels);
        return [tf.tensor2d(dx, x.shape), ...BLOCK_KEYS.map((k, i) => tf.tensor(grads[k], ps[i].shape))];
      },
    };
  }) as unknown as (...ts: Tensor[]) => Tensor2D;
  return f(x, ...params);
}

/** Layer norm over the last axis of x [rows, d]: one op, differentiated in x, g and b. */
export function fusedLayerNorm(tf: Tf, g: Tensor, b: Tensor, x: Tensor): Tensor {
  return valuesOp(tf, [x, g, b], x.shape, ([xv, gv, bv]) => {
    const { y, cache } = layerNormForward(xv, gv, bv);
    return {
      y,
      back: (dy) => {
        const { dx, dg, db } = layerNormBackward(dy, gv, cache);
        return [dx, dg, db];
      },
    };
  });
}

const posValues = (vs: Float32Array[]): PositionValues => Object.fromEntries(POSITION_KEYS.map((k, i) => [k, vs[i]])) as unknown as PositionValues;
const posList = (p: PositionValues): Float32Array[] => POSITION_KEYS.map((k) => p[k]);

/**
 * The encoder's tokens [rows, d] for clips video [batch, nv, pv] and audio [batch, na, pa] (data,
 * not differentiated): [CLS, embedded patches + positions] per clip, every row or `rows` only.
 * `params`: videoEmbed w, b, audioEmbed w, b, cls, then the five position variables.
 */
export function fusedEmbed(tf: Tf, params: Tensor[], video: Tensor, audio: Tensor, rows?: Int32Array): Tensor2D {
  const mm = tfKernels(tf);
  const [batch, nv] = video.shape as number[];
  const na = audio.shape[1] as number;
  const x: Patches = { video: f32(tf, video), audio: f32(tf, audio), batch, nv, na };
  const d = params[1].shape[0];
  const count = rows ? rows.length : batch * (1 + nv + na);
  return valuesOp(tf, params, [count, d], ([wv, bv, wa, ba, cls, ...pos]) => {
    const p: EmbedValues = { wv, bv, wa, ba, cls, pos: posValues(pos) };
    return {
      y: embedForward(p, x, mm, rows),
      back: (dy) => {
        const g = embedBackward(p, x, dy, mm, rows);
        return [g.wv, g.bv, g.wa, g.ba, g.cls, ...posList(g.pos)];
      },
    };
  }) as Tensor2D;
}

/**
 * The decoder's input [batch·seq, dd] from the encoder's output enc [batch·kept, d]: decEmbed,
 * mask tokens, the original order, the decoder's positions. `params`: decEmbed w, b, the mask
 * token, then the decoder's five position variables.
 */
export function fusedDecoderIn(tf: Tf, params: Tensor[], enc: Tensor2D, r: Restore): Tensor2D {
  const mm = tfKernels(tf);
  const dd = params[1].shape[0];
  return valuesOp(tf, [enc, ...params], [r.batch * r.seq, dd], ([e, w, b, maskToken, ...pos]) => {
    const p: DecoderInValues = { w, b, maskToken, pos: posValues(pos) };
    return {
      y: decoderInForward(p, e, r, mm),
      back: (dy) => {
        const g = decoderInBackward(p, e, r, dy, mm);
        return [g.dEnc, g.w, g.b, g.maskToken, ...posList(g.pos)];
      },
    };
  }) as Tensor2D;
}

/**
 * The MAE loss (a scalar) from the decoder's output out [batch·seq, dd]: heads, per-patch MSE,
 * masked means, their mean. `params`: videoHead w, b, audioHead w, b. Targets and masks are data.
 */
export function fusedMaeLoss(tf: Tf, params: Tensor[], out: Tensor2D, batch: number, video: Targets, audio: Targets): Tensor {
  const mm = tfKernels(tf);
  return valuesOp(tf, [out, ...params], [], ([o, wv, bv, wa, ba]) => {
    const { loss, back } = maeHeadLoss({ wv, bv, wa, ba }, o, batch, video, audio, mm);
    return { y: Float32Array.of(loss), back: (dy) => back(dy[0]) };
  });
}

/** The VAM loss (a scalar) from the encoder's output enc [batch·seq, d] and labels [batch]. `params`: the head's w1, b1, w2, b2. */
export function fusedVamLoss(tf: Tf, params: Tensor[], enc: Tensor2D, batch: number, seq: number, labels: Tensor): Tensor {
  const y = f32(tf, labels);
  return valuesOp(tf, [enc, ...params], [], ([e, w1, b1, w2, b2]) => {
    const { loss, back } = vamHeadLoss({ w1, b1, w2, b2 }, e, batch, seq, y);
    return { y: Float32Array.of(loss), back: (dy) => back(dy[0]) };
  });
}
