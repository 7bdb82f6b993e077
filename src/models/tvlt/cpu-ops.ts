/**
 * TVLT's fused ops for the CPU backends (wasm, cpu): a transformer block, a layer norm, the
 * embeddings, the decoder's input and the two losses, each one tf.customGrad whose forward and
 * backward are computed over the values (block-cpu.ts, embed-cpu.ts, heads-cpu.ts, cpu-math.ts)
 * with only the products, attention's softmax and the transposes left to tfjs's kernels. Reading a
 * tensor's values there is a copy, not a device sync, and the activations the backward needs stay
 * in the gradient's closure (only attention's tensors are saved on the tape, each save being a
 * kernel of its own). A training step: 287 kernels, was 2,123. WebGPU keeps the tensor ops: there
 * every read would stall the GPU. Checked against the tensor ops, values and gradients, in
 * tests/models/tvlt-fused.test.ts.
 */
import type { Tf } from '../runtime.js';
import { blockBackward, blockForward, BLOCK_KEYS, type BlockShape, type BlockValues } from './block-cpu.js';
import { layerNormBackward, layerNormForward, type Kernels, type MatMul } from './cpu-math.js';
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

const f32 = (t: Tensor): Float32Array => t.dataSync() as Float32Array;

/**
 * Products through tfjs's BatchMatMul kernel (XNNPACK for one pair, the labs' SIMD kernel for
 * batches on WASM). The operands are fresh tensors, so no transpose flag is ever needed.
 */
export function kernelMatMul(tf: Tf): MatMul {
  const engine = tf.engine();
  return (a, b, batch, m, k, n) => {
    const A = tf.tensor3d(a, [batch, m, k]);
    const B = tf.tensor3d(b, [batch, k, n]);
    const C = engine.runKernel('BatchMatMul', { a: A, b: B }, { transposeA: false, transposeB: false }) as Tensor;
    const out = f32(C);
    tf.dispose([A, B, C]);
    return out;
  };
}

/**
 * The products, attention's softmax and its backward as kernels (tfjs's Softmax is vectorised; a
 * loop's Math.exp is not). Under a tape (`tape` given) attention's Q, K, V and weights P stay on the
 * backend for the backward: attend lists them in tape.pending, the fused op saves them on the
 * tape (the engine disposes saved tensors once the gradients are done, whether or not this op's
 * backward ran) and hands them back in tape.saved.
 */
export function tfKernels(tf: Tf, tape?: { pending: Tensor[]; saved: Tensor[] }): Kernels {
  const engine = tf.engine();
  const bmm = (a: Tensor, b: Tensor) => engine.runKernel('BatchMatMul', { a, b }, { transposeA: false, transposeB: false }) as Tensor;
  const t3 = (x: Tensor) => engine.runKernel('Transpose', { x }, { perm: [0, 2, 1] }) as Tensor;
  /** aᵀ·b or a·bᵀ: the operand transposed by the Transpose kernel (the labs' SIMD one on WASM), as the matMul kernels are slow with transpose flags. */
  const mmT = (transposeA: boolean): MatMul => (a, b, batch, m, k, n) => {
    const A = tf.tensor3d(a, transposeA ? [batch, k, m] : [batch, m, k]);
    const B = tf.tensor3d(b, transposeA ? [batch, k, n] : [batch, n, k]);
    const T = t3(transposeA ? A : B);
    const C = transposeA ? bmm(T, B) : bmm(A, T);
    const out = f32(C);
    tf.dispose([A, B, T, C]);
    return out;
  };
  return {
    mm: kernelMatMul(tf),
    mmAT: mmT(true),
    mmBT: mmT(false),
    denseBack: (x, dOut, w, rows, inputs, outputs) => {
      const [X, D, W] = [tf.tensor3d(x, [1, rows, inputs]), tf.tensor3d(dOut, [1, rows, outputs]), tf.tensor3d(w, [1, inputs, outputs])];
      const [Xt, Wt] = [t3(X), t3(W)];
      const [DW, DX] = [bmm(Xt, D), bmm(D, Wt)];
      const out = { dW: f32(DW), dX: f32(DX) };
      tf.dispose([X, D, W, Xt, Wt, DW, DX]);
      return out;
    },
    attend: (qs, k, v, batch, n, dh) => {
      const [Q, K, V] = [qs, k, v].map((a) => tf.tensor3d(a, [batch, n, dh]));
      const Kt = t3(K);
      const S = bmm(Q, Kt);
      const P = engine.runKernel('Softmax', { logits: S }, { dim: 2 }) as Tensor;
      const O = bmm(P, V);
      const o = f32(O);
      tf.dispose([Kt, S, O]);
      if (!tape) {
        tf.dispose([Q, K, V, P]);
        return { o, state: undefined };
      }
      tape.pending.push(Q, K, V, P);
      return { o, state: tape.pending.length - 4 };
    },
    attendBack: (state, dO, batch, n, dh) => {
      const [Q, K, V, P] = tape!.saved.slice(state as number, (state as number) + 4);
      const ts: Tensor[] = [];
      const keep = <T extends Tensor>(t: T): T => (ts.push(t), t);
      const DO = keep(tf.tensor3d(dO, [batch, n, dh]));
      const DP = keep(bmm(DO, keep(t3(V))));
      const DV = keep(bmm(keep(t3(P)), DO));
      // dS = P ⊙ (dP − Σ_j dP·P): softmax's backward, four kernels on the backend.
      const DS = keep(tf.mul(P, keep(tf.sub(DP, keep(tf.sum(keep(tf.mul(DP, P)), 2, true))))));
      const DQ = keep(bmm(DS, K));
      const DK = keep(bmm(keep(t3(DS)), Q));
      const out = { dQs: f32(DQ), dK: f32(DK), dV: f32(DV) };
      tf.dispose(ts);
      return out;
    },
  };
}

