/**
 * The blueprint's per-row marks and the exam's ECF penalty: an item's steps are scaled to its
 * total (in grading, results, LTI maxima and exports), carried steps lose the exam's share, bad
 * values are refused naming the field, and exams that set neither grade as before.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../api/harness.js';
import { createExam, previewExam } from '../../src/service/exams.js';
import { examExportItems } from '../../src/service/export-items.js';
import { targetMaxScore } from '../../src/lti/targets.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());

type V = { id: string; topic: string; params: { beta: number; x_prev: number[]; eps: number[] }; steps: string[] };
const Q = 'diffusion-step-one-step'; // marks signal_coef 1, noise_coef 1, x_t 2; ECF full

async function makeExam(extra: Record<string, unknown>, row: Record<string, unknown> = {}) {
  const r = await h.call('POST', '/api/v1/exams', { key: h.instructor, body: { title: 'Marks', blueprint: [{ topic: Q, count: 1, ...row }], versions: 1, feedback: 'full', ...extra } });
  expect(r.status, r.text).toBe(201);
  return r.body as { id: string; ecfPenalty?: number; blueprint: { marks?: number }[]; manifest: { marks?: number }[][] };
}

async function sit(examId: string) {
  const s = await h.student();
  const mine = await h.call('GET', `/api/v1/exams/${examId}/my-version`, { key: s.key });
  expect(mine.status, mine.text).toBe(200);
  return { key: s.key, v: mine.body.variants[0] as V };
}

/** Right coefficients, or the noise coefficient without its root (β) and x_t computed from it (carried). */
function answers(v: V, carried: boolean) {
  const { beta, x_prev, eps } = v.params;
  const signal = Math.sqrt(1 - beta);
  const noise = carried ? beta : Math.sqrt(beta);
  return { signal_coef: signal, noise_coef: noise, x_t: x_prev.map((x, i) => signal * x + noise * eps[i]) };
}

async function submit(key: string, v: V, a: object) {
  const r = await h.call('POST', `/api/v1/variants/${v.id}/attempts`, { key, body: { answers: a } });
  expect(r.status, r.text).toBe(201);
  return r.body as { score: number; maxScore: number; steps: { id: string; status: string; credit: number; marks: number }[] };
}

describe('per-row marks', () => {
  it('scales the steps (1:1:2) to the row total exactly: 2.5, 2.5 and 5 of 10', async () => {
    const e = await makeExam({}, { marks: 10 });
    expect(e.blueprint[0].marks).toBe(10);
    expect(e.manifest[0][0].marks).toBe(10);
    const { key, v } = await sit(e.id);
    const r = await submit(key, v, answers(v, false));
    expect(r.maxScore).toBe(10);
    expect(r.score).toBe(10);
    expect(Object.fromEntries(r.steps.map((s) => [s.id, s.marks]))).toEqual({ signal_coef: 2.5, noise_coef: 2.5, x_t: 5 });
    const results = (await h.call('GET', `/api/v1/exams/${e.id}/results`, { key: h.instructor })).body;
    const mine = results.students.find((s: { items: { variantId: string }[] }) => s.items[0].variantId === v.id);
    expect(mine).toMatchObject({ score: 10, maxScore: 10 });
  });

  it('a total that does not divide evenly still adds up (7 over 3 topic steps), in results, LTI maxima and exports', async () => {
    const r = await h.call('POST', '/api/v1/exams', { key: h.instructor, body: { title: 'Sevens', blueprint: [{ topic: 'diffusion-step', count: 2, marks: 7 }, { topic: Q, count: 1, marks: 3 }], versions: 2 } });
    expect(r.status, r.text).toBe(201);
    const exam = (await h.store.exams.get(r.body.id))!;
    for (const version of [1, 2]) {
      const items = examExportItems(exam.title, await h.store.variants.listByExam(exam.id, version), exam);
      const totals = items.map((i) => i.steps.reduce((t, s) => t + s.marks, 0));
      expect(totals.length).toBe(3);
      totals.forEach((t, i) => expect(Math.abs(t - [7, 7, 3][i]), `version ${version}, item ${i + 1}`).toBeLessThan(1e-9));
    }
    expect(await targetMaxScore(h.store, { kind: 'exam', id: exam.id })).toBe(17);
    // A student with nothing submitted: the results' maximum is the rows' totals.
    const s = await h.student();
    await h.call('GET', `/api/v1/exams/${exam.id}/my-version`, { key: s.key });
    const res = (await h.call('GET', `/api/v1/exams/${exam.id}/results`, { key: h.instructor })).body;
    expect(res.students[0].maxScore).toBe(17);
    expect(res.students[0].items.map((i: { maxScore: number }) => i.maxScore)).toEqual([7, 7, 3]);
  });
});

