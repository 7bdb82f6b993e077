/**
 * Grade passback through the outbox: the attempt's job is written with the attempt, the student's
 * reply never waits for the LMS, failures are retried with backoff until the LMS answers, a
 * permanent refusal or a day of failures makes a dead letter an instructor can see and retry, and a
 * job claimed by a process that died is posted by another once its lease runs out — once.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { backoffMs, permanent } from '../../src/lti/outbox.js';
import { startLti, type LtiHarness } from './harness.js';

let h: LtiHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

/** A launched student (its own LTI user id) and an attempt at their variant, POSTed without waiting for the outbox. */
async function launchAndSubmit(hh: LtiHarness, sub: string): Promise<{ attemptId: string }> {
  const r = await hh.launch({ claims: (c) => ({ ...c, sub }) });
  expect(r.status, r.text).toBe(200);
  const res = await fetch(`${hh.url}/api/v1/variants/${r.body.variantId}/attempts`, {
    method: 'POST',
    headers: { authorization: `Bearer ${r.body.apiKey}`, 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify({ answers: {} }),
  });
  expect(res.status).toBe(201);
  return { attemptId: ((await res.json()) as { id: string }).id };
}

const until = async (f: () => Promise<boolean> | boolean, ms = 10_000): Promise<void> => {
  const end = Date.now() + ms;
  while (!(await f())) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 20));
  }
};

