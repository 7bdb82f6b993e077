/**
 * Conceptual items through the API: variants and attempts, batch, an exam whose versions show the
 * options in different orders, and no practising an item while it is in an unreleased exam.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { solveProblem } from '../../src/engine.js';
import { startHarness, type Harness } from './harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());

const ID = 'example-gan-discriminator-goal';

describe('conceptual items in the API', () => {
  it('a practice variant of an item, graded in the numeric result shape', async () => {
    const s = await h.student('Cy');
    const v = await h.call('POST', '/api/v1/variants', { key: s.key, body: { topic: 'example-rlhf-stages', seed: 12 } });
    expect(v.status, v.text).toBe(201);
    expect(v.body).toMatchObject({ topic: 'example-rlhf-stages', question: 'example-rlhf-stages', steps: ['answer'] });
    const order = (v.body.params as { order: string[] }).order;
    // Entries placed by id, two swapped: sft, rank right; rm, ppo swapped → 2 of 4.
    const a = await h.call('POST', `/api/v1/variants/${v.body.id}/attempts`, { key: s.key, body: { answers: { answer: ['sft', 'rank', 'ppo', 'rm'] } } });
    expect(a.status, a.text).toBe(201);
    expect(a.body.score).toBeCloseTo(0.5, 9);
    expect(a.body.steps[0]).toMatchObject({ id: 'answer', status: 'partial' });
    expect(order.slice().sort()).toEqual(['ppo', 'rank', 'rm', 'sft']);
  });

  it('matching answers are stored as objects; other objects are still refused', async () => {
    const s = await h.student('Di');
    const v = await h.call('POST', '/api/v1/variants', { key: s.key, body: { topic: 'example-lm-objectives', seed: 3 } });
    const a = await h.call('POST', `/api/v1/variants/${v.body.id}/attempts`, { key: s.key, body: { answers: { answer: { bert: 'Masked language modelling', gpt: 'next-token prediction', t5: 'span corruption (text-to-text)' } } } });
    expect(a.status, a.text).toBe(201);
    expect(a.body.score).toBe(1);
    const w = await h.call('POST', '/api/v1/variants', { key: s.key, body: { topic: ID, seed: 3 } });
    const bad = await h.call('POST', `/api/v1/variants/${w.body.id}/attempts`, { key: s.key, body: { answers: { answer: { a: 1 } } } });
    expect(bad.status).toBe(422);
  });

  it('batch: generate and grade an item', async () => {
    const lines = [
      JSON.stringify({ op: 'generate', topic: ID, seed: 5, id: 1 }),
      JSON.stringify({ op: 'grade', question: 'example-optimal-d-equilibrium', params: {}, answers: { answer: '1' }, id: 2 }),
    ].join('\n');
    const r = await h.call('POST', '/api/v1/batch', { key: h.instructor, raw: lines, type: 'application/x-ndjson' });
    expect(r.status, r.text).toBe(200);
    const [gen, graded] = r.text.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(gen).toMatchObject({ ok: true, id: 1, topic: ID, steps: ['answer'] });
    expect(graded).toMatchObject({ ok: true, id: 2, score: 0, steps: [{ id: 'answer', status: 'incorrect', misconception: { id: 'wrong-1' } }] });
  });

  it('a practice session may mix a topic and a conceptual item: the untried item comes next, then the weaker', async () => {
    const s = await h.student('Hal');
    const made = await h.call('POST', '/api/v1/practice-sessions', { key: s.key, body: { topics: ['kl-discrete', 'example-bert-cls-token'], difficulty: 'easy' } });
    expect(made.status, made.text).toBe(201);
    const first = (await h.call('POST', `/api/v1/practice-sessions/${made.body.id}/next`, { key: s.key })).body;
    expect(first.topic).toBe('kl-discrete');
    await h.call('POST', `/api/v1/variants/${first.id}/attempts`, { key: s.key, body: { answers: {} } });
    const second = (await h.call('POST', `/api/v1/practice-sessions/${made.body.id}/next`, { key: s.key })).body;
    expect(second).toMatchObject({ topic: 'example-bert-cls-token', steps: ['answer'] });
    await h.call('POST', `/api/v1/variants/${second.id}/attempts`, { key: s.key, body: { answers: { answer: 'CLS' } } });
    const view = (await h.call('GET', `/api/v1/practice-sessions/${made.body.id}`, { key: s.key })).body;
    expect(view.mastery).toEqual([
      expect.objectContaining({ topic: 'kl-discrete', attempts: 1, mastery: 0 }),
      expect.objectContaining({ topic: 'example-bert-cls-token', attempts: 1, mastery: 1 }),
    ]);
  });

  it('an exam with an item: versions differ in option order, grading follows each version, practice of the item is refused until release', async () => {
    // Six versions, one per student below: each shows the item in its secret seed's option order, one
    // of 4! = 24, so with three all were alike once in 576 exams; with six, once in 8 million.
    const e = await h.call('POST', '/api/v1/exams', { key: h.instructor, body: { title: 'Concepts', blueprint: [{ topic: ID, count: 1, marks: 4 }], versions: 6 } });
    expect(e.status, e.text).toBe(201);
    const orders = new Set<string>();
    for (let i = 0; i < 6; i++) {
      const s = await h.student(`Exam${i}`);
      const mine = await h.call('GET', `/api/v1/exams/${e.body.id}/my-version`, { key: s.key });
      expect(mine.status, mine.text).toBe(200);
      const v = mine.body.variants[0] as { id: string; topic: string; params: { options: string[] } };
      orders.add(v.params.options.join());
      const right = solveProblem(v.topic, v.params).steps[0].value;
      const a = await h.call('POST', `/api/v1/variants/${v.id}/attempts`, { key: s.key, body: { answers: { answer: right } } });
      expect(a.status, a.text).toBe(201);
      if (i === 0) {
        const p = await h.call('POST', '/api/v1/variants', { key: s.key, body: { topic: ID } });
        expect(p.status).toBe(403);
      }
    }
    expect(orders.size).toBeGreaterThan(1);
    const results = await h.call('GET', `/api/v1/exams/${e.body.id}/results`, { key: h.instructor });
    expect(results.status, results.text).toBe(200);
    expect(JSON.stringify(results.body)).toContain('"maxScore":4');
  });

  it('a blueprint row concepts:<section> asks that many different items of the section; an unknown section or too many items is refused', async () => {
    const e = await h.call('POST', '/api/v1/exams', { key: h.instructor, body: { title: 'Sections', blueprint: [{ topic: 'concepts:examples', count: 3 }], versions: 2 } });
    expect(e.status, e.text).toBe(201);
    const manifest = e.body.manifest as { topic: string; question: string }[][];
    for (const version of manifest) {
      expect(version).toHaveLength(3);
      expect(new Set(version.map((i) => i.topic)).size).toBe(3);
      for (const i of version) expect(i.question).toBe(i.topic);
    }
    const unknown = await h.call('POST', '/api/v1/exams', { key: h.instructor, body: { title: 'x', blueprint: [{ topic: 'concepts:nope', count: 1 }], versions: 1 } });
    expect(unknown.status).toBe(404);
    expect(unknown.text).toContain('examples');
    const many = await h.call('POST', '/api/v1/exams', { key: h.instructor, body: { title: 'x', blueprint: [{ topic: 'concepts:examples', count: 7 }], versions: 1 } });
    expect(many.status).toBe(422);
    expect(JSON.stringify(many.body)).toContain('body.blueprint[0].count');
  });

  it('GET /topics/{id} describes topics only: a conceptual item (its distractors\' reasons) is not served there', async () => {
    const s = await h.student('Fay');
    const r = await h.call('GET', `/api/v1/topics/${ID}`, { key: s.key });
    expect(r.status).toBe(404);
    expect(r.text).not.toContain('generator');
  });

  it('while an item is in an unreleased exam (made above), a student\'s batch generate or grade of it is refused in any order', async () => {
    const s = await h.student('Gus');
    const lines = [
      JSON.stringify({ op: 'generate', topic: ID, seed: 99, id: 1 }),
      JSON.stringify({ op: 'grade', question: ID, params: { options: ['d', 'c', 'b', 'a'] }, answers: { answer: 'A' }, id: 2 }),
    ].join('\n');
    const r = await h.call('POST', '/api/v1/batch', { key: s.key, raw: lines, type: 'application/x-ndjson' });
    const replies = r.text.trim().split('\n').map((l) => JSON.parse(l) as { ok: boolean; error?: { code: string } });
    expect(replies.map((x) => x.error?.code)).toEqual(['forbidden', 'forbidden']);
  });
});
