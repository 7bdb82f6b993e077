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

/** x through the layers; every layer but the last is followed by `hidden`. */
export function mlp(tf: Tf, layers: Dense[], x: Tensor2D, hidden: Activation = 'relu', last: Activation = 'linear'): Tensor2D {
  let h = x;
  layers.forEach((l, k) => {
    h = tf.add(matMul(tf, h, l.w as unknown as Tensor2D), l.b) as Tensor2D;
    h = activate(tf, h, k < layers.length - 1 ? hidden : last) as Tensor2D;
  });
  return h;
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
