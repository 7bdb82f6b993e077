/**
 * Artefact questions as jobs in the database: two API nodes on one SQLite file queue and serve the
 * same job; a model worker (the real child-process runner, tiny runs) computes it; the pictures
 * and the expected answer come from the database through either node; a failed job shows as
 * failed; the queue is bounded; a job whose worker died is taken over after its lease.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/api/app.js';
import { bootstrapInstructor } from '../../src/api/bootstrap.js';
import { katexAssetRoutes } from '../../src/lti/assets.js';
import { modelWorker, parseLabs } from '../../src/model-worker.js';
import type { ArtefactQuestion } from '../../src/models/questions.js';
import { ArtefactJobs } from '../../src/pages/artefact-jobs.js';
import { registerArtefactQuestion } from '../../src/engine.js';
import { SqliteStore } from '../../src/store/sqlite/index.js';
import type { Harness } from '../api/harness.js';
import { signIn, type PageClient } from './harness.js';
import { howMany as tinyHowMany } from '../artefact-fixtures.js';

const howMany: ArtefactQuestion = { ...tinyHowMany, id: 'stored-how-many' };
const broken: ArtefactQuestion = { ...howMany, id: 'stored-broken', show: ['vanilla:no-such-plot.png'] };
const other: ArtefactQuestion = { ...howMany, id: 'stored-other' };
const questions = new Map([howMany, broken, other].map((q) => [q.id, q]));

interface Node {
  store: SqliteStore;
  server: Server;
  url: string;
}

let dir: string;
let cache: string;
const savedCache = process.env.STEPWISE_CACHE;
const nodes: Node[] = [];
let a: PageClient;
let b: PageClient;

async function node(file: string, queueLimit = 32): Promise<Node> {
  const store = SqliteStore.open({ file });
  const { app } = createApp({
    store,
    rateLimitPerMinute: 0,
    authFailuresPerMinute: 0,
    extraRoutes: katexAssetRoutes(),
    artefactPages: { queueLimit, pollMs: 20, waitMs: 50, refreshSeconds: 1 },
  });
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const n = { store, server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
  nodes.push(n);
  return n;
}

/** The variant a practice page made: its Refresh header goes to it. */
const variantOf = (r: { headers: Headers }): string => /url=(\/practice\/v\/[\w-]+)/.exec(r.headers.get('refresh') ?? '')?.[1] ?? '';

beforeAll(async () => {
  for (const q of questions.values()) registerArtefactQuestion(q);
  dir = mkdtempSync(join(tmpdir(), 'stepwise-stored-art-'));
  cache = mkdtempSync(join(tmpdir(), 'stepwise-stored-art-cache-'));
  process.env.STEPWISE_CACHE = cache; // inherited by the runner's child process
  const file = join(dir, 'two-nodes.db');
  const first = await node(file);
  const second = await node(file);
  const { created } = await bootstrapInstructor(first.store);
  const res = await fetch(`${first.url}/api/v1/users`, { method: 'POST', headers: { authorization: `Bearer ${created}`, 'content-type': 'application/json' }, body: JSON.stringify({ name: 'Ada', role: 'student' }) });
  const key = ((await res.json()) as { apiKey: string }).apiKey;
  a = await signIn({ url: first.url } as Harness, key);
  b = await signIn({ url: second.url } as Harness, key);
});

afterAll(async () => {
  for (const n of nodes) {
    n.server.closeAllConnections();
    await new Promise((r) => n.server.close(r));
    await n.store.close();
  }
  rmSync(dir, { recursive: true, force: true });
  rmSync(cache, { recursive: true, force: true });
  if (savedCache === undefined) delete process.env.STEPWISE_CACHE;
  else process.env.STEPWISE_CACHE = savedCache;
});

