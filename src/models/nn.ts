/**
 * The small neural-network toolkit the labs share: dense layers with seeded initialisation, a
 * matMul whose gradient transposes explicitly (tfjs-backend-wasm multiplies with a transpose flag
 * about 12× slower than without, and the default matMul gradient uses the flags: a GAN step went
 * from 208 to 44 ms), and seeded random tensors so a run is reproducible for its seed.
 */
import type { Rng } from '../generators/rng.js';
import type { Tf } from './runtime.js';

type Tensor = import('@tensorflow/tfjs').Tensor;
type Tensor2D = import('@tensorflow/tfjs').Tensor2D;
type Variable = import('@tensorflow/tfjs').Variable;

/** A seed for one tf random op, drawn from the run's stream. */
export function opSeed(rng: Rng): number {
  return rng.int(0, 0x7fffffff);
}

export function randomNormal(tf: Tf, rng: Rng, shape: number[], mean = 0, std = 1): Tensor {
  return tf.randomNormal(shape, mean, std, 'float32', opSeed(rng));
}

export function randomUniform(tf: Tf, rng: Rng, shape: number[], min = 0, max = 1): Tensor {
  return tf.randomUniform(shape, min, max, 'float32', opSeed(rng));
}

const fastMatMuls = new WeakMap<Tf, (a: Tensor2D, b: Tensor2D) => Tensor2D>();

/**
 * a·b. On the CPU backends (wasm, cpu) the gradient is written as explicit transposes and plain
 * matMuls; elsewhere (WebGPU, tfjs-node) transposed operands cost nothing extra, and the plain
 * gradient launches fewer kernels — which is what a dispatch-bound GPU step pays for.
 */
export function matMul(tf: Tf, a: Tensor2D, b: Tensor2D): Tensor2D {
  const backend = tf.getBackend();
  if (backend !== 'wasm' && backend !== 'cpu') return tf.matMul(a, b);
  let f = fastMatMuls.get(tf);
  if (!f) {
    f = tf.customGrad((...args) => {
      const [A, B, save] = args as [Tensor2D, Tensor2D, (ts: Tensor[]) => void];
      save([A, B]);
      return {
        value: tf.matMul(A, B),
        gradFunc: (dy, saved) => {
          const [sa, sb] = saved as Tensor2D[];
          return [tf.matMul(dy as Tensor2D, tf.transpose(sb)), tf.matMul(tf.transpose(sa), dy as Tensor2D)];
        },
      };
    }) as unknown as (a: Tensor2D, b: Tensor2D) => Tensor2D;
    fastMatMuls.set(tf, f);
  }
  return f(a, b);
}

export interface Dense {
  w: Variable;
  b: Variable;
}

/** What a forward pass reads: a layer's weights [in, out] and bias [out], variables or views of a flat buffer. */
export interface Layer {
  w: Tensor;
  b: Tensor;
}

/** A dense layer, He-initialised (for ReLU) from the run's stream; `scale` shrinks it (e.g. output layers). */
export function dense(tf: Tf, rng: Rng, inputs: number, outputs: number, scale = 1): Dense {
  // tf.variable keeps its own copy: the initial tensors are disposed here, or each layer leaks two.
  const w0 = randomNormal(tf, rng, [inputs, outputs], 0, scale * Math.sqrt(2 / inputs));
  const b0 = tf.zeros([outputs]);
  const layer = { w: tf.variable(w0), b: tf.variable(b0) };
  w0.dispose();
  b0.dispose();
  return layer;
}

export type Activation = 'relu' | 'leakyRelu' | 'tanh' | 'sigmoid' | 'linear';

export function activate(tf: Tf, x: Tensor, a: Activation): Tensor {
  switch (a) {
    case 'relu':
      return tf.relu(x);
    case 'leakyRelu':
      return tf.leakyRelu(x, 0.2);
    case 'tanh':
      return tf.tanh(x);
    case 'sigmoid':
      return tf.sigmoid(x);
    default:
      return x;
  }
}

/**
 * x through the layers; every layer but the last is followed by `hidden`. With ReLU, leaky ReLU
 * (slope 0.2) or no activation — what the labs use — the stack runs fused (fusedMlp); otherwise
 * layer by layer.
 */
