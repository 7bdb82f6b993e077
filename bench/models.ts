/**
 * npm run bench:models — each lab run's default configuration trained from an empty cache, one
 * after another, with the wall time of the whole run (training, evaluation, plots) and the CPU
 * seconds the process used for it (on a shared machine the wall time includes waiting for a core).
 * Targets (issue 12): ≤ 15 s a run on the CPU default (WASM), ≤ 5 s on a GPU (WebGPU).
 * With --json, one JSON object per run; with --budget S, no run is started after S seconds (the
 * GPU machine's time is counted), and the runs left are listed as skipped.
 *
 *   node dist/bench/models.js [lab[/run] ...] [--json] [--budget seconds]
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LABS } from '../src/models/labs.js';
import { runLab } from '../src/models/runner.js';
import { tensorflow } from '../src/models/runtime.js';

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const json = argv.includes('--json');
  const b = argv.indexOf('--budget');
  const budget = b >= 0 ? Number(argv[b + 1]) : Infinity;
  if (!(budget > 0)) throw new Error(`bench:models: --budget takes a number of seconds, got ${argv[b + 1]}`);
  const wanted = argv.filter((a, i) => a !== '--json' && (b < 0 || (i !== b && i !== b + 1)));
  process.env.STEPWISE_CACHE = mkdtempSync(join(tmpdir(), 'stepwise-bench-models-'));
  const { report } = await tensorflow();
  const target = report.backend === 'webgpu' ? 5 : 15;
  const jobs = LABS.flatMap((lab) => Object.keys(lab.runs).map((run) => ({ lab: lab.id, run })));
  const chosen = wanted.length === 0 ? jobs : jobs.filter((j) => wanted.some((w) => w === j.lab || w === `${j.lab}/${j.run}`));
  if (chosen.length === 0) throw new Error(`bench:models: no lab run is named ${wanted.join(', ')}`);
  const start = performance.now();
  if (!json) console.log(`lab runs with their default configs, empty cache, backend ${report.backend}${report.adapter ? ` (${report.adapter})` : ''}, Node ${process.version}; target ${target} s a run`);
  for (const j of chosen) {
    const name = `${j.lab}/${j.run}`;
    if ((performance.now() - start) / 1000 > budget) {
      if (json) console.log(JSON.stringify({ run: name, backend: report.backend, skipped: `over the ${budget} s budget` }));
      else console.log(`  ${name.padEnd(28)} skipped (over the ${budget} s budget)`);
      continue;
    }
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    const r = await runLab({ lab: j.lab, run: j.run, seed: 1 });
    const s = (performance.now() - t0) / 1000;
    const used = process.cpuUsage(c0);
    // CPU seconds beside wall seconds: on a shared machine the wall time includes waiting for a core.
    const cpu = (used.user + used.system) / 1e6;
    const numbers = Object.entries(r.manifest.metrics).filter(([, v]) => typeof v === 'number') as [string, number][];
    if (json) {
      console.log(JSON.stringify({ run: name, backend: report.backend, adapter: report.adapter ?? null, seconds: Number(s.toFixed(2)), cpuSeconds: Number(cpu.toFixed(2)), target, metrics: Object.fromEntries(numbers.slice(0, 6)) }));
      continue;
    }
    const headline = numbers
      .slice(0, 4)
      .map(([k, v]) => `${k} ${+v.toFixed(3)}`)
      .join(', ');
    console.log(`  ${name.padEnd(28)} ${s.toFixed(1).padStart(6)} s wall ${cpu.toFixed(1).padStart(6)} s CPU ${s <= target ? '' : `(over ${target} s)`}  ${headline}`);
  }
}

await main();
