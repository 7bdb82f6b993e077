/**
 * Pinned, loose exam-style questions through the API: stateless grading and solving carry the
 * assumption as a warning, an exam of a pinned question gives every version the same numbers
 * (the manifest still lists each version's seed), and the exports state the assumption.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from './harness.js';

const ID = 'pinned-bayes-class-left-out';
const PARAMS = { classes: ['cat', 'dog'], priors: [0.5, 0.3], likelihoods: [0.2, 0.6] };
const ASSUMED = 'params.priors: the entries of priors sum to 0.8, not 1: the remaining 0.2 is taken to belong to outcomes not listed, and the posteriors are normalised over the listed classes (cat, dog).';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());

describe('grading and solving loose params over HTTP', () => {
  it('grades the pinned question’s params with the warning, for an instructor and a student', async () => {
    // Posteriors by hand: 0.10 / 0.28 = 0.357, 0.18 / 0.28 = 0.643.
    const body = { params: PARAMS, answers: { posterior: [0.357, 0.643], decision: 'dog' } };
    const mine = await h.call('POST', '/api/v1/topics/bayes-classification/grade', { key: h.instructor, body });
    expect(mine.status).toBe(200);
    expect(mine.body.warnings).toEqual([ASSUMED]);
    expect(mine.body.steps.find((s: { id: string }) => s.id === 'posterior').status).toBe('correct');
    const student = await h.student();
    const theirs = await h.call('POST', '/api/v1/topics/bayes-classification/grade', { key: student.key, body });
    expect(theirs.status).toBe(200);
    expect(theirs.body.warnings).toEqual([ASSUMED]);
  });

  it('a practice variant of the pinned question: its attempt is graded with the question’s marks and the warning', async () => {
    const student = await h.student('Learner');
    const v = await h.call('POST', '/api/v1/variants', { key: student.key, body: { topic: ID } });
    expect(v.status, v.text).toBe(201);
    expect(v.body.params).toEqual(PARAMS);
    const a = await h.call('POST', `/api/v1/variants/${v.body.id}/attempts`, {
      key: student.key,
      body: { answers: { joint: [0.1, 0.18], evidence: 0.28, posterior: [0.357, 0.643], decision: 'dog' } },
    });
    expect(a.status, a.text).toBe(201);
    expect(a.body.score).toBe(5); // marks 1 + 1 + 2 + 1, from the question file
    expect(a.body.warnings).toEqual([ASSUMED]);
  });

  it('solve carries the warning too', async () => {
    const r = await h.call('POST', '/api/v1/topics/bayes-classification/solve', { key: h.instructor, body: { params: PARAMS } });
    expect(r.status).toBe(200);
    expect(r.body.warnings).toEqual([ASSUMED]);
  });

  it('impossible params are a 422 naming the field', async () => {
    const r = await h.call('POST', '/api/v1/topics/bayes-classification/grade', { key: h.instructor, body: { params: { ...PARAMS, priors: [0.9, 0.6] }, answers: {} } });
    expect(r.status).toBe(422);
    expect(r.text).toContain('params.priors');
    const neg = await h.call('POST', '/api/v1/topics/kl-discrete/grade', { key: h.instructor, body: { params: { p: [1.2, -0.2], q: [0.5, 0.5] }, answers: {} } });
    expect(neg.status).toBe(422);
    expect(neg.text).toMatch(/params\.p\[0\]/);
  });
});

describe('an exam of pinned questions', () => {
  let examId: string;
  beforeAll(async () => {
    const r = await h.call('POST', '/api/v1/exams', {
      key: h.instructor,
      body: { title: 'Pinned', blueprint: [{ topic: ID, count: 1 }, { topic: 'pinned-kl-discrete-rounded', count: 1 }], versions: 3, seed: 11 },
    });
    expect(r.status, r.text).toBe(201);
    examId = r.body.id;
  });

  it('every version has the same numbers; the manifest still lists a seed per version', async () => {
    const exam = await h.call('GET', `/api/v1/exams/${examId}`, { key: h.instructor });
    const manifest = exam.body.manifest as { question: string; seed: number }[][];
    expect(manifest).toHaveLength(3);
    expect(manifest.map((items) => items[0].question)).toEqual([ID, ID, ID]);
    expect(new Set(manifest.map((items) => items[0].seed)).size).toBe(3);
    const versions = await h.call('GET', `/api/v1/exams/${examId}/versions`, { key: h.instructor });
    const first = versions.body.map((v: { variants: { params: unknown }[] }) => v.variants[0].params);
    expect(first).toEqual([PARAMS, PARAMS, PARAMS]);
    expect(versions.body[0].variants[0].prompt).toContain('*Assumed:* the entries of priors sum to 0.8');
  });

  it('exports state the assumption in every format', async () => {
    for (const format of ['moodle', 'gift']) {
      const res = await fetch(`${h.url}/api/v1/exams/${examId}/export?format=${format}`, { headers: { authorization: `Bearer ${h.instructor}` } });
      expect(res.status).toBe(200);
      const text = await res.text();
      expect(text, format).toMatch(/entries of priors sum to 0\.8, not 1/);
      expect(text, format).toMatch(/entries of p sum to 0\.99, not 1/);
    }
    const qti = await fetch(`${h.url}/api/v1/exams/${examId}/export?format=qti`, { headers: { authorization: `Bearer ${h.instructor}` } });
    expect(qti.status).toBe(200);
    const { unzipSync, strFromU8 } = await import('fflate');
    const files = unzipSync(new Uint8Array(await qti.arrayBuffer()));
    const items = Object.keys(files).filter((f) => f.startsWith('items/')).map((f) => strFromU8(files[f]));
    expect(items.some((x) => /entries of priors sum to 0\.8, not 1/.test(x))).toBe(true);
  });

  it('a student cannot practise the pinned question while the exam is unreleased (any seed is the exam item)', async () => {
    const student = await h.student('Practiser');
    const r = await h.call('POST', '/api/v1/variants', { key: student.key, body: { topic: ID, seed: 5 } });
    expect(r.status).toBe(403);
    expect(r.text).toMatch(/pinned/);
  });
});
