/**
 * Throughput of `stepwise batch` as a whole process: 10,000 mixed requests (a third each solve,
 * grade with a carried slip, and generate; every topic; varied seeds) piped through the built CLI,
 * pinned to one core where `taskset` exists. Reports the median of several runs, the process start
 * cost (an empty batch) and the steady rate without it.
 *
 *   node dist/bench/batch.js [requests] [runs]
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, openSync, closeSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateProblem } from '../src/engine.js';
import { DIFFICULTIES } from '../src/solvers/topic.js';
import { TOPICS } from '../src/topics/index.js';
import { slippedAnswers } from './core.js';
import { summarise } from './stats.js';

const REQUESTS = Number(process.argv[2] ?? 10000);
const RUNS = Number(process.argv[3] ?? 7);
const CLI = join(fileURLToPath(import.meta.url), '..', '..', 'src', 'cli', 'main.js');

/** The request mix, deterministic: request i cycles topic, op and difficulty. */
export function mixedRequests(n: number): string[] {
  const lines: string[] = [];
  for (let i = 0; i < n; i++) {
    const topic = TOPICS[i % TOPICS.length].id;
    const difficulty = DIFFICULTIES[Math.floor(i / TOPICS.length) % 3];
    const seed = 10_000 + i;
    switch (i % 3) {
      case 0:
        lines.push(JSON.stringify({ op: 'generate', topic, seed, difficulty, id: i }));
        break;
      case 1: {
        const params = generateProblem(topic, seed, difficulty).params;
        lines.push(JSON.stringify({ op: 'solve', topic, params, id: i }));
        break;
      }
      default: {
        const params = JSON.parse(JSON.stringify(generateProblem(topic, seed, difficulty).params)) as object;
        lines.push(JSON.stringify({ op: 'grade', topic, params, answers: slippedAnswers(topic, params), id: i }));
      }
    }
  }
  return lines;
}

function hasTaskset(): boolean {
  return spawnSync('taskset', ['-c', '0', 'true']).status === 0;
}

function runOnce(inputFile: string, pin: boolean): number {
  const input = openSync(inputFile, 'r');
  const cmd = pin ? 'taskset' : process.execPath;
  const args = pin ? ['-c', '0', process.execPath, CLI, 'batch'] : [CLI, 'batch'];
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { stdio: [input, 'ignore', 'inherit'] });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  closeSync(input);
  if (r.status !== 0) throw new Error(`stepwise batch exited ${r.status}`);
  return ms;
}

function main(): void {
  const dir = mkdtempSync(join(tmpdir(), 'stepwise-bench-'));
  const file = join(dir, 'requests.jsonl');
  const empty = join(dir, 'empty.jsonl');
  writeFileSync(file, mixedRequests(REQUESTS).join('\n') + '\n');
  writeFileSync(empty, '');
  const pin = hasTaskset();
  runOnce(file, pin); // warm the file cache
  const full: number[] = [];
  const start: number[] = [];
  for (let r = 0; r < RUNS; r++) {
    full.push(runOnce(file, pin)); // alternate, so drift hits both alike
    start.push(runOnce(empty, pin));
  }
  const f = summarise(full);
  const s = summarise(start);
  const rate = (REQUESTS / f.median) * 1000;
  const steady = (REQUESTS / (f.median - s.median)) * 1000;
  console.log(`stepwise batch, ${REQUESTS} mixed requests (solve / grade / generate, all topics), ${RUNS} runs${pin ? ', pinned to one core' : ''}, Node ${process.version}`);
  console.log(`  whole process: median ${f.median.toFixed(0)} ms (min ${f.min.toFixed(0)}, max ${f.max.toFixed(0)}) → ${Math.round(rate).toLocaleString('en')} requests/s`);
  console.log(`  process start, empty batch: median ${s.median.toFixed(0)} ms`);
  console.log(`  steady rate without the start: ${Math.round(steady).toLocaleString('en')} requests/s`);
  console.log(`  target: ≥ 50,000 requests/s whole process`);
}

if (process.argv[1]?.endsWith('batch.js')) main();
