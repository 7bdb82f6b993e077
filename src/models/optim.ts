/**
 * Adam over all parameters at once. tf.train.adam runs about 14 small kernels per variable (760 a
 * step for the TVLT model), which on WASM costs as much as a transformer layer; here the gradients are
 * concatenated into one vector, the moments live in two flat variables, and each variable gets one
 * add. The update is Kingma & Ba's, with the bias corrections folded into the step size; one flat
 * 1-D variable (fused.ts) is updated in place, with no concatenation or split.
 */
import { FLAT_ADAM, FLAT_ADAM_APPLY } from './kernels.js';
import type { Tf } from './runtime.js';

type Scalar = import('@tensorflow/tfjs').Scalar;
type Tensor = import('@tensorflow/tfjs').Tensor;
type Variable = import('@tensorflow/tfjs').Variable;

export class FlatAdam {
  private readonly m: Variable;
  private readonly v: Variable;
  private readonly sizes: number[];
  private t = 0;

  constructor(
    private readonly tf: Tf,
    private readonly vars: Variable[],
    private readonly beta1 = 0.9,
    private readonly beta2 = 0.98,
    private readonly eps = 1e-8,
  ) {
    this.sizes = vars.map((x) => x.size);
    const n = this.sizes.reduce((s, k) => s + k, 0);
    // Made in a tidy: tf.variable would otherwise leave its initial tensor alive.
    this.m = tf.tidy(() => tf.variable(tf.zeros([n])));
    this.v = tf.tidy(() => tf.variable(tf.zeros([n])));
  }

  /** One step of size lr, from gradients keyed by variable name (as tf.variableGrads gives them). */
  apply(grads: Record<string, Tensor>, lr: number): void {
    const { tf, beta1, beta2 } = this;
    this.t++;
    const stepSize = (lr * Math.sqrt(1 - beta2 ** this.t)) / (1 - beta1 ** this.t);
    tf.tidy(() => {
      // One flat 1-D variable (fused.ts's FlatMlp) needs no concatenation, split or reshape.
      const single = this.vars.length === 1 && this.vars[0].rank === 1;
      // A variable the loss does not reach has no gradient (tf.variableGrads leaves it out): zeros, as
      // tf.train.adam would leave it unchanged only while its moments are zero.
      const gradOf = (x: Variable): Tensor => grads[x.name] ?? tf.zerosLike(x);
      // The moments are kept scaled, M = m / (1 − β1) and V = v / (1 − β2), so each update is one
      // multiply and one add (M ← β1·M + g); the scales come back in the constants of the step:
      // m / (√v + ε) = (1 − β1) / √(1 − β2) · M / (√V + ε / √(1 − β2)). Fewer kernels, same values.
      const root = Math.sqrt(1 - beta2);
      const eps = this.eps / root;
      const scale = (-stepSize * (1 - beta1)) / root;
      if (tf.getKernel(FLAT_ADAM_APPLY, tf.getBackend())) {
        // One kernel (kernels.ts) for the concatenation, the update, the split and an add per variable; same values.
        const inputs: Record<string, Tensor> = { m: this.m, v: this.v };
        this.vars.forEach((x, k) => {
          inputs[`w${k}`] = x;
          inputs[`g${k}`] = gradOf(x);
        });
        const [m, v, ...ws] = tf.engine().runKernel(FLAT_ADAM_APPLY, inputs, { beta1, beta2, eps, scale, count: this.vars.length }) as unknown as Tensor[];
        this.m.assign(m);
        this.v.assign(v);
        ws.forEach((w, k) => this.vars[k].assign(w));
        return;
      }
      const g = single ? gradOf(this.vars[0]) : tf.concat(this.vars.map((x) => tf.reshape(gradOf(x), [-1])));
      let delta: Tensor;
      if (tf.getKernel(FLAT_ADAM, tf.getBackend())) {
        // One kernel (kernels.ts) for the nine below.
        const [m, v, d] = tf.engine().runKernel(FLAT_ADAM, { m: this.m, v: this.v, g }, { beta1, beta2, eps, scale }) as unknown as Tensor[];
        this.m.assign(m);
        this.v.assign(v);
        delta = d;
      } else {
        this.m.assign(tf.add(tf.mul(this.m, beta1), g));
        this.v.assign(tf.add(tf.mul(this.v, beta2), tf.square(g)));
        delta = tf.mul(tf.div(this.m, tf.add(tf.sqrt(this.v), eps)), scale);
      }
      if (single) {
        this.vars[0].assign(tf.add(this.vars[0], delta));
        return;
      }
      tf.split(delta, this.sizes).forEach((d, i) => this.vars[i].assign(tf.add(this.vars[i], tf.reshape(d, this.vars[i].shape))));
    });
  }

  /**
   * One step on `loss` (a scalar of the variables) with step size lr, in place of
   * tf.train.adam's minimize. With keepLoss it returns the loss as a tensor kept out of any tidy
   * (the caller reads and disposes it: a LossLog reads many at once, where each read is a GPU sync).
   */
  minimize(loss: () => Scalar, lr: number, keepLoss = false): Scalar | undefined {
    const { value, grads } = this.tf.variableGrads(loss, this.vars);
    this.apply(grads, lr);
    this.tf.dispose(Object.values(grads));
    if (keepLoss) return this.tf.keep(value);
    value.dispose();
    return undefined;
  }

  dispose(): void {
    this.m.dispose();
    this.v.dispose();
  }
}
