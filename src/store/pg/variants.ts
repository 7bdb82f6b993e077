/** Variants (frozen problems) and graded attempts in PostgreSQL: the SQLite store's behaviour (src/store/sqlite/variants.ts). */
import type { GradeResult } from '../../solvers/grade.js';
import type { Attempt, AttemptGuard, AttemptRepo, VariantRepo } from '../types.js';
import { checkAttemptLimit, checkExamWindow, type ExamWindowRow } from '../attempt-rules.js';
import { attemptRow, stepRowValues, toAttempt, toVariant, variantRow, type AttemptRow, type VariantRow } from '../rows/variants.js';
import { sqlOf, transaction, type Pool, type Sql } from './db.js';
import { inUnreleasedExamPg } from './fingerprints.js';
import { insertRows } from './insert-rows.js';
import { attemptOutcomesPg } from './outcomes.js';

const VARIANT_COLUMNS = [
  'id',
  'topic',
  'question',
  'seed',
  'difficulty',
  'params',
  'steps',
  'prompt',
  'mode',
  'course_id',
  'session_id',
  'exam_id',
  'exam_version',
  'exam_item',
  'created_by',
  'created_at',
] as const satisfies readonly (keyof VariantRow)[];

/** Inserts variant rows in order (one statement per chunk), inside the caller's transaction or not. */
export async function insertVariants(sql: Sql, rows: readonly VariantRow[]): Promise<void> {
  await insertRows(
    sql,
    `INSERT INTO variants (${VARIANT_COLUMNS.join(', ')})`,
    rows.map((r) => VARIANT_COLUMNS.map((c) => r[c])),
  );
}

const ATTEMPT_COLUMNS = 'id, variant_id, user_id, answers, result, score, max_score, preview, source, created_at';

export function pgVariants(pool: Pool): VariantRepo {
  const sql = sqlOf(pool);
  return {
    async create(input) {
      const row = variantRow(input);
      await insertVariants(sql, [row]);
      return toVariant(row);
    },
    async get(id) {
      const [r] = await sql.query<VariantRow>('SELECT * FROM variants WHERE id = $1', [id]);
      return r && toVariant(r);
    },
    async listByExam(examId, version) {
      const rows =
        version === undefined
          ? await sql.query<VariantRow>('SELECT * FROM variants WHERE exam_id = $1 ORDER BY exam_version, exam_item, seq', [examId])
          : await sql.query<VariantRow>('SELECT * FROM variants WHERE exam_id = $1 AND exam_version = $2 ORDER BY exam_item, seq', [examId, version - 1]);
      return rows.map(toVariant);
    },
    async listBySession(sessionId) {
      return (await sql.query<VariantRow>('SELECT * FROM variants WHERE session_id = $1 ORDER BY created_at, seq', [sessionId])).map(toVariant);
    },
    async inUnreleasedExam(topic, params) {
      return inUnreleasedExamPg(sql, topic, params);
    },
  };
}

/**
 * A lock key of one user's attempts at one variant: the attempt limit's count-then-insert and a
 * paper attempt's find-then-write hold it (pg_advisory_xact_lock), so two nodes cannot both pass.
 * 64 bits of hash: a collision only makes two unrelated pairs wait for each other.
 */
const ATTEMPT_LOCK = "SELECT pg_advisory_xact_lock(hashtextextended('attempt ' || $1 || ' ' || $2, 0))";

