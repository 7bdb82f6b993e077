/**
 * Outcome notes in SQLite: the step rows statistics read, and the backfill at open of rows stored
 * before migration 011 (their notes derived once from each attempt's stored grade result).
 */
import { legacyOutcome } from '../../solvers/outcome.js';
import type { StepOutcomeFilter, StepOutcomeRow } from '../types.js';
import type { Db } from './db.js';

interface Row {
  attempt_id: string;
  user_id: string;
  variant_id: string;
  created_at: string;
  score: number;
  step_id: string;
  outcome: string;
  credit: number;
  marks: number;
}

const COLUMNS = 'a.id AS attempt_id, a.user_id, a.variant_id, a.created_at, a.score, s.step_id, s.outcome, s.credit, s.marks';

/**
 * Every graded step of the non-preview attempts in scope, attempts in time order (then steps in
 * the order graded): an exam's items, or a course's practice variants (of one topic, if given) by
 * students only (an instructor trying a question is not the class).
 */
export function stepOutcomeRows(db: Db): (filter: StepOutcomeFilter) => StepOutcomeRow[] {
  const order = 'ORDER BY a.created_at, a.rowid, s.rowid';
  const byExam = db.prepare<[string], Row>(
    `SELECT ${COLUMNS} FROM variants v JOIN attempts a ON a.variant_id = v.id JOIN attempt_steps s ON s.attempt_id = a.id
      WHERE v.exam_id = ? AND a.preview = 0 ${order}`,
  );
  const practice = `SELECT ${COLUMNS}, v.topic FROM variants v JOIN attempts a ON a.variant_id = v.id JOIN attempt_steps s ON s.attempt_id = a.id
      JOIN users u ON u.id = a.user_id
      WHERE v.course_id = ? AND v.mode = 'practice' AND a.preview = 0 AND u.role = 'student'`;
  const byCourseAll = db.prepare<[string], Row & { topic: string }>(`${practice} ${order}`);
  const byCourseTopic = db.prepare<[string, string], Row & { topic: string }>(`${practice} AND v.topic = ? ${order}`);
  const map = (r: Row & { topic?: string }): StepOutcomeRow => ({
    attemptId: r.attempt_id,
    userId: r.user_id,
    variantId: r.variant_id,
    createdAt: r.created_at,
    score: r.score,
    stepId: r.step_id,
    outcome: r.outcome,
    credit: r.credit,
    marks: r.marks,
    ...(r.topic !== undefined ? { topic: r.topic } : {}),
  });
  return (f) => {
    if ('examId' in f) return byExam.all(f.examId).map(map);
    return (f.topic === undefined ? byCourseAll.all(f.courseId) : byCourseTopic.all(f.courseId, f.topic)).map(map);
  };
}

/**
 * Writes the outcome note of every step row that has none (stored before migration 011), from its
 * attempt's stored grade result; returns how many rows were written. Runs at open, in batches of
 * attempts, so a large database is upgraded once and then costs one indexed look-up per open.
 */
export function backfillOutcomes(db: Db): number {
  const pending = db.prepare<[], { attempt_id: string; result: string }>(
    `SELECT DISTINCT s.attempt_id, a.result FROM attempt_steps s JOIN attempts a ON a.id = s.attempt_id WHERE s.outcome IS NULL LIMIT 500`,
  );
  const set = db.prepare('UPDATE attempt_steps SET outcome = ? WHERE attempt_id = ? AND step_id = ? AND outcome IS NULL');
  const fallback = db.prepare(
    `UPDATE attempt_steps SET outcome = CASE
       WHEN status = 'missing' AND note = 'implied' THEN 'missing:implied'
       WHEN status IN ('partial', 'incorrect') AND misconception IS NOT NULL THEN 'misconception:' || misconception
       WHEN status = 'invalid' THEN 'invalid:syntax'
       ELSE status END
     WHERE attempt_id = ? AND outcome IS NULL`,
  );
  let written = 0;
  for (;;) {
    const batch = pending.all();
    if (batch.length === 0) return written;
    db.transaction(() => {
      for (const { attempt_id, result } of batch) {
        let steps: unknown;
        try {
          steps = (JSON.parse(result) as { steps?: unknown }).steps;
        } catch {
          steps = undefined;
        }
        for (const g of Array.isArray(steps) ? steps : []) {
          if (typeof g !== 'object' || g === null || typeof (g as { id?: unknown }).id !== 'string') continue;
          written += set.run(legacyOutcome(g as Parameters<typeof legacyOutcome>[0]), attempt_id, (g as { id: string }).id).changes;
        }
        // A row its stored result does not describe (never written so, but a NULL left here would be read again at every open).
        written += fallback.run(attempt_id).changes;
      }
    })();
  }
}
