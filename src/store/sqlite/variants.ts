/** Variants (frozen problems) and graded attempts in SQLite. */
import type { GradeResult } from '../../solvers/grade.js';
import type { Difficulty, Params } from '../../solvers/topic.js';
import { StepwiseError } from '../../core/errors.js';
import type { Attempt, AttemptGuard, AttemptRepo, NewVariant, Variant, VariantMode, VariantRepo } from '../types.js';
import { newId, now } from '../ids.js';
import { writeTransaction, type Db, type Statement } from './db.js';
import { groupCommit } from './group-commit.js';
import { examFingerprints } from './fingerprints.js';
import { json, opt } from '../rows/fields.js';
import { attemptOutcomes } from './outcomes.js';
import { legacyOutcome } from '../../solvers/outcome.js';

interface VariantRow {
  id: string;
  topic: string;
  question: string | null;
  seed: number;
  difficulty: Difficulty;
  params: string;
  steps: string;
  prompt: string;
  mode: VariantMode;
  course_id: string | null;
  session_id: string | null;
  exam_id: string | null;
  exam_version: number | null;
  exam_item: number | null;
  created_by: string;
  created_at: string;
}

interface AttemptRow {
  id: string;
  variant_id: string;
  user_id: string;
  answers: string;
  result: string;
  score: number;
  max_score: number;
  preview: number;
  source?: 'online' | 'paper';
  created_at: string;
}

const toVariant = (r: VariantRow): Variant => ({
  id: r.id,
  topic: r.topic,
  ...opt('question', r.question),
  seed: r.seed,
  difficulty: r.difficulty,
  params: json<Params>(r.params),
  steps: json<string[]>(r.steps),
  prompt: r.prompt,
  mode: r.mode,
  ...opt('courseId', r.course_id),
  ...opt('sessionId', r.session_id),
  ...opt('examId', r.exam_id),
  ...opt('examVersion', r.exam_version === null ? null : r.exam_version + 1), // stored 0-based, numbered from 1
  ...opt('examItem', r.exam_item),
  createdBy: r.created_by,
  createdAt: r.created_at,
});

const toAttempt = (r: AttemptRow): Attempt => ({
  id: r.id,
  variantId: r.variant_id,
  userId: r.user_id,
  answers: json<unknown>(r.answers),
  result: withOutcomes(json<GradeResult>(r.result)),
  score: r.score,
  maxScore: r.max_score,
  ...(r.preview ? { preview: true } : {}),
  ...(r.source === 'paper' ? { source: 'paper' as const } : {}),
  createdAt: r.created_at,
});

/** A result stored before outcome notes existed gets them on read, derived as the backfill derives them. */
function withOutcomes(r: GradeResult): GradeResult {
  for (const s of r.steps ?? []) if (s.outcome === undefined) s.outcome = legacyOutcome(s);
  return r;
}

export function variantRow(v: NewVariant): VariantRow {
  return {
    id: newId('var'),
    topic: v.topic,
    question: v.question ?? null,
    seed: v.seed,
    difficulty: v.difficulty,
    params: JSON.stringify(v.params),
    steps: JSON.stringify(v.steps),
    prompt: v.prompt,
    mode: v.mode,
    course_id: v.courseId ?? null,
    session_id: v.sessionId ?? null,
    exam_id: v.examId ?? null,
    exam_version: v.examVersion === undefined ? null : v.examVersion - 1,
    exam_item: v.examItem ?? null,
    created_by: v.createdBy,
    created_at: now(),
  };
}

export function insertVariantStatement(db: Db): Statement {
  return db.prepare(
    `INSERT INTO variants (id, topic, question, seed, difficulty, params, steps, prompt, mode, course_id, session_id, exam_id, exam_version, exam_item, created_by, created_at)
     VALUES (@id, @topic, @question, @seed, @difficulty, @params, @steps, @prompt, @mode, @course_id, @session_id, @exam_id, @exam_version, @exam_item, @created_by, @created_at)`,
  );
}

export { toVariant };

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
    for (const s of result.steps) insertStepNoted.run(attemptId, s.id, s.status, s.credit, s.marks, s.misconception?.id ?? null, s.note ?? null, s.outcome ?? legacyOutcome(s));
  };
  const examWindow = db.prepare<[string], { released_at: string | null; opens_at: string | null; closes_at: string | null }>(
    'SELECT released_at, opens_at, closes_at FROM exams WHERE id = ?',
  );
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
    const e = examWindow.get(guard.examId);
    if (!e) throw new StepwiseError('invalid_request', `no exam with id ${JSON.stringify(guard.examId)}`);
    if (e.released_at !== null) throw new StepwiseError('exam_released', `this exam was released at ${e.released_at}: no more attempts are accepted`);
    const at = Date.parse(row.created_at);
    if (e.opens_at !== null && at < Date.parse(e.opens_at)) throw new StepwiseError('exam_not_open', `this exam opens at ${e.opens_at}`);
    if (e.closes_at !== null && at >= Date.parse(e.closes_at)) throw new StepwiseError('exam_closed', `this exam closed at ${e.closes_at}`);
    const n = countMine.get(row.user_id, row.variant_id)?.n ?? 0;
    if (n >= guard.attemptLimit) {
      throw new StepwiseError('attempt_limit', `you have used all ${guard.attemptLimit} attempt${guard.attemptLimit === 1 ? '' : 's'} at this item`);
    }
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

/** A new attempt's row (a paper attempt is never a preview). */
function attemptRow(input: { variantId: string; userId: string; answers: unknown; result: GradeResult }, preview: boolean): AttemptRow {
  return {
    id: newId('att'),
    variant_id: input.variantId,
    user_id: input.userId,
    answers: JSON.stringify(input.answers),
    result: JSON.stringify(input.result),
    score: input.result.score,
    max_score: input.result.maxScore,
    preview: preview ? 1 : 0,
    created_at: now(),
  };
}
