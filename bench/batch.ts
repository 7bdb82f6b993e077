/**
 * Throughput of `stepwise batch` as a whole process, pinned to one core where `taskset` exists:
 * 10,000 requests piped through the built CLI, for two mixes over every topic and difficulty —
 * solve + grade (the work a numpy reference implementation does) and solve + grade + generate
 * (generate renders a prompt). Also the process start (an empty batch) and the steady rate of a
 * warm process (the extra time 40,000 requests take over 10,000).
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

/**
 * The request mix, deterministic: request i cycles topic and difficulty, and its op cycles through
 * `ops`. Grades carry a slip and the steps computed from it (the ECF path).
 */
export function mixedRequests(n: number, ops: readonly ('solve' | 'grade' | 'generate')[] = ['generate', 'solve', 'grade']): string[] {
  const lines: string[] = [];
  for (let i = 0; i < n; i++) {
    const topic = TOPICS[i % TOPICS.length].id;
    const difficulty = DIFFICULTIES[Math.floor(i / TOPICS.length) % 3];
    const seed = 10_000 + i;
    const op = ops[i % ops.length];
    if (op === 'generate') {
      lines.push(JSON.stringify({ op, topic, seed, difficulty, id: i }));
      continue;
    }
    const params = JSON.parse(JSON.stringify(generateProblem(topic, seed, difficulty).params)) as object;
    lines.push(
      op === 'solve'
        ? JSON.stringify({ op, topic, params, id: i })
        : JSON.stringify({ op, topic, params, answers: slippedAnswers(topic, params), id: i }),
    );
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

interface MixResult {
  name: string;
  whole: ReturnType<typeof summarise>;
  warm: number;
}

function benchMix(dir: string, name: string, lines: string[], pin: boolean): MixResult {
  const one = join(dir, `${name}.jsonl`);
  const four = join(dir, `${name}-x4.jsonl`);
  const text = lines.join('\n') + '\n';
  writeFileSync(one, text);
  writeFileSync(four, text.repeat(4));
  runOnce(one, pin); // warm the file cache
  const whole: number[] = [];
  const extra: number[] = [];
  for (let r = 0; r < RUNS; r++) {
    const t1 = runOnce(one, pin); // alternate, so drift hits both alike
    const t4 = runOnce(four, pin);
    whole.push(t1);
    extra.push(t4 - t1);
  }
  const w = summarise(whole);
  return { name, whole: w, warm: ((3 * REQUESTS) / summarise(extra).median) * 1000 };
}

function main(): void {
  const dir = mkdtempSync(join(tmpdir(), 'stepwise-bench-'));
  const empty = join(dir, 'empty.jsonl');
  writeFileSync(empty, '');
  const pin = hasTaskset();
  const mixes = [
    benchMix(dir, 'solve-grade', mixedRequests(REQUESTS, ['solve', 'grade']), pin),
    benchMix(dir, 'solve-grade-generate', mixedRequests(REQUESTS, ['generate', 'solve', 'grade']), pin),
  ];
  const start = summarise(Array.from({ length: RUNS }, () => runOnce(empty, pin)));
  console.log(`stepwise batch, ${REQUESTS} requests over all topics and difficulties, ${RUNS} runs${pin ? ', pinned to one core' : ''}, Node ${process.version}`);
  for (const m of mixes) {
    const rate = (REQUESTS / m.whole.median) * 1000;
    console.log(
      `  ${m.name.padEnd(22)} whole process: median ${m.whole.median.toFixed(0)} ms (min ${m.whole.min.toFixed(0)}, max ${m.whole.max.toFixed(0)}) → ${fmtRate(rate)} requests/s; warm process: ${fmtRate(m.warm)} requests/s`,
    );
  }
  console.log(`  process start (empty batch): median ${start.median.toFixed(0)} ms`);
  console.log('  target: ≥ 50,000 requests/s whole process (numpy reference for solve/grade: about 24,000)');
}

const fmtRate = (x: number): string => Math.round(x).toLocaleString('en');

if (process.argv[1]?.endsWith('batch.js')) main();
