/**
 * Exam rules through the API: open and close times, the attempt limit (also under concurrent
 * submissions), refusal after release, the feedback policy, which attempt counts, release only
 * after close (or forced), results that list every assigned student, and versions from 1.
 */
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { solveProblem } from '../../src/engine.js';
import { startHarness, type Harness } from './harness.js';
import { ON_POSTGRES } from './harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());

const HOUR = 3_600_000;
const at = (offsetMs: number) => new Date(Date.now() + offsetMs).toISOString();

async function makeExam(rules: Record<string, unknown> = {}, blueprint: object[] = [{ topic: 'kl-discrete', count: 1, difficulty: 'easy' }], versions = 1) {
  const r = await h.call('POST', '/api/v1/exams', { key: h.instructor, body: { title: 'Quiz', blueprint, versions, ...rules } });
  expect(r.status, r.text).toBe(201);
  return r.body as { id: string; attemptLimit: number; feedback: string; counts: string; blankSteps: string; opensAt?: string; closesAt?: string };
}

/** A student with their version of the exam: its variants. */
async function sitting(examId: string, name = 'Student') {
  const s = await h.student(name);
  const mine = await h.call('GET', `/api/v1/exams/${examId}/my-version`, { key: s.key });
  expect(mine.status, mine.text).toBe(200);
  return { ...s, version: mine.body.version as number, variants: mine.body.variants as { id: string; topic: string; params: object; steps: string[] }[] };
}

function rightAnswers(v: { topic: string; params: object; steps: string[] }): Record<string, unknown> {
  const solved = solveProblem(v.topic, v.params).steps.filter((s) => v.steps.includes(s.id));
  return JSON.parse(JSON.stringify(Object.fromEntries(solved.map((s) => [s.id, s.value]))));
}

const submit = (key: string, variantId: string, answers: object) => h.call('POST', `/api/v1/variants/${variantId}/attempts`, { key, body: { answers } });
const stored = (variantId: string) => h.store.attempts.listByVariant(variantId);

describe('creating an exam with rules', () => {
  it('stores the defaults: always open, 1 attempt, no feedback, last counts, blank steps shown', async () => {
    const e = await makeExam();
    expect(e).toMatchObject({ attemptLimit: 1, feedback: 'none', counts: 'last', blankSteps: 'shown' });
    expect(e).not.toHaveProperty('opensAt');
    expect(e).not.toHaveProperty('closesAt');
  });

  it('stores the rules given, times as UTC', async () => {
    const e = await makeExam({ opensAt: '2030-01-01T10:00:00+02:00', closesAt: '2030-01-01T12:00:00+02:00', attemptLimit: 3, feedback: 'status', counts: 'best', blankSteps: 'implied' });
    expect(e).toMatchObject({ opensAt: '2030-01-01T08:00:00.000Z', closesAt: '2030-01-01T10:00:00.000Z', attemptLimit: 3, feedback: 'status', counts: 'best', blankSteps: 'implied' });
    const s = await h.student();
    expect((await h.call('GET', `/api/v1/exams/${e.id}`, { key: s.key })).body).toMatchObject({ closesAt: '2030-01-01T10:00:00.000Z', attemptLimit: 3, feedback: 'status' });
  });

  it('refuses bad rules with a 422 naming the field, storing nothing', async () => {
    const before = (await h.call('GET', '/api/v1/exams', { key: h.instructor })).body.length;
    const cases: [Record<string, unknown>, string][] = [
      [{ opensAt: '2030-01-02T00:00:00Z', closesAt: '2030-01-01T00:00:00Z' }, 'body.closesAt'],
      [{ opensAt: '2030-01-01T00:00:00Z', closesAt: '2030-01-01T00:00:00Z' }, 'body.closesAt'],
      [{ attemptLimit: 0 }, 'body.attemptLimit'],
      [{ attemptLimit: 1.5 }, 'body.attemptLimit'],
      [{ feedback: 'loud' }, 'body.feedback'],
      [{ counts: 'median' }, 'body.counts'],
      [{ blankSteps: 'guessed' }, 'body.blankSteps'],
      [{ closesAt: 'tomorrow' }, 'body.closesAt'],
    ];
    for (const [rules, field] of cases) {
      const r = await h.call('POST', '/api/v1/exams', { key: h.instructor, body: { title: 'x', blueprint: [{ topic: 'kl-discrete', count: 1 }], versions: 1, ...rules } });
      expect(r.status, JSON.stringify(rules)).toBe(422);
      expect(r.body.field, JSON.stringify(rules)).toBe(field);
    }
    expect((await h.call('GET', '/api/v1/exams', { key: h.instructor })).body.length).toBe(before);
  });
});

