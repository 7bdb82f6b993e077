/** Variants (frozen problems) and graded attempts in SQLite. */
import type { GradeResult } from '../../solvers/grade.js';
import type { AttemptGuard, AttemptRepo, VariantRepo } from '../types.js';
import { checkAttemptLimit, checkExamWindow, type ExamWindowRow } from '../attempt-rules.js';
import { attemptRow, stepRowValues, toAttempt, toVariant, variantRow, type AttemptRow, type VariantRow } from '../rows/variants.js';
import { writeTransaction, type Db, type Statement } from './db.js';
import { groupCommit } from './group-commit.js';
import { examFingerprints } from './fingerprints.js';
import { attemptOutcomes } from './outcomes.js';

export function insertVariantStatement(db: Db): Statement {
  return db.prepare(
    `INSERT INTO variants (id, topic, question, seed, difficulty, params, steps, prompt, mode, course_id, session_id, exam_id, exam_version, exam_item, created_by, created_at)
     VALUES (@id, @topic, @question, @seed, @difficulty, @params, @steps, @prompt, @mode, @course_id, @session_id, @exam_id, @exam_version, @exam_item, @created_by, @created_at)`,
  );
}

export function sqliteVariants(db: Db): VariantRepo {
  const insert = insertVariantStatement(db);
  const byId = db.prepare<[string], VariantRow>('SELECT * FROM variants WHERE id = ?');
  const byExam = db.prepare<[string], VariantRow>('SELECT * FROM variants WHERE exam_id = ? ORDER BY exam_version, exam_item');
  const byExamVersion = db.prepare<[string, number], VariantRow>('SELECT * FROM variants WHERE exam_id = ? AND exam_version = ? ORDER BY exam_item');
  const bySession = db.prepare<[string], VariantRow>('SELECT * FROM variants WHERE session_id = ? ORDER BY created_at, rowid');
  const fingerprints = examFingerprints(db);
  // Practice pages store a variant per visit: inserts of one turn share a commit (group-commit.ts).
  const commit = groupCommit<VariantRow>(db, (row) => insert.run(row));
  return {
    async create(input) {
      const row = variantRow(input);
      await commit(row);
      return toVariant(row);
    },
    async get(id) {
      const r = byId.get(id);
      return r && toVariant(r);
    },
    async listByExam(examId, version) {
      return (version === undefined ? byExam.all(examId) : byExamVersion.all(examId, version - 1)).map(toVariant);
    },
    async listBySession(sessionId) {
      return bySession.all(sessionId).map(toVariant);
    },
    async inUnreleasedExam(topic, params) {
      return fingerprints.inUnreleasedExam(topic, params);
    },
  };
}