describe('grade passback through the outbox', () => {
  it('answers the student at once while the LMS is slow, and posts the score after', async () => {
    h = await startLti();
    // The LMS holds the score post until the test lets it answer: the student's answer comes back
    // while it is held (a submit that waited for the LMS would never return, and the test would time out).
    let answerScore = (): void => undefined;
    h.platform.scoreGate = new Promise<void>((r) => (answerScore = r));
    const { attemptId } = await launchAndSubmit(h, 'student-slow');
    // The job was stored with the attempt, and the LMS has not answered it.
    const jobs = await h.store.passback.list('pending', 10);
    expect(jobs.map((j) => j.attemptId)).toEqual([attemptId]);
    expect(h.platform.scores.every((s) => s.status === 0)).toBe(true);
    answerScore();
    await h.settled();
    expect(h.platform.scores.map((s) => [s.body.userId, s.status])).toEqual([['student-slow', 204]]);
    expect((await h.store.passback.get(jobs[0]!.id))?.state).toBe('done');
  });

  it('retries while the LMS is down, then posts every pending score once', async () => {
    h = await startLti({ outbox: { baseDelayMs: 60, maxDelayMs: 200 } });
    h.platform.scoreStatus = 503;
    const students = ['student-a', 'student-b', 'student-c'];
    for (const s of students) await launchAndSubmit(h, s);
    await until(async () => (await h!.store.passback.list('pending', 10)).every((j) => j.tries >= 2));
    expect(h.platform.scores.every((s) => s.status === 503)).toBe(true);
    expect((await h.store.passback.list('pending', 10)).map((j) => j.lastStatus)).toEqual([503, 503, 503]);
    h.platform.scoreStatus = 204;
    await until(async () => (await h!.store.passback.counts()).done === 3);
    const accepted = h.platform.scores.filter((s) => s.status === 204).map((s) => s.body.userId as string);
    expect(accepted.sort()).toEqual(students);
    expect([...h.platform.gradebook.keys()].sort()).toEqual(students.map((s) => `/lineitems/li-1/scores ${s}`));
    // Nothing left to send: no further posts arrive.
    const n = h.platform.scores.length;
    await new Promise((r) => setTimeout(r, 400));
    expect(h.platform.scores.length).toBe(n);
  });

  it('makes a dead letter of a permanent refusal, which an instructor lists and retries', async () => {
    h = await startLti();
    h.platform.scoreStatus = 400;
    const { attemptId } = await launchAndSubmit(h, 'student-d');
    await h.settled();
    const dead = await h.call('GET', '/api/v1/lti/passback', { key: h.instructor });
    expect(dead.status, dead.text).toBe(200);
    expect(dead.body.counts).toEqual({ pending: 0, done: 0, dead: 1 });
    expect(dead.body.jobs).toEqual([expect.objectContaining({ attemptId, state: 'dead', tries: 1, lastStatus: 400 })]);
    expect(dead.body.jobs[0].lastError).toMatch(/400/);

    h.platform.scoreStatus = 204;
    const retried = await h.call('POST', `/api/v1/lti/passback/${dead.body.jobs[0].id}/retry`, { key: h.instructor });
    expect(retried.status, retried.text).toBe(200);
    expect(retried.body).toMatchObject({ state: 'pending', tries: 0 });
    await h.settled();
    expect(h.platform.scores.map((s) => s.status)).toEqual([400, 204]);
    const again = await h.call('POST', `/api/v1/lti/passback/${dead.body.jobs[0].id}/retry`, { key: h.instructor });
    expect(again.status).toBe(409);
    expect((await h.call('POST', '/api/v1/lti/passback/999999/retry', { key: h.instructor })).status).toBe(404);
    expect((await h.call('POST', '/api/v1/lti/passback/x1/retry', { key: h.instructor })).status).toBe(404);
    expect((await h.call('GET', '/api/v1/lti/passback?state=lost', { key: h.instructor })).status).toBe(422);
  });

  it('gives a job up as dead once it has failed for longer than the give-up time', async () => {
    h = await startLti({ outbox: { baseDelayMs: 40, maxDelayMs: 80, giveUpMs: 1_000 } });
    h.platform.scoreStatus = 502;
    await launchAndSubmit(h, 'student-e');
    await until(async () => (await h!.store.passback.counts()).dead === 1);
    const [job] = await h.store.passback.list('dead', 1);
    expect(job!.tries).toBeGreaterThanOrEqual(2);
    expect(job!.lastStatus).toBe(502);
  });

  it('a job claimed by a process that died is posted by another after the lease, exactly once', async () => {
    h = await startLti({ manualPassback: true });
    const { attemptId } = await launchAndSubmit(h, 'student-f');
    // Another process claims the job (a 2 s lease: long enough that a loaded machine checks within
    // it) and dies before posting.
    const claimed = await h.store.passback.claim(Date.now(), 10, 2_000);
    expect(claimed.map((j) => j.attemptId)).toEqual([attemptId]);
    h.lti.outbox.start();
    await new Promise((r) => setTimeout(r, 300));
    expect(h.platform.scores).toEqual([]); // still leased
    await until(() => h!.platform.scores.length > 0);
    await h.settled();
    await new Promise((r) => setTimeout(r, 200));
    expect(h.platform.scores.map((s) => [s.body.userId, s.status])).toEqual([['student-f', 204]]);
  });

  it('writes no job for an attempt that was not launched from an LMS', async () => {
    h = await startLti();
    const student = await h.call('POST', '/api/v1/users', { key: h.instructor, body: { name: 'Local', role: 'student' } });
    const v = await h.call('POST', '/api/v1/variants', { key: student.body.apiKey, body: { topic: 'kl-discrete', seed: 1 } });
    expect((await h.call('POST', `/api/v1/variants/${v.body.id}/attempts`, { key: student.body.apiKey, body: { answers: {} } })).status).toBe(201);
    expect(await h.store.passback.counts()).toEqual({ pending: 0, done: 0, dead: 0 });
  });
});

describe('retry policy', () => {
  it('doubles from the base delay up to the cap, with jitter in [0.5, 1)', () => {
    const o = { baseDelayMs: 5_000, maxDelayMs: 3_600_000 };
    expect(backoffMs(0, { ...o, random: () => 0 })).toBe(2_500);
    expect(backoffMs(0, { ...o, random: () => 0.999999 })).toBeCloseTo(5_000, -1);
    expect(backoffMs(3, { ...o, random: () => 0.5 })).toBe(40_000 * 0.75);
    expect(backoffMs(40, { ...o, random: () => 0 })).toBe(1_800_000);
  });

  it('treats 4xx refusals as permanent except token, timeout, conflict and rate-limit answers', () => {
    expect([400, 403, 404, 410, 422].map(permanent)).toEqual([true, true, true, true, true]);
    expect([401, 408, 409, 425, 429, 500, 502, 503, undefined].map(permanent)).toEqual([false, false, false, false, false, false, false, false, false]);
  });
});