describe('attempts under the rules', () => {
  it('an answer that cannot be read (a typo, the wrong shape) is refused with 422 naming it and does not use up the attempt', async () => {
    const e = await makeExam(); // 1 attempt
    const s = await sitting(e.id);
    const v = s.variants[0];
    const typo = await submit(s.key, v.id, { ...rightAnswers(v), kl: '0.5*ln(2' });
    expect(typo.status, typo.text).toBe(422);
    expect(typo.body).toMatchObject({ code: 'invalid_answers', field: 'answers.kl' });
    expect(typo.body.detail).toMatch(/^Divergence KL\(P‖Q\) = Σ terms \(answers\.kl\) cannot be read: cannot read "0\.5\*ln\(2".*; nothing was stored, so this does not use up an attempt$/);
    // Each unreadable answer is named, the first as the field.
    const shape = await submit(s.key, v.id, { log_ratio: 5, kl: 'x +' });
    expect(shape.status, shape.text).toBe(422);
    expect(shape.body.field).toBe('answers.log_ratio');
    expect(shape.body.detail).toMatch(/\(answers\.log_ratio\) cannot be read: expected a vector of length \d+, got a number; .*\(answers\.kl\) cannot be read: /);
    expect(await stored(v.id)).toHaveLength(0);
    // The one attempt is still there to use.
    expect((await submit(s.key, v.id, rightAnswers(v))).status).toBe(201);
    expect(await stored(v.id)).toHaveLength(1);
  });

  it('practice keeps an unreadable answer as graded (status invalid): nothing is at stake', async () => {
    const s = await h.student();
    // Hard (four or five outcomes): never one of this file's unreleased easy exam items, which the
    // secret seeds draw afresh each run (seed 11's easy problem is one of them about 1 run in 4,000).
    const v = await h.call('POST', '/api/v1/variants', { key: s.key, body: { topic: 'kl-discrete', seed: 11, difficulty: 'hard' } });
    expect(v.status, v.text).toBe(201);
    const r = await submit(s.key, v.body.id, { kl: '0.5*ln(2' });
    expect(r.status, r.text).toBe(201);
    expect(r.body.steps.find((x: { id: string }) => x.id === 'kl').status).toBe('invalid');
  });

  it('before the exam opens: a student gets no version (409 exam_not_open) and no attempt is stored', async () => {
    const e = await makeExam({ opensAt: at(HOUR) });
    const s = await h.student();
    const mine = await h.call('GET', `/api/v1/exams/${e.id}/my-version`, { key: s.key });
    expect(mine.status).toBe(409);
    expect(mine.body.code).toBe('exam_not_open');
    expect(await h.store.exams.assignment(e.id, s.id)).toBeUndefined();
    // Assigned some other way (an LTI launch), an attempt is still refused.
    const version = await h.store.exams.assign(e.id, s.id, 1);
    const [v] = await h.store.variants.listByExam(e.id, version);
    const r = await submit(s.key, v.id, {});
    expect(r.status).toBe(409);
    expect(r.body.code).toBe('exam_not_open');
    expect(await stored(v.id)).toHaveLength(0);
    // The instructor previews it: version and attempts, held to no rule, never in the results.
    expect((await h.call('GET', `/api/v1/exams/${e.id}/my-version`, { key: h.instructor })).status).toBe(200);
    for (let i = 0; i < 2; i++) expect((await submit(h.instructor, v.id, {})).status).toBe(201);
    const results = (await h.call('GET', `/api/v1/exams/${e.id}/results`, { key: h.instructor })).body;
    expect(results.students.map((x: { userId: string }) => x.userId)).toEqual([s.id]);
    expect(results.students[0].items[0]).toMatchObject({ attemptId: null, score: null, attempts: 0 });
  });

  it('refuses an attempt after the exam closed (409 exam_closed), storing nothing', async () => {
    const e = await makeExam({ opensAt: at(-2 * HOUR), closesAt: at(-HOUR) });
    const s = await sitting(e.id);
    const r = await submit(s.key, s.variants[0].id, {});
    expect(r.status).toBe(409);
    expect(r.body.code).toBe('exam_closed');
    expect(await stored(s.variants[0].id)).toHaveLength(0);
  });

  it('accepts attempts inside the window up to the limit, then 409 attempt_limit', async () => {
    const e = await makeExam({ opensAt: at(-HOUR), closesAt: at(HOUR), attemptLimit: 2 });
    const s = await sitting(e.id);
    expect((await submit(s.key, s.variants[0].id, {})).status).toBe(201);
    expect((await submit(s.key, s.variants[0].id, {})).status).toBe(201);
    const third = await submit(s.key, s.variants[0].id, {});
    expect(third.status).toBe(409);
    expect(third.body.code).toBe('attempt_limit');
    expect(await stored(s.variants[0].id)).toHaveLength(2);
    // The limit is per student: another student still has theirs.
    const t = await sitting(e.id);
    expect((await submit(t.key, t.variants[0].id, {})).status).toBe(201);
  });

  it('lets exactly one of many concurrent submissions through a limit of 1', async () => {
    const e = await makeExam();
    const s = await sitting(e.id);
    const replies = await Promise.all(Array.from({ length: 8 }, () => submit(s.key, s.variants[0].id, rightAnswers(s.variants[0]))));
    expect(replies.filter((r) => r.status === 201)).toHaveLength(1);
    expect(replies.filter((r) => r.status === 409 && r.body.code === 'attempt_limit')).toHaveLength(7);
    expect(await stored(s.variants[0].id)).toHaveLength(1);
  });

  it('the store refuses the second of two attempts committed in one group, and keeps the first', async () => {
    const e = await makeExam();
    const s = await sitting(e.id);
    const v = s.variants[0];
    const result = { topic: v.topic, score: 0, maxScore: 3, steps: [] };
    const guard = { examId: e.id, attemptLimit: 1 };
    const settled = await Promise.allSettled([
      h.store.attempts.create({ variantId: v.id, userId: s.id, answers: {}, result }, guard),
      h.store.attempts.create({ variantId: v.id, userId: s.id, answers: {}, result }, guard),
    ]);
    // SQLite commits the group in order, so the first wins; on PostgreSQL the two race for the
    // advisory lock, so either may, but never both.
    if (ON_POSTGRES) expect(settled.map((x) => x.status).sort()).toEqual(['fulfilled', 'rejected']);
    else expect(settled.map((x) => x.status)).toEqual(['fulfilled', 'rejected']);
    expect((settled.find((x) => x.status === 'rejected') as PromiseRejectedResult).reason).toMatchObject({ code: 'attempt_limit' });
    expect(await stored(v.id)).toHaveLength(1);
  });

  it('refuses attempts after release (409 exam_released) and results do not change', async () => {
    const e = await makeExam({ attemptLimit: 5 });
    const s = await sitting(e.id);
    expect((await submit(s.key, s.variants[0].id, rightAnswers(s.variants[0]))).status).toBe(201);
    expect((await h.call('POST', `/api/v1/exams/${e.id}/release`, { key: h.instructor, body: { force: true } })).status).toBe(200);
    const before = (await h.call('GET', `/api/v1/exams/${e.id}/results`, { key: h.instructor })).body;
    const late = await submit(s.key, s.variants[0].id, {});
    expect(late.status).toBe(409);
    expect(late.body.code).toBe('exam_released');
    expect((await h.call('GET', `/api/v1/exams/${e.id}/results`, { key: h.instructor })).body).toEqual(before);
    expect(await stored(s.variants[0].id)).toHaveLength(1);
  });

  it('practice variants have no limit', async () => {
    const s = await h.student();
    const v = (await h.call('POST', '/api/v1/variants', { key: s.key, body: { topic: 'kl-discrete' } })).body;
    for (let i = 0; i < 3; i++) expect((await submit(s.key, v.id, {})).status).toBe(201);
  });
});