describe('artefact questions as database jobs', () => {
  it('one job for both nodes, computed by a worker, served and graded through either node', async () => {
    const first = await a.get(`/practice/${howMany.id}?seed=5`);
    expect(first.status).toBe(202);
    expect(first.text).toMatch(/waiting|starting/);
    const path = variantOf(first);
    // The other node, the same question and seed: the same job.
    expect((await b.get(`/practice/${howMany.id}?seed=5`)).status).toBe(202);
    expect((await b.get(path)).status).toBe(202);
    const count = nodes[0]!.store.db.prepare('SELECT count(*) AS n FROM model_jobs').get() as { n: number };
    expect(count.n).toBe(1);

    const worker = modelWorker(nodes[0]!.store, { questions, executor: new ArtefactJobs({ queueLimit: 1 }), name: 'test-worker' });
    try {
      expect(await worker.once()).toBe(true);
      expect(await worker.once()).toBe(false); // nothing else queued
    } finally {
      await worker.stop();
    }

    const ready = await b.get(path);
    expect(ready.status).toBe(200);
    const src = /<img[^>]+src="(\/pages\/artefact-files\/[0-9a-f]{64}\.png)"/.exec(ready.text)?.[1];
    expect(src).toBeDefined();
    const png = await fetch(nodes[0]!.url + src!, { headers: { cookie: a.cookie! } });
    expect(png.status).toBe(200);
    expect(png.headers.get('content-type')).toBe('image/png');
    expect(Buffer.from(await png.arrayBuffer()).subarray(1, 4).toString()).toBe('PNG');
    // Without a session, no picture.
    expect((await fetch(nodes[1]!.url + src!)).status).toBe(401);

    // The expected answer is the stored one, whichever node grades.
    const stored = JSON.parse((await nodes[1]!.store.models.get(howMany.id, 5))!.view!) as { expected: number };
    expect(Number.isInteger(stored.expected)).toBe(true);
    const csrf = a.csrf((await a.get(path)).text);
    const right = await a.post(path, { _csrf: csrf, action: 'submit', 'answers[answer]': String(stored.expected) });
    expect(right.status).toBe(200);
    expect(right.text).toMatch(/data-step="answer"[^>]*data-status="correct"/);
    const wrong = await b.post(path, { _csrf: b.csrf((await b.get(path)).text), action: 'submit', 'answers[answer]': String(stored.expected + 1) });
    expect(wrong.text).toMatch(/data-step="answer"[^>]*data-status="incorrect"/);
  }, 120_000);

  it('shows a failed job as failed', async () => {
    const first = await a.get(`/practice/${broken.id}?seed=1`);
    expect(first.status).toBe(202);
    const path = variantOf(first);
    const worker = modelWorker(nodes[0]!.store, { questions, executor: new ArtefactJobs({ queueLimit: 1 }), name: 'test-worker' });
    try {
      expect(await worker.once()).toBe(true);
    } finally {
      await worker.stop();
    }
    expect((await nodes[0]!.store.models.get(broken.id, 1))?.state).toBe('failed');
    const r = await b.get(path);
    expect(r.status).toBe(503);
    expect(r.text).toContain('could not be computed');
  }, 120_000);

  it('takes over a job whose worker died, once its lease ran out; a worker for other labs leaves it', async () => {
    const first = await a.get(`/practice/${other.id}?seed=9`);
    expect(first.status).toBe(202);
    const path = variantOf(first);
    const clip = modelWorker(nodes[0]!.store, { questions, labs: ['clip'], executor: new ArtefactJobs({ queueLimit: 1 }), name: 'clip-worker' });
    expect(await clip.once()).toBe(false);
    await clip.stop();
    // A worker claims it with a short lease and dies without a word. (A second, not 300 ms: the live
    // worker's first look must come while the lease holds, and a loaded machine can take longer.)
    const claimedAt = Date.now();
    const LEASE_MS = 1_000;
    const claimed = await nodes[0]!.store.models.claim('dead-worker', claimedAt, LEASE_MS, [other.id]);
    expect(claimed).toMatchObject({ questionId: other.id, seed: 9, state: 'running' });
    const live = modelWorker(nodes[1]!.store, { questions, executor: new ArtefactJobs({ queueLimit: 1 }), name: 'live-worker' });
    try {
      expect(await live.once()).toBe(false); // still leased
      await new Promise((r) => setTimeout(r, Math.max(0, claimedAt + LEASE_MS + 50 - Date.now())));
      expect(await live.once()).toBe(true);
    } finally {
      await live.stop();
    }
    expect((await b.get(path)).status).toBe(200);
    // The dead worker's late report changes nothing.
    expect(await nodes[0]!.store.models.progress(other.id, 9, 'dead-worker', 0.5, Date.now() + 1000)).toBe(false);
  }, 120_000);

  it('bounds the queue: a full one answers 503 with Retry-After', async () => {
    const file = join(dir, 'bounded.db');
    const n = await node(file, 1);
    const { created } = await bootstrapInstructor(n.store);
    const res = await fetch(`${n.url}/api/v1/users`, { method: 'POST', headers: { authorization: `Bearer ${created}`, 'content-type': 'application/json' }, body: JSON.stringify({ name: 'Bo', role: 'student' }) });
    const c = await signIn({ url: n.url } as Harness, ((await res.json()) as { apiKey: string }).apiKey);
    expect((await c.get(`/practice/${howMany.id}?seed=1`)).status).toBe(202);
    const full = await c.get(`/practice/${howMany.id}?seed=2`);
    expect(full.status).toBe(503);
    expect(full.headers.get('retry-after')).toBe('30');
  });

  it('--labs names only the three labs', () => {
    expect(parseLabs(undefined)).toEqual(['gan', 'clip', 'tvlt']);
    expect(parseLabs('GAN, clip')).toEqual(['gan', 'clip']);
    expect(() => parseLabs('gan,bert')).toThrow(/"bert" is none of them/);
  });
});
