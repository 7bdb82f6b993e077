/**
 * npm run bench:gpu — the reference mini GAN (G 16→256→256→2, D 2→256→256→1, ReLU, Adam(1e-3,
 * β1 0.5), non-saturating loss, 8-Gaussian ring) trained with the project's own layers (nn.ts) on
 * the backend the ladder picks, in ms per step (one D step + one G step) at batch 512 and 4096,
 * with the number of kernels a step launches (tf.profile) — the figure that decides GPU speed,
 * since a tfjs-webgpu step is dispatch-bound. PyTorch runs beside it when python3 has torch
 * (CUDA when available). On a machine without a GPU it says so and reports the CPU backend.
 *
 * The step is built three ways (src/models/reference-gan.ts): tf.train.adam, FlatAdam, and fused
 * (one parameter buffer per network, fused dense layers forward and backward). With --json it
 * prints one JSON object per configuration instead of the prose lines.
 *
 *   node dist/bench/gpu.js [steps] [batches] [--json]
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../src/core/paths.js';
import { kernelsPerStep, referenceGan, REFERENCE_MODES } from '../src/models/reference-gan.js';
import { describeBackend, tensorflow } from '../src/models/runtime.js';

const JSON_OUT = process.argv.includes('--json');
const args = process.argv.slice(2).filter((a) => a !== '--json');
const STEPS = Number(args[0] ?? 100);
const BATCHES = (args[1] ?? '512,4096').split(',').map(Number);

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
  const say = (line: string): void => {
    if (!JSON_OUT) console.log(line);
  };
  say(`mini GAN, ${STEPS} steps after 10 warm-up, Node ${process.version}, TensorFlow.js ${tf.version.tfjs}`);
  say(describeBackend(report).replace(/^/gm, '  '));
  if (report.backend !== 'webgpu') say('  no GPU backend here: the figures below are for the CPU backend, not the GPU target');
  for (const batch of BATCHES) {
    const t = torch(batch);
    for (const mode of REFERENCE_MODES) {
      const gan = referenceGan(tf, batch, mode);
      for (let i = 0; i < 10; i++) gan.step();
      const count = await kernelsPerStep(tf, gan, 0);
      await gan.sync();
      const t0 = performance.now();
      for (let i = 0; i < STEPS; i++) gan.step();
      await gan.sync();
      const ms = (performance.now() - t0) / STEPS;
      gan.dispose();
      if (JSON_OUT) {
        const row = {
          backend: report.backend,
          adapter: report.adapter ?? null,
          batch,
          optimiser: mode,
          steps: STEPS,
          msPerStep: Number(ms.toFixed(3)),
          kernelsPerStep: count.kernels,
          computeKernelsPerStep: count.compute,
          profiledPerStep: count.profiled,
          ...(t.ms !== undefined ? { torchMsPerStep: t.ms, torchDevice: t.device } : {}),
        };
        console.log(JSON.stringify(row));
        continue;
      }
      const beside = t.ms !== undefined ? `PyTorch (${t.device}) ${t.ms.toFixed(2)} ms, ratio ${(ms / t.ms).toFixed(2)}×` : `PyTorch: ${t.error}`;
      say(`  batch ${batch}, ${mode.padEnd(5)}: ${ms.toFixed(2)} ms/step on ${report.backend} (${count.kernels} kernels a step, ${count.compute} not counting Reshape/Identity); ${beside}`);
    }
  }
}

await main();