export function mlp(tf: Tf, layers: Layer[], x: Tensor2D, hidden: Activation = 'relu', last: Activation = 'linear', o: MlpOptions = {}): Tensor2D {
  return fusable(hidden) && fusable(last) ? fusedMlp(tf, layers, x, hidden, last, o) : layeredMlp(tf, layers, x, hidden, last);
}

/** The plain stack: matMul, add, activation per layer, each op differentiated by tfjs's tape. */
export function layeredMlp(tf: Tf, layers: Layer[], x: Tensor2D, hidden: Activation = 'relu', last: Activation = 'linear'): Tensor2D {
  let h = x;
  layers.forEach((l, k) => {
    h = tf.add(matMul(tf, h, weight2d(tf, l)), l.b) as Tensor2D;
    h = activate(tf, h, k < layers.length - 1 ? hidden : last) as Tensor2D;
  });
  return h;
}

export interface MlpOptions {
  /**
   * The input is data (pixels, noise, a batch of real points), never differentiated: the fused
   * backward then skips the first layer's input gradient (a matMul and a transpose; for CLIP's
   * convolution a third of the step's arithmetic).
   */
  constantInput?: boolean;
}

type Fusable = 'relu' | 'leakyRelu' | 'linear';
const fusable = (a: Activation): a is Fusable => a === 'relu' || a === 'leakyRelu' || a === 'linear';
/** nn.ts's leaky ReLU slope (activate uses 0.2). */
const LEAK = 0.2;

/**
 * The same stack as layeredMlp, in fewer kernels: each layer forward is one tf.fused.matMul
 * (product, bias and activation), and the backward is written out per layer (the activation's
 * mask as one step, a matMul for the weights, a sum for the bias, a matMul for the input) instead
 * of tfjs's tape through matMul, add and the activation. On WASM every kernel costs a fixed few
 * microseconds, which for the labs' 64-wide layers is most of a training step. Outputs equal
 * layeredMlp's up to float rounding (tests/models/fused.test.ts).
 */
export function fusedMlp(tf: Tf, layers: Layer[], x: Tensor2D, hidden: Fusable, last: Fusable, o: MlpOptions = {}): Tensor2D {
  const n = layers.length;
  const actOf = (k: number): Fusable => (k < n - 1 ? hidden : last);
  const transposeFree = tf.getBackend() !== 'wasm' && tf.getBackend() !== 'cpu';
  const engine = tf.engine();
  // Everything runs as rank-3 batches of one ([1, rows, cols]), the shape the matMul kernels take,
  // and the kernels are called directly: tf.matMul and tf.fused.matMul would add three reshapes each.
  const bmm = (a: Tensor, b: Tensor, transposeA: boolean, transposeB: boolean): Tensor =>
    engine.runKernel('BatchMatMul', { a, b }, { transposeA, transposeB }) as Tensor;
  const t3 = (a: Tensor): Tensor => tf.transpose(a, [0, 2, 1]);
  // a·bᵀ and aᵀ·b: transpose flags where they are free, explicit transposes on the CPU backends
  // (tfjs-backend-wasm multiplies with a transpose flag about 12× slower).
  const mulBT = (a: Tensor, b: Tensor): Tensor => (transposeFree ? bmm(a, b, false, true) : bmm(a, t3(b), false, false));
  const mulAT = (a: Tensor, b: Tensor): Tensor => (transposeFree ? bmm(a, b, true, false) : bmm(t3(a), b, false, false));
  const state = engine.state as unknown as { gradientDepth: number };
  /** Every layer's output ([1, rows, width]), input first, each layer one fused kernel; and the weights as [1, in, out]. */
  const forward = (input: Tensor2D, params: Tensor[]): { acts: Tensor[]; ws: Tensor[] } => {
    const acts: Tensor[] = [tf.reshape(input, [1, ...input.shape])];
    const ws: Tensor[] = [];
    for (let k = 0; k < n; k++) {
      const act = actOf(k);
      const w = params[2 * k];
      ws.push(w.rank === 3 ? w : tf.reshape(w, [1, ...w.shape]));
      acts.push(
        engine.runKernel(
          '_FusedMatMul',
          { a: acts[k], b: ws[k], bias: params[2 * k + 1] },
          { transposeA: false, transposeB: false, activation: act === 'leakyRelu' ? 'leakyrelu' : act, leakyreluAlpha: LEAK },
        ) as Tensor,
      );
    }
    return { acts, ws };
  };
  const params = layers.flatMap((l) => [l.w as Tensor, l.b as Tensor]);
  const rows = x.shape[0];
  const width = layers[n - 1].b.shape[0];
  const inputWidth = x.shape[1];
  // Outside any gradient tape: the forward alone.
  if (state.gradientDepth === 0) return tf.tidy(() => tf.reshape(forward(x, params).acts[n], [rows, width]) as Tensor2D);
  const f = tf.customGrad((...args) => {
    const save = args[args.length - 1] as unknown as (ts: Tensor[]) => void;
    const inputs = args.slice(0, -1) as unknown as Tensor[];
    // A constant input is not an argument (so it gets no gradient); it outlives the step, being data.
    const { acts, ws } = o.constantInput ? forward(x, inputs) : forward(inputs[0] as Tensor2D, inputs.slice(1));
    save([...acts, ...ws]);
    return {
      value: tf.reshape(acts[n], [rows, width]) as Tensor2D,
      gradFunc: (dy: Tensor, saved: Tensor[]) => {
        const a = saved.slice(0, n + 1);
        const w = saved.slice(n + 1);
        const grads: Tensor[] = [];
        let d = tf.reshape(dy, [1, rows, width]);
        for (let k = n - 1; k >= 0; k--) {
          // The activation's derivative from its output: ReLU and leaky ReLU keep the sign of their input.
          const act = actOf(k);
          if (act === 'relu') d = tf.mul(d, tf.step(a[k + 1]));
          else if (act === 'leakyRelu') d = tf.mul(d, tf.step(a[k + 1], LEAK));
          const dw = mulAT(a[k], d);
          grads[1 + 2 * k] = params[2 * k].rank === 3 ? dw : tf.reshape(dw, params[2 * k].shape);
          grads[2 + 2 * k] = tf.sum(d, [0, 1]);
          if (k > 0 || !o.constantInput) d = mulBT(d, w[k]);
        }
        if (o.constantInput) return grads.slice(1);
        grads[0] = tf.reshape(d, [rows, inputWidth]);
        return grads;
      },
    };
  }) as unknown as (...ts: Tensor[]) => Tensor2D;
  return o.constantInput ? f(...params) : f(x, ...params);
}

