/**
 * Statistics from the store: counted attempts by the exam's rule, previews and late attempts left
 * out, unsubmitted items as missing; practice pools of a course; notes backfilled for old rows.
 * Step results are made by hand (not graded), so every figure below is worked out in the comments.
 */
import { copyFileSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import type { GradeResult, StepGrade } from '../../src/engine.js';
import { createExam } from '../../src/service/exams.js';
import { examStatistics, practiceStatistics } from '../../src/service/statistics.js';
import { createVariant } from '../../src/service/variants.js';
import { migrate, MIGRATIONS_DIR } from '../../src/store/sqlite/db.js';
import { SqliteStore } from '../../src/store/sqlite/index.js';
import type { Variant } from '../../src/store/types.js';

let store: SqliteStore;
afterEach(async () => store?.close());

/** A hand-made grade result: each asked step with an outcome note and the credit given. */
function result(v: Variant, marks: Record<string, [string, number]>): GradeResult {
  const steps = v.steps.map((id): StepGrade => {
    const [outcome, credit] = marks[id] ?? ['missing', 0];
    const status = outcome.startsWith('misconception:') ? 'incorrect' : outcome.startsWith('invalid:') ? 'invalid' : outcome.split(':')[0];
    return { id, label: id, status: status as StepGrade['status'], credit, marks: 1, expected: 0, feedback: '', outcome: outcome as StepGrade['outcome'] };
  });
  const score = steps.reduce((t, s) => t + s.credit, 0);
  return { topic: v.topic, score, maxScore: steps.length, steps };
}

describe('exam statistics from stored attempts', () => {
  it('counts the best attempt per item, leaves previews out, and scores an unsubmitted item as missing', async () => {
    store = SqliteStore.open({ file: ':memory:' });
    const teacher = await store.users.create({ name: 'T', role: 'instructor' });
    const u1 = await store.users.create({ name: 'A', role: 'student' });
    const u2 = await store.users.create({ name: 'B', role: 'student' });
    const { exam, variants } = await createExam(store, { title: 'Mid', blueprint: [{ topic: 'kl-discrete', count: 2 }], versions: 1, seed: 1, createdBy: teacher.id, counts: 'best' });
    const [v1, v2] = variants;
    expect(v1.steps).toEqual(['log_ratio', 'terms', 'kl']); // 1 mark each (kl-discrete's steps)
    const all = (note: string, c: number) => ({ log_ratio: [note, c], terms: [note, c], kl: [note, c] }) as Record<string, [string, number]>;
    const submit = (v: Variant, userId: string, r: GradeResult, preview = false) => store.attempts.create({ variantId: v.id, userId, answers: {}, result: r, ...(preview ? { preview } : {}) });
    // A: item 1 first all wrong (0), then all right (3): best counts 3; item 2 all right (3). Total 6.
    await submit(v1, u1.id, result(v1, all('incorrect', 0)));
    await submit(v1, u1.id, result(v1, all('correct', 1)));
    await submit(v2, u1.id, result(v2, all('correct', 1)));
    // B: item 1: log_ratio ratio-reversed (0), terms and kl carried (1 each) = 2; item 2 not submitted (0 of 3). Total 2.
    await submit(v1, u2.id, result(v1, { log_ratio: ['misconception:ratio-reversed', 0], terms: ['carried', 1], kl: ['carried', 1] }));
    // The instructor's preview is no one's result.
    await submit(v2, teacher.id, result(v2, all('incorrect', 0)), true);

    const s = await examStatistics(store, exam);
    expect(s.summary).toMatchObject({ n: 2, maxScore: 6, mean: 4, median: 4, unreliable: true });
    // sd of [6, 2] = √(((6−4)² + (2−4)²)/1) = √8.
    expect(s.summary.sd).toBeCloseTo(Math.sqrt(8), 9);
    const step = (item: number, id: string) => s.steps.find((x) => x.item === item && x.step === id)!;
    // Item 1 kl: A 1 (best attempt), B 1 (carried) → facility 1; ECF share ½.
    expect(step(1, 'kl')).toMatchObject({ n: 2, facility: 1, ecfShare: 0.5, notes: { correct: 1, carried: 1 } });
    // Item 1 log_ratio: x [1, 0], rest of exam = item 2 = [3, 0] → r = 1 (two points) → 100, efficiency 100.
    expect(step(1, 'log_ratio').discrimination).toBeCloseTo(100, 9);
    expect(step(1, 'log_ratio').discriminativeEfficiency).toBeCloseTo(100, 9);
    // Item 2, B did not submit: every step missing, 0 of 1.
    expect(step(2, 'terms')).toMatchObject({ n: 2, facility: 0.5, notes: { correct: 1, missing: 1 } });
    // Item 1 as a whole: A 3, B 2 → facility 5/6; ECF 2 of 5 credits.
    expect(s.items[0].facility).toBeCloseTo(5 / 6, 9);
    expect(s.items[0].ecfShare).toBeCloseTo(0.4, 9);
    expect(s.misconceptions).toEqual([expect.objectContaining({ item: 1, step: 'log_ratio', misconception: 'ratio-reversed', occurrences: 1, rate: 0.5 })]);
    expect(s.scope).toMatchObject({ kind: 'exam', examId: exam.id, counts: 'best' });
  });
});

describe('the counting rule’s close time', () => {
  it('leaves out attempts made after the close (as the results do): such a student did not sit the exam', async () => {
    store = SqliteStore.open({ file: ':memory:' });
    const teacher = await store.users.create({ name: 'T', role: 'instructor' });
    const u = await store.users.create({ name: 'Late', role: 'student' });
    const { exam, variants } = await createExam(store, { title: 'Closed', blueprint: [{ topic: 'kl-discrete', count: 1 }], versions: 1, seed: 2, createdBy: teacher.id, closesAt: '2020-01-01T00:00:00Z' });
    await store.attempts.create({ variantId: variants[0].id, userId: u.id, answers: {}, result: result(variants[0], { kl: ['correct', 1] }) });
    const s = await examStatistics(store, exam);
    expect(s.summary.n).toBe(0);
    expect(s.steps.map((x) => x.n)).toEqual([0, 0, 0]);
  });
});

describe('practice pool statistics', () => {
  it('counts every student practice attempt of the course at the topic, not an instructor’s', async () => {
    store = SqliteStore.open({ file: ':memory:' });
    const teacher = await store.users.create({ name: 'T', role: 'instructor' });
    const u = await store.users.create({ name: 'S', role: 'student' });
    const course = await store.courses.create({ title: 'DL', createdBy: teacher.id });
    const v = await createVariant(store, { ref: 'kl-discrete', seed: 5, mode: 'practice', createdBy: u.id, courseId: course.id });
    const other = await createVariant(store, { ref: 'kl-discrete', seed: 6, mode: 'practice', createdBy: u.id }); // no course
    const all = (note: string, c: number) => Object.fromEntries(v.steps.map((id) => [id, [note, c]])) as Record<string, [string, number]>;
    await store.attempts.create({ variantId: v.id, userId: u.id, answers: {}, result: result(v, all('correct', 1)) });
    await store.attempts.create({ variantId: v.id, userId: u.id, answers: {}, result: result(v, { log_ratio: ['misconception:used-log10', 0] }) });
    await store.attempts.create({ variantId: v.id, userId: teacher.id, answers: {}, result: result(v, all('incorrect', 0)) });
    await store.attempts.create({ variantId: other.id, userId: u.id, answers: {}, result: result(other, all('incorrect', 0)) });
    const s = await practiceStatistics(store, course.id, 'kl-discrete');
    // Two attempts: log_ratio 1 and 0 → facility ½; used-log10 once in 2.
    expect(s.summary.n).toBe(2);
    expect(s.steps.find((x) => x.step === 'log_ratio')).toMatchObject({ n: 2, facility: 0.5 });
    expect(s.misconceptions).toEqual([expect.objectContaining({ step: 'log_ratio', misconception: 'used-log10', occurrences: 1, rate: 0.5 })]);
    await expect(practiceStatistics(store, course.id, 'no-such-topic')).rejects.toMatchObject({ code: 'invalid_request' });
    await expect(practiceStatistics(store, 'crs_none')).rejects.toMatchObject({ code: 'not_found' });
  });
});

describe('migration 011: outcome notes of attempts stored before it', () => {
  it('are backfilled at open from each attempt’s stored result', async () => {
    const older = mkdtempSync(join(tmpdir(), 'stepwise-mig-'));
    for (const f of readdirSync(MIGRATIONS_DIR)) if (/^\d+_/.test(f) && Number(f.slice(0, 3)) < 11) copyFileSync(join(MIGRATIONS_DIR, f), join(older, f));
    const db = new Database(':memory:');
    migrate(db, older);
    const t = '2026-01-01T00:00:00.000Z';
    db.prepare("INSERT INTO users (id, name, role, created_at) VALUES ('u1', 'Ada', 'student', ?)").run(t);
    db.prepare(
      "INSERT INTO variants (id, topic, seed, difficulty, params, steps, prompt, mode, created_by, created_at) VALUES ('v1', 'kl-discrete', 1, 'medium', '{}', '[\"log_ratio\",\"terms\",\"kl\"]', '', 'practice', 'u1', ?)",
    ).run(t);
    const old = {
      topic: 'kl-discrete',
      score: 2,
      maxScore: 3,
      steps: [
        { id: 'log_ratio', status: 'missing', credit: 1, marks: 1, feedback: 'Not written, but implied by your correct terms.', note: 'implied' },
        { id: 'terms', status: 'correct', credit: 1, marks: 1, feedback: 'Correct, from your rounded log_ratio.' },
        { id: 'kl', status: 'invalid', credit: 0, marks: 1, feedback: 'Cannot read this answer: the value is infinite.' },
      ],
    };
    db.prepare("INSERT INTO attempts (id, variant_id, user_id, answers, result, score, max_score, created_at) VALUES ('a1', 'v1', 'u1', '{}', ?, 2, 3, ?)").run(JSON.stringify(old), t);
    for (const s of old.steps) db.prepare('INSERT INTO attempt_steps (attempt_id, step_id, status, credit, marks, note) VALUES (?, ?, ?, ?, ?, ?)').run('a1', s.id, s.status, s.credit, s.marks, s.note ?? null);
    migrate(db);
    store = new SqliteStore(db);
    expect(db.prepare("SELECT step_id, outcome FROM attempt_steps WHERE attempt_id = 'a1' ORDER BY rowid").all()).toEqual([
      { step_id: 'log_ratio', outcome: 'missing:implied' },
      { step_id: 'terms', outcome: 'correct-from-rounded' },
      { step_id: 'kl', outcome: 'invalid:non-finite' },
    ]);
    // The stored result reads back with the same notes.
    expect((await store.attempts.get('a1'))!.result.steps.map((s) => s.outcome)).toEqual(['missing:implied', 'correct-from-rounded', 'invalid:non-finite']);
  });
});

describe('a step row written without its note', () => {
  it('takes it from the attempt’s stored result (trigger), or reads as its status where the result has none', async () => {
    store = SqliteStore.open({ file: ':memory:' });
    const db = store.db;
    const t = '2026-01-01T00:00:00.000Z';
    db.prepare("INSERT INTO users (id, name, role, created_at) VALUES ('u1', 'Ada', 'student', ?)").run(t);
    db.prepare("INSERT INTO courses (id, title, created_by, created_at) VALUES ('c1', 'DL', 'u1', ?)").run(t);
    db.prepare(
      "INSERT INTO variants (id, topic, seed, difficulty, params, steps, prompt, mode, course_id, created_by, created_at) VALUES ('v1', 'kl-discrete', 1, 'medium', '{}', '[\"terms\",\"kl\"]', '', 'practice', 'c1', 'u1', ?)",
    ).run(t);
    const result = { topic: 'kl-discrete', score: 1, maxScore: 2, steps: [{ id: 'terms', status: 'correct', credit: 1, marks: 1, feedback: '', outcome: 'correct-from-rounded' }, { id: 'kl', status: 'incorrect', credit: 0, marks: 1, feedback: '' }] };
    db.prepare("INSERT INTO attempts (id, variant_id, user_id, answers, result, score, max_score, created_at) VALUES ('a1', 'v1', 'u1', '{}', ?, 1, 2, ?)").run(JSON.stringify(result), t);
    const plain = db.prepare('INSERT INTO attempt_steps (attempt_id, step_id, status, credit, marks, misconception, note) VALUES (?, ?, ?, ?, ?, ?, ?)');
    plain.run('a1', 'terms', 'correct', 1, 1, null, null);
    plain.run('a1', 'kl', 'incorrect', 0, 1, 'weighted-by-q', null);
    expect(db.prepare("SELECT step_id, outcome FROM attempt_steps WHERE attempt_id = 'a1' ORDER BY rowid").all()).toEqual([
      { step_id: 'terms', outcome: 'correct-from-rounded' },
      { step_id: 'kl', outcome: null },
    ]);
    const [a] = await store.attempts.stepOutcomes({ courseId: 'c1' });
    expect(a.steps.map((s) => s.outcome)).toEqual(['correct-from-rounded', 'misconception:weighted-by-q']);
  });
});
