/**
 * The durable job queues' contract, for every backend: the grade passback outbox (store.passback:
 * filled in the attempt's own write, claimed under a lease, retried, dead letter) and model runs
 * (store.models: a bounded queue, leases, progress by the holder only, results in one write). Claims
 * and the queue bound are checked with many concurrent callers through two nodes.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { addAttempt, addUser, addVariant, type LtiHarness, type LtiNode, type MakeLtiHarness } from './lti-harness.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Opens connections on both nodes first (PostgreSQL pools), so the calls that follow do run at once. */
const warm = (h: LtiHarness) => Promise.all(Array.from({ length: 16 }, (_, i) => (i % 2 ? h.other : h).passback.counts()));
const nodeOf = (h: LtiHarness, i: number): LtiNode => (i % 2 ? h.other : h);

/** A launched student (with a line item when `lineItem`), their variant; returns the variant id. */
async function launched(h: LtiHarness, user: string, lineItem: boolean): Promise<string> {
  const p = (await h.lti.listPlatforms())[0] ?? (await h.lti.createPlatform({ name: 'LMS', issuer: 'https://lms.example', clientId: 'c', authLoginUrl: 'https://lms.example/a', authTokenUrl: 'https://lms.example/t', jwksUrl: 'https://lms.example/j', deploymentIds: ['d'] }))!;
  const link = await h.lti.upsertResourceLink({ platformId: p.id, deploymentId: 'd', resourceLinkId: 'rl' });
  await addUser(h, user, `sub-${user}`);
  await addVariant(h, `v-${user}`, user);
  await h.lti.createLaunch({ userId: user, resourceLink: link.id, variantId: `v-${user}`, ...(lineItem ? { lineItemUrl: 'https://lms.example/li/1' } : {}) });
  return `v-${user}`;
}

