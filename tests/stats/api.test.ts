/**
 * GET /api/v1/exams/{id}/statistics and /api/v1/courses/{id}/statistics through the HTTP API:
 * answers graded by the engine and stored, read back as statistics; CSV; instructors only.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { solveProblem } from '../../src/engine.js';
import { startHarness, type Harness } from '../api/harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());

type V = { id: string; topic: string; params: object; steps: string[] };
const right = (v: V): Record<string, unknown> =>
  JSON.parse(JSON.stringify(Object.fromEntries(solveProblem(v.topic, v.params).steps.filter((s) => v.steps.includes(s.id)).map((s) => [s.id, s.value]))));

describe('exam statistics over HTTP', () => {
  let examId: string;
  beforeAll(async () => {
    const e = await h.call('POST', '/api/v1/exams', { key: h.instructor, body: { title: 'Quiz', blueprint: [{ topic: 'kl-discrete', count: 1, difficulty: 'easy' }], versions: 1 } });
    examId = e.body.id;
    // Three students: all right; kl left blank; log_ratio wrong (every entry 9: the exam's params are secret-seeded, so its length varies), the rest blank.
    // (An exam refuses an unreadable answer before storing anything: invalid notes come from elsewhere, e.g. paper.)
    for (const [name, answers] of [
      ['A', (v: V) => right(v)],
      ['B', (v: V) => ({ ...right(v), kl: '' })],
      ['C', (v: V) => ({ log_ratio: (right(v).log_ratio as number[]).map(() => 9) })],
    ] as const) {
      const s = await h.student(name);
      const mine = await h.call('GET', `/api/v1/exams/${examId}/my-version`, { key: s.key });
      const v = mine.body.variants[0] as V;
      const r = await h.call('POST', `/api/v1/variants/${v.id}/attempts`, { key: s.key, body: { answers: answers(v) } });
      expect(r.status, r.text).toBe(201);
    }
  });

  it('reads the stored outcome notes: facility per step, flagged unreliable', async () => {
    const r = await h.call('GET', `/api/v1/exams/${examId}/statistics`, { key: h.instructor });
    expect(r.status, r.text).toBe(200);
    expect(r.body.summary).toMatchObject({ n: 3, unreliable: true });
    const step = (id: string) => r.body.steps.find((s: { step: string }) => s.step === id);
    // log_ratio: A right, B right, C wrong → facility 2/3; nothing unreadable.
    expect(step('log_ratio').facility).toBeCloseTo(2 / 3, 9);
    expect(step('log_ratio').invalidRate).toBe(0);
    expect(step('log_ratio').notes).toEqual({ correct: 2, incorrect: 1 });
    // kl: A right; B and C blank (exam default blankSteps shown) → 1/3.
    expect(step('kl').notes).toEqual({ correct: 1, missing: 2 });
    expect(step('kl').facility).toBeCloseTo(1 / 3, 9);
    // One item: the rest of the exam is empty, so item and step discrimination are null, not NaN.
    expect(step('kl').discrimination).toBeNull();
    expect(r.text).not.toMatch(/NaN/);
  });

  it('gives CSV for ?format=csv and for Accept: text/csv; refuses another format by name', async () => {
    const csv = await h.call('GET', `/api/v1/exams/${examId}/statistics?format=csv`, { key: h.instructor });
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
    const lines = csv.text.trim().split('\r\n');
    expect(lines[0].split(',').slice(0, 6)).toEqual(['level', 'item', 'step', 'topic', 'misconception', 'n']);
    expect(lines.filter((l) => l.startsWith('step,'))).toHaveLength(3);
    const viaAccept = await fetch(`${h.url}/api/v1/exams/${examId}/statistics`, { headers: { authorization: `Bearer ${h.instructor}`, accept: 'text/csv' } });
    expect(viaAccept.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(await viaAccept.text()).toBe(csv.text);
    const bad = await h.call('GET', `/api/v1/exams/${examId}/statistics?format=xml`, { key: h.instructor });
    expect(bad.status).toBeGreaterThanOrEqual(400);
    expect(bad.status).toBeLessThan(500);
    expect(bad.text).toMatch(/query\.format/);
  });

  it('is for instructors: a student gets 403, an unknown exam 404', async () => {
    const s = await h.student('Nosy');
    expect((await h.call('GET', `/api/v1/exams/${examId}/statistics`, { key: s.key })).status).toBe(403);
    expect((await h.call('GET', '/api/v1/exams/exm_none/statistics', { key: h.instructor })).status).toBe(404);
  });
});

describe('practice pool statistics over HTTP', () => {
  it('a course’s practice attempts at a topic; unknown topic named; students refused', async () => {
    const c = await h.call('POST', '/api/v1/courses', { key: h.instructor, body: { title: 'DL' } });
    const s = await h.student('P');
    const v = await h.call('POST', '/api/v1/variants', { key: s.key, body: { topic: 'kl-discrete', courseId: c.body.id } });
    expect(v.status, v.text).toBe(201);
    await h.call('POST', `/api/v1/variants/${v.body.id}/attempts`, { key: s.key, body: { answers: right(v.body) } });
    const r = await h.call('GET', `/api/v1/courses/${c.body.id}/statistics?topic=kl-discrete`, { key: h.instructor });
    expect(r.status, r.text).toBe(200);
    expect(r.body.scope).toEqual({ kind: 'practice', courseId: c.body.id, title: 'DL', topic: 'kl-discrete' });
    expect(r.body.summary.n).toBe(1);
    expect(r.body.steps.every((x: { facility: number }) => x.facility === 1)).toBe(true);
    const bad = await h.call('GET', `/api/v1/courses/${c.body.id}/statistics?topic=nope`, { key: h.instructor });
    expect(bad.status).toBe(422);
    expect(bad.text).toMatch(/query\.topic/);
    expect((await h.call('GET', `/api/v1/courses/${c.body.id}/statistics`, { key: s.key })).status).toBe(403);
  });
});
