/** Variants, attempts, exams and practice sessions through the API, with the access rules proved. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { solveProblem } from '../../src/engine.js';
import { startHarness, type Harness } from './harness.js';
import { ON_POSTGRES } from './harness.js';

let h: Harness;
let ada: { id: string; key: string };
let bob: { id: string; key: string };
beforeAll(async () => {
  h = await startHarness();
  ada = await h.student('Ada');
  bob = await h.student('Bob');
});
afterAll(() => h.close());

/** The true answers to a variant's asked steps, as a student who got everything right sends them. */
function rightAnswers(v: { topic: string; params: object; steps: string[] }): Record<string, unknown> {
  const solved = solveProblem(v.topic, v.params).steps.filter((s) => v.steps.includes(s.id));
  return JSON.parse(JSON.stringify(Object.fromEntries(solved.map((s) => [s.id, s.value]))));
}

describe('practice variants and attempts', () => {
  it('generates a frozen, reproducible variant and renders its prompt as HTML', async () => {
    const a = await h.call('POST', '/api/v1/variants', { key: ada.key, body: { topic: 'diffusion-step', seed: 7, difficulty: 'easy' } });
    expect(a.status).toBe(201);
    expect(a.body).toMatchObject({ topic: 'diffusion-step', seed: 7, difficulty: 'easy', mode: 'practice', params: { beta: 0.1 } });
    const again = await h.call('POST', '/api/v1/variants', { key: bob.key, body: { topic: 'diffusion-step', seed: 7, difficulty: 'easy' } });
    expect(again.body.params).toEqual(a.body.params);
    expect(again.body.id).not.toBe(a.body.id);
    const prompt = await h.call('GET', `/api/v1/variants/${a.body.id}/prompt`, { key: ada.key });
    expect(prompt.body.markdown).toBe(a.body.prompt);
    expect(prompt.body.html).toMatch(/<math|class="katex/);
    expect(prompt.body.html).not.toMatch(/\$\$/);
  });

  it('a bank question id works in place of a topic and fixes steps and difficulty', async () => {
    const v = await h.call('POST', '/api/v1/variants', { key: ada.key, body: { topic: 'self-attention-residual' } });
    expect(v.body).toMatchObject({ question: 'self-attention-residual', difficulty: 'medium', steps: ['scores', 'scaled_scores', 'weights', 'attention_output', 'output'] });
  });

  it.skipIf(ON_POSTGRES)('an attempt is graded, stored, and shows expected values and the worked solution in practice', async () => {
    const v = (await h.call('POST', '/api/v1/variants', { key: ada.key, body: { topic: 'kl-discrete', seed: 3 } })).body;
    const answers = rightAnswers(v);
    answers.terms = (answers.terms as number[]).map((x) => x + 1); // a slip in the terms, kl carried from it
    answers.kl = (answers.terms as number[]).reduce((t, x) => t + x, 0);
    const r = await h.call('POST', `/api/v1/variants/${v.id}/attempts`, { key: ada.key, body: { answers } });
    expect(r.status).toBe(201);
    expect(r.body.revealed).toBe(true);
    expect(r.body.steps.map((s: { id: string; status: string }) => [s.id, s.status])).toEqual([['log_ratio', 'correct'], ['terms', 'incorrect'], ['kl', 'carried']]);
    expect(r.body.steps[0].expected).toBeDefined();
    expect(r.body.solution.workedMarkdown.length).toBeGreaterThan(50);
    // Committed: the store has it, with one row per graded step.
    const stored = await h.store.attempts.get(r.body.id);
    expect(stored?.score).toBe(r.body.score);
    const rows = h.store.db.prepare('SELECT step_id, status FROM attempt_steps WHERE attempt_id = ? ORDER BY step_id').all(r.body.id);
    expect(rows).toEqual([{ step_id: 'kl', status: 'carried' }, { step_id: 'log_ratio', status: 'correct' }, { step_id: 'terms', status: 'incorrect' }]);
  });

  it('students read only their own attempts', async () => {
    const v = (await h.call('POST', '/api/v1/variants', { key: ada.key, body: { topic: 'diffusion-step', seed: 9 } })).body;
    const a = (await h.call('POST', `/api/v1/variants/${v.id}/attempts`, { key: ada.key, body: { answers: {} } })).body;
    expect((await h.call('GET', `/api/v1/attempts/${a.id}`, { key: ada.key })).status).toBe(200);
    const denied = await h.call('GET', `/api/v1/attempts/${a.id}`, { key: bob.key });
    expect(denied.status).toBe(403);
    expect(denied.text).not.toContain('expected');
    expect((await h.call('GET', `/api/v1/attempts/${a.id}`, { key: h.instructor })).status).toBe(200);
  });

  it.skipIf(ON_POSTGRES)('variants cannot be changed once stored', () => {
    const id = (h.store.db.prepare('SELECT id FROM variants LIMIT 1').get() as { id: string }).id;
    expect(() => h.store.db.prepare("UPDATE variants SET params = '{}' WHERE id = ?").run(id)).toThrow(/frozen/);
  });

  it('bad answers are graded invalid, never a crash; non-object answers are a 422', async () => {
    const v = (await h.call('POST', '/api/v1/variants', { key: ada.key, body: { topic: 'self-attention', seed: 2 } })).body;
    const r = await h.call('POST', `/api/v1/variants/${v.id}/attempts`, { key: ada.key, body: { answers: { Q: 'import("fs")', K: [[1]] } } });
    expect(r.status).toBe(201);
    expect(r.body.steps.slice(0, 2).map((s: { status: string }) => s.status)).toEqual(['invalid', 'invalid']);
    const bad = await h.call('POST', `/api/v1/variants/${v.id}/attempts`, { key: ada.key, body: { answers: [1, 2] } });
    expect(bad.status).toBe(422);
    expect(bad.body.field).toBe('body.answers');
  });
});

describe('exams', () => {
  let exam: { id: string; versions: number; manifest: { topic: string; seed: number }[][] };
  beforeAll(async () => {
    const r = await h.call('POST', '/api/v1/exams', {
      key: h.instructor,
      body: { title: 'Midterm', blueprint: [{ topic: 'kl-discrete', count: 2, difficulty: 'easy' }, { topic: 'self-attention-residual', count: 1 }], versions: 2, seed: 2026, feedback: 'full' },
    });
    expect(r.status).toBe(201);
    exam = r.body;
  });

  it('freezes every version’s variants by a seed manifest', async () => {
    expect(exam.manifest).toHaveLength(2);
    expect(exam.manifest[0].map((i) => i.topic)).toEqual(['kl-discrete', 'kl-discrete', 'self-attention']);
    const versions = (await h.call('GET', `/api/v1/exams/${exam.id}/versions`, { key: h.instructor })).body;
    expect(versions.map((v: { variants: unknown[] }) => v.variants.length)).toEqual([3, 3]);
    versions.forEach((ver: { variants: { seed: number; topic: string }[] }, i: number) =>
      ver.variants.forEach((v, k) => expect([v.topic, v.seed]).toEqual([exam.manifest[i][k].topic, exam.manifest[i][k].seed])),
    );
    // Item seeds are keyed by the exam (tests/api/secrecy.test.ts): the same blueprint and seed
    // make another exam with unrelated seeds.
    const again = await h.call('POST', '/api/v1/exams', {
      key: h.instructor,
      body: { title: 'Midterm copy', blueprint: [{ topic: 'kl-discrete', count: 2, difficulty: 'easy' }, { topic: 'self-attention-residual', count: 1 }], versions: 2, seed: 2026 },
    });
    const seeds = (m: { seed: number }[][]) => m.flat().map((i) => i.seed);
    expect(seeds(again.body.manifest).filter((s) => seeds(exam.manifest).includes(s))).toEqual([]);
    // Released, so its items (drawn from secret seeds) take no part in the secrecy checks below: now
    // and then one is the same problem as a fixed one asked there, which would then be refused.
    expect((await h.call('POST', `/api/v1/exams/${again.body.id}/release`, { key: h.instructor, body: { force: true } })).status).toBe(200);
  });

  it('students get versions in rotation and keep theirs; they do not see the manifest', async () => {
    const va = (await h.call('GET', `/api/v1/exams/${exam.id}/my-version`, { key: ada.key })).body;
    const vb = (await h.call('GET', `/api/v1/exams/${exam.id}/my-version`, { key: bob.key })).body;
    expect(new Set([va.version, vb.version])).toEqual(new Set([1, 2])); // numbered from 1
    for (const v of va.variants) expect(v.examVersion).toBe(va.version);
    expect((await h.call('GET', `/api/v1/exams/${exam.id}/my-version`, { key: ada.key })).body.version).toBe(va.version);
    const seen = (await h.call('GET', `/api/v1/exams/${exam.id}`, { key: ada.key })).body;
    expect(seen).not.toHaveProperty('manifest');
    expect(seen.released).toBe(false);
  });

  it('hides answer keys from students until release, and only then shows them', async () => {
    const mine = (await h.call('GET', `/api/v1/exams/${exam.id}/my-version`, { key: ada.key })).body.variants[0];
    const theirs = (await h.call('GET', `/api/v1/exams/${exam.id}/my-version`, { key: bob.key })).body.variants[0];
    // Another version's variant is off limits.
    expect((await h.call('GET', `/api/v1/variants/${theirs.id}`, { key: ada.key })).status).toBe(403);
    expect((await h.call('POST', `/api/v1/variants/${theirs.id}/attempts`, { key: ada.key, body: { answers: {} } })).status).toBe(403);
    // Own exam variant: graded, but no expected values, carried values or solution before release.
    const wrong = rightAnswers(mine);
    wrong.log_ratio = (wrong.log_ratio as number[]).map((x) => x + 1);
    const before = await h.call('POST', `/api/v1/variants/${mine.id}/attempts`, { key: ada.key, body: { answers: wrong } });
    expect(before.status).toBe(201);
    expect(before.body.revealed).toBe(false);
    expect(before.body).not.toHaveProperty('solution');
    for (const s of before.body.steps) {
      expect(s).not.toHaveProperty('expected');
      expect(s).not.toHaveProperty('carriedValue');
    }
    expect((await h.call('GET', `/api/v1/variants/${mine.id}/solution`, { key: ada.key })).status).toBe(403);
    expect((await h.call('GET', `/api/v1/attempts/${before.body.id}`, { key: ada.key })).body.steps[0]).not.toHaveProperty('expected');
    // Instructors always see the key.
    expect((await h.call('GET', `/api/v1/attempts/${before.body.id}`, { key: h.instructor })).body.steps[0]).toHaveProperty('expected');

    // Nor through the stateless routes: grading the exam's own params is refused, alone or in bulk.
    const stateless = await h.call('POST', `/api/v1/topics/${mine.topic}/grade`, { key: ada.key, body: { params: mine.params, answers: {} } });
    expect(stateless.status).toBe(403);
    expect(stateless.body.detail).toMatch(/exam whose answers have not been released/);
    const reordered = Object.fromEntries(Object.entries(mine.params as object).reverse()); // key order does not matter
    expect((await h.call('POST', `/api/v1/topics/${mine.topic}/grade`, { key: ada.key, body: { params: reordered, answers: {} } })).status).toBe(403);
    const bulk = await h.call('POST', '/api/v1/batch', {
      key: ada.key,
      raw: JSON.stringify({ op: 'grade', topic: mine.topic, params: mine.params, answers: {}, id: 1 }),
      type: 'application/x-ndjson',
    });
    expect(JSON.parse(bulk.text)).toMatchObject({ ok: false, id: 1, error: { code: 'forbidden' } });

    const rel = await h.call('POST', `/api/v1/exams/${exam.id}/release`, { key: h.instructor, body: { force: true } });
    expect(rel.body.released).toBe(true);
    const after = await h.call('GET', `/api/v1/attempts/${before.body.id}`, { key: ada.key });
    expect(after.body.revealed).toBe(true);
    expect(after.body.steps[0]).toHaveProperty('expected');
    expect((await h.call('GET', `/api/v1/variants/${mine.id}/solution`, { key: ada.key })).status).toBe(200);
    expect((await h.call('POST', `/api/v1/topics/${mine.topic}/grade`, { key: ada.key, body: { params: mine.params, answers: {} } })).status).toBe(200);
  });

  it('students get statuses but no true values from the stateless grade route', async () => {
    // Thousandths: never an exam item, whatever the exams' secret seeds drew (hundredths can be).
    const p = { p: [0.5, 0.5], q: [0.125, 0.875] };
    const asStudent = await h.call('POST', '/api/v1/topics/kl-discrete/grade', { key: ada.key, body: { params: p, answers: { kl: 1 } } });
    expect(asStudent.body.steps.map((s: { status: string }) => s.status)).toEqual(['missing', 'missing', 'incorrect']);
    for (const s of asStudent.body.steps) expect(s).not.toHaveProperty('expected');
    const asInstructor = await h.call('POST', '/api/v1/topics/kl-discrete/grade', { key: h.instructor, body: { params: p, answers: { kl: 1 } } });
    expect(asInstructor.body.steps[2].expected).toBeCloseTo(0.5 * Math.log(0.5 / 0.125) + 0.5 * Math.log(0.5 / 0.875), 9); // 0.413339
  });

  it('reports results per student as JSON and CSV', async () => {
    const json = (await h.call('GET', `/api/v1/exams/${exam.id}/results`, { key: h.instructor })).body;
    const adaRow = json.students.find((s: { userId: string }) => s.userId === ada.id);
    expect(adaRow.items).toHaveLength(3);
    expect(adaRow.items[0].attemptId).toBeTruthy();
    expect(adaRow.items[1].score).toBeNull();
    const csv = await h.call('GET', `/api/v1/exams/${exam.id}/results?format=csv`, { key: h.instructor });
    expect(csv.headers.get('content-type')).toMatch(/text\/csv/);
    const lines = csv.text.trim().split('\r\n');
    expect(lines[0]).toBe('user_id,name,version,item_1,item_2,item_3,score,max_score');
    expect(lines.some((l) => l.startsWith(`${ada.id},Ada,`))).toBe(true);
    expect((await h.call('GET', `/api/v1/exams/${exam.id}/results`, { key: ada.key })).status).toBe(403);
  });

  it('rejects a blueprint with an unknown topic, storing nothing', async () => {
    const before = (await h.call('GET', '/api/v1/exams', { key: h.instructor })).body.length;
    const r = await h.call('POST', '/api/v1/exams', { key: h.instructor, body: { title: 'x', blueprint: [{ topic: 'gan-loss', count: 1 }], versions: 1 } });
    expect(r.status).toBe(404);
    expect(r.body.detail).toMatch(/gan-loss/);
    expect((await h.call('GET', '/api/v1/exams', { key: h.instructor })).body.length).toBe(before);
  });
});

describe('practice sessions', () => {
  it('the next variant goes to an untried topic, then to the weakest one', async () => {
    const s = (await h.call('POST', '/api/v1/practice-sessions', { key: ada.key, body: { topics: ['kl-discrete', 'diffusion-step'], difficulty: 'easy' } })).body;
    expect(s.mastery.map((m: { mastery: null }) => m.mastery)).toEqual([null, null]);
    const first = (await h.call('POST', `/api/v1/practice-sessions/${s.id}/next`, { key: ada.key })).body;
    expect(first.topic).toBe('kl-discrete');
    await h.call('POST', `/api/v1/variants/${first.id}/attempts`, { key: ada.key, body: { answers: rightAnswers(first) } });
    const second = (await h.call('POST', `/api/v1/practice-sessions/${s.id}/next`, { key: ada.key })).body;
    expect(second.topic).toBe('diffusion-step'); // untried beats mastered
    await h.call('POST', `/api/v1/variants/${second.id}/attempts`, { key: ada.key, body: { answers: {} } }); // all missing: 0
    const third = (await h.call('POST', `/api/v1/practice-sessions/${s.id}/next`, { key: ada.key })).body;
    expect(third.topic).toBe('diffusion-step'); // weakest
    const view = (await h.call('GET', `/api/v1/practice-sessions/${s.id}`, { key: ada.key })).body;
    expect(view.mastery).toEqual([
      expect.objectContaining({ topic: 'kl-discrete', attempts: 1, mastery: 1 }),
      expect.objectContaining({ topic: 'diffusion-step', attempts: 1, mastery: 0 }),
    ]);
    expect(view.variants).toEqual([first.id, second.id, third.id]);
    expect((await h.call('GET', `/api/v1/practice-sessions/${s.id}`, { key: bob.key })).status).toBe(403);
  });

  it('names an unknown topic in the body', async () => {
    const r = await h.call('POST', '/api/v1/practice-sessions', { key: ada.key, body: { topics: ['kl-discrete', 'nope'] } });
    expect(r.status).toBe(422);
    expect(r.body.field).toBe('body.topics[1]');
  });
});
