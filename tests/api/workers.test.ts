/**
 * STEPWISE_WORKERS: several server processes on one port and one SQLite file behave as one server.
 * Every request here opens a new connection, so the primary deals them out to the workers in turn;
 * what one worker learns (a stored attempt, a revoked key, failed authentications, rate-limit
 * counts) must hold through the others.
 */
import http from 'node:http';
import Database from 'better-sqlite3';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BENCH_KEY, CLI, exited, freePort, startNode, stop, type Child } from '../../bench/servers.js';
import { stepwise } from '../cli-helpers.js';

interface Reply {
  status: number;
  body: any;
}

/** One request on a connection of its own (no keep-alive: the next one may reach another worker). */
function call(url: string, method: string, path: string, key?: string, body?: unknown): Promise<Reply> {
  const u = new URL(path, url);
  const data = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = http.request(
      u,
      {
        method,
        agent: false,
        headers: { ...(key ? { authorization: `Bearer ${key}` } : {}), ...(data ? { 'content-type': 'application/json' } : {}) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({ status: res.statusCode ?? 0, body: text.startsWith('{') ? JSON.parse(text) : text });
        });
      },
    );
    req.on('error', reject);
    req.end(data);
  });
}

/** A process's own children (a cluster's workers, not their children). */
const workersOf = (pid: number): number[] => {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(' ').filter(Boolean).map(Number);
  } catch {
    return [];
  }
};

const env = (extra: Record<string, string>) => ({ STEPWISE_BOOTSTRAP_KEY: BENCH_KEY, STEPWISE_LOG_LEVEL: 'silent', STEPWISE_WORKERS: '2', ...extra });
const times = async (n: number, f: () => Promise<Reply>): Promise<number[]> => {
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push((await f()).status);
  return out;
};

describe('two server processes on one database', () => {
  let server: Child;
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'stepwise-workers-'));
    server = await startNode(CLI, ['serve'], env({ STEPWISE_DB: join(dir, 'a.db'), STEPWISE_AUTH_FAILURE_LIMIT: '0', STEPWISE_RATE_LIMIT: '0' }), await freePort());
    // The primary and its two workers.
    for (let i = 0; i < 100 && workersOf(server.pid).length < 2; i++) await new Promise((r) => setTimeout(r, 50));
  }, 30_000);
  afterAll(async () => {
    if (server) await stop(server);
  });

  it('runs a primary and two workers', () => {
    expect(workersOf(server.pid)).toHaveLength(2);
  });

  it('an attempt stored through one worker is read back through every other at once', async () => {
    const student = await call(server.url, 'POST', '/api/v1/users', BENCH_KEY, { name: 'Ada', role: 'student' });
    expect(student.status).toBe(201);
    const key = student.body.apiKey as string;
    const v = await call(server.url, 'POST', '/api/v1/variants', key, { topic: 'self-attention', seed: 3 });
    expect(v.status).toBe(201);
    const a = await call(server.url, 'POST', `/api/v1/variants/${v.body.id}/attempts`, key, { answers: {} });
    expect(a.status).toBe(201);
    const reads = await Promise.all(Array.from({ length: 6 }, () => call(server.url, 'GET', `/api/v1/attempts/${a.body.id}`, key)));
    expect(reads.map((r) => r.status)).toEqual([200, 200, 200, 200, 200, 200]);
    expect(new Set(reads.map((r) => r.body.id))).toEqual(new Set([a.body.id]));
  });

  it('a key revoked through one worker stops working on every worker within 1 s', async () => {
    const student = await call(server.url, 'POST', '/api/v1/users', BENCH_KEY, { name: 'Grace', role: 'student' });
    const key = student.body.apiKey as string;
    // Every worker has looked the key up (and cached it).
    expect(await times(6, () => call(server.url, 'GET', '/api/v1/users/me', key))).toEqual([200, 200, 200, 200, 200, 200]);
    const revoked = await call(server.url, 'DELETE', `/api/v1/keys/${student.body.key.id}`, key);
    expect(revoked.status).toBe(200);
    await new Promise((r) => setTimeout(r, 1_050));
    expect(await times(6, () => call(server.url, 'GET', '/api/v1/users/me', key))).toEqual([401, 401, 401, 401, 401, 401]);
  });

  it("an exam's release shows at once through every worker", async () => {
    const exam = await call(server.url, 'POST', '/api/v1/exams', BENCH_KEY, { title: 'Across workers', blueprint: [{ topic: 'kl-discrete', count: 1, difficulty: 'easy' }], versions: 1 });
    expect(exam.status).toBe(201);
    const student = await call(server.url, 'POST', '/api/v1/users', BENCH_KEY, { name: 'Emmy', role: 'student' });
    const key = student.body.apiKey as string;
    const mine = await call(server.url, 'GET', `/api/v1/exams/${exam.body.id}/my-version`, key);
    expect(mine.status).toBe(200);
    const a = await call(server.url, 'POST', `/api/v1/variants/${mine.body.variants[0].id}/attempts`, key, { answers: {} });
    expect(a.status).toBe(201);
    // Before release no worker shows the key; released through one, every worker shows it.
    const hidden = await Promise.all(Array.from({ length: 4 }, () => call(server.url, 'GET', `/api/v1/attempts/${a.body.id}`, key)));
    expect(hidden.map((r) => r.body.revealed)).toEqual([false, false, false, false]);
    expect((await call(server.url, 'POST', `/api/v1/exams/${exam.body.id}/release`, BENCH_KEY, { force: true })).status).toBe(200);
    const shown = await Promise.all(Array.from({ length: 4 }, () => call(server.url, 'GET', `/api/v1/attempts/${a.body.id}`, key)));
    expect(shown.map((r) => r.body.revealed)).toEqual([true, true, true, true]);
    expect(shown.every((r) => 'expected' in r.body.steps[0])).toBe(true);
  });

  it('runs one model worker for the whole server, not one per process', async () => {
    const db = new Database(join(dir, 'a.db'));
    db.pragma('busy_timeout = 5000');
    try {
      // Jobs that fail at once (a seed no run takes), queued one after another: with a model worker
      // in each process, whichever polls first would take each (two names, all but surely, in six).
      const add = db.prepare("INSERT INTO model_jobs (question_id, seed, state, created_at, updated_at) VALUES ('gan-optimal-d', ?, 'queued', ?, ?)");
      const stateOf = db.prepare<[number], { state: string; worker: string | null }>("SELECT state, worker FROM model_jobs WHERE question_id = 'gan-optimal-d' AND seed = ?");
      for (let k = 1; k <= 6; k++) {
        const now = Date.now();
        add.run(-k, now, now);
        for (let i = 0; i < 100 && stateOf.get(-k)!.state !== 'failed'; i++) await new Promise((r) => setTimeout(r, 50));
        expect(stateOf.get(-k)!.state).toBe('failed');
      }
      const names = new Set((db.prepare("SELECT worker FROM model_jobs WHERE question_id = 'gan-optimal-d'").all() as { worker: string }[]).map((r) => r.worker));
      expect(names.size).toBe(1);
      expect(workersOf(server.pid).map(String)).toContain([...names][0]!.split(':').pop());
    } finally {
      db.prepare("DELETE FROM model_jobs WHERE question_id = 'gan-optimal-d'").run();
      db.close();
    }
  }, 30_000);

  it('replaces a worker killed with SIGKILL, and stops cleanly on SIGTERM', async () => {
    const [victim] = workersOf(server.pid);
    process.kill(victim!, 'SIGKILL');
    for (let i = 0; i < 100; i++) {
      const now = workersOf(server.pid);
      if (now.length === 2 && !now.includes(victim!)) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    const workers = workersOf(server.pid);
    expect(workers).toHaveLength(2);
    expect(workers).not.toContain(victim);
    expect(await times(4, () => call(server.url, 'GET', '/healthz'))).toEqual([200, 200, 200, 200]);
    const done = exited(server.proc);
    server.proc.kill('SIGTERM');
    await done;
    expect(server.proc.exitCode).toBe(0);
    const alive = (pid: number) => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    };
    expect(workers.filter(alive)).toEqual([]);
  }, 20_000);
});

