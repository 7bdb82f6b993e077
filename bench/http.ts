/**
 * npm run bench:http — the API under load on loopback (the servers pinned to core 0 and the load
 * generator to core 1 where taskset exists):
 *  1. grade requests per second through POST /api/v1/topics/self-attention/grade, side by side
 *     (alternating rounds) with a bare express route echoing the same JSON body; the ratio;
 *  2. attempt submissions (graded and stored in SQLite): flat out over 64 connections (throughput,
 *     latency under saturation), then arriving evenly at fixed rates over up to 64 connections
 *     (p50/p99 latency, the target), and the server's peak resident memory throughout.
 *
 * With a third argument, the attempts part also runs on other server set-ups, one after the other
 * on fresh databases: `sqlite-1` (one process, as above), `sqlite-2` (STEPWISE_WORKERS=2 on one
 * SQLite file; the processes and the load share both cores), `pg-1` and `pg-2` (the same on one
 * PostgreSQL database: a private cluster of Debian's PostgreSQL with its default durability, each
 * commit flushed, started for the run), side by side in one run.
 *
 *   node dist/bench/http.js [seconds per round] [rounds] [set-ups: sqlite-1,sqlite-2,pg-1,pg-2]
 */
import { spawnSync } from 'node:child_process';
import http from 'node:http';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import Database from 'better-sqlite3';
import { generateProblem } from '../src/engine.js';
import { slippedAnswers } from './core.js';
import { BENCH_KEY, freePort, rssMb, startEcho, startStepwise, stop } from './servers.js';
import { summarise } from './stats.js';
import { freshDatabase, startPgServer, type PgServer } from './pg-cluster.js';

const SECONDS = Number(process.argv[2] ?? 5);
const ROUNDS = Number(process.argv[3] ?? 3);
const CONNECTIONS = 64;
/** Arrival rates for the latency target: about a third and two thirds of what one core stores flat out. */
const PACED_RATES = [500, 1000];
const SETUPS = (process.argv[4] ?? '').split(',').filter(Boolean);
for (const x of SETUPS) if (!/^(sqlite|pg)-[12]$/.test(x)) throw new Error(`set-ups are sqlite-1, sqlite-2, pg-1 and pg-2 (comma-separated), got "${x}"`);

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
    const paced = [];
    for (const rate of PACED_RATES) paced.push({ rate, ...(await pacedLoad(stepwise.url, rate, SECONDS, attempt, stepwise.pid)) });
    const stored = countAttempts(dbFile) - before;

    const med = (xs: number[]) => summarise(xs).median;
    console.log(`HTTP benchmark, loopback, ${CONNECTIONS} connections, ${ROUNDS} rounds × ${SECONDS} s${pinned ? ', servers on core 0, load on core 1' : ''}, Node ${process.version}`);
    console.log(`  grade (3×4 self-attention, one slip carried): median ${Math.round(med(grade.map((g) => g.rps)))} req/s, p99 ${med(grade.map((g) => g.p99))} ms`);
    console.log(`  bare express echo of the same body:          median ${Math.round(med(bare.map((g) => g.rps)))} req/s, p99 ${med(bare.map((g) => g.p99))} ms`);
    console.log(`  ratio grade / echo, per round: ${ratios.map((x) => x.toFixed(2)).join(', ')} → median ${med(ratios).toFixed(2)} (target ≥ 0.5)`);
    console.log(
      `  attempts stored (POST /variants/{id}/attempts), as fast as they go: ${Math.round(attempts.rps)} req/s, p50 ${attempts.p50} ms, p99 ${attempts.p99} ms, errors ${attempts.errors}, non-2xx ${attempts.non2xx}`,
    );
    for (const p of paced) {
      console.log(
        `  attempts stored, ${p.rate} req/s arriving evenly over up to ${CONNECTIONS} connections: p50 ${p.p50.toFixed(1)} ms, p99 ${p.p99.toFixed(1)} ms (target ≤ 20), max ${p.max.toFixed(1)} ms, achieved ${Math.round(p.achieved)} req/s, failed ${p.failed}`,
      );
    }
    console.log(`  ${stored} attempts committed in all`);
    console.log(`  server peak RSS under load: ${Math.max(...grade.map((g) => g.peakRssMb), attempts.peakRssMb, ...paced.map((p) => p.peakRssMb)).toFixed(0)} MB (target ≤ 300)`);
  } finally {
    await stop(stepwise);
    await stop(echo);
  }
  const pg = SETUPS.some((x) => x.startsWith('pg-')) ? await startPgServer({ durable: true }) : undefined;
  if (SETUPS.some((x) => x.startsWith('pg-')) && !pg) throw new Error('the pg set-ups need Debian\'s postgresql (apt-get install postgresql)');
  try {
    for (const setup of SETUPS) await attemptsOn(setup, pg);
  } finally {
    pg?.stop();
  }
}