describe('blank steps in exams', () => {
  it.skipIf(ON_POSTGRES)('grades by the exam’s blankSteps rule (default shown), stores the implied note per step, practice implies', async () => {
    const kl = (v: { topic: string; params: object; steps: string[] }) => ({ kl: rightAnswers(v).kl });
    const shown = await makeExam();
    const a = await sitting(shown.id);
    await submit(a.key, a.variants[0].id, kl(a.variants[0]));
    expect((await stored(a.variants[0].id))[0].score).toBe(1); // kl only: 1 of 3

    const implied = await makeExam({ blankSteps: 'implied' });
    const b = await sitting(implied.id);
    await submit(b.key, b.variants[0].id, kl(b.variants[0]));
    const [att] = await stored(b.variants[0].id);
    expect(att.score).toBe(3);
    const rows = h.store.db.prepare('SELECT step_id, status, credit, note FROM attempt_steps WHERE attempt_id = ? ORDER BY step_id').all(att.id);
    expect(rows).toEqual([
      { step_id: 'kl', status: 'correct', credit: 1, note: null },
      { step_id: 'log_ratio', status: 'missing', credit: 1, note: 'implied' },
      { step_id: 'terms', status: 'missing', credit: 1, note: 'implied' },
    ]);

    const s = await h.student();
    const p = (await h.call('POST', '/api/v1/variants', { key: s.key, body: { topic: 'kl-discrete' } })).body;
    expect((await submit(s.key, p.id, kl(p))).body.score).toBe(3);
  });
});