describe('the limits with two workers', () => {
  it('counts failed authentications once for the whole server', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'stepwise-workers-'));
    const server = await startNode(CLI, ['serve'], env({ STEPWISE_DB: join(dir, 'f.db'), STEPWISE_AUTH_FAILURE_LIMIT: '6' }), await freePort());
    try {
      // Limit 6 a minute per address: spread over two workers, each would have seen only about 3.
      const statuses = await times(9, () => call(server.url, 'GET', '/api/v1/users/me', `sw_wrong_guess_${Math.random()}`));
      expect(statuses.slice(0, 6)).toEqual([401, 401, 401, 401, 401, 401]);
      expect(statuses.slice(6)).toEqual([429, 429, 429]);
    } finally {
      await stop(server);
    }
  }, 30_000);


  it('counts requests once for the whole server, whichever worker answers', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'stepwise-workers-'));
    const server = await startNode(CLI, ['serve'], env({ STEPWISE_DB: join(dir, 'b.db'), STEPWISE_RATE_LIMIT: '5' }), await freePort());
    try {
      const statuses = await times(8, () => call(server.url, 'GET', '/api/v1/topics', BENCH_KEY));
      expect(statuses).toEqual([200, 200, 200, 200, 200, 429, 429, 429]);
    } finally {
      await stop(server);
    }
  }, 30_000);
});

describe('STEPWISE_WORKERS', () => {
  it.each(['0', '65', '1.5', 'many'])('refuses %s, naming the variable', (value) => {
    const r = stepwise(['serve'], undefined, { STEPWISE_WORKERS: value, STEPWISE_DB: join(mkdtempSync(join(tmpdir(), 'stepwise-workers-')), 'c.db'), PORT: '0' });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/STEPWISE_WORKERS must be "auto" or an integer from 1 to 64/);
  });
});