describe('exam-level ECF penalty', () => {
  it('1: a carried step earns nothing (x_t 0 of 2); the wrong step itself earns nothing either', async () => {
    const e = await makeExam({ ecfPenalty: 1 });
    expect(e.ecfPenalty).toBe(1);
    const { key, v } = await sit(e.id);
    const r = await submit(key, v, answers(v, true));
    const x = r.steps.find((s) => s.id === 'x_t')!;
    expect(x.status).toBe('carried');
    expect(x.credit).toBe(0);
    expect(r.score).toBe(1); // signal_coef only
  });

  it('0.4 with marks 10: the carried x_t earns 60% of its 5', async () => {
    const e = await makeExam({ ecfPenalty: 0.4 }, { marks: 10 });
    const { key, v } = await sit(e.id);
    const r = await submit(key, v, answers(v, true));
    expect(r.steps.find((s) => s.id === 'x_t')!.credit).toBeCloseTo(3, 9);
    expect(r.score).toBeCloseTo(5.5, 9);
  });

  it('absent: the question’s own policy (full ECF), as exams made before it', async () => {
    const e = await makeExam({});
    expect(e).not.toHaveProperty('ecfPenalty');
    expect(e.blueprint[0]).not.toHaveProperty('marks');
    const { key, v } = await sit(e.id);
    const r = await submit(key, v, answers(v, true));
    expect(r.steps.find((s) => s.id === 'x_t')).toMatchObject({ status: 'carried', credit: 2, marks: 2 });
    expect(r).toMatchObject({ score: 3, maxScore: 4 });
  });
});

describe('bad values', () => {
  it('are refused with 422 naming the field, storing nothing', async () => {
    const before = (await h.store.exams.list()).length;
    const cases: [Record<string, unknown>, Record<string, unknown>, string][] = [
      [{}, { marks: 0 }, 'body.blueprint[0].marks'],
      [{}, { marks: -2 }, 'body.blueprint[0].marks'],
      [{}, { marks: 'ten' }, 'body.blueprint[0].marks'],
      [{}, { marks: 1001 }, 'body.blueprint[0].marks'],
      [{ ecfPenalty: 1.5 }, {}, 'body.ecfPenalty'],
      [{ ecfPenalty: -0.1 }, {}, 'body.ecfPenalty'],
      [{ ecfPenalty: 'half' }, {}, 'body.ecfPenalty'],
    ];
    for (const [extra, row, field] of cases) {
      const r = await h.call('POST', '/api/v1/exams', { key: h.instructor, body: { title: 'x', blueprint: [{ topic: Q, count: 1, ...row }], versions: 1, ...extra } });
      expect(r.status, JSON.stringify([extra, row])).toBe(422);
      expect(r.body.field, JSON.stringify([extra, row])).toBe(field);
    }
    expect((await h.store.exams.list()).length).toBe(before);
  });

  it('the service refuses them too (NaN, Infinity), naming the field', async () => {
    const base = { title: 'x', versions: 1, seed: 1, createdBy: 'u' };
    await expect(createExam(h.store, { ...base, blueprint: [{ topic: Q, count: 1, marks: NaN }] })).rejects.toMatchObject({ code: 'invalid_request', path: 'body.blueprint[0].marks' });
    await expect(createExam(h.store, { ...base, blueprint: [{ topic: Q, count: 1 }], ecfPenalty: Infinity })).rejects.toMatchObject({ code: 'invalid_request', path: 'body.ecfPenalty' });
  });
});

describe('preview then freeze', () => {
  it('the frozen exam has exactly the previewed manifest and problems', async () => {
    const req = { title: 'P', blueprint: [{ topic: 'kl-discrete', count: 2, difficulty: 'easy' }, { topic: Q, count: 1, marks: 5 }], versions: 3, seed: 42 };
    const p = await previewExam(h.store, req);
    const by = (await h.student('Author')).id;
    const { exam, variants } = await createExam(h.store, { ...req, createdBy: by, id: p.id });
    expect(exam.id).toBe(p.id);
    expect(exam.manifest).toEqual(p.manifest);
    expect(variants.map((v) => v.params)).toEqual(p.problems.flat().map((x) => x.params));
    // The same id cannot be frozen twice.
    await expect(createExam(h.store, { ...req, createdBy: by, id: p.id })).rejects.toMatchObject({ code: 'conflict' });
  });

  it('two freezes of one preview at once: one exam, the other a conflict', async () => {
    const req = { title: 'Twice', blueprint: [{ topic: 'kl-discrete', count: 1 }], versions: 1, seed: 9 };
    const p = await previewExam(h.store, req);
    const by = (await h.student('Author')).id;
    const both = await Promise.allSettled([createExam(h.store, { ...req, createdBy: by, id: p.id }), createExam(h.store, { ...req, createdBy: by, id: p.id })]);
    expect(both.map((x) => x.status).sort()).toEqual(['fulfilled', 'rejected']);
    expect((both.find((x) => x.status === 'rejected') as PromiseRejectedResult).reason).toMatchObject({ code: 'conflict' });
    expect(await h.store.variants.listByExam(p.id)).toHaveLength(1);
  });
});