describe('what a student sees while the exam is open', () => {
  // log_ratio each 1 too high (incorrect); terms and kl computed from it (carried): 2 of 3.
  const wrongLog = (v: { topic: string; params: object; steps: string[] }) => {
    const p = (v.params as { p: number[] }).p;
    const logRatio = (rightAnswers(v).log_ratio as number[]).map((x) => x + 1);
    const terms = logRatio.map((x, i) => p[i] * x);
    return { log_ratio: logRatio, terms, kl: terms.reduce((a, b) => a + b, 0) };
  };

  it('none: a receipt only — no statuses, no score', async () => {
    const e = await makeExam({ feedback: 'none' });
    const s = await sitting(e.id);
    const r = await submit(s.key, s.variants[0].id, wrongLog(s.variants[0]));
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ revealed: false, feedback: 'none', steps: [] });
    expect(r.body).not.toHaveProperty('score');
    expect(r.body).not.toHaveProperty('maxScore');
    expect((await h.call('GET', `/api/v1/attempts/${r.body.id}`, { key: s.key })).body.steps).toEqual([]);
    // The instructor sees everything.
    const full = (await h.call('GET', `/api/v1/attempts/${r.body.id}`, { key: h.instructor })).body;
    expect(full.score).toBe(2);
    expect(full.steps[0]).toHaveProperty('expected');
  });

  it('status: each step’s status, nothing more', async () => {
    const e = await makeExam({ feedback: 'status' });
    const s = await sitting(e.id);
    const r = await submit(s.key, s.variants[0].id, wrongLog(s.variants[0]));
    expect(r.body.feedback).toBe('status');
    expect(r.body).not.toHaveProperty('score');
    expect(r.body.steps.map((x: object) => Object.keys(x).sort())).toEqual([['id', 'label', 'status'], ['id', 'label', 'status'], ['id', 'label', 'status']]);
    expect(r.body.steps.map((x: { status: string }) => x.status)).toEqual(['incorrect', 'carried', 'carried']);
  });

  it('full: statuses, credit, score and feedback, never expected or carried values', async () => {
    const e = await makeExam({ feedback: 'full' });
    const s = await sitting(e.id);
    const r = await submit(s.key, s.variants[0].id, wrongLog(s.variants[0]));
    expect(r.body).toMatchObject({ feedback: 'full', score: 2, maxScore: 3, revealed: false });
    expect(r.body.steps[1]).toMatchObject({ status: 'carried', credit: 1 });
    expect(typeof r.body.steps[1].feedback).toBe('string');
    for (const step of r.body.steps) {
      expect(step).not.toHaveProperty('expected');
      expect(step).not.toHaveProperty('carriedValue');
    }
    // After release the key is shown whatever the policy.
    await h.call('POST', `/api/v1/exams/${e.id}/release`, { key: h.instructor, body: { force: true } });
    const after = (await h.call('GET', `/api/v1/attempts/${r.body.id}`, { key: s.key })).body;
    expect(after.revealed).toBe(true);
    expect(after).not.toHaveProperty('feedback');
    expect(after.steps[0]).toHaveProperty('expected');
  });
});

