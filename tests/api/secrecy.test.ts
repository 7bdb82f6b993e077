/**
 * Exam secrecy, attacked as a student would: an unreleased exam item's answers are not reachable
 * through a practice variant, its solution or attempts, nor the stateless grade and batch routes in
 * any spelling of the item (question id as topic, topic and question together, defaults written
 * out, keys reordered, numbers written differently); students never see exam seeds or manifests.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateProblem } from '../../src/engine.js';
import { startHarness, type Harness } from './harness.js';

let h: Harness;
let ada: { id: string; key: string };

interface Item {
  id: string;
  topic: string;
  question?: string;
  seed?: number;
  difficulty: string;
  params: Record<string, unknown>;
  steps: string[];
}
let exam: { id: string; manifest: { topic: string; question?: string; seed: number; difficulty: string }[][] };
/** Every variant of the exam, as the instructor sees them (seeds included). */
let items: (Item & { examVersion: number; examItem: number })[];

beforeAll(async () => {
  h = await startHarness();
  ada = await h.student('Ada');
  const r = await h.call('POST', '/api/v1/exams', {
    key: h.instructor,
    body: {
      title: 'Midterm',
      blueprint: [
        { topic: 'kl-discrete', count: 1, difficulty: 'easy' },
        { topic: 'self-attention-residual', count: 1 },
      ],
      // Twelve versions: attention() needs one whose self-attention item is not causal, and the
      // question draws a causal mask a quarter of the time (all of six were, 1 exam in 4,000).
      versions: 12,
      seed: 7,
    },
  });
  expect(r.status).toBe(201);
  exam = r.body;
  const versions = (await h.call('GET', `/api/v1/exams/${exam.id}/versions`, { key: h.instructor })).body as { variants: Item[] }[];
  items = versions.flatMap((v) => v.variants) as typeof items;
});
afterAll(() => h.close());

const kl = () => items.find((i) => i.topic === 'kl-discrete')!;
/** A self-attention item whose params leave `causal` out (the default, false). */
const attention = () => items.find((i) => i.question === 'self-attention-residual' && i.params.causal === undefined)!;

async function grade(topic: string, params: unknown, key = ada.key) {
  return h.call('POST', `/api/v1/topics/${topic}/grade`, { key, body: { params, answers: {} } });
}

async function batchLine(line: object | string) {
  const raw = typeof line === 'string' ? line : JSON.stringify(line);
  const r = await h.call('POST', '/api/v1/batch', { key: ada.key, raw, type: 'application/x-ndjson' });
  expect(r.status).toBe(200);
  return JSON.parse(r.text.trim()) as { ok: boolean; error?: { code: string; message: string } };
}

describe('students never see exam seeds or manifests', () => {
  it('my-version and GET /variants/{id} carry no seed; the exam carries no manifest', async () => {
    const mine = (await h.call('GET', `/api/v1/exams/${exam.id}/my-version`, { key: ada.key })).body;
    expect(mine.variants).toHaveLength(2);
    for (const v of mine.variants) {
      expect(v).not.toHaveProperty('seed');
      expect(v).not.toHaveProperty('manifest');
      expect(v.prompt.length).toBeGreaterThan(0);
      expect(v.steps.length).toBeGreaterThan(0);
      const one = await h.call('GET', `/api/v1/variants/${v.id}`, { key: ada.key });
      expect(one.status).toBe(200);
      expect(one.body).not.toHaveProperty('seed');
      expect(one.body.params).toEqual(v.params);
      // Nor anywhere in the text: no manifest seed of this exam appears in what the student gets.
      for (const s of exam.manifest.flat().map((i) => i.seed)) expect(one.text).not.toMatch(new RegExp(`\\b${s}\\b`));
    }
    const seen = await h.call('GET', `/api/v1/exams/${exam.id}`, { key: ada.key });
    expect(seen.body).not.toHaveProperty('manifest');
    expect(seen.body).not.toHaveProperty('seed');
  });

  it('instructors still see the manifest and every seed', async () => {
    const full = (await h.call('GET', `/api/v1/exams/${exam.id}`, { key: h.instructor })).body;
    expect(full.manifest).toHaveLength(12);
    const one = (await h.call('GET', `/api/v1/variants/${items[0].id}`, { key: h.instructor })).body;
    expect(one.seed).toBe(exam.manifest[items[0].examVersion - 1][items[0].examItem].seed);
  });
});

