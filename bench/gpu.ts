/**
 * npm run bench:gpu — the reference mini GAN (G 16→256→256→2, D 2→256→256→1, ReLU, Adam(1e-3,
 * β1 0.5), non-saturating loss, 8-Gaussian ring) on the backend the ladder picks, in ms per
 * training step (one D step + one G step), with the kernels a step launches (tf.profile) and, on
 * WebGPU, the GPU dispatches (what a dispatch-bound step pays for). PyTorch runs beside it when
 * python3 has torch (CUDA when available). On a machine without a GPU it says so and reports the
 * CPU backend.
 *
 * The step is built four ways (src/models/reference-gan.ts): tf.train.adam, FlatAdam, fused, and
 * kernels (the step kernels: about 30 kernels a step). The kernels step also trains K runs (seeds)
 * side by side in one graph: rows for K = 1, 8, 32 give ms per step and seconds per 2,000-step run.
 * With --json it prints one JSON object per configuration instead of the prose lines.
 *
 *   node dist/bench/gpu.js [steps] [batches] [--runs 1,8,32] [--json]
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../src/core/paths.js';
import { kernelsPerStep, referenceGan, REFERENCE_MODES, type ReferenceMode } from '../src/models/reference-gan.js';
import { describeBackend, tensorflow } from '../src/models/runtime.js';
import { countDispatches } from '../src/models/step-kernels/dispatches.js';

const argv = process.argv.slice(2);
const JSON_OUT = argv.includes('--json');
const runsAt = argv.indexOf('--runs');
const RUNS = (runsAt >= 0 ? argv[runsAt + 1] : '1,8,32').split(',').map(Number);
const args = argv.filter((a, i) => a !== '--json' && i !== runsAt && i !== runsAt + 1);
const STEPS = Number(args[0] ?? 100);
const BATCHES = (args[1] ?? '512,4096').split(',').map(Number);
/** A lab-sized run, for "seconds per run". */
const RUN_STEPS = 2000;
for (const [name, list] of [['batches', BATCHES], ['runs', RUNS]] as const) {
  if (list.some((n) => !Number.isInteger(n) || n < 1)) throw new Error(`bench:gpu: ${name} must be positive integers, got ${list.join(',')}`);
}
if (!Number.isInteger(STEPS) || STEPS < 1) throw new Error(`bench:gpu: steps must be a positive integer, got ${args[0]}`);

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
  say(`mini GAN, ${STEPS} steps after 10 warm-up (kernels step with K runs: ${STEPS}/K, at least 5), Node ${process.version}, TensorFlow.js ${tf.version.tfjs}`);
  say(describeBackend(report).replace(/^/gm, '  '));
  if (report.backend !== 'webgpu') say('  no GPU backend here: the figures below are for the CPU backend, not the GPU target');
  const gpu = report.backend === 'webgpu';
  for (const batch of BATCHES) {
    const t = torch(batch);
    const configs: { mode: ReferenceMode; runs: number }[] = [...REFERENCE_MODES.map((mode) => ({ mode, runs: 1 })), ...RUNS.filter((k) => k > 1).map((runs) => ({ mode: 'kernels' as const, runs }))];
    for (const { mode, runs } of configs) {
      // The WASM heap is 4 GiB at most: K runs of a large batch do not fit on the CPU.
      if (!gpu && runs * batch > 16384) {
        say(`  batch ${batch}, ${mode} × ${runs} runs: skipped on the CPU (K × batch over 16,384)`);
        continue;
      }
      const steps = Math.max(5, Math.ceil(STEPS / runs));
      const gan = referenceGan(tf, batch, mode, 0, runs);
      for (let i = 0; i < 10; i++) gan.step();
      const count = await kernelsPerStep(tf, gan, 0);
      const dispatches = countDispatches(tf, () => gan.step());
      await gan.sync();
      const t0 = performance.now();
      for (let i = 0; i < steps; i++) gan.step();
      await gan.sync();
      const ms = (performance.now() - t0) / steps;
      gan.dispose();
      const perRun = (ms * RUN_STEPS) / 1000 / runs;
      if (JSON_OUT) {
        const row = {
          backend: report.backend,
          adapter: report.adapter ?? null,
          batch,
          optimiser: mode,
          runs,
          steps,
          msPerStep: Number(ms.toFixed(3)),
          msPerRunStep: Number((ms / runs).toFixed(3)),
          secondsPerRun: Number(perRun.toFixed(2)),
          runSteps: RUN_STEPS,
          kernelsPerStep: count.kernels,
          computeKernelsPerStep: count.compute,
          profiledPerStep: count.profiled,
          ...(dispatches !== undefined ? { dispatchesPerStep: dispatches } : {}),
          ...(t.ms !== undefined ? { torchMsPerStep: t.ms, torchDevice: t.device, ratioToTorch: Number((ms / runs / t.ms).toFixed(2)) } : {}),
        };
        console.log(JSON.stringify(row));
        continue;
      }
      const beside = t.ms !== undefined ? `PyTorch (${t.device}) ${t.ms.toFixed(2)} ms, ratio ${(ms / runs / t.ms).toFixed(2)}× per run` : `PyTorch: ${t.error}`;
      const k = runs > 1 ? ` × ${runs} runs` : '';
      const d = dispatches !== undefined ? `, ${dispatches} GPU dispatches` : '';
      say(`  batch ${batch}, ${mode}${k}: ${ms.toFixed(2)} ms/step (${(ms / runs).toFixed(2)} per run, ${perRun.toFixed(1)} s per ${RUN_STEPS}-step run) on ${report.backend}; ${count.kernels} kernels a step (${count.compute} not counting Reshape/Identity)${d}; ${beside}`);
    }
  }
}

await main();