/**
 * Layers whose weights and biases live in ONE flat variable: an optimiser then updates one buffer
 * (FlatAdam without concatenation, split or reshape per weight), and a forward pass views the
 * layers out of it with one split and a reshape per weight matrix.
 */
export interface FlatLayers {
  theta: Variable;
  /** [inputs, outputs] of each layer, in order. */
  dims: [number, number][];
}

/** Packs layers (e.g. from dense(), so the initialisation and its draws are unchanged) into one flat variable; the layers are disposed. */
export function packLayers(tf: Tf, layers: Dense[]): FlatLayers {
  const dims = layers.map((l) => l.w.shape as [number, number]);
  const theta = tf.tidy(() => tf.variable(tf.concat(layers.flatMap((l) => [tf.reshape(l.w, [-1]), l.b]))));
  disposeLayers(layers);
  return { theta, dims };
}

/**
 * The layers viewed out of a flat buffer (theta itself, or a tensor of the same layout such as a
 * gradient). Weights come as [1, in, out], the shape the matMul kernels take, so fusedMlp reads
 * them without another reshape; weight2d gives the [in, out] matrix.
 */
export function unpackLayers(tf: Tf, net: FlatLayers, flat: Tensor = net.theta): Layer[] {
  const parts = tf.split(flat, net.dims.flatMap(([i, o]) => [i * o, o]));
  return net.dims.map(([i, o], k) => ({ w: tf.reshape(parts[2 * k], [1, i, o]), b: parts[2 * k + 1] }));
}

/** A layer's weights as an [in, out] matrix, whether stored as [in, out] or [1, in, out]. */
export function weight2d(tf: Tf, l: Layer): Tensor2D {
  return (l.w.rank === 2 ? l.w : tf.reshape(l.w, l.w.shape.slice(-2) as [number, number])) as Tensor2D;
}

export function variables(layers: Dense[]): Variable[] {
  return layers.flatMap((l) => [l.w, l.b]);
}

export function disposeLayers(layers: Dense[]): void {
  for (const l of layers) {
    l.w.dispose();
    l.b.dispose();
  }
}
