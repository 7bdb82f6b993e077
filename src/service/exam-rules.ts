/**
 * The rules an exam is taken under: when it is open, how many attempts an item allows, what a
 * student sees before release, which attempt counts, how blank steps are credited; and release.
 */
import { StepwiseError } from '../core/errors.js';
import { BLANK_STEP_POLICIES } from '../engine.js';
import { COUNTS_POLICIES, FEEDBACK_POLICIES, type Attempt, type Exam, type ExamRules, type Store } from '../store/types.js';

/** Called after an exam is released (LTI: post the totals its feedback policy held back); failures there never undo the release. */
export type ReleaseHook = (exam: Exam) => Promise<void>;

/**
 * The exam's rules with their defaults: open whenever (no times), 1 attempt per item, no feedback
 * while open, the last attempt before close counts, blank steps earn nothing (`shown`). Times are
 * stored as UTC ISO 8601. A bad value is a 422 naming its field.
 */
export function checkRules(r: Partial<Record<keyof ExamRules, unknown>>, path = 'body'): ExamRules {
  const time = (x: unknown, field: string): string | undefined => {
    if (x === undefined) return undefined;
    const ymd = typeof x === 'string' ? /^(\d{4})-(\d{2})-(\d{2})T/.exec(x) : null;
    // Date.parse rolls 30 February over into March: the day must exist in its month.
    const real = ymd !== null && new Date(Date.UTC(+ymd[1], +ymd[2] - 1, +ymd[3])).getUTCDate() === +ymd[3];
    const ms = real ? Date.parse(x as string) : NaN;
    if (!Number.isFinite(ms)) throw new StepwiseError('invalid_request', `${path}.${field} must be an ISO 8601 date-time, got ${JSON.stringify(x)}`, `${path}.${field}`);
    return new Date(ms).toISOString();
  };
  const oneOf = <T extends string>(x: unknown, field: string, allowed: readonly T[], fallback: T): T => {
    if (x === undefined) return fallback;
    if (typeof x === 'string' && (allowed as readonly string[]).includes(x)) return x as T;
    throw new StepwiseError('invalid_request', `${path}.${field} must be one of ${allowed.join(', ')}, got ${JSON.stringify(x)}`, `${path}.${field}`);
  };
  const opensAt = time(r.opensAt, 'opensAt');
  const closesAt = time(r.closesAt, 'closesAt');
  if (opensAt && closesAt && Date.parse(closesAt) <= Date.parse(opensAt)) {
    throw new StepwiseError('invalid_request', `${path}.closesAt (${closesAt}) must be after ${path}.opensAt (${opensAt})`, `${path}.closesAt`);
  }
  const limit = r.attemptLimit ?? 1;
  if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 1) {
    throw new StepwiseError('invalid_request', `${path}.attemptLimit must be a whole number ≥ 1, got ${JSON.stringify(r.attemptLimit)}`, `${path}.attemptLimit`);
  }
  return {
    ...(opensAt ? { opensAt } : {}),
    ...(closesAt ? { closesAt } : {}),
    attemptLimit: limit,
    feedback: oneOf(r.feedback, 'feedback', FEEDBACK_POLICIES, 'none'),
    counts: oneOf(r.counts, 'counts', COUNTS_POLICIES, 'last'),
    blankSteps: oneOf(r.blankSteps, 'blankSteps', BLANK_STEP_POLICIES, 'shown'),
  };
}

/**
 * The attempt that counts for one student's item under the exam's `counts` rule, among their
 * attempts in time order: only attempts made before the close count; `last` (default), `first`,
 * or `best` (the highest score, the earliest on a tie).
 */
export function countedAttempt(rules: Pick<ExamRules, 'counts' | 'closesAt'>, attempts: readonly Attempt[]): Attempt | undefined {
  const close = rules.closesAt === undefined ? Infinity : Date.parse(rules.closesAt);
  const valid = attempts.filter((a) => Date.parse(a.createdAt) < close);
  if (valid.length === 0) return undefined;
  if (rules.counts === 'first') return valid[0];
  if (rules.counts === 'best') return valid.reduce((b, a) => (a.score > b.score ? a : b));
  return valid[valid.length - 1];
}

/** A student may not see an exam's problems before it opens (409 exam_not_open); instructors may. */
export function assertExamStarted(exam: Exam, isInstructor: boolean, at = Date.now()): void {
  if (!isInstructor && exam.opensAt !== undefined && at < Date.parse(exam.opensAt)) {
    throw new StepwiseError('exam_not_open', `this exam opens at ${exam.opensAt}`);
  }
}

/**
 * Releases the answer keys. Only after the close, so no student can still submit with the key in
 * view; before it (or with no close time) only with `force`, which also ends the exam: attempts
 * are refused once it is released. Releasing twice is harmless.
 */
export async function releaseExam(store: Store, exam: Exam, force: boolean): Promise<Exam> {
  if (exam.releasedAt === undefined && !force) {
    if (exam.closesAt === undefined) {
      throw new StepwiseError('exam_open', 'this exam has no close time, so students may still be answering: release it with {"force": true} to end it now', 'body.force');
    }
    if (Date.now() < Date.parse(exam.closesAt)) {
      throw new StepwiseError('exam_open', `this exam is open until ${exam.closesAt}: release it then, or now with {"force": true}`, 'body.force');
    }
  }
  return (await store.exams.release(exam.id)) ?? exam;
}
