/**
 * Exams (blueprint, seed manifest, version assignments, release) in PostgreSQL: sqliteExams'
 * behaviour (src/store/sqlite/exams.ts). Courses and practice sessions are in ./courses.ts.
 */
import type { ExamRepo } from '../types.js';
import { now } from '../ids.js';
import { StepwiseError } from '../../core/errors.js';
import { newExamRows, toExam, type ExamRow } from '../rows/exams.js';
import { toVariant } from '../rows/variants.js';
import { sqlOf, transaction, type Pool, type Sql } from './db.js';
import { addExamFingerprintsPg } from './fingerprints.js';
import { insertVariants } from './variants.js';

const EXAM_COLUMNS = [
  'id',
  'title',
  'course_id',
  'blueprint',
  'versions',
  'seed',
  'manifest',
  'released_at',
  'created_by',
  'created_at',
  'opens_at',
  'closes_at',
  'attempt_limit',
  'feedback',
  'counts',
  'blank_steps',
  'ecf_penalty',
] as const satisfies readonly (keyof ExamRow)[];

/**
 * One exam's assignments, one node at a time (pg_advisory_xact_lock on a key of the exam id): the
 * rotation counts the rows already assigned, so two nodes assigning at once would otherwise both
 * count n and hand out one version twice (and skip the next).
 */
const ASSIGN_LOCK = "SELECT pg_advisory_xact_lock(hashtextextended('assign ' || $1, 0))";

export function pgExams(pool: Pool): ExamRepo {
  const sql = sqlOf(pool);
  const byId = async (q: Sql, id: string): Promise<ExamRow | undefined> => (await q.query<ExamRow>('SELECT * FROM exams WHERE id = $1', [id]))[0];
  const existing = async (q: Sql, examId: string, userId: string): Promise<number | undefined> =>
    (await q.query<{ version: number }>('SELECT version FROM exam_assignments WHERE exam_id = $1 AND user_id = $2', [examId, userId]))[0]?.version;
  const insertAssignment = (q: Sql, examId: string, userId: string, version: number): Promise<unknown> =>
    q.query('INSERT INTO exam_assignments (exam_id, user_id, version, assigned_at) VALUES ($1, $2, $3, $4)', [examId, userId, version, now()]);
  return {
    async create(exam, build, chosenId) {
      const { row, variants: rows, prints } = newExamRows(exam, build, chosenId);
      const id = row.id;
      // The exam, every variant of every version and their fingerprints commit together.
      await transaction(pool, async (tx) => {
        // A previewed id frozen twice at once (even on two nodes): ON CONFLICT waits for the other
        // insert and then writes nothing, and the second finds the first (a conflict, not a crash).
        const marks = EXAM_COLUMNS.map((_, i) => `$${i + 1}`).join(', ');
        const made = await tx.query(`INSERT INTO exams (${EXAM_COLUMNS.join(', ')}) VALUES (${marks}) ON CONFLICT (id) DO NOTHING RETURNING id`, EXAM_COLUMNS.map((c) => row[c]));
        if (made.length === 0) throw new StepwiseError('conflict', `exam ${id} is already frozen`, 'body.id');
        await insertVariants(tx, rows);
        await addExamFingerprintsPg(tx, id, prints);
      });
      return { exam: toExam(row), variants: rows.map(toVariant) };
    },
    async get(id) {
      const r = await byId(sql, id);
      return r && toExam(r);
    },
    async list() {
      return (await sql.query<ExamRow>('SELECT * FROM exams ORDER BY created_at, seq')).map(toExam);
    },
    // Versions go round in turn, so a class spreads evenly over them; a student keeps theirs.
    // Stored 0-based; the domain (and every JSON and CSV) numbers versions from 1.
    async assign(examId, userId, versions) {
      return transaction(pool, async (tx) => {
        await tx.query(ASSIGN_LOCK, [examId]);
        const had = await existing(tx, examId, userId);
        if (had !== undefined) return had + 1;
        const [{ n }] = await tx.query<{ n: number }>('SELECT count(*)::int AS n FROM exam_assignments WHERE exam_id = $1', [examId]);
        const version = n % versions;
        await insertAssignment(tx, examId, userId, version);
        return version + 1;
      });
    },
    async assignVersion(examId, userId, version) {
      return transaction(pool, async (tx) => {
        await tx.query(ASSIGN_LOCK, [examId]);
        const had = await existing(tx, examId, userId);
        if (had !== undefined) return had + 1;
        await insertAssignment(tx, examId, userId, version - 1);
        return version;
      });
    },
    async assignment(examId, userId) {
      const v = await existing(sql, examId, userId);
      return v === undefined ? undefined : v + 1;
    },
    async assignments(examId) {
      const rows = await sql.query<{ user_id: string; version: number }>('SELECT user_id, version FROM exam_assignments WHERE exam_id = $1 ORDER BY assigned_at, seq', [examId]);
      return rows.map((r) => ({ userId: r.user_id, version: r.version + 1 }));
    },
    async assignedTo(userId) {
      // No index leads with user_id (the key is exam, user): a scan, small beside a page's other reads.
      const rows = await sql.query<{ exam_id: string; version: number }>('SELECT exam_id, version FROM exam_assignments WHERE user_id = $1 ORDER BY assigned_at, seq', [userId]);
      return rows.map((r) => ({ examId: r.exam_id, version: r.version + 1 }));
    },
    async release(id) {
      // An UPDATE of the exam row: it waits for attempts in flight (they hold the row FOR SHARE, pgAttempts).
      await sql.query('UPDATE exams SET released_at = $1 WHERE id = $2 AND released_at IS NULL', [now(), id]);
      const r = await byId(sql, id);
      return r && toExam(r);
    },
  };
}
