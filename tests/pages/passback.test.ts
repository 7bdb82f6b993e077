/** /instructor/passback: the scores an LMS refused, shown to instructors with the LMS's answer, and sent again from the page. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Harness } from '../api/harness.js';
import { signIn, startPages } from './harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startPages();
});
afterAll(async () => {
  await h.close();
});

/** A stored attempt with a passback job the LMS refused for good. */
async function deadJob(error: string): Promise<{ id: number; attemptId: string }> {
  const s = await h.student('Passback student');
  const v = await h.call('POST', '/api/v1/variants', { key: s.key, body: { topic: 'kl-discrete', seed: 4 } });
  const a = await h.call('POST', `/api/v1/variants/${v.body.id}/attempts`, { key: s.key, body: { answers: {} } });
  expect(a.status).toBe(201);
  const job = await h.store.passback.enqueue(a.body.id);
  await h.store.passback.failed(job.id, error, 400, undefined);
  return { id: job.id, attemptId: a.body.id };
}

describe('grade passback page', () => {
  it('lists a dead letter with the LMS answer, escaped, and says so on the instructor home', async () => {
    const job = await deadJob('score post to https://lms.example/x answered 400: <script>alert(1)</script>');
    const c = await signIn(h, h.instructor);
    const home = await c.get('/instructor');
    expect(home.text).toMatch(/data-passback-dead>Grade passback: \d+ of the scores sent to the LMS gave up/);
    const page = await c.get('/instructor/passback');
    expect(page.status).toBe(200);
    const row = new RegExp(`<tr data-job="${job.id}">[\\s\\S]*?</tr>`).exec(page.text)?.[0] ?? '';
    expect(row).toContain(job.attemptId);
    expect(row).toContain('<strong>400</strong>');
    expect(row).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(row).not.toContain('<script>');
    expect(page.text).toMatch(/data-count="dead">\d+</);
  });

  it('sends a dead job again (due now, tries reset); a posted one cannot be, an unknown one is 404', async () => {
    const job = await deadJob('score post answered 400: bad');
    const c = await signIn(h, h.instructor);
    const csrf = c.csrf((await c.get('/instructor/passback')).text);
    const r = await c.post(`/instructor/passback/${job.id}/retry`, { _csrf: csrf });
    expect(r.status).toBe(303);
    expect(r.headers.get('location')).toBe('/instructor/passback');
    const after = await h.store.passback.get(job.id);
    expect(after).toMatchObject({ state: 'pending', tries: 0 });
    expect(Date.parse(after!.dueAt)).toBeLessThanOrEqual(Date.now());
    await h.store.passback.done(job.id, 204);
    const again = await c.post(`/instructor/passback/${job.id}/retry`, { _csrf: csrf });
    expect(again.status).toBe(409);
    expect(again.text).toContain('was posted already');
    expect((await c.post('/instructor/passback/987654/retry', { _csrf: csrf })).status).toBe(404);
    expect((await c.post(`/instructor/passback/${job.id}/retry`, { _csrf: 'wrong' })).status).toBe(403);
  });

  it('is for instructors only', async () => {
    const job = await deadJob('answered 400');
    const s = await h.student('Curious');
    const c = await signIn(h, s.key);
    const page = await c.get('/instructor/passback');
    expect(page.status).toBe(403);
    expect(page.text).not.toContain(job.attemptId);
    const csrf = c.csrf((await c.get('/')).text);
    expect((await c.post(`/instructor/passback/${job.id}/retry`, { _csrf: csrf })).status).toBe(403);
    expect((await h.store.passback.get(job.id))?.state).toBe('dead');
  });
});