describe('practice variants, solutions and attempts', () => {
  it('refuses a student a practice variant with an exam item’s topic, seed and difficulty (an instructor may)', async () => {
    for (const item of [kl(), attention()]) {
      const body = { topic: item.question ?? item.topic, seed: item.seed, difficulty: item.difficulty };
      const r = await h.call('POST', '/api/v1/variants', { key: ada.key, body });
      expect(r.status).toBe(403);
      expect(r.body).toMatchObject({ code: 'forbidden' });
      expect(r.body.detail).toMatch(/exam whose answers have not been released/);
    }
    // The bare topic with the question's seed and difficulty is the same problem: refused too.
    const a = attention();
    const bare = await h.call('POST', '/api/v1/variants', { key: ada.key, body: { topic: 'self-attention', seed: a.seed, difficulty: a.difficulty } });
    expect(bare.status).toBe(403);
    const asInstructor = await h.call('POST', '/api/v1/variants', { key: h.instructor, body: { topic: 'kl-discrete', seed: kl().seed, difficulty: 'easy' } });
    expect(asInstructor.status).toBe(201);
    expect(asInstructor.body.params).toEqual(kl().params);
  });

  it('refuses a student the problem, solution of, and attempts at a practice variant that is an exam item', async () => {
    const copy = (await h.call('POST', '/api/v1/variants', { key: h.instructor, body: { topic: 'kl-discrete', seed: kl().seed, difficulty: 'easy' } })).body;
    // Its params could be another version's problem: not even the statement is served.
    expect((await h.call('GET', `/api/v1/variants/${copy.id}`, { key: ada.key })).status).toBe(403);
    expect((await h.call('GET', `/api/v1/variants/${copy.id}/prompt`, { key: ada.key })).status).toBe(403);
    const solution = await h.call('GET', `/api/v1/variants/${copy.id}/solution`, { key: ada.key });
    expect(solution.status).toBe(403);
    expect(solution.body.detail).toMatch(/exam whose answers have not been released/);
    const attempt = await h.call('POST', `/api/v1/variants/${copy.id}/attempts`, { key: ada.key, body: { answers: { kl: 0 } } });
    expect(attempt.status).toBe(403);
    expect((await h.call('GET', `/api/v1/variants/${copy.id}/solution`, { key: h.instructor })).status).toBe(200);
  });
});

