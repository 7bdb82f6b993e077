/**
 * The exam rules a new attempt is checked against, the same on both backends; each backend reads the
 * exam row and the student's count in the attempt's own transaction (how it keeps them atomic differs).
 */
import { StepwiseError } from '../core/errors.js';
import type { AttemptGuard } from './types.js';

/** The exam columns the rules read. */
export interface ExamWindowRow {
  released_at: string | null;
  opens_at: string | null;
  closes_at: string | null;
}

/** Throws when the exam is missing, released, not open yet or closed at `createdAt` (an ISO time). */
export function checkExamWindow(guard: AttemptGuard, e: ExamWindowRow | undefined, createdAt: string): void {
  if (!e) throw new StepwiseError('invalid_request', `no exam with id ${JSON.stringify(guard.examId)}`);
  if (e.released_at !== null) throw new StepwiseError('exam_released', `this exam was released at ${e.released_at}: no more attempts are accepted`);
  const at = Date.parse(createdAt);
  if (e.opens_at !== null && at < Date.parse(e.opens_at)) throw new StepwiseError('exam_not_open', `this exam opens at ${e.opens_at}`);
  if (e.closes_at !== null && at >= Date.parse(e.closes_at)) throw new StepwiseError('exam_closed', `this exam closed at ${e.closes_at}`);
}

/** Throws when the student already has `n` (non-preview) attempts at the item and that is the limit. */
export function checkAttemptLimit(guard: AttemptGuard, n: number): void {
  if (n >= guard.attemptLimit) {
    throw new StepwiseError('attempt_limit', `you have used all ${guard.attemptLimit} attempt${guard.attemptLimit === 1 ? '' : 's'} at this item`);
  }
}
