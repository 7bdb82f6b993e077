/** Outcome notes in PostgreSQL: the step rows statistics read (src/store/sqlite/outcomes.ts). */
import type { AttemptOutcomes, StepOutcomeFilter } from '../types.js';
import { transaction, type Pool } from './db.js';

/**
 * A step row's note from its columns alone, where none was written: never by this store (it writes
 * every note), but a row copied from an SQLite database that was never opened since migration 011
 * reads as its status rather than breaking statistics.
 */
const FALLBACK = `CASE
  WHEN s.status = 'missing' AND s.note = 'implied' THEN 'missing:implied'
  WHEN s.status IN ('partial', 'incorrect') AND s.misconception IS NOT NULL THEN 'misconception:' || s.misconception
  WHEN s.status = 'invalid' THEN 'invalid:syntax'
  ELSE s.status END`;

interface AttemptRow {
  id: string;
  user_id: string;
  variant_id: string;
  created_at: string;
  score: number;
  topic: string;
  source: string;
}
interface StepRow {
  attempt_id: string;
  step_id: string;
  outcome: string;
  credit: number;
  marks: number;
}

/**
 * Every graded step of the non-preview attempts in scope, attempts in time order, steps in the
 * order graded (their seq): an exam's items, or a course's practice variants (of one topic, if
 * given) by students only. Two lean queries, as on SQLite: attempts, then their steps.
 */
export function attemptOutcomesPg(pool: Pool): (filter: StepOutcomeFilter) => Promise<AttemptOutcomes[]> {
  const examScope = 'FROM variants v JOIN attempts a ON a.variant_id = v.id WHERE v.exam_id = $1 AND a.preview = 0';
  const courseScope = `FROM variants v JOIN attempts a ON a.variant_id = v.id JOIN users u ON u.id = a.user_id
      WHERE v.course_id = $1 AND v.mode = 'practice' AND a.preview = 0 AND u.role = 'student'`;
  const queries = (scope: string) => ({
    attempts: `SELECT a.id, a.user_id, a.variant_id, a.created_at, a.score, v.topic, a.source ${scope} ORDER BY a.created_at, a.seq`,
    steps: `SELECT s.attempt_id, s.step_id, COALESCE(s.outcome, ${FALLBACK}) AS outcome, s.credit, s.marks ${scope.replace('WHERE', 'JOIN attempt_steps s ON s.attempt_id = a.id WHERE')} ORDER BY s.seq`,
  });
  const exam = queries(examScope);
  const course = queries(courseScope);
  const courseTopic = queries(`${courseScope} AND v.topic = $2`);
  return async (f) => {
    const q = 'examId' in f ? exam : f.topic === undefined ? course : courseTopic;
    const args = 'examId' in f ? [f.examId] : f.topic === undefined ? [f.courseId] : [f.courseId, f.topic];
    // Both read one snapshot, so an attempt committed between them is not listed without its steps.
    const [attempts, steps] = await transaction(pool, async (sql) => {
      await sql.query('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY');
      return [await sql.query<AttemptRow>(q.attempts, args), await sql.query<StepRow>(q.steps, args)] as const;
    });
    const byId = new Map<string, AttemptOutcomes>();
    const out: AttemptOutcomes[] = [];
    for (const r of attempts) {
      const a: AttemptOutcomes = {
        attemptId: r.id,
        userId: r.user_id,
        variantId: r.variant_id,
        createdAt: r.created_at,
        score: r.score,
        ...('examId' in f ? {} : { topic: r.topic }),
        ...(r.source === 'paper' ? { source: 'paper' as const } : {}),
        steps: [],
      };
      byId.set(r.id, a);
      out.push(a);
    }
    for (const s of steps) byId.get(s.attempt_id)?.steps.push({ stepId: s.step_id, outcome: s.outcome, credit: s.credit, marks: s.marks });
    return out;
  };
}
