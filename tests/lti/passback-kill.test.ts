/**
 * A passback worker killed in the middle of a post (issue 11's fault test), with real processes: a
 * node's outbox worker runs as its own process on a PostgreSQL database and is killed -9 while the
 * LMS (a Moodle-like platform that refuses a score not newer than the one it holds) is answering its
 * post. Another node's worker takes the job once the lease runs out and posts it again: the job ends
 * done, and the gradebook holds the student's score once, with the attempt's value — a retried post
 * never double-counts. Needs the build (the child imports dist/) and Debian's PostgreSQL.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PACKAGE_ROOT } from '../../src/core/paths.js';
import { PgStore } from '../../src/store/pg/index.js';
import { freshDatabase, pgInstalled, pgRequiredOnCi, startPgServer, type PgServer } from '../pg-server.js';
import { startLti, type LtiHarness } from './harness.js';

pgRequiredOnCi();

const LEASE_MS = 2_000;
let server: PgServer | undefined;
let h: LtiHarness | undefined;
let child: ChildProcess | undefined;

beforeAll(async () => {
  server = await startPgServer();
}, 60_000);

afterAll(async () => {
  child?.kill('SIGKILL');
  await h?.close();
  server?.stop();
});

const until = async (f: () => Promise<boolean> | boolean, ms: number, what: string): Promise<void> => {
  const end = Date.now() + ms;
  while (!(await f())) {
    if (Date.now() > end) throw new Error(`timed out waiting: ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
};

describe.skipIf(!pgInstalled())('a passback worker killed mid-post', () => {
  it('the job is taken over after the lease and the score is in the gradebook once', async () => {
    const url = await freshDatabase(server!.url);
    // This node's own worker stays off until the "restart" below.
    h = await startLti({ store: () => PgStore.open({ url, max: 4 }), manualPassback: true, outbox: { pollMs: 50, leaseMs: LEASE_MS, baseDelayMs: 200, maxDelayMs: 1000 } });
    await h.lti.outbox.stop(); // not even woken by the attempt: only the child posts at first
    h.platform.moodleTimestamps = true;
    h.platform.scoreDelayMs = 1_500; // the LMS is slow: the kill lands while it holds the post

    const r = await h.launch({ claims: (c) => ({ ...c, sub: 'killed-mid-post' }) });
    expect(r.status, r.text).toBe(200);
    const res = await fetch(`${h.url}/api/v1/variants/${r.body.variantId}/attempts`, {
      method: 'POST',
      headers: { authorization: `Bearer ${r.body.apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ answers: {} }),
    });
    expect(res.status).toBe(201);
    const attempt = (await res.json()) as { id: string; score: number };

    child = spawn(process.execPath, [join(PACKAGE_ROOT, 'tests/fixtures/processes/outbox-worker.mjs'), url, h.url, String(LEASE_MS)], { stdio: ['ignore', 'pipe', 'inherit'] });
    await until(() => h!.platform.scores.length > 0, 20_000, 'the child posts the score');
    child.kill('SIGKILL');
    const killedAt = Date.now();
    const [job] = await h.store.passback.list('pending', 10);
    expect(job?.attemptId).toBe(attempt.id); // claimed by the dead worker, never marked done

    // The restart: this node's worker. The job is leased until the dead worker's lease runs out.
    h.lti.outbox.start();
    await until(async () => (await h!.store.passback.list('done', 10)).length === 1, 20_000, 'the job is done');
    expect(Date.now() - killedAt).toBeGreaterThanOrEqual(LEASE_MS - 1_000);
    expect(await h.store.passback.list('pending', 10)).toEqual([]);
    expect(await h.store.passback.list('dead', 10)).toEqual([]);

    // The LMS got the post twice (the dead worker's arrived); its gradebook holds one score, the attempt's.
    expect(h.platform.scores.length).toBeGreaterThanOrEqual(2);
    const held = [...h.platform.gradebook.values()];
    expect(held).toHaveLength(1);
    expect(held[0]).toMatchObject({ userId: 'killed-mid-post', scoreGiven: attempt.score });
  }, 90_000);
});
