/**
 * npm run bench:http — the API under load on loopback (the servers pinned to core 0 and the load
 * generator to core 1 where taskset exists):
 *  1. grade requests per second through POST /api/v1/topics/self-attention/grade, side by side
 *     (alternating rounds) with a bare express route echoing the same JSON body; the ratio;
 *  2. attempt submissions (graded and stored in SQLite) at 64 concurrent connections: p50/p99
 *     latency, throughput, and the server's peak resident memory.
 *
 *   node dist/bench/http.js [seconds per round] [rounds]
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import Database from 'better-sqlite3';
import { generateProblem } from '../src/engine.js';
import { slippedAnswers } from './core.js';
import { BENCH_KEY, freePort, rssMb, startEcho, startStepwise, stop } from './servers.js';
import { summarise } from './stats.js';

const SECONDS = Number(process.argv[2] ?? 5);
const ROUNDS = Number(process.argv[3] ?? 3);
const CONNECTIONS = 64;
/** Offered load for the latency target: about half of what one core stores flat out. */
const PACED_RATE = 500;

interface Run {
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  non2xx: number;
  peakRssMb: number;
}

async function load(
  url: string,
  path: string,
  body: string | ((i: number) => { path: string; body: string }),
  pid: number,
  overallRate?: number,
): Promise<Run> {
  let peak = 0;
  const sampler = setInterval(() => {
    void rssMb(pid).then((mb) => (peak = Math.max(peak, mb)), () => undefined);
  }, 100);
  let i = 0;
  const result = await autocannon({
    url,
    connections: CONNECTIONS,
    duration: SECONDS,
    ...(overallRate ? { overallRate } : {}),
    requests: [
      {
        method: 'POST',
        path,
        headers: { 'content-type': 'application/json', authorization: `Bearer ${BENCH_KEY}` },
        ...(typeof body === 'string' ? { body } : { setupRequest: (req: autocannon.Request) => ({ ...req, ...body(i++) }) }),
      },
    ],
  });
  clearInterval(sampler);
  peak = Math.max(peak, await rssMb(pid));
  return {
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
    peakRssMb: peak,
  };
}

async function main(): Promise<void> {
  const pinned = spawnSync('taskset', ['-p', '-c', '1', String(process.pid)]).status === 0;
  const cpu = pinned ? 0 : undefined;
  const dir = mkdtempSync(join(tmpdir(), 'stepwise-http-'));
  const dbFile = join(dir, 'bench.db');
  const stepwise = await startStepwise(dbFile, await freePort(), cpu);
  const echo = await startEcho(await freePort(), cpu);
  try {
    const p = JSON.parse(JSON.stringify(generateProblem('self-attention', 7, 'medium').params)) as object;
    const body = JSON.stringify({ params: p, answers: slippedAnswers('self-attention', p) });

    // Warm both servers, then alternate rounds so drift hits both alike.
    await load(stepwise.url, '/api/v1/topics/self-attention/grade', body, stepwise.pid);
    await load(echo.url, '/echo', body, echo.pid);
    const grade: Run[] = [];
    const bare: Run[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      grade.push(await load(stepwise.url, '/api/v1/topics/self-attention/grade', body, stepwise.pid));
      bare.push(await load(echo.url, '/echo', body, echo.pid));
    }
    const ratios = grade.map((g, k) => g.rps / bare[k].rps);

    // Attempts: 200 variants, each submission to one of them, graded and committed.
    const ids: string[] = [];
    for (let k = 0; k < 200; k++) {
      const res = await fetch(`${stepwise.url}/api/v1/variants`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${BENCH_KEY}` },
        body: JSON.stringify({ topic: 'self-attention', seed: k, difficulty: 'medium' }),
      });
      ids.push(((await res.json()) as { id: string }).id);
    }
    const answerBodies = ids.map((_id, k) => {
      const v = JSON.parse(JSON.stringify(generateProblem('self-attention', k, 'medium').params)) as object;
      return JSON.stringify({ answers: slippedAnswers('self-attention', v) });
    });
    const attempt = (i: number) => ({ path: `/api/v1/variants/${ids[i % ids.length]}/attempts`, body: answerBodies[i % ids.length] });
    const before = countAttempts(dbFile);
    const attempts = await load(stepwise.url, '/api/v1/variants/x/attempts', attempt, stepwise.pid);
    const paced = await load(stepwise.url, '/api/v1/variants/x/attempts', attempt, stepwise.pid, PACED_RATE);
    const stored = countAttempts(dbFile) - before;

    const med = (xs: number[]) => summarise(xs).median;
    console.log(`HTTP benchmark, loopback, ${CONNECTIONS} connections, ${ROUNDS} rounds × ${SECONDS} s${pinned ? ', servers on core 0, load on core 1' : ''}, Node ${process.version}`);
    console.log(`  grade (3×4 self-attention, one slip carried): median ${Math.round(med(grade.map((g) => g.rps)))} req/s, p99 ${med(grade.map((g) => g.p99))} ms`);
    console.log(`  bare express echo of the same body:          median ${Math.round(med(bare.map((g) => g.rps)))} req/s, p99 ${med(bare.map((g) => g.p99))} ms`);
    console.log(`  ratio grade / echo, per round: ${ratios.map((x) => x.toFixed(2)).join(', ')} → median ${med(ratios).toFixed(2)} (target ≥ 0.5)`);
    console.log(
      `  attempts stored (POST /variants/{id}/attempts), as fast as they go: ${Math.round(attempts.rps)} req/s, p50 ${attempts.p50} ms, p99 ${attempts.p99} ms, errors ${attempts.errors}, non-2xx ${attempts.non2xx}`,
    );
    console.log(
      `  attempts stored at an offered ${PACED_RATE} req/s over the same ${CONNECTIONS} connections: ${Math.round(paced.rps)} req/s, p50 ${paced.p50} ms, p99 ${paced.p99} ms (target ≤ 20), errors ${paced.errors}, non-2xx ${paced.non2xx}`,
    );
    console.log(`  ${stored} attempts committed in all`);
    console.log(`  server peak RSS under load: ${Math.max(...grade.map((g) => g.peakRssMb), attempts.peakRssMb, paced.peakRssMb).toFixed(0)} MB (target ≤ 300)`);
  } finally {
    await stop(stepwise);
    await stop(echo);
  }
}

/** Attempts committed so far, read from the database file beside the server (WAL allows a reader). */
function countAttempts(dbFile: string): number {
  const db = new Database(dbFile, { readonly: true });
  try {
    return (db.prepare('SELECT count(*) AS n FROM attempts').get() as { n: number }).n;
  } finally {
    db.close();
  }
}

if (process.argv[1]?.endsWith('http.js')) await main();
