/**
 * Who may see what. Instructors see everything. Students see their own attempts; they see an exam
 * variant only if it belongs to the version they were assigned, and never its seed; and expected
 * values and worked solutions of exam variants stay hidden from them until the instructor releases
 * the exam — through any route: a practice variant or a stateless request whose problem is an
 * unreleased exam item (in any spelling of its params) is refused.
 */
import { forbiddenError } from '../core/errors.js';
import { resolve } from '../engine.js';
import type { Attempt, Store, Variant } from '../store/types.js';
import type { Caller } from './caller.js';
import { EXAM_ITEM_REFUSAL, studentVariantView, type StudentVariant } from './variants.js';

/**
 * An instructor key; an LTI launch key (scoped) counts only for the exam its resource link opens
 * (`examId`), and is a student's everywhere else.
 */
export const isInstructor = (c: Caller, examId?: string): boolean =>
  c.key.role === 'instructor' && (c.key.scope === undefined || (examId !== undefined && c.key.scope.examId === examId));

/**
 * Throws forbidden unless the caller may read this variant's problem. A practice variant that is
 * an unreleased exam item (one an instructor made) is refused a student like the item itself:
 * its params would be another version's problem, its solution and attempts that item's key.
 */
export async function assertCanSeeVariant(store: Store, caller: Caller, v: Variant): Promise<void> {
  if (isInstructor(caller, v.examId)) return;
  if (v.mode === 'practice') return assertNotUnreleasedExam(store, caller, v.topic, v.params);
  const version = v.examId ? await store.exams.assignment(v.examId, caller.user.id) : undefined;
  if (version === undefined || version !== v.examVersion) throw forbiddenError('this exam variant is not part of your exam version');
}

/** The variant as this caller may see it: whole for instructors, studentVariantView for students. */
export function variantViewFor(caller: Caller, v: Variant): Variant | StudentVariant {
  return isInstructor(caller, v.examId) ? v : studentVariantView(v);
}

/** Whether expected values and the worked solution may be shown to the caller for this variant. */
export async function revealed(store: Store, caller: Caller, v: Variant): Promise<boolean> {
  if (isInstructor(caller, v.examId)) return true;
  if (v.mode === 'practice') return !(await store.variants.inUnreleasedExam(v.topic, v.params));
  const exam = v.examId ? await store.exams.get(v.examId) : undefined;
  return exam?.releasedAt !== undefined;
}

/** Throws forbidden, naming why, unless the caller may see this variant's answer key. */
export async function assertRevealed(store: Store, caller: Caller, v: Variant): Promise<void> {
  if (await revealed(store, caller, v)) return;
  throw forbiddenError(v.mode === 'practice' ? `${EXAM_ITEM_REFUSAL}: this practice variant is one of its items` : 'the answer key of this exam has not been released');
}

export function assertCanSeeAttempt(caller: Caller, a: Attempt): void {
  if (!isInstructor(caller) && a.userId !== caller.user.id) throw forbiddenError('students can read only their own attempts');
}

/**
 * Refuses a student a problem that is an item of an exam not yet released: grading it would serve
 * its answer key. `ref` is the topic or question id exactly as the dispatcher resolves it; the
 * params are compared once normalised (validated, defaults left out, any key order); params the
 * solver refuses are no exam's (grading them fails with the solver's own error). (A student can
 * still perturb the params, or run the open engine locally; no server rule prevents that — exams
 * need their usual invigilation.)
 */
export async function assertNotUnreleasedExam(store: Store, caller: Caller, ref: unknown, params: unknown): Promise<void> {
  if (isInstructor(caller)) return;
  const { topic } = resolve(ref);
  if (await store.variants.inUnreleasedExam(topic.id, params)) throw forbiddenError(EXAM_ITEM_REFUSAL);
}

/** A grade result without true values, for students on the stateless routes. */
export function withoutAnswers<T extends { steps: { expected?: unknown; carriedValue?: unknown }[] }>(g: T): T {
  return { ...g, steps: g.steps.map(({ expected: _e, carriedValue: _c, ...rest }) => rest) };
}
