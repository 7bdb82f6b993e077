/**
 * The reference mini GAN (G 16→256→256→2, D 2→256→256→1, non-saturating loss, 8-Gaussian ring)
 * trained K runs side by side on the step kernels: one D step and one G step launch about 30
 * kernels whatever K is (tf.profile counts them: bench:gpu). Each run has its own seed: its own
 * initial networks and its own data, so run k of a batch trains exactly as that seed alone would.
 * The data (ring points, noise) is drawn in JS and uploaded, which launches no kernel.
 */
import { Rng } from '../../generators/rng.js';
import type { Tf } from '../runtime.js';
import { BatchedMlp, type AdamSettings } from './mlp.js';
import { logisticGrad } from './ops.js';

type Tensor3D = import('@tensorflow/tfjs').Tensor3D;

/** Seeded uniform [0, 1) and N(0, 1) draws (mulberry32, Box–Muller): a million a step, so not the bank's Rng. */
export interface Stream {
  uniform(): number;
  normal(): number;
}

export function seededStream(seed: number): Stream {
  let a = seed >>> 0;
  const uniform = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  let spare: number | undefined;
  const normal = (): number => {
    if (spare !== undefined) {
      const s = spare;
      spare = undefined;
      return s;
    }
    // 1 − u is in (0, 1]: the log is finite.
    const r = Math.sqrt(-2 * Math.log(1 - uniform()));
    const th = 2 * Math.PI * uniform();
    spare = r * Math.sin(th);
    return r * Math.cos(th);
  };
  return { uniform, normal };
}

export interface GanBatch {
  /** Ring samples [K, B, 2]. */
  real: Float32Array;
  /** Noise for D's step and for G's step, [K, B, 16] each. */
  zD: Float32Array;
  zG: Float32Array;
}

export const GAN_SIZES = { G: [16, 256, 256, 2], D: [2, 256, 256, 1] };
export const GAN_ADAM: AdamSettings = { lr: 1e-3, beta1: 0.5, beta2: 0.999, eps: 1e-8 };

export class KernelGan {
  readonly G: BatchedMlp;
  readonly D: BatchedMlp;
  private readonly draws: Stream[];

  /** One run per seed. */
  constructor(
    private readonly tf: Tf,
    readonly batch: number,
    seeds: number[],
  ) {
    const rngs = seeds.map((s) => new Rng(s));
    this.G = new BatchedMlp(tf, GAN_SIZES.G, rngs, GAN_ADAM);
    this.D = new BatchedMlp(tf, GAN_SIZES.D, rngs, GAN_ADAM);
    this.draws = rngs.map((rng) => seededStream(rng.int(0, 0xffffffff)));
  }

  /** Each run's next batch of data from its own stream: a uniform ring mode plus N(0, 0.02²) per point, then the noise. */
  draw(): GanBatch {
    const K = this.draws.length;
    const B = this.batch;
    const real = new Float32Array(K * B * 2);
    const zD = new Float32Array(K * B * 16);
    const zG = new Float32Array(K * B * 16);
    this.draws.forEach(({ uniform, normal }, k) => {
      for (let i = 0; i < B; i++) {
        const angle = (2 * Math.PI * Math.floor(8 * uniform())) / 8;
        real[(k * B + i) * 2] = 2 * Math.cos(angle) + 0.02 * normal();
        real[(k * B + i) * 2 + 1] = 2 * Math.sin(angle) + 0.02 * normal();
      }
      for (let i = 0; i < B * 16; i++) zD[k * B * 16 + i] = normal();
      for (let i = 0; i < B * 16; i++) zG[k * B * 16 + i] = normal();
    });
    return { real, zD, zG };
  }

  /** One D step then one G step on `data` (drawn when not given). */
  step(data: GanBatch = this.draw()): void {
    const { tf, batch: B, G, D } = this;
    const K = G.runs;
    tf.tidy(() => {
      // D's step: real and fake rows in one pass, −log σ on the real half, −log(1 − σ) on the fake half.
      const fake = G.forward(tf.tensor3d(data.zD, [K, B, 16])).at(-1)!;
      const x = tf.concat([tf.tensor3d(data.real, [K, B, 2]), fake], 1) as Tensor3D;
      const actsD = D.forward(x);
      const dD = logisticGrad(tf, actsD.at(-1)!, { split: B, n: B });
      D.step(D.backward(actsD, dD, { params: true, input: false }).grads);
    });
    tf.tidy(() => {
      // G's step: −log σ(D(G(z))) on every row; D's gradient flows through to G's output only.
      const actsG = G.forward(tf.tensor3d(data.zG, [K, B, 16]));
      const actsD = D.forward(actsG.at(-1)!);
      const dD = logisticGrad(tf, actsD.at(-1)!, { split: B, n: B });
      const { dx } = D.backward(actsD, dD, { params: false, input: true });
      G.step(G.backward(actsG, dx!, { params: true, input: false }).grads);
    });
  }

  dispose(): void {
    this.G.dispose();
    this.D.dispose();
  }
}