/**
 * An op computed over values: `run` gets the inputs' values and returns the output's, and, when
 * `keep` (under a gradient tape), a backward that maps the output's gradient to each input's. One
 * customGrad on the tape; outside one, the forward alone.
 */
export function valuesOp(tf: Tf, inputs: Tensor[], shape: number[], run: (values: Float32Array[], keep: boolean) => { y: Float32Array; back?: (dy: Float32Array) => Float32Array[] }): Tensor {
  if (!taping(tf)) return tf.tensor(run(inputs.map(f32), false).y, shape);
  const f = tf.customGrad((...args) => {
    const ins = args.slice(0, -1) as unknown as Tensor[];
    const { y, back } = run(ins.map(f32), true);
    return {
      value: tf.tensor(y, shape),
      gradFunc: (dy: Tensor) => back!(f32(dy)).map((g, i) => tf.tensor(g, ins[i].shape)),
    };
  }) as unknown as (...ts: Tensor[]) => Tensor;
  return f(...inputs);
}

/**
 * A pre-norm block x + attn(LN(x)), then + MLP(LN(·)) on x [batch·n, d], its parameters given in
 * blockVariables' order: one op on the tape, differentiated in x and every parameter.
 */
export function fusedBlock(tf: Tf, params: Tensor[], x: Tensor2D, shape: BlockShape): Tensor2D {
  const values = (ts: Tensor[]): BlockValues => Object.fromEntries(BLOCK_KEYS.map((k, i) => [k, f32(ts[i])])) as unknown as BlockValues;
  if (!taping(tf)) return tf.tensor2d(blockForward(f32(x), values(params), shape, tfKernels(tf)).y, x.shape);
  const f = tf.customGrad((...args) => {
    const save = args[args.length - 1] as unknown as (ts: Tensor[]) => void;
    const [X, ...ps] = args.slice(0, -1) as unknown as Tensor[];
    const tape = { pending: [] as Tensor[], saved: [] as Tensor[] };
    const kernels = tfKernels(tf, tape);
    const p = values(ps);
    const { y, cache } = blockForward(f32(X), p, shape, kernels);
    save(tape.pending);
    return {
      value: tf.tensor2d(y, x.shape),
      gradFunc: (dy: Tensor, saved: Tensor[]) => {
        tape.saved = saved;
        const { dx, grads } = blockBackward(f32(dy), p, shape, cache, kernels);
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
  const x: Patches = { video: f32(video), audio: f32(audio), batch, nv, na };
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
  const y = f32(labels);
  return valuesOp(tf, [enc, ...params], [], ([e, w1, b1, w2, b2]) => {
    const { loss, back } = vamHeadLoss({ w1, b1, w2, b2 }, e, batch, seq, y);
    return { y: Float32Array.of(loss), back: (dy) => back(dy[0]) };
  });
}
