/**
 * Crash test: kill -9 the server while attempts are being submitted, restart it on the same
 * database, and check that every attempt whose 201 response was received is stored (with its step
 * rows), that no step row is orphaned, and that PRAGMA integrity_check passes.
 *
 * With `worker`, the server runs as two processes (STEPWISE_WORKERS=2) and one worker is killed
 * instead: the load goes on through the other (and its replacement), and every acknowledged attempt
 * must be readable through the server that is still up, with no restart.
 *
 * With `pg-node`, two API nodes (two `stepwise serve` processes on their own ports, as behind a load
 * balancer) share one PostgreSQL database (a private durable cluster started for the run); the load
 * goes to both, node A is killed, and every acknowledged attempt must be stored with its steps and
 * readable through node B.
 *
 *   npm run test:crash            (node dist/bench/crash.js [load ms] [concurrency] [server|worker|pg-node])
 * Exit status 0 when everything holds, 1 otherwise. tests/crash.test.ts runs a short version.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { generateProblem } from '../src/engine.js';
import { slippedAnswers } from './core.js';
import { BENCH_KEY, exited, freePort, processTree, startStepwise, stop } from './servers.js';
import { freshDatabase, startPgServer } from './pg-cluster.js';

export interface CrashReport {
  acknowledged: number;
  missing: string[];
  attemptsStored: number;
  attemptsWithoutSteps: number;
  orphanSteps: number;
  integrity: string;
  /** Worker kill only: acknowledged attempts that the surviving server did not serve back (GET /api/v1/attempts/{id}). */
  unreadable?: string[];
  ok: boolean;
}

export async function crashTest(loadMs = 2000, concurrency = 32, kill: 'server' | 'worker' | 'pg-node' = 'server'): Promise<CrashReport> {
  if (kill === 'pg-node') return pgNodeCrash(loadMs, concurrency);
  const dir = mkdtempSync(join(tmpdir(), 'stepwise-crash-'));
  const dbFile = join(dir, 'crash.db');
  const port = await freePort();
  const workers = kill === 'worker' ? 2 : 1;
  let server = await startStepwise(dbFile, port, undefined, workers);
  if (kill === 'worker') for (let i = 0; i < 200 && processTree(server.pid).length < 3; i++) await new Promise((r) => setTimeout(r, 25));
  const headers = { 'content-type': 'application/json', authorization: `Bearer ${BENCH_KEY}` };

  const variants: { id: string; body: string }[] = [];
  for (let k = 0; k < 20; k++) {
    const res = await fetch(`${server.url}/api/v1/variants`, { method: 'POST', headers, body: JSON.stringify({ topic: 'self-attention', seed: k }) });
    const v = (await res.json()) as { id: string; params: object };
    variants.push({ id: v.id, body: JSON.stringify({ answers: slippedAnswers('self-attention', JSON.parse(JSON.stringify(generateProblem('self-attention', k, 'medium').params)) as object) }) });
  }

  const acknowledged: string[] = [];
  let running = true;
  const submitter = async (n: number): Promise<void> => {
    for (let i = n; running; i += concurrency) {
      const v = variants[i % variants.length];
      try {
        // A client's own timeout: a connection the cluster's primary had accepted for a worker that
        // was then killed is never answered (Node hands it to no one); such a request is not acknowledged.
        const res = await fetch(`${server.url}/api/v1/variants/${v.id}/attempts`, { method: 'POST', headers, body: v.body, signal: AbortSignal.timeout(5_000) });
        if (res.status === 201) acknowledged.push(((await res.json()) as { id: string }).id);
      } catch {
        if (kill === 'server') return; // the server is gone
        // A worker died under this request: not acknowledged; the next one reaches a live worker.
      }
    }
  };
  const load = Array.from({ length: concurrency }, (_, n) => submitter(n));
  await new Promise((r) => setTimeout(r, loadMs));
  let unreadable: string[] | undefined;
  if (kill === 'worker') {
    // One worker dies mid-write; the other goes on, and a replacement is started.
    process.kill(processTree(server.pid)[1]!, 'SIGKILL');
    await new Promise((r) => setTimeout(r, loadMs));
    running = false;
    await Promise.all(load);
    unreadable = [];
    for (const id of acknowledged) {
      const res = await fetch(`${server.url}/api/v1/attempts/${id}`, { headers });
      if (res.status !== 200 || ((await res.json()) as { id?: string }).id !== id) unreadable.push(id);
    }
    await stop(server);
  } else {
    server.proc.kill('SIGKILL'); // no shutdown, no checkpoint: the WAL is all there is
    running = false;
    await Promise.all(load);
    await exited(server.proc);
    server = await startStepwise(dbFile, port); // recovery runs on open
    await stop(server);
  }

  const db = new Database(dbFile, { readonly: true });
  try {
    const stored = new Set((db.prepare('SELECT id FROM attempts').all() as { id: string }[]).map((r) => r.id));
    const missing = acknowledged.filter((id) => !stored.has(id));
    const withoutSteps = (db.prepare('SELECT count(*) AS n FROM attempts a WHERE NOT EXISTS (SELECT 1 FROM attempt_steps s WHERE s.attempt_id = a.id)').get() as { n: number }).n;
    const orphans = (db.prepare('SELECT count(*) AS n FROM attempt_steps s WHERE NOT EXISTS (SELECT 1 FROM attempts a WHERE a.id = s.attempt_id)').get() as { n: number }).n;
    const integrity = (db.pragma('integrity_check') as { integrity_check: string }[]).map((r) => r.integrity_check).join('; ');
    return {
      acknowledged: acknowledged.length,
      missing,
      attemptsStored: stored.size,
      attemptsWithoutSteps: withoutSteps,
      orphanSteps: orphans,
      integrity,
      ...(unreadable ? { unreadable } : {}),
      ok: missing.length === 0 && withoutSteps === 0 && orphans === 0 && integrity === 'ok' && acknowledged.length > 0 && (unreadable?.length ?? 0) === 0,
    };
  } finally {
    db.close();
  }
}

