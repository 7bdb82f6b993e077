/**
 * npm run bench:gpu — the reference mini GAN (G 16→256→256→2, D 2→256→256→1, ReLU, Adam(1e-3,
 * β1 0.5), non-saturating loss, 8-Gaussian ring) trained with the project's own layers (nn.ts) on
 * the backend the ladder picks, in ms per step (one D step + one G step) at batch 512 and 4096,
 * with the number of kernels a step launches (tf.profile) — the figure that decides GPU speed,
 * since a tfjs-webgpu step is dispatch-bound. PyTorch runs beside it when python3 has torch
 * (CUDA when available). On a machine without a GPU it says so and reports the CPU backend.
 *
 *   node dist/bench/gpu.js [steps] [batches]
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../src/core/paths.js';
import { Rng } from '../src/generators/rng.js';
import { dense, disposeLayers, mlp, randomNormal, variables } from '../src/models/nn.js';
import { FlatAdam } from '../src/models/optim.js';
import { describeBackend, tensorflow, type Tf } from '../src/models/runtime.js';

const STEPS = Number(process.argv[2] ?? 100);
const BATCHES = (process.argv[3] ?? '512,4096').split(',').map(Number);

/**
 * One training step of the reference GAN, built once per batch size. `flat` swaps tf.train.adam
 * (about 14 kernels per variable, 12 variables per network) for FlatAdam (one concatenated update
 * per network): fewer kernels, which is what a dispatch-bound WebGPU step pays for.
 */
function referenceGan(tf: Tf, batch: number, flat: boolean) {
  const rng = new Rng(0);
  const G = [dense(tf, rng, 16, 256), dense(tf, rng, 256, 256), dense(tf, rng, 256, 2)];
  const D = [dense(tf, rng, 2, 256), dense(tf, rng, 256, 256), dense(tf, rng, 256, 1)];
  const adamD = flat ? undefined : tf.train.adam(1e-3, 0.5);
  const adamG = flat ? undefined : tf.train.adam(1e-3, 0.5);
  const flatD = flat ? new FlatAdam(tf, variables(D), 0.5, 0.999) : undefined;
  const flatG = flat ? new FlatAdam(tf, variables(G), 0.5, 0.999) : undefined;
  type Loss = () => import('@tensorflow/tfjs').Scalar;
  const minimize = (loss: Loss, net: 'D' | 'G'): void => {
    const vars = variables(net === 'D' ? D : G);
    if (!flat) {
      (net === 'D' ? adamD : adamG)!.minimize(loss, false, vars);
      return;
    }
    const { value, grads } = tf.variableGrads(loss, vars);
    (net === 'D' ? flatD : flatG)!.apply(grads, 1e-3);
    tf.dispose([value, ...Object.values(grads)]);
  };
  const real = () =>
    tf.tidy(() => {
      const a = tf.mul(tf.cast(tf.randomUniform([batch], 0, 8, 'int32', rng.int(0, 1e9)), 'float32'), (2 * Math.PI) / 8);
      return tf.add(tf.mul(tf.stack([tf.cos(a), tf.sin(a)], 1), 2), randomNormal(tf, rng, [batch, 2], 0, 0.02));
    });
  const step = (): void =>
    tf.tidy(() => {
      const x = real() as import('@tensorflow/tfjs').Tensor2D;
      const z = randomNormal(tf, rng, [batch, 16]) as import('@tensorflow/tfjs').Tensor2D;
      minimize(() => tf.add(tf.mean(tf.softplus(tf.neg(mlp(tf, D, x)))), tf.mean(tf.softplus(mlp(tf, D, mlp(tf, G, z))))) as never, 'D');
      minimize(() => tf.mean(tf.softplus(tf.neg(mlp(tf, D, mlp(tf, G, randomNormal(tf, rng, [batch, 16]) as never))))) as never, 'G');
    });
  const dispose = () => {
    disposeLayers([...G, ...D]);
    for (const o of [adamD, adamG, flatD, flatG]) o?.dispose();
  };
  return { step, sync: () => G[2].w.data(), dispose };
}

function torch(batch: number): { ms?: number; device?: string; error?: string } {
  const probe = spawnSync('python3', ['-c', 'import torch; print("cuda" if torch.cuda.is_available() else "cpu")'], { encoding: 'utf8' });
  if (probe.status !== 0) return { error: 'python3 has no torch' };
  const device = probe.stdout.trim();
  const r = spawnSync('python3', [join(PACKAGE_ROOT, 'bench', 'torch_gan_bench.py'), device, String(STEPS), String(batch)], { encoding: 'utf8' });
  if (r.status !== 0) return { error: r.stderr.trim().split('\n').pop() };
  return { ms: (JSON.parse(r.stdout) as { ms_per_step: number }).ms_per_step, device };
}

async function main(): Promise<void> {
  const { tf, report } = await tensorflow();
  console.log(`mini GAN, ${STEPS} steps after 10 warm-up, Node ${process.version}, TensorFlow.js ${tf.version.tfjs}`);
  console.log(describeBackend(report).replace(/^/gm, '  '));
  if (report.backend !== 'webgpu') console.log('  no GPU backend here: the figures below are for the CPU backend, not the GPU target');
  for (const batch of BATCHES) {
    for (const flat of [false, true]) {
      const gan = referenceGan(tf, batch, flat);
      for (let i = 0; i < 10; i++) gan.step();
      await gan.sync();
      const profile = await tf.profile(() => gan.step());
      const t0 = performance.now();
      for (let i = 0; i < STEPS; i++) gan.step();
      await gan.sync();
      const ms = (performance.now() - t0) / STEPS;
      gan.dispose();
      const t = flat ? torch(batch) : { error: 'see the next line' };
      const beside = t.ms !== undefined ? `PyTorch (${t.device}) ${t.ms.toFixed(2)} ms, ratio ${(ms / t.ms).toFixed(2)}×` : `PyTorch: ${t.error}`;
      console.log(`  batch ${batch}, ${flat ? 'flat Adam ' : 'tf.train.adam'}: ${ms.toFixed(2)} ms/step on ${report.backend} (${profile.kernels.length} kernels a step); ${beside}`);
    }
  }
}

await main();
