/**
 * K independent ReLU MLPs of the same widths trained side by side, built on the step kernels
 * (spec.ts): one [K, 3P] state variable (each run's parameters and Adam moments), a forward pass
 * of one DENSE kernel per layer, a backward pass of two kernels per layer (parameter gradient;
 * input gradient with the previous ReLU's mask), and one ADAM kernel. Every kernel does the K runs'
 * work at once, so K runs launch as many kernels as one.
 */
import type { Rng } from '../../generators/rng.js';
import { flatMlp } from '../fused.js';
import { readValues } from '../read.js';
import type { Tf } from '../runtime.js';
import { adam, dense, inputGrad, paramGrad } from './ops.js';
import { adamConstants, mlpLayout } from './spec.js';

type Tensor2D = import('@tensorflow/tfjs').Tensor2D;
type Tensor3D = import('@tensorflow/tfjs').Tensor3D;
type Variable = import('@tensorflow/tfjs').Variable<import('@tensorflow/tfjs').Rank.R2>;

export interface AdamSettings {
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
}

export class BatchedMlp {
  readonly params: number;
  readonly offsets: number[];
  readonly state: Variable;
  private t = 0;

  /** One run per generator, each initialised as fused.ts's flatMlp draws it (He weights, zero biases), moments zero. */
  constructor(
    private readonly tf: Tf,
    readonly sizes: number[],
    rngs: Rng[],
    private readonly adamSettings: AdamSettings,
  ) {
    const layout = mlpLayout(sizes);
    this.params = layout.params;
    this.offsets = layout.offsets;
    this.state = tf.tidy(() => {
      const rows = rngs.map((rng) => {
        const { theta } = flatMlp(tf, rng, sizes);
        const row = tf.concat([theta, tf.zeros([2 * layout.params])]);
        theta.dispose();
        return row;
      });
      return tf.variable(tf.stack(rows) as Tensor2D) as Variable;
    });
  }

  get runs(): number {
    return this.state.shape[0];
  }

  /** Every layer's output for x [K, R, s0], the input first (ReLU between layers, linear output). */
  forward(x: Tensor3D): Tensor3D[] {
    const acts = [x];
    const n = this.sizes.length - 1;
    for (let k = 0; k < n; k++) acts.push(dense(this.tf, acts[k], this.state, { offset: this.offsets[k], out: this.sizes[k + 1], relu: k < n - 1 }));
    return acts;
  }

  /**
   * From the loss's gradient in the output, the layers' parameter gradients (when `params`) and the
   * gradient in the input (when `input`): what the network's own step and the network before it need.
   */
  backward(acts: Tensor3D[], dOut: Tensor3D, want: { params: boolean; input: boolean }): { grads: Tensor2D[]; dx?: Tensor3D } {
    const { tf } = this;
    const n = this.sizes.length - 1;
    const grads: Tensor2D[] = [];
    let d = dOut;
    for (let k = n - 1; k >= 0; k--) {
      if (want.params) grads[k] = paramGrad(tf, acts[k], d);
      if (k === 0 && !want.input) break;
      // Into layer k−1's pre-activation: masked by its ReLU output (this layer's input); none at the input.
      d = inputGrad(tf, d, this.state, { offset: this.offsets[k], inn: this.sizes[k] }, k > 0 ? acts[k] : undefined);
    }
    return { grads, ...(want.input ? { dx: d } : {}) };
  }

  /** One Adam step from the layers' gradients (tf.train.adam's update, one kernel for all runs). */
  step(grads: Tensor2D[]): void {
    const { lr, beta1, beta2, eps } = this.adamSettings;
    this.t++;
    const next = adam(this.tf, this.state, grads, adamConstants(this.params, this.t, lr, beta1, beta2, eps));
    this.state.assign(next);
    next.dispose();
  }

  /** Run `run`'s parameters θ (layer by layer, weights then bias), read back (asynchronously: WebGPU in Node has no synchronous read). */
  parameters(run: number): Promise<Float32Array> {
    return readValues(this.tf, () => this.tf.slice(this.state, [run, 0], [1, this.params]));
  }

  dispose(): void {
    this.state.dispose();
  }
}