/** The attempts part alone on a fresh database: one process pinned to core 0, or two sharing the cores. */
async function attemptsOn(setup: string, pg: PgServer | undefined): Promise<void> {
  const workers = setup.endsWith('-2') ? 2 : 1;
  const onPg = setup.startsWith('pg-');
  // PostgreSQL's own processes need a core too: a pg set-up is never pinned.
  const pinned = !onPg && spawnSync('taskset', ['-p', '-c', workers === 1 ? '1' : '0-1', String(process.pid)]).status === 0 && workers === 1;
  if (onPg) spawnSync('taskset', ['-p', '-c', '0-1', String(process.pid)]);
  const dir = mkdtempSync(join(tmpdir(), 'stepwise-http-'));
  const dbFile = join(dir, 'bench.db');
  const url = onPg ? await freshDatabase(pg!.url) : undefined;
  const server = await startStepwise(url ? { url } : dbFile, await freePort(), pinned ? 0 : undefined, workers);
  try {
    const ids: string[] = [];
    for (let k = 0; k < 200; k++) {
      const res = await fetch(`${server.url}/api/v1/variants`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${BENCH_KEY}` },
        body: JSON.stringify({ topic: 'self-attention', seed: k, difficulty: 'medium' }),
      });
      ids.push(((await res.json()) as { id: string }).id);
    }
    const bodies = ids.map((_id, k) => JSON.stringify({ answers: slippedAnswers('self-attention', JSON.parse(JSON.stringify(generateProblem('self-attention', k, 'medium').params)) as object) }));
    const attempt = (i: number) => ({ path: `/api/v1/variants/${ids[i % ids.length]}/attempts`, body: bodies[i % ids.length] });
    await load(server.url, '/api/v1/variants/x/attempts', attempt, server.pid); // warm
    const flat = await load(server.url, '/api/v1/variants/x/attempts', attempt, server.pid);
    const at500 = await pacedLoad(server.url, 500, SECONDS, attempt, server.pid);
    const how = workers === 1 ? `one process${pinned ? ' on core 0, load on core 1' : ', the load and the database sharing both cores'}` : `two processes (STEPWISE_WORKERS=2)${onPg ? ', PostgreSQL' : ''} and the load sharing both cores`;
    console.log(
      `${setup} (${onPg ? 'PostgreSQL' : 'SQLite'}, ${how}), Node ${process.version}: attempts stored flat out ${Math.round(flat.rps)} req/s (p99 ${flat.p99} ms, errors ${flat.errors}, non-2xx ${flat.non2xx}); at 500 req/s arriving evenly p50 ${at500.p50.toFixed(1)} ms, p99 ${at500.p99.toFixed(1)} ms, failed ${at500.failed}; peak RSS ${Math.max(flat.peakRssMb, at500.peakRssMb).toFixed(0)} MB, ${url ? await countPgAttempts(url) : countAttempts(dbFile)} attempts committed`,
    );
  } finally {
    await stop(server);
  }
}

/**
 * Open-loop load: requests start on a fixed schedule (`rate` per second, evenly spaced) over a pool
 * of up to CONNECTIONS keep-alive connections, whatever the replies do — the way a class submits.
 * (autocannon's rate option sends in bursts, which measures its own pacing more than the server.)
 */
async function pacedLoad(
  url: string,
  rate: number,
  seconds: number,
  request: (k: number) => { path: string; body: string },
  pid: number,
): Promise<{ p50: number; p99: number; max: number; achieved: number; failed: number; peakRssMb: number }> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONNECTIONS });
  const { hostname, port } = new URL(url);
  const headers = { 'content-type': 'application/json', authorization: `Bearer ${BENCH_KEY}` };
  const one = (k: number): Promise<number> =>
    new Promise((resolve) => {
      const { path, body } = request(k);
      const t0 = process.hrtime.bigint();
      const req = http.request({ host: hostname, port, method: 'POST', path, headers, agent }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode === 201 ? Number(process.hrtime.bigint() - t0) / 1e6 : -1));
      });
      req.on('error', () => resolve(-1));
      req.end(body);
    });
  let peak = 0;
  const sampler = setInterval(() => void rssMb(pid).then((mb) => (peak = Math.max(peak, mb)), () => undefined), 100);
  const n = rate * seconds;
  const pending: Promise<number>[] = [];
  const t0 = performance.now();
  for (let k = 0; k < n; k++) {
    const wait = t0 + (k * 1000) / rate - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    pending.push(one(k));
  }
  const results = await Promise.all(pending);
  const elapsed = (performance.now() - t0) / 1000;
  clearInterval(sampler);
  agent.destroy();
  const ok = results.filter((ms) => ms >= 0);
  const lat = summarise(ok);
  return { p50: lat.median, p99: lat.p99, max: lat.max, achieved: n / elapsed, failed: results.length - ok.length, peakRssMb: peak };
}

/** Attempts committed so far, read from the database file beside the server (WAL allows a reader). */
async function countPgAttempts(url: string): Promise<number> {
  const { default: pg } = await import('pg');
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return Number((await c.query<{ n: string }>('SELECT count(*) AS n FROM attempts')).rows[0].n);
  } finally {
    await c.end();
  }
}

function countAttempts(dbFile: string): number {
  const db = new Database(dbFile, { readonly: true });
  try {
    return (db.prepare('SELECT count(*) AS n FROM attempts').get() as { n: number }).n;
  } finally {
    db.close();
  }
}

if (process.argv[1]?.endsWith('http.js')) await main();