describe('release', () => {
  it('is refused while the exam is open or has no close time (409 exam_open), allowed with force', async () => {
    const noClose = await makeExam();
    const r = await h.call('POST', `/api/v1/exams/${noClose.id}/release`, { key: h.instructor });
    expect(r.status).toBe(409);
    expect(r.body).toMatchObject({ code: 'exam_open', field: 'body.force' });
    expect(r.body.detail).toMatch(/no close time/);
    const open = await makeExam({ closesAt: at(HOUR) });
    const r2 = await h.call('POST', `/api/v1/exams/${open.id}/release`, { key: h.instructor, body: { force: false } });
    expect(r2.status).toBe(409);
    expect(r2.body.detail).toMatch(/open until/);
    expect((await h.call('GET', `/api/v1/exams/${open.id}`, { key: h.instructor })).body.released).toBe(false);
    const forced = await h.call('POST', `/api/v1/exams/${open.id}/release`, { key: h.instructor, body: { force: true } });
    expect(forced.status).toBe(200);
    expect(forced.body.released).toBe(true);
  });

  it('takes a client that declares JSON but sends no body as sending none (not a 415)', async () => {
    const closed = await makeExam({ opensAt: at(-2 * HOUR), closesAt: at(-HOUR) });
    // As `curl -X POST -H 'Content-Type: application/json'` sends it: a content type, no Content-Length, no body.
    const { hostname, port } = new URL(h.url);
    const reply = await new Promise<string>((resolve, reject) => {
      const socket = connect(Number(port), hostname, () => {
        socket.write(
          `POST /api/v1/exams/${closed.id}/release HTTP/1.1\r\nHost: ${hostname}:${port}\r\nAuthorization: Bearer ${h.instructor}\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n`,
        );
      });
      let t = '';
      socket.on('data', (c: Buffer) => (t += c.toString()));
      socket.on('end', () => resolve(t));
      socket.on('error', reject);
    });
    const status = Number(/^HTTP\/1\.1 (\d+)/.exec(reply)?.[1]);
    const text = reply.slice(reply.indexOf('\r\n\r\n') + 4);
    expect(status, text).toBe(200);
    expect(JSON.parse(text).released).toBe(true);
  });

  it('is allowed without force once the exam has closed', async () => {
    const closed = await makeExam({ opensAt: at(-2 * HOUR), closesAt: at(-HOUR) });
    const r = await h.call('POST', `/api/v1/exams/${closed.id}/release`, { key: h.instructor });
    expect(r.status).toBe(200);
    expect(r.body.released).toBe(true);
  });
});

