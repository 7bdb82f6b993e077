/**
 * Experience replay for D (Pfau & Vinyals 2016; Shrivastava et al. 2017): past fakes are kept and
 * mixed into D's fake batches, so D keeps penalising modes G has hopped away from and G cannot
 * simply cycle back to them.
 */
import type { Rng } from '../../generators/rng.js';
import type { Tf } from '../runtime.js';

type Tensor2D = import('@tensorflow/tfjs').Tensor2D;

export class ReplayBuffer {
  private readonly data: Float32Array;
  private filled = 0;
  private next = 0;

  /** Keeps the last `size` stored fakes; `perBatch` rows of each fake batch are replayed ones. */
  constructor(
    readonly size: number,
    readonly perBatch: number,
  ) {
    this.data = new Float32Array(size * 2);
  }

  get stored(): number {
    return this.filled;
  }

  /**
   * The fake batch with its last `perBatch` rows swapped for past fakes (once there are enough);
   * stores `perBatch` fresh ones. `fresh` is the batch's values, read back by the caller
   * (asynchronously: a GPU has no synchronous read in Node).
   */
  mix(tf: Tf, rng: Rng, fake: Tensor2D, fresh: Float32Array): Tensor2D {
    const n = fake.shape[0];
    const r = Math.min(this.perBatch, n);
    let out = fake;
    if (this.filled >= r) {
      const old = new Float32Array(r * 2);
      for (let i = 0; i < r; i++) {
        const j = rng.int(0, this.filled - 1);
        old[2 * i] = this.data[2 * j];
        old[2 * i + 1] = this.data[2 * j + 1];
      }
      out = r === n ? tf.tensor2d(old, [r, 2]) : (tf.concat([tf.slice(fake, [0, 0], [n - r, 2]), tf.tensor2d(old, [r, 2])], 0) as Tensor2D);
    }
    // The fresh fakes are independent draws, so the first r are as good a sample as any.
    for (let i = 0; i < r; i++) {
      this.data[2 * this.next] = fresh[2 * i];
      this.data[2 * this.next + 1] = fresh[2 * i + 1];
      this.next = (this.next + 1) % this.size;
      this.filled = Math.min(this.filled + 1, this.size);
    }
    return out;
  }
}
