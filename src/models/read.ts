/**
 * Reading tensors back, asynchronously. tfjs-backend-webgpu reads synchronously through an
 * OffscreenCanvas, which Node does not have: every dataSync/arraySync in a lab failed on a GPU.
 * These read without it on every backend, and dispose what they read.
 */
import type { Tf } from './runtime.js';

type Tensor = import('@tensorflow/tfjs').Tensor;
type Values = Float32Array | Int32Array | Uint8Array;

/** The values of the tensor `make` returns (made in a tidy, disposed once read). */
export async function readValues<T extends Values = Float32Array>(tf: Tf, make: () => Tensor): Promise<T> {
  const t = tf.tidy(make);
  try {
    return (await t.data()) as T;
  } finally {
    t.dispose();
  }
}

/** The values of each tensor `make` returns, in order. */
export async function readAll<T extends Values = Float32Array>(tf: Tf, make: () => Tensor[]): Promise<T[]> {
  const ts = tf.tidy(make);
  try {
    return (await Promise.all(ts.map((t) => t.data()))) as T[];
  } finally {
    tf.dispose(ts);
  }
}

/** The nested array of the tensor `make` returns. */
export async function readArray<T>(tf: Tf, make: () => Tensor): Promise<T> {
  const t = tf.tidy(make);
  try {
    return (await t.array()) as T;
  } finally {
    t.dispose();
  }
}

type Scalar = import('@tensorflow/tfjs').Scalar;

/** Training steps between turns of the event loop (see LossLog). */
export const YIELD_EVERY = 25;

/**
 * Losses logged during training, kept on the device and read back in batches: a read is a GPU
 * sync, so one read of many steps' losses instead of one a step. `add` takes scalars the caller
 * has kept out of its tidy (tf.keep); `drain`, called once a training step, reads what is pending
 * once `every` steps are, and `read` reads the rest and gives every logged step in order.
 *
 * drain also yields to the event loop every YIELD_EVERY calls: Dawn (the `webgpu` package)
 * recycles the descriptor sets of finished dispatches only when the event loop turns, and a
 * training loop that never yields crashed inside Mesa's Vulkan (vkCreateDescriptorPool) after
 * 300–600 GAN steps, about 100,000 dispatches. Nothing else changes: the run's values are the same.
 */
export class LossLog<K extends string> {
  private pending: { step: number; losses: Partial<Record<K, Scalar>> }[] = [];
  private readonly done: ({ step: number } & Partial<Record<K, number>>)[] = [];
  private calls = 0;

  constructor(
    private readonly tf: Tf,
    private readonly every = 64,
  ) {}

  add(step: number, losses: Partial<Record<K, Scalar>>): void {
    this.pending.push({ step, losses });
  }

  /** Reads the pending losses when `every` steps are waiting; now and then lets the event loop turn. */
  async drain(): Promise<void> {
    if (this.pending.length >= this.every) await this.flush();
    if (++this.calls % YIELD_EVERY === 0) await new Promise((resolve) => setImmediate(resolve));
  }

  async read(): Promise<({ step: number } & Partial<Record<K, number>>)[]> {
    await this.flush();
    return this.done;
  }

  /** Frees what was never read (a run that failed half way). */
  dispose(): void {
    for (const p of this.pending) this.tf.dispose(Object.values(p.losses) as Scalar[]);
    this.pending = [];
  }

  private async flush(): Promise<void> {
    const batch = this.pending;
    this.pending = [];
    const tensors = batch.flatMap((p) => Object.values(p.losses) as Scalar[]);
    if (tensors.length === 0) {
      for (const p of batch) this.done.push({ step: p.step } as { step: number } & Partial<Record<K, number>>);
      return;
    }
    const values = await readValues(this.tf, () => this.tf.stack(tensors));
    this.tf.dispose(tensors);
    let i = 0;
    for (const p of batch) {
      const row = { step: p.step } as { step: number } & Partial<Record<K, number>>;
      for (const k of Object.keys(p.losses) as K[]) (row as Record<K, number>)[k] = values[i++];
      this.done.push(row);
    }
  }
}
