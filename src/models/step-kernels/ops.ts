/**
 * The step kernels (spec.ts) as calls: the registered kernel where the backend has one (WebGPU,
 * WASM), else the same arithmetic in tf ops (tfjs-node, the plain JS backend) — more kernels, same
 * values. Each function takes and returns batched tensors, the run first.
 */
import type { Tf } from '../runtime.js';
import { ADAM, DENSE, DENSE_INPUT_GRAD, DENSE_PARAM_GRAD, LOGISTIC_GRAD, gradInputs, type AdamAttrs, type DenseAttrs, type InputGradAttrs, type LogisticAttrs } from './spec.js';

type Tensor = import('@tensorflow/tfjs').Tensor;
type Tensor3D = import('@tensorflow/tfjs').Tensor3D;
type Tensor2D = import('@tensorflow/tfjs').Tensor2D;

const registered = (tf: Tf, name: string): boolean => tf.getKernel(name, tf.getBackend()) !== undefined;
const run = <T extends Tensor>(tf: Tf, name: string, inputs: Record<string, Tensor>, attrs: object): T =>
  tf.engine().runKernel(name, inputs as never, attrs as never) as unknown as T;

/** Weights [K, in, out] and bias [K, 1, out] of the layer at `offset`, sliced out of the state. */
function layer(tf: Tf, state: Tensor2D, offset: number, inn: number, out: number): { w: Tensor3D; b: Tensor3D } {
  const K = state.shape[0];
  return {
    w: tf.reshape(tf.slice(state, [0, offset], [K, inn * out]), [K, inn, out]),
    b: tf.reshape(tf.slice(state, [0, offset + inn * out], [K, out]), [K, 1, out]),
  };
}

export function dense(tf: Tf, x: Tensor3D, state: Tensor2D, attrs: DenseAttrs): Tensor3D {
  return registered(tf, DENSE) ? run(tf, DENSE, { x, state }, attrs) : tfOps.dense(tf, x, state, attrs);
}

export function paramGrad(tf: Tf, a: Tensor3D, d: Tensor3D): Tensor2D {
  return registered(tf, DENSE_PARAM_GRAD) ? run(tf, DENSE_PARAM_GRAD, { a, d }, {}) : tfOps.paramGrad(tf, a, d);
}

export function inputGrad(tf: Tf, d: Tensor3D, state: Tensor2D, attrs: InputGradAttrs, mask?: Tensor3D): Tensor3D {
  return registered(tf, DENSE_INPUT_GRAD) ? run(tf, DENSE_INPUT_GRAD, mask ? { d, state, mask } : { d, state }, attrs) : tfOps.inputGrad(tf, d, state, attrs, mask);
}

export function logisticGrad(tf: Tf, logits: Tensor3D, attrs: LogisticAttrs): Tensor3D {
  return registered(tf, LOGISTIC_GRAD) ? run(tf, LOGISTIC_GRAD, { logits }, attrs) : tfOps.logisticGrad(tf, logits, attrs);
}

/** The new state after one Adam step from the layers' gradient segments (in layer order). */
export function adam(tf: Tf, state: Tensor2D, grads: Tensor2D[], attrs: AdamAttrs): Tensor2D {
  return registered(tf, ADAM) ? run(tf, ADAM, { state, ...gradInputs(grads) }, attrs) : tfOps.adam(tf, state, grads, attrs);
}

/** The kernels' arithmetic in tf ops: the fallback, and what the kernels are tested against. */
export const tfOps = {
  dense(tf: Tf, x: Tensor3D, state: Tensor2D, attrs: DenseAttrs): Tensor3D {
    return tf.tidy(() => {
      const { w, b } = layer(tf, state, attrs.offset, x.shape[2], attrs.out);
      const y = tf.add(tf.matMul(x, w), b) as Tensor3D;
      return attrs.relu ? tf.relu(y) : y;
    });
  },

  paramGrad(tf: Tf, a: Tensor3D, d: Tensor3D): Tensor2D {
    return tf.tidy(() => {
      const [K, , inn] = a.shape;
      const out = d.shape[2];
      return tf.concat([tf.reshape(tf.matMul(a, d, true, false), [K, inn * out]), tf.sum(d, 1)], 1) as Tensor2D;
    });
  },

  inputGrad(tf: Tf, d: Tensor3D, state: Tensor2D, attrs: InputGradAttrs, mask?: Tensor3D): Tensor3D {
    return tf.tidy(() => {
      const { w } = layer(tf, state, attrs.offset, attrs.inn, d.shape[2]);
      const dx = tf.matMul(d, w, false, true);
      return (mask ? tf.mul(dx, tf.step(mask)) : dx) as Tensor3D;
    });
  },

  logisticGrad(tf: Tf, logits: Tensor3D, attrs: LogisticAttrs): Tensor3D {
    return tf.tidy(() => {
      const rows = logits.shape[1];
      const sign = tf.reshape(tf.where(tf.less(tf.range(0, rows, 1, 'int32'), attrs.split), tf.fill([rows], -1), tf.fill([rows], 1)), [1, rows, 1]);
      return tf.div(tf.mul(tf.sigmoid(tf.mul(logits, sign)), sign), attrs.n);
    });
  },

  adam(tf: Tf, state: Tensor2D, grads: Tensor2D[], attrs: AdamAttrs): Tensor2D {
    return tf.tidy(() => {
      const [theta, M, V] = tf.split(state, 3, 1);
      const g = grads.length === 1 ? grads[0] : tf.concat(grads, 1);
      const m = tf.add(tf.mul(M, attrs.beta1), g);
      const v = tf.add(tf.mul(V, attrs.beta2), tf.square(g));
      return tf.concat([tf.add(theta, tf.mul(tf.div(m, tf.add(tf.sqrt(v), attrs.eps)), attrs.scale)), m, v], 1) as Tensor2D;
    });
  },
};
