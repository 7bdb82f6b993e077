/**
 * An exam's LTI link code (what binds it to an LMS course): shown to a full instructor key only,
 * derived from the server secret and the exam id (stable, distinct per exam and per secret).
 */
import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { examByLinkCode, examLinkCode, linkCodeMatches } from '../../src/service/exam-link-code.js';
import { SqliteStore } from '../../src/store/sqlite/index.js';
import { startHarness, type Harness } from './harness.js';

let h: Harness;
let examId: string;
let created: Record<string, unknown>;

beforeAll(async () => {
  h = await startHarness();
  const r = await h.call('POST', '/api/v1/exams', { key: h.instructor, body: { title: 'Midterm', blueprint: [{ topic: 'kl-discrete', count: 1 }], versions: 2, seed: 3 } });
  expect(r.status, r.text).toBe(201);
  examId = r.body.id;
  created = r.body;
});
afterAll(async () => {
  await h.close();
});

describe('the exam link code', () => {
  it('is shown to the instructor on create, get and list: 22 base64url characters, the same each time', async () => {
    const code = created.ltiLinkCode as string;
    expect(code).toMatch(/^[A-Za-z0-9_-]{22}$/);
    const got = await h.call('GET', `/api/v1/exams/${examId}`, { key: h.instructor });
    expect(got.body.ltiLinkCode).toBe(code);
    const list = await h.call('GET', '/api/v1/exams', { key: h.instructor });
    expect(list.body.find((e: { id: string }) => e.id === examId).ltiLinkCode).toBe(code);
    // HMAC-SHA256 under the server secret of ('stepwise exam lti link', exam id), its first 16 bytes.
    const secret = await h.store.secrets.server();
    const expected = createHmac('sha256', secret).update(JSON.stringify(['stepwise exam lti link', examId])).digest().subarray(0, 16).toString('base64url');
    expect(code).toBe(expected);
  });

  it('is never shown to a student (GET exam, my-version), before or after release', async () => {
    const ada = await h.student('Ada');
    const code = created.ltiLinkCode as string;
    for (const path of [`/api/v1/exams/${examId}`, `/api/v1/exams/${examId}/my-version`]) {
      const r = await h.call('GET', path, { key: ada.key });
      expect(r.status, r.text).toBe(200);
      expect(r.text).not.toContain(code);
      expect(r.body.ltiLinkCode).toBeUndefined();
    }
    const released = await h.call('POST', `/api/v1/exams/${examId}/release`, { key: h.instructor, body: { force: true } });
    expect(released.body.ltiLinkCode).toBe(code);
    expect((await h.call('GET', `/api/v1/exams/${examId}`, { key: ada.key })).text).not.toContain(code);
  });

  it('differs per exam and per server secret, and is matched exactly', async () => {
    const store = SqliteStore.open({ file: ':memory:', secret: 'x'.repeat(32) });
    const other = SqliteStore.open({ file: ':memory:', secret: 'y'.repeat(32) });
    try {
      const a = examLinkCode(await store.secrets.server(), 'exm_a');
      expect(a).not.toBe(examLinkCode(await store.secrets.server(), 'exm_b'));
      expect(a).not.toBe(examLinkCode(await other.secrets.server(), 'exm_a'));
      expect(await linkCodeMatches(store, 'exm_a', a)).toBe(true);
      expect(await linkCodeMatches(store, 'exm_a', ` ${a} `)).toBe(true); // pasted with spaces
      expect(await linkCodeMatches(store, 'exm_b', a)).toBe(false);
      expect(await linkCodeMatches(store, 'exm_a', a.slice(0, 21))).toBe(false);
      expect(await linkCodeMatches(store, 'exm_a', `${a}x`)).toBe(false);
      expect(await linkCodeMatches(store, 'exm_a', '')).toBe(false);
      expect(await linkCodeMatches(store, 'exm_a', a.repeat(20))).toBe(false);
      // Looked up over the stored exams: the harness's exam by its code, nothing by another's.
      expect((await examByLinkCode(h.store, created.ltiLinkCode as string))?.id).toBe(examId);
      expect(await examByLinkCode(h.store, a)).toBeUndefined();
    } finally {
      await store.close();
      await other.close();
    }
  });
});