export function pgAttempts(pool: Pool): AttemptRepo {
  const sql = sqlOf(pool);
  /** An attempt's step rows, each with its outcome note (the PG schema has no trigger to fill one). */
  const insertSteps = (tx: Sql, attemptId: string, result: GradeResult): Promise<void> =>
    insertRows(
      tx,
      'INSERT INTO attempt_steps (attempt_id, step_id, status, credit, marks, misconception, note, outcome)',
      result.steps.map((s) => stepRowValues(attemptId, s)),
    );
  const insertAttempt = (tx: Sql, row: AttemptRow): Promise<unknown> =>
    tx.query(`INSERT INTO attempts (${ATTEMPT_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`, [
      row.id,
      row.variant_id,
      row.user_id,
      row.answers,
      row.result,
      row.score,
      row.max_score,
      row.preview,
      row.source ?? 'online',
      row.created_at,
    ]);
  /**
   * The exam rules, checked in the attempt's transaction. The exam row is read FOR SHARE: a release
   * (an UPDATE of that row) waits for attempts in flight, and an attempt that starts after it reads
   * the released row; the user's count at the variant is read under ATTEMPT_LOCK, so of two
   * submissions racing for the last allowed attempt the second sees the first.
   */
  const check = async (tx: Sql, row: AttemptRow, guard: AttemptGuard): Promise<void> => {
    await tx.query(ATTEMPT_LOCK, [row.user_id, row.variant_id]);
    const [e] = await tx.query<ExamWindowRow>('SELECT released_at, opens_at, closes_at FROM exams WHERE id = $1 FOR SHARE', [guard.examId]);
    checkExamWindow(guard, e, row.created_at);
    const [{ n }] = await tx.query<{ n: number }>('SELECT count(*)::int AS n FROM attempts WHERE user_id = $1 AND variant_id = $2 AND preview = 0', [row.user_id, row.variant_id]);
    checkAttemptLimit(guard, n);
  };
  const stepRows = attemptOutcomesPg(pool);
  const listed = async (text: string, id: string): Promise<Attempt[]> => (await sql.query<AttemptRow>(text, [id])).map(toAttempt);
  return {
    async create(input, guard) {
      const row = attemptRow(input, input.preview === true);
      // The attempt and its step rows commit together or not at all (the passback outbox's trigger too).
      await transaction(pool, async (tx) => {
        if (guard) await check(tx, row, guard);
        await insertAttempt(tx, row);
        await insertSteps(tx, row.id, input.result);
      });
      const { preview, ...rest } = input;
      return { ...rest, id: row.id, score: row.score, maxScore: row.max_score, ...(preview ? { preview: true } : {}), createdAt: row.created_at };
    },
    async get(id) {
      const [r] = await sql.query<AttemptRow>('SELECT * FROM attempts WHERE id = $1', [id]);
      return r && toAttempt(r);
    },
    async listByVariant(variantId) {
      return listed('SELECT * FROM attempts WHERE variant_id = $1 ORDER BY created_at, seq', variantId);
    },
    async listByExam(examId) {
      return listed('SELECT a.* FROM attempts a JOIN variants v ON v.id = a.variant_id WHERE v.exam_id = $1 ORDER BY a.created_at, a.seq', examId);
    },
    async listBySession(sessionId) {
      return listed('SELECT a.* FROM attempts a JOIN variants v ON v.id = a.variant_id WHERE v.session_id = $1 ORDER BY a.created_at, a.seq', sessionId);
    },
    async stepOutcomes(filter) {
      return stepRows(filter);
    },
    async count() {
      const [{ n }] = await sql.query<{ n: number }>('SELECT count(*)::int AS n FROM attempts');
      return n;
    },
    async putPaper(input) {
      const row: AttemptRow = { ...attemptRow(input, false), source: 'paper' };
      // A paper attempt keeps its id when re-graded (an LTI score post may name it): its row is
      // updated and its step rows replaced, in one transaction; ATTEMPT_LOCK makes two nodes typing
      // in the same paper at once update one row rather than make two.
      const id = await transaction(pool, async (tx) => {
        await tx.query(ATTEMPT_LOCK, [row.user_id, row.variant_id]);
        const [existing] = await tx.query<{ id: string }>("SELECT id FROM attempts WHERE user_id = $1 AND variant_id = $2 AND source = 'paper' ORDER BY seq LIMIT 1", [
          row.user_id,
          row.variant_id,
        ]);
        if (existing) {
          await tx.query('UPDATE attempts SET answers = $2, result = $3, score = $4, max_score = $5, created_at = $6 WHERE id = $1', [
            existing.id,
            row.answers,
            row.result,
            row.score,
            row.max_score,
            row.created_at,
          ]);
          await tx.query('DELETE FROM attempt_steps WHERE attempt_id = $1', [existing.id]);
        } else await insertAttempt(tx, row);
        const id = existing?.id ?? row.id;
        await insertSteps(tx, id, input.result);
        return id;
      });
      return { ...input, id, score: row.score, maxScore: row.max_score, source: 'paper', createdAt: row.created_at };
    },
  };
}