/** Two API nodes on one PostgreSQL database; node A is killed under load; node B serves every acknowledged attempt. */
async function pgNodeCrash(loadMs: number, concurrency: number): Promise<CrashReport> {
  const pg = await startPgServer({ durable: true });
  if (!pg) throw new Error("the pg-node crash test needs Debian's postgresql (apt-get install postgresql)");
  try {
    const url = await freshDatabase(pg.url);
    const a = await startStepwise({ url }, await freePort());
    const b = await startStepwise({ url }, await freePort());
    const headers = { 'content-type': 'application/json', authorization: `Bearer ${BENCH_KEY}` };
    const variants: { id: string; body: string }[] = [];
    for (let k = 0; k < 20; k++) {
      const res = await fetch(`${(k % 2 ? a : b).url}/api/v1/variants`, { method: 'POST', headers, body: JSON.stringify({ topic: 'self-attention', seed: k }) });
      const v = (await res.json()) as { id: string };
      variants.push({ id: v.id, body: JSON.stringify({ answers: slippedAnswers('self-attention', JSON.parse(JSON.stringify(generateProblem('self-attention', k, 'medium').params)) as object) }) });
    }
    const acknowledged: string[] = [];
    let running = true;
    let aDead = false;
    const submitter = async (n: number): Promise<void> => {
      for (let i = n; running; i += concurrency) {
        const v = variants[i % variants.length];
        // The load balancer's view: both nodes while A lives, then B alone.
        const node = i % 2 === 0 && !aDead ? a : b;
        try {
          const res = await fetch(`${node.url}/api/v1/variants/${v.id}/attempts`, { method: 'POST', headers, body: v.body, signal: AbortSignal.timeout(5_000) });
          if (res.status === 201) acknowledged.push(((await res.json()) as { id: string }).id);
        } catch {
          // A died under this request: not acknowledged.
        }
      }
    };
    const load = Array.from({ length: concurrency }, (_, n) => submitter(n));
    await new Promise((r) => setTimeout(r, loadMs));
    a.proc.kill('SIGKILL');
    aDead = true;
    await new Promise((r) => setTimeout(r, loadMs));
    running = false;
    await Promise.all(load);
    const unreadable: string[] = [];
    for (const id of acknowledged) {
      const res = await fetch(`${b.url}/api/v1/attempts/${id}`, { headers });
      if (res.status !== 200 || ((await res.json()) as { id?: string }).id !== id) unreadable.push(id);
    }
    await stop(b);
    const { default: pgLib } = await import('pg');
    const c = new pgLib.Client({ connectionString: url });
    await c.connect();
    try {
      const count = async (sql: string) => Number((await c.query<{ n: string }>(sql)).rows[0].n);
      const stored = new Set((await c.query<{ id: string }>('SELECT id FROM attempts')).rows.map((r) => r.id));
      const missing = acknowledged.filter((id) => !stored.has(id));
      const withoutSteps = await count('SELECT count(*) AS n FROM attempts a WHERE NOT EXISTS (SELECT 1 FROM attempt_steps s WHERE s.attempt_id = a.id)');
      const orphans = await count('SELECT count(*) AS n FROM attempt_steps s WHERE NOT EXISTS (SELECT 1 FROM attempts a WHERE a.id = s.attempt_id)');
      return {
        acknowledged: acknowledged.length,
        missing,
        attemptsStored: stored.size,
        attemptsWithoutSteps: withoutSteps,
        orphanSteps: orphans,
        integrity: 'ok (PostgreSQL: foreign keys enforced)',
        unreadable,
        ok: missing.length === 0 && withoutSteps === 0 && orphans === 0 && acknowledged.length > 0 && unreadable.length === 0,
      };
    } finally {
      await c.end();
    }
  } finally {
    pg.stop();
  }
}

if (process.argv[1]?.endsWith('crash.js')) {
  const kill = process.argv[4] === 'worker' ? 'worker' : process.argv[4] === 'pg-node' ? 'pg-node' : 'server';
  const report = await crashTest(Number(process.argv[2] ?? 3000), Number(process.argv[3] ?? 32), kill);
  console.log(
    `kill -9 ${kill === 'worker' ? 'of one of two workers' : kill === 'pg-node' ? 'of one of two API nodes on PostgreSQL' : ''} under load: ${report.acknowledged} attempts acknowledged, ${report.attemptsStored} stored${kill !== 'server' ? `, ${report.unreadable?.length ?? 0} not served back by the ${kill === 'pg-node' ? 'node' : 'server'} still up` : ' after restart'}, ` +
      `${report.missing.length} acknowledged but missing, ${report.attemptsWithoutSteps} without step rows, ${report.orphanSteps} orphan step rows, integrity_check: ${report.integrity}`,
  );
  console.log(report.ok ? 'PASS' : 'FAIL');
  process.exitCode = report.ok ? 0 : 1;
}