export function sqliteAttempts(db: Db): AttemptRepo {
  const insert = db.prepare(
    'INSERT INTO attempts (id, variant_id, user_id, answers, result, score, max_score, preview, created_at) VALUES (@id, @variant_id, @user_id, @answers, @result, @score, @max_score, @preview, @created_at)',
  );
  // With the outcome note (migration 011; a row written without one gets it from a trigger).
  const insertStepNoted = db.prepare(
    'INSERT INTO attempt_steps (attempt_id, step_id, status, credit, marks, misconception, note, outcome) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
  );
  /** An attempt's step rows, each with its outcome note (statistics read them). */
  const insertSteps = (attemptId: string, result: GradeResult): void => {
    for (const s of result.steps) insertStepNoted.run(...stepRowValues(attemptId, s));
  };
  const examWindow = db.prepare<[string], ExamWindowRow>('SELECT released_at, opens_at, closes_at FROM exams WHERE id = ?');
  const countMine = db.prepare<[string, string], { n: number }>('SELECT count(*) AS n FROM attempts WHERE user_id = ? AND variant_id = ? AND preview = 0');
  const byId = db.prepare<[string], AttemptRow>('SELECT * FROM attempts WHERE id = ?');
  const byVariant = db.prepare<[string], AttemptRow>('SELECT * FROM attempts WHERE variant_id = ? ORDER BY created_at, rowid');
  const byExam = db.prepare<[string], AttemptRow>(
    'SELECT a.* FROM attempts a JOIN variants v ON v.id = a.variant_id WHERE v.exam_id = ? ORDER BY a.created_at, a.rowid',
  );
  const bySession = db.prepare<[string], AttemptRow>(
    'SELECT a.* FROM attempts a JOIN variants v ON v.id = a.variant_id WHERE v.session_id = ? ORDER BY a.created_at, a.rowid',
  );
  const count = db.prepare<[], { n: number }>('SELECT count(*) AS n FROM attempts');
  const paperOf = db.prepare<[string, string], { id: string }>("SELECT id FROM attempts WHERE user_id = ? AND variant_id = ? AND source = 'paper'");
  const insertPaper = db.prepare(
    "INSERT INTO attempts (id, variant_id, user_id, answers, result, score, max_score, preview, source, created_at) VALUES (@id, @variant_id, @user_id, @answers, @result, @score, @max_score, 0, 'paper', @created_at)",
  );
  const updatePaper = db.prepare('UPDATE attempts SET answers = @answers, result = @result, score = @score, max_score = @max_score, created_at = @created_at WHERE id = @id');
  const deleteSteps = db.prepare('DELETE FROM attempt_steps WHERE attempt_id = ?');
  // A paper attempt keeps its id when re-graded (an LTI score post may name it): its row is updated
  // and its step rows replaced, in one transaction.
  const putPaper = writeTransaction(db, (row: AttemptRow, result: GradeResult): string => {
    const existing = paperOf.get(row.user_id, row.variant_id);
    const id = existing?.id ?? row.id;
    if (existing) {
      updatePaper.run({ ...row, id });
      deleteSteps.run(id);
    } else insertPaper.run(row);
    insertSteps(id, result);
    return id;
  });
  const stepRows = attemptOutcomes(db);
  // Exam rules are checked in the same transaction as the insert: two submissions racing for the
  // last allowed attempt are serialised by SQLite, and the second sees the first.
  const check = (row: AttemptRow, guard: AttemptGuard): void => {
    checkExamWindow(guard, examWindow.get(guard.examId), row.created_at);
    checkAttemptLimit(guard, countMine.get(row.user_id, row.variant_id)?.n ?? 0);
  };
  // The attempt and its step rows commit together or not at all.
  const insertOne = (row: AttemptRow, result: GradeResult, guard?: AttemptGuard): void => {
    if (guard) check(row, guard);
    insert.run(row);
    insertSteps(row.id, result);
  };
  const commit = groupCommit<{ row: AttemptRow; result: GradeResult; guard?: AttemptGuard }>(db, ({ row, result, guard }) => insertOne(row, result, guard));
  return {
    async create(input, guard) {
      const row = attemptRow(input, input.preview === true);
      await commit({ row, result: input.result, ...(guard ? { guard } : {}) });
      const { preview, ...rest } = input;
      return { ...rest, id: row.id, score: row.score, maxScore: row.max_score, ...(preview ? { preview: true } : {}), createdAt: row.created_at };
    },
    async get(id) {
      const r = byId.get(id);
      return r && toAttempt(r);
    },
    async listByVariant(variantId) {
      return byVariant.all(variantId).map(toAttempt);
    },
    async listByExam(examId) {
      return byExam.all(examId).map(toAttempt);
    },
    async listBySession(sessionId) {
      return bySession.all(sessionId).map(toAttempt);
    },
    async stepOutcomes(filter) {
      return stepRows(filter);
    },
    async count() {
      return count.get()?.n ?? 0;
    },
    async putPaper(input) {
      const row = attemptRow(input, false);
      const id = putPaper(row, input.result);
      return { ...input, id, score: row.score, maxScore: row.max_score, source: 'paper', createdAt: row.created_at };
    },
  };
}
