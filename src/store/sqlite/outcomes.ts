/**
 * Outcome notes in SQLite: the step rows statistics read, and the backfill at open of rows stored
 * before migration 011 (their notes derived once from each attempt's stored grade result).
 */
import { legacyOutcome } from '../../solvers/outcome.js';
import type { AttemptOutcomes, StepOutcomeFilter } from '../types.js';
import { writeTransaction, type Db } from './db.js';

/**
 * A step row's note from its columns alone, where none was written (never by this store; kept so a
 * row without one reads as its status rather than breaking statistics until the next open fills it).
 */
const FALLBACK = `CASE
  WHEN s.status = 'missing' AND s.note = 'implied' THEN 'missing:implied'
  WHEN s.status IN ('partial', 'incorrect') AND s.misconception IS NOT NULL THEN 'misconception:' || s.misconception
  WHEN s.status = 'invalid' THEN 'invalid:syntax'
  ELSE s.status END`;

type AttemptRow = [k: number, id: string, user: string, variant: string, at: string, score: number, topic: string, source: string];
type StepRow = [k: number, order: number, step: string, outcome: string, credit: number, marks: number];

/**
 * Every graded step of the non-preview attempts in scope, attempts in time order, steps in the
 * order graded: an exam's items, or a course's practice variants (of one topic, if given) by
 * students only (an instructor trying a question is not the class). Two lean queries (attempts,
 * then their steps keyed by rowid) instead of one wide join: a class's 30,000 step rows are read as
 * small arrays, without the attempt's columns repeated on each.
 */
export function attemptOutcomes(db: Db): (filter: StepOutcomeFilter) => AttemptOutcomes[] {
  const examScope = 'FROM variants v JOIN attempts a ON a.variant_id = v.id WHERE v.exam_id = ? AND a.preview = 0';
  const courseScope = `FROM variants v JOIN attempts a ON a.variant_id = v.id JOIN users u ON u.id = a.user_id
      WHERE v.course_id = ? AND v.mode = 'practice' AND a.preview = 0 AND u.role = 'student'`;
  const queries = (scope: string) => ({
    attempts: db.prepare(`SELECT a.rowid, a.id, a.user_id, a.variant_id, a.created_at, a.score, v.topic, a.source ${scope} ORDER BY a.created_at, a.rowid`).raw(true),
    steps: db.prepare(`SELECT a.rowid, s.rowid, s.step_id, COALESCE(s.outcome, ${FALLBACK}), s.credit, s.marks ${scope.replace('WHERE', 'JOIN attempt_steps s ON s.attempt_id = a.id WHERE')}`).raw(true),
  });
  const exam = queries(examScope);
  const course = queries(courseScope);
  const courseTopic = queries(`${courseScope} AND v.topic = ?`);
  return (f) => {
    const q = 'examId' in f ? exam : f.topic === undefined ? course : courseTopic;
    const args = 'examId' in f ? [f.examId] : f.topic === undefined ? [f.courseId] : [f.courseId, f.topic];
    const byKey = new Map<number, { a: AttemptOutcomes; order: number[] }>();
    const out: AttemptOutcomes[] = [];
    for (const [k, id, user, variant, at, score, topic, source] of q.attempts.all(...args) as AttemptRow[]) {
      const a: AttemptOutcomes = { attemptId: id, userId: user, variantId: variant, createdAt: at, score, ...('examId' in f ? {} : { topic }), ...(source === 'paper' ? { source: 'paper' as const } : {}), steps: [] };
      byKey.set(k, { a, order: [] });
      out.push(a);
    }
    for (const [k, order, stepId, outcome, credit, marks] of q.steps.all(...args) as StepRow[]) {
      const x = byKey.get(k);
      if (!x) continue;
      x.a.steps.push({ stepId, outcome, credit, marks });
      x.order.push(order);
    }
    // The primary key hands an attempt's steps over by id: put them back in the order graded.
    for (const { a, order } of byKey.values()) {
      if (order.every((o, i) => i === 0 || order[i - 1] < o)) continue;
      const idx = order.map((_, i) => i).sort((i, j) => order[i] - order[j]);
      a.steps = idx.map((i) => a.steps[i]);
    }
    return out;
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
  const fallback = db.prepare(`UPDATE attempt_steps AS s SET outcome = ${FALLBACK} WHERE s.attempt_id = ? AND s.outcome IS NULL`);
  let written = 0;
  for (;;) {
    const batch = pending.all();
    if (batch.length === 0) return written;
    writeTransaction(db, () => {
      for (const { attempt_id, result } of batch) {
        let steps: unknown;
        try {
          steps = (JSON.parse(result) as { steps?: unknown }).steps;
        } catch {
          steps = undefined;
        }
        for (const g of Array.isArray(steps) ? steps : []) {
          if (typeof g !== 'object' || g === null || typeof (g as { id?: unknown }).id !== 'string') continue;
          const step = g as Parameters<typeof legacyOutcome>[0] & { id: string; outcome?: unknown };
          written += set.run(typeof step.outcome === 'string' ? step.outcome : legacyOutcome(step), attempt_id, step.id).changes;
        }
        // A row its stored result does not describe (never written so, but a NULL left here would be read again at every open).
        written += fallback.run(attempt_id).changes;
      }
    })();
  }
}
