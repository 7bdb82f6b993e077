/**
 * npm run bench:models — each lab run's default configuration trained from an empty cache, one
 * after another, with the wall time of the whole run (training, evaluation, plots) and the CPU
 * seconds the process used for it (on a shared machine the wall time includes waiting for a core).
 * Target on the CPU default (WASM): ≤ 15 s per lab run (issue 12).
 *
 *   node dist/bench/models.js [lab[/run] ...]
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LABS } from '../src/models/labs.js';
import { runLab } from '../src/models/runner.js';
import { tensorflow } from '../src/models/runtime.js';

async function main(): Promise<void> {
  process.env.STEPWISE_CACHE = mkdtempSync(join(tmpdir(), 'stepwise-bench-models-'));
  const { report } = await tensorflow();
  const wanted = process.argv.slice(2);
  const jobs = LABS.flatMap((lab) => Object.keys(lab.runs).map((run) => ({ lab: lab.id, run })));
  const chosen = wanted.length === 0 ? jobs : jobs.filter((j) => wanted.some((w) => w === j.lab || w === `${j.lab}/${j.run}`));
  console.log(`lab runs with their default configs, empty cache, backend ${report.backend}, Node ${process.version}`);
  for (const j of chosen) {
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    const r = await runLab({ lab: j.lab, run: j.run, seed: 1 });
    const s = (performance.now() - t0) / 1000;
    const used = process.cpuUsage(c0);
    // CPU seconds beside wall seconds: on a shared machine the wall time includes waiting for a core.
    const cpu = (used.user + used.system) / 1e6;
    const headline = Object.entries(r.manifest.metrics)
      .filter(([, v]) => typeof v === 'number')
      .slice(0, 4)
      .map(([k, v]) => `${k} ${+(v as number).toFixed(3)}`)
      .join(', ');
    console.log(`  ${`${j.lab}/${j.run}`.padEnd(28)} ${s.toFixed(1).padStart(6)} s wall ${cpu.toFixed(1).padStart(6)} s CPU ${s <= 15 ? '' : '(over 15 s)'}  ${headline}`);
  }
}

await main();