describe('which attempt counts', () => {
  // kl-discrete: 3 steps of 1 mark each.
  async function threeAttempts(counts: string) {
    const e = await makeExam({ attemptLimit: 3, counts, feedback: 'full' });
    const s = await sitting(e.id);
    const v = s.variants[0];
    const right = rightAnswers(v);
    const scores = [];
    // 1 of 3 (kl only, blank steps shown), then 3 of 3, then 0 of 3 (every step wrong, in its shape:
    // an answer of the wrong shape would be refused, not graded).
    const nines = (right.log_ratio as number[]).map(() => 9);
    for (const answers of [{ kl: right.kl }, right, { log_ratio: nines, terms: nines, kl: 9 }]) {
      scores.push((await submit(s.key, v.id, answers)).body.score);
    }
    expect(scores).toEqual([1, 3, 0]);
    const results = (await h.call('GET', `/api/v1/exams/${e.id}/results`, { key: h.instructor })).body;
    expect(results.counts).toBe(counts);
    const row = results.students.find((x: { userId: string }) => x.userId === s.id);
    return { row, attempts: await stored(v.id) };
  }

  it('last (the default) counts the last attempt', async () => {
    const { row, attempts } = await threeAttempts('last');
    expect(row.items[0]).toMatchObject({ score: 0, attemptId: attempts[2].id, attempts: 3 });
    expect(row.score).toBe(0);
  });

  it('best counts the highest', async () => {
    const { row, attempts } = await threeAttempts('best');
    expect(row.items[0]).toMatchObject({ score: 3, attemptId: attempts[1].id });
    expect(row.score).toBe(3);
  });

  it('first counts the first', async () => {
    const { row, attempts } = await threeAttempts('first');
    expect(row.items[0]).toMatchObject({ score: 1, attemptId: attempts[0].id });
  });
});