export function jobsContract(name: string, make: MakeLtiHarness, ready: () => boolean = () => true): void {
  describe(`job queues contract: ${name}`, () => {
    let h: LtiHarness;
    beforeEach(async (ctx) => {
      if (!ready()) return ctx.skip();
      h = await make();
    });
    afterEach(async () => h?.close());

    it('writes a passback job with an online attempt at a variant launched from a line item, and only then', async () => {
      const t0 = Date.now();
      const v = await launched(h, 'u1', true);
      const w = await launched(h, 'u2', false);
      await addAttempt(h, 'a1', v, 'u1');
      await addAttempt(h, 'a2', v, 'u1', 'paper');
      await addAttempt(h, 'a3', w, 'u2');
      const jobs = await h.passback.list('pending', 10);
      expect(jobs.map((j) => j.attemptId)).toEqual(['a1']);
      const j = jobs[0]!;
      expect(j).toMatchObject({ attemptId: 'a1', state: 'pending', tries: 0 });
      expect(Math.abs(Date.parse(j.dueAt) - t0)).toBeLessThan(10_000);
      expect(Math.abs(Date.parse(j.createdAt) - t0)).toBeLessThan(10_000);
      expect(j).not.toHaveProperty('doneAt');
      expect(j).not.toHaveProperty('lastError');
      expect(await h.other.passback.get(j.id)).toEqual(j);
    });

    it('claims due jobs under a lease, then done, failed with backoff, dead, retried', async () => {
      const v = await launched(h, 'u1', true);
      for (const a of ['a1', 'a2', 'a3']) await addAttempt(h, a, v, 'u1');
      const [j1, j2, j3] = (await h.passback.list('pending', 10)).reverse();
      const e = await h.passback.enqueue('a1');
      expect(e).toMatchObject({ attemptId: 'a1', state: 'pending', tries: 0 });
      expect(e.id).toBeGreaterThan(j3!.id);
      const now = Date.now() + 1000;
      expect(await h.passback.dueCount(now)).toBe(4);
      const first = await h.passback.claim(now, 2, 60_000);
      expect(first.map((j) => j.id)).toEqual([j1!.id, j2!.id]);
      expect(await h.other.passback.claim(now, 10, 60_000)).toEqual([j3, e].map((j) => expect.objectContaining({ id: j!.id })));
      expect(await h.passback.claim(now, 10, 60_000)).toEqual([]);
      expect(await h.passback.dueCount(now)).toBe(0);
      // The lease runs out: due again.
      expect((await h.passback.claim(now + 60_000, 1, 60_000)).map((j) => j.id)).toEqual([j1!.id]);

      await h.passback.done(j1!.id, 200);
      expect(await h.passback.get(j1!.id)).toMatchObject({ state: 'done', tries: 1, lastStatus: 200 });
      expect((await h.passback.get(j1!.id))!.doneAt).toBeDefined();
      await h.passback.failed(j2!.id, 'x'.repeat(1500), 503, now + 5000);
      const f = (await h.passback.get(j2!.id))!;
      expect(f).toMatchObject({ state: 'pending', tries: 1, lastStatus: 503, dueAt: new Date(now + 5000).toISOString() });
      expect(f.lastError).toHaveLength(1000);
      expect(await h.passback.dueCount(now + 4999)).toBe(0); // its lease was cleared, but it is not due
      expect((await h.passback.claim(now + 5000, 10, 60_000)).map((j) => j.id)).toEqual([j2!.id]);
      // The outbox's backoff has jitter: a fractional due time is taken (PostgreSQL's column is whole ms).
      await h.passback.failed(j2!.id, 'again', 503, now + 6000.5);
      expect(await h.passback.get(j2!.id)).toMatchObject({ state: 'pending', tries: 2 });
      expect((await h.passback.claim(now + 6001, 10, 60_000)).map((j) => j.id)).toEqual([j2!.id]);
      await h.passback.failed(j3!.id, 'refused', 400, undefined);
      await h.passback.failed(e.id, 'refused', undefined, undefined);
      const dead = await h.passback.list('dead', 10);
      expect(dead.map((j) => j.id)).toEqual([e.id, j3!.id]);
      expect(dead[0]).not.toHaveProperty('lastStatus');
      expect(dead[1]).toMatchObject({ state: 'dead', tries: 1, lastStatus: 400, lastError: 'refused', dueAt: j3!.dueAt });
      expect(await h.passback.counts()).toEqual({ pending: 1, done: 1, dead: 2 });

      const again = (await h.other.passback.retry(j3!.id))!;
      expect(again).toMatchObject({ id: j3!.id, state: 'pending', tries: 0, lastError: 'refused' });
      expect(Math.abs(Date.parse(again.dueAt) - Date.now())).toBeLessThan(10_000);
      expect(await h.passback.retry(j1!.id)).toBeUndefined(); // done stays done
      expect(await h.passback.retry(999_999)).toBeUndefined();
      expect(await h.passback.get(999_999)).toBeUndefined();
      expect(await h.passback.counts()).toEqual({ pending: 2, done: 1, dead: 1 });
      expect((await h.passback.list('pending', 1)).map((j) => j.id)).toEqual([j3!.id]);
    });

    it('never gives one passback job to two of many workers claiming at once through two nodes', async () => {
      const v = await launched(h, 'u1', true);
      for (let i = 0; i < 30; i++) await addAttempt(h, `a${i}`, v, 'u1');
      await warm(h);
      const now = Date.now() + 1000;
      const claims = await Promise.all(Array.from({ length: 20 }, (_, i) => nodeOf(h, i).passback.claim(now, 3, 60_000)));
      const ids = claims.flat().map((j) => j.id);
      expect(new Set(ids).size).toBe(ids.length);
      const rest = await h.passback.claim(now, 100, 60_000);
      expect([...ids, ...rest.map((j) => j.id)].sort((a, b) => a - b)).toEqual((await h.passback.list('pending', 100)).map((j) => j.id).sort((a, b) => a - b));
      expect(ids.length + rest.length).toBe(30);
    });

    it('queues a model job once, bounds the queue, counts what is ahead', async () => {
      const a = await h.models.request('q-a', 1, 3, 60_000);
      expect(a).toMatchObject({ questionId: 'q-a', seed: 1, state: 'queued', fraction: 0, ahead: 0 });
      expect(a).not.toHaveProperty('view');
      await sleep(3);
      expect(await h.other.models.request('q-a', 1, 3, 60_000)).toEqual(a);
      const b = await h.models.request('q-b', 4294967295, 3, 60_000);
      expect(b).toMatchObject({ questionId: 'q-b', seed: 4294967295, state: 'queued', ahead: 1 });
      await sleep(3);
      await h.models.request('q-a', 2, 3, 60_000);
      expect(await h.models.request('q-a', 3, 3, 60_000)).toBe('full');
      expect(await h.models.get('q-a', 3)).toBeUndefined();
      expect(await h.models.request('q-a', 1, 3, 60_000)).toEqual(a); // known jobs still answer when full
      expect((await h.models.get('q-a', 2))!.ahead).toBe(2);
      const c = await h.models.claim('w1', Date.now(), 60_000, ['q-a', 'q-b']);
      expect(c).toMatchObject({ questionId: 'q-a', seed: 1, state: 'running' });
      expect(c).not.toHaveProperty('ahead');
      expect((await h.models.get('q-a', 2))!.ahead).toBe(2); // one queued before it, one running
      expect((await h.models.request('q-a', 3, 3, 60_000)) as object).toMatchObject({ state: 'queued' });
    });

    it('claims model jobs of the given questions, oldest first, under a lease only the holder extends', async () => {
      await h.models.request('q-a', 1, 10, 60_000);
      await sleep(3);
      await h.models.request('q-b', 1, 10, 60_000);
      await sleep(3);
      await h.models.request('q-a', 2, 10, 60_000);
      const t = Date.now();
      expect(await h.models.claim('w1', t, 1000, [])).toBeUndefined();
      expect(await h.models.claim('w1', t, 1000, ['q-none'])).toBeUndefined();
      expect(await h.models.claim('w1', t, 1000, ['q-a'])).toMatchObject({ questionId: 'q-a', seed: 1, state: 'running' });
      expect(await h.other.models.claim('w2', t, 1000, ['q-a'])).toMatchObject({ questionId: 'q-a', seed: 2 });
      expect(await h.models.claim('w3', t, 1000, ['q-a'])).toBeUndefined();
      expect(await h.models.progress('q-a', 1, 'w1', 0.5, t + 5000)).toBe(true);
      expect(await h.models.get('q-a', 1)).toMatchObject({ state: 'running', fraction: 0.5 });
      expect(await h.models.progress('q-a', 1, 'w2', 0.9, t + 5000)).toBe(false);
      expect((await h.models.get('q-a', 1))!.fraction).toBe(0.5);
      // w2's lease runs out (w1 extended its own): w3 takes q-a/2 over, and w2 may no longer report.
      expect(await h.models.claim('w3', t + 1000, 1000, ['q-a'])).toMatchObject({ questionId: 'q-a', seed: 2, fraction: 0 });
      expect(await h.models.progress('q-a', 2, 'w2', 0.9, t + 9000)).toBe(false);
      expect(await h.models.progress('q-a', 2, 'w3', 0.25, t + 9000)).toBe(true);
      await h.models.fail('q-a', 2, 'w2'); // not w2's: nothing changes
      expect((await h.models.get('q-a', 2))!.state).toBe('running');
      await h.models.fail('q-a', 2, 'w3');
      expect((await h.models.get('q-a', 2))!.state).toBe('failed');
      expect(await h.models.request('q-a', 2, 10, 60_000)).toMatchObject({ state: 'failed' }); // too soon to retry
      expect(await h.models.request('q-a', 2, 10, 0)).toMatchObject({ state: 'queued', fraction: 0 });
    });

    it('finishes a model job with its pictures by hash in one write', async () => {
      await h.models.request('q-a', 1, 10, 60_000);
      await h.models.request('q-a', 2, 10, 60_000);
      const t = Date.now();
      await h.models.claim('w1', t, 60_000, ['q-a']);
      await h.models.claim('w1', t, 60_000, ['q-a']);
      const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 1, 2, 255]);
      await h.models.finish('q-a', 1, 'w1', '{"pictures":["h1"]}', [{ hash: 'h1', png }]);
      expect(await h.other.models.get('q-a', 1)).toMatchObject({ state: 'done', fraction: 1, view: '{"pictures":["h1"]}' });
      const back = await h.other.models.file('h1');
      expect(Buffer.isBuffer(back) && back.equals(png)).toBe(true);
      expect(await h.models.file('h-none')).toBeUndefined();
      // A picture no driver can write (better-sqlite3 refuses any object but a Buffer; pg calls toPostgres)…
      const unbindable = { toPostgres: () => { throw new Error('unwritable picture'); } } as unknown as Buffer;
      // …leaves nothing of the job's results: neither its other pictures nor its view.
      await expect(h.models.finish('q-a', 2, 'w1', '{"pictures":["h2","h3"]}', [{ hash: 'h2', png }, { hash: 'h3', png: unbindable }])).rejects.toThrow();
      expect(await h.models.file('h2')).toBeUndefined();
      expect(await h.models.get('q-a', 2)).toMatchObject({ state: 'running' });
      // The same picture again (same hash) is kept once, as first stored.
      await h.models.finish('q-a', 2, 'w1', '{"pictures":["h1"]}', [{ hash: 'h1', png: Buffer.from('other') }]);
      expect((await h.models.file('h1'))!.equals(png)).toBe(true);
      expect(await h.sql('SELECT hash FROM model_files')).toHaveLength(1);
    });

    it('holds the queue bound and gives each model job to one worker under concurrent calls through two nodes', async () => {
      await warm(h);
      const outs = await Promise.all(Array.from({ length: 20 }, (_, i) => nodeOf(h, i).models.request('q-a', i, 5, 60_000)));
      expect(outs.filter((o) => o !== 'full')).toHaveLength(5);
      expect(await h.sql("SELECT seed FROM model_jobs WHERE state = 'queued'")).toHaveLength(5);
      const t = Date.now();
      const claims = await Promise.all(Array.from({ length: 20 }, (_, i) => nodeOf(h, i).models.claim(`w${i}`, t, 60_000, ['q-a'])));
      const got = claims.filter((c) => c !== undefined).map((c) => c.seed);
      expect(got).toHaveLength(5);
      expect(new Set(got).size).toBe(5);
      const workers = await h.sql("SELECT worker FROM model_jobs WHERE state = 'running'");
      expect(new Set(workers.map((w) => w.worker)).size).toBe(5);
    });
  });
}
