/**
 * Who may see what. Instructors see everything. Students see their own attempts; they see an exam
 * variant only if it belongs to the version they were assigned; and expected values and worked
 * solutions of exam variants stay hidden from them until the instructor releases the exam.
 */
import { forbidden } from '../api/problem.js';
import type { Caller } from '../api/route.js';
import type { Attempt, Store, Variant } from '../store/types.js';

/**
 * An instructor key; an LTI launch key (scoped) counts only for the exam its resource link opens
 * (`examId`), and is a student's everywhere else.
 */
export const isInstructor = (c: Caller, examId?: string): boolean =>
  c.key.role === 'instructor' && (c.key.scope === undefined || (examId !== undefined && c.key.scope.examId === examId));

/** Throws 403 unless the caller may read this variant's problem. */
export async function assertCanSeeVariant(store: Store, caller: Caller, v: Variant): Promise<void> {
  if (isInstructor(caller, v.examId) || v.mode === 'practice') return;
  const version = v.examId ? await store.exams.assignment(v.examId, caller.user.id) : undefined;
  if (version === undefined || version !== v.examVersion) throw forbidden('this exam variant is not part of your exam version');
}

/** Whether expected values and the worked solution may be shown to the caller for this variant. */
export async function revealed(store: Store, caller: Caller, v: Variant): Promise<boolean> {
  if (isInstructor(caller, v.examId) || v.mode === 'practice') return true;
  const exam = v.examId ? await store.exams.get(v.examId) : undefined;
  return exam?.releasedAt !== undefined;
}

export function assertCanSeeAttempt(caller: Caller, a: Attempt): void {
  if (!isInstructor(caller) && a.userId !== caller.user.id) throw forbidden('students can read only their own attempts');
}

/**
 * The stateless routes refuse a student the exact params of an exam not yet released: grading
 * them would serve its answer key. (A student can still perturb the params, or run the open
 * engine locally; no server rule prevents that — exams need their usual invigilation.)
 */
export async function assertNotUnreleasedExam(store: Store, caller: Caller, topic: string, params: unknown): Promise<void> {
  if (isInstructor(caller)) return;
  if (await store.variants.inUnreleasedExam(topic, params)) {
    throw forbidden('these params belong to an exam whose answers have not been released');
  }
}

/** A grade result without true values, for students on the stateless routes. */
export function withoutAnswers<T extends { steps: { expected?: unknown; carriedValue?: unknown }[] }>(g: T): T {
  return { ...g, steps: g.steps.map(({ expected: _e, carriedValue: _c, ...rest }) => rest) };
}