describe('the stateless routes catch every spelling of an exam item', () => {
  it('grade: defaults written out, keys reordered, numbers written differently', async () => {
    const p = kl().params;
    expect(p).not.toHaveProperty('base'); // easy: the default base e, left out
    expect((await grade('kl-discrete', { ...p, base: 'e' })).status).toBe(403);
    expect((await grade('kl-discrete', { base: 'e', q: p.q, p: p.p })).status).toBe(403);
    // The same JSON numbers in other spellings: 0.25 as 2.5e-1, 0.5 as 0.50, 1 as 1.0.
    const spelled = JSON.stringify({ q: p.q, p: p.p }).replace(/\d+(\.\d+)?/g, (n) => (n.includes('.') ? `${n}0` : `${n}.0`));
    const text = await h.call('POST', '/api/v1/topics/kl-discrete/grade', { key: ada.key, raw: `{"params":${spelled},"answers":{}}` });
    expect(text.status).toBe(403);
    const exponent = JSON.stringify(p).replace(/0\.(\d+)/g, (_m, d: string) => `${Number(d)}e-${d.length}`);
    expect(JSON.parse(exponent)).toEqual(p);
    expect((await h.call('POST', '/api/v1/topics/kl-discrete/grade', { key: ada.key, raw: `{"params":${exponent},"answers":{}}` })).status).toBe(403);

    const a = attention();
    expect((await grade('self-attention', { ...a.params, causal: false })).status).toBe(403);
    // A problem that is not the exam's: graded, without true values. (Thousandths: no exam item can
    // be it, whatever the secret seeds drew; [0.25, 0.75] is an easy item now and then.)
    const other = await grade('kl-discrete', { p: [0.5, 0.5], q: [0.125, 0.875] });
    expect(other.status).toBe(200);
    expect(other.body.steps[0]).not.toHaveProperty('expected');
  });

  it('batch: a question id as topic, topic and question together, defaults written out', async () => {
    const a = attention();
    const refused = (r: { ok: boolean; error?: { code: string } }) => expect(r).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    refused(await batchLine({ op: 'grade', topic: 'self-attention-residual', params: a.params, answers: {} }));
    refused(await batchLine({ op: 'grade', question: 'self-attention-residual', params: a.params, answers: {} }));
    // The dispatcher grades `question` when both are given: the check must look there too.
    refused(await batchLine({ op: 'grade', topic: 'kl-discrete', question: 'self-attention-residual', params: a.params, answers: {} }));
    refused(await batchLine({ op: 'grade', topic: 'self-attention', params: { ...a.params, causal: false }, answers: {} }));
    refused(await batchLine({ op: 'grade', topic: 'kl-discrete', params: { base: 'e', ...kl().params }, answers: {} }));
    const spelled = JSON.stringify(kl().params).replace(/\d\.\d+/g, (n) => `${n}00`);
    refused(await batchLine(`{"op":"grade","topic":"kl-discrete","params":${spelled},"answers":{}}`));
    // Another question of the same topic is the same problem.
    refused(await batchLine({ op: 'grade', topic: 'kl-discrete-bits', params: kl().params, answers: {} }));
    // Bad input still gets the dispatcher's own error, not a refusal.
    expect(await batchLine({ op: 'grade', topic: 'nope', params: {}, answers: {} })).toMatchObject({ ok: false, error: { code: 'unknown_topic' } });
  });

  it('batch generate: a student cannot regenerate an exam item (another version) from its seed', async () => {
    for (const item of items) {
      const r = await batchLine({ op: 'generate', topic: item.question ?? item.topic, seed: item.seed, difficulty: item.difficulty });
      expect(r).toMatchObject({ ok: false, error: { code: 'forbidden' } });
      expect(JSON.stringify(r)).not.toContain(JSON.stringify(item.params));
    }
    // Any other problem is generated as before: the first seed whose problem is none of the items
    // (a fixed seed's problem is, now and then, one the secret item seeds drew).
    const taken = new Set(items.map((i) => `${i.topic} ${JSON.stringify(i.params)}`));
    let free = 1;
    while (taken.has(`kl-discrete ${JSON.stringify(generateProblem('kl-discrete', free, 'easy').params)}`)) free++;
    expect(await batchLine({ op: 'generate', topic: 'kl-discrete', seed: free, difficulty: 'easy' })).toMatchObject({ ok: true, topic: 'kl-discrete' });
  });

  it('after release the same requests are answered', async () => {
    // Hard: four or five outcomes, so this item is never one of the unreleased exam's easy ones
    // (two or three), which would keep refusing it after this exam's release.
    const other = await h.call('POST', '/api/v1/exams', {
      key: h.instructor,
      body: { title: 'Quiz', blueprint: [{ topic: 'kl-discrete', count: 1, difficulty: 'hard' }], versions: 1, seed: 7 },
    });
    const item = (await h.call('GET', `/api/v1/exams/${other.body.id}/versions`, { key: h.instructor })).body[0].variants[0];
    expect(item.params.p.length).toBeGreaterThan(3);
    const spelled = { ...item.params, base: item.params.base ?? 'e' }; // the default written out
    expect((await grade('kl-discrete', spelled)).status).toBe(403);
    await h.call('POST', `/api/v1/exams/${other.body.id}/release`, { key: h.instructor, body: { force: true } });
    expect((await grade('kl-discrete', spelled)).status).toBe(200);
    const practice = await h.call('POST', '/api/v1/variants', { key: ada.key, body: { topic: 'kl-discrete', seed: item.seed, difficulty: 'hard' } });
    expect(practice.status).toBe(201);
  });
});
