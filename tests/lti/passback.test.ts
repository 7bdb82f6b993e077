/** Scores that must land: Moodle keeps a score only if its timestamp, in whole seconds, is later than the stored one. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { nextTimestamp } from '../../src/lti/ags.js';
import { startLti, type LtiHarness } from './harness.js';

let h: LtiHarness;
beforeEach(async () => {
  h = await startLti();
  h.platform.moodleTimestamps = true;
});
afterEach(async () => {
  await h.close();
});

const sec = (iso: string) => Math.floor(Date.parse(iso) / 1000);

describe('grade passback to a Moodle-like platform', () => {
  it('two attempts within one second: the second, latest, score is the one the gradebook keeps', async () => {
    const r = await h.launch();
    expect(r.status, r.text).toBe(200);
    const post = (answers: Record<string, unknown>) => h.call('POST', `/api/v1/variants/${r.body.variantId}/attempts`, { key: r.body.apiKey, body: { answers } });
    const v = await h.call('GET', `/api/v1/variants/${r.body.variantId}`, { key: r.body.apiKey });
    const first = await post({});
    const { solveProblem } = await import('../../src/engine.js');
    const all = Object.fromEntries(solveProblem(v.body.topic, v.body.params).steps.filter((s) => v.body.steps.includes(s.id)).map((s) => [s.id, s.value]));
    const second = await post(all);
    expect(first.status).toBe(201);
    expect(second.status).toBe(201);
    expect(second.body.score).toBeGreaterThan(first.body.score);
    expect(sec(second.body.createdAt) - sec(first.body.createdAt)).toBeLessThanOrEqual(1);
    // Both were accepted, in order, with strictly later whole-second timestamps.
    expect(h.platform.scores.map((s) => s.status)).toEqual([204, 204]);
    const [a, b] = h.platform.scores.map((s) => s.body);
    expect(sec(b.timestamp)).toBeGreaterThan(sec(a.timestamp));
    expect(Date.parse(b.timestamp) - Date.parse(second.body.createdAt)).toBeLessThanOrEqual(1000);
    const held = h.platform.gradebook.get(`/lineitems/li-1/scores student-1`)!;
    expect(held.scoreGiven).toBe(second.body.score);
  });

  it('attempts posted at once go one at a time, in order, and the last lands', async () => {
    const r = await h.launch();
    const sends = Array.from({ length: 4 }, () => h.call('POST', `/api/v1/variants/${r.body.variantId}/attempts`, { key: r.body.apiKey, body: { answers: {} } }));
    const replies = await Promise.all(sends);
    expect(replies.every((x) => x.status === 201)).toBe(true);
    expect(h.platform.scores.map((s) => s.status)).toEqual([204, 204, 204, 204]);
    const seconds = h.platform.scores.map((s) => sec(s.body.timestamp));
    for (let i = 1; i < seconds.length; i++) expect(seconds[i]).toBeGreaterThan(seconds[i - 1]);
  });

  it('on 409 (the platform holds a score as new, e.g. after a restart) retries with a later timestamp', async () => {
    const r = await h.launch();
    h.platform.gradebook.set('/lineitems/li-1/scores student-1', { timestamp: new Date(Date.now() + 1500).toISOString(), scoreGiven: 0 });
    const a = await h.call('POST', `/api/v1/variants/${r.body.variantId}/attempts`, { key: r.body.apiKey, body: { answers: {} } });
    expect(a.status).toBe(201);
    const statuses = h.platform.scores.map((s) => s.status);
    expect(statuses[0]).toBe(409);
    expect(statuses[statuses.length - 1]).toBe(204);
    expect(statuses.length).toBeLessThanOrEqual(4);
    const posts = await h.store.lti.scorePosts(a.body.id);
    expect(posts).toEqual([expect.objectContaining({ status: 204 })]);
  });

  it('nextTimestamp: the attempt time, or the next whole second after the last post', () => {
    expect(nextTimestamp('2026-01-01T00:00:05.300Z', undefined)).toBe(Date.parse('2026-01-01T00:00:05.300Z'));
    expect(nextTimestamp('2026-01-01T00:00:05.300Z', Date.parse('2026-01-01T00:00:05.900Z'))).toBe(Date.parse('2026-01-01T00:00:06.000Z'));
    expect(nextTimestamp('2026-01-01T00:00:07.300Z', Date.parse('2026-01-01T00:00:05.900Z'))).toBe(Date.parse('2026-01-01T00:00:07.300Z'));
  });
});