describe('results', () => {
  it('count whoever sits the exam with a student key, whatever role their user first had; instructor tries are previews', async () => {
    const e = await makeExam({ feedback: 'full', attemptLimit: 1 });
    // An LMS user who first launched as an instructor (stored role instructor) sits the exam as a student.
    const ta = await h.store.users.create({ name: 'Tess the TA', role: 'instructor' });
    const asInstructor = (await h.store.keys.create({ userId: ta.id, role: 'instructor', label: 'launch 1' })).secret;
    const asStudent = (await h.store.keys.create({ userId: ta.id, role: 'student', label: 'launch 2' })).secret;
    // Looking as an instructor takes no place in the rotation and leaves no mark in the results.
    const look = await h.call('GET', `/api/v1/exams/${e.id}/my-version`, { key: asInstructor });
    expect(look.status, look.text).toBe(200);
    expect(await h.store.exams.assignments(e.id)).toEqual([]);
    const item = look.body.variants[0];
    expect((await submit(asInstructor, item.id, rightAnswers(item))).status).toBe(201); // a preview
    // As a student: assigned, and the one allowed attempt is still there.
    const mine = await h.call('GET', `/api/v1/exams/${e.id}/my-version`, { key: asStudent });
    expect(mine.status, mine.text).toBe(200);
    const wrong = await submit(asStudent, item.id, { kl: 0.5 });
    expect(wrong.status, wrong.text).toBe(201);
    const json = (await h.call('GET', `/api/v1/exams/${e.id}/results`, { key: h.instructor })).body;
    const row = json.students.find((s: { userId: string }) => s.userId === ta.id);
    expect(row, JSON.stringify(json.students)).toBeDefined();
    expect(row.items[0]).toMatchObject({ attemptId: wrong.body.id, attempts: 1 });
    expect(row.score).toBe(wrong.body.score);
  });

  it('list every assigned student, with blanks for what they did not submit, versions from 1, in JSON and CSV', async () => {
    const e = await makeExam({ feedback: 'full' }, [{ topic: 'kl-discrete', count: 2, difficulty: 'easy' }], 2);
    const ada = await sitting(e.id, 'Ada');
    const bob = await sitting(e.id, 'Bob'); // assigned, submits nothing
    await h.call('GET', `/api/v1/exams/${e.id}/my-version`, { key: h.instructor }); // an instructor is not a student
    await h.student('Cy'); // never assigned: not in the results
    expect([ada.version, bob.version].sort()).toEqual([1, 2]);
    const versions = (await h.call('GET', `/api/v1/exams/${e.id}/versions`, { key: h.instructor })).body;
    expect(versions.map((v: { version: number }) => v.version)).toEqual([1, 2]);
    expect(ada.variants.every((v) => (v as unknown as { examVersion: number }).examVersion === ada.version)).toBe(true);
    const r = await submit(ada.key, ada.variants[0].id, rightAnswers(ada.variants[0]));
    expect(r.body.score).toBe(3);

    const json = (await h.call('GET', `/api/v1/exams/${e.id}/results`, { key: h.instructor })).body;
    expect(json.students.map((s: { name: string }) => s.name)).toEqual(['Ada', 'Bob']);
    const [a, b] = json.students;
    expect(a).toMatchObject({ version: ada.version, score: 3, maxScore: 6 });
    expect(a.items.map((i: { score: number | null }) => i.score)).toEqual([3, null]);
    expect(b).toMatchObject({ userId: bob.id, version: bob.version, score: null, maxScore: 6 });
    expect(b.items).toEqual(bob.variants.map((v) => ({ variantId: v.id, topic: 'kl-discrete', attemptId: null, score: null, maxScore: 3, attempts: 0 })));

    const csv = (await h.call('GET', `/api/v1/exams/${e.id}/results?format=csv`, { key: h.instructor })).text.trim().split('\r\n');
    expect(csv).toEqual([
      'user_id,name,version,item_1,item_2,score,max_score',
      `${ada.id},Ada,${ada.version},3,,3,6`,
      `${bob.id},Bob,${bob.version},,,,6`,
    ]);
  });

  it('CSV neutralises spreadsheet formulas in names', async () => {
    const e = await makeExam();
    const names = ['=HYPERLINK("http://evil.example","x")', '+1+2', '-3+4', '@SUM(A1)', '\tTab', 'Plain'];
    const ids = new Map<string, string>();
    for (const n of names) ids.set((await sitting(e.id, n)).id, n);
    const lines = (await h.call('GET', `/api/v1/exams/${e.id}/results?format=csv`, { key: h.instructor })).text.trim().split('\r\n').slice(1);
    const cells = new Map(lines.map((l) => [l.slice(0, l.indexOf(',')), l.slice(l.indexOf(',') + 1, l.indexOf(',1,'))]));
    expect(cells.get([...ids].find(([, n]) => n.startsWith('=HYP'))![0])).toBe(`"'=HYPERLINK(""http://evil.example"",""x"")"`);
    expect(cells.get([...ids].find(([, n]) => n === '+1+2')![0])).toBe("'+1+2");
    expect(cells.get([...ids].find(([, n]) => n === '-3+4')![0])).toBe("'-3+4");
    expect(cells.get([...ids].find(([, n]) => n === '@SUM(A1)')![0])).toBe("'@SUM(A1)");
    expect(cells.get([...ids].find(([, n]) => n === '\tTab')![0])).toBe("'\tTab");
    expect(cells.get([...ids].find(([, n]) => n === 'Plain')![0])).toBe('Plain');
  });
});
