/**
 * A student's own exams (their home page lists them): every exam they were assigned a version of,
 * newest first, each with its state and only what they may see. The rules are the ones the exam
 * page and the API go by: the version is the assigned one (assertCanSeeVariant), attempts counted
 * as in the results (studentExamResult: previews left out, the exam's `counts` rule), and a score
 * only where attemptView would show one (feedbackFor: released, or the `full` feedback policy).
 * Nothing here carries a seed, a manifest, an expected value or a step's status.
 */
import type { Caller } from './caller.js';
import type { Exam, Store } from '../store/types.js';
import { assertCanSeeVariant, isInstructor } from './access.js';
import { feedbackFor } from './attempts.js';
import { studentExamResult } from './exam-results.js';

/**
 * `awaiting_release`: not released and nothing more can be submitted (closed, or every item's
 * submissions used); `open`: something can still be submitted.
 */
export type MyExamState = 'not_open' | 'open' | 'awaiting_release' | 'released';

export interface MyExam {
  id: string;
  title: string;
  state: MyExamState;
  opensAt?: string;
  closesAt?: string;
  releasedAt?: string;
  /** Items in the student's version, and how many of them they submitted at least once. */
  items: number;
  answered: number;
  attemptLimit: number;
  /** Submissions still allowed over all items (while open; the limit is per item). */
  submissionsLeft?: number;
  /** The counted total (null: nothing submitted), only where the student may see scores. */
  score?: number | null;
  maxScore?: number;
}

/** The caller's exams, newest first. Instructors (of an exam) are never assigned: none of theirs are listed. */
export async function myExams(store: Store, caller: Caller, at = Date.now()): Promise<MyExam[]> {
  if (isInstructor(caller)) return [];
  const out: { exam: Exam; view: MyExam; n: number }[] = [];
  for (const { examId, version } of await store.exams.assignedTo(caller.user.id)) {
    const exam = await store.exams.get(examId);
    // An LTI launch key scoped to this exam as its instructor looks without sitting it.
    if (!exam || isInstructor(caller, exam.id)) continue;
    const variants = await store.variants.listByExam(exam.id, version);
    for (const v of variants) await assertCanSeeVariant(store, caller, v);
    const attempts = (await Promise.all(variants.map((v) => store.attempts.listByVariant(v.id)))).flat();
    const result = await studentExamResult(store, exam, caller.user.id, version, attempts);
    const answered = result.items.filter((i) => i.attempts > 0).length;
    const left = result.items.reduce((t, i) => t + Math.max(0, exam.attemptLimit - i.attempts), 0);
    const closed = exam.closesAt !== undefined && at >= Date.parse(exam.closesAt);
    const state: MyExamState =
      exam.releasedAt !== undefined ? 'released' : exam.opensAt !== undefined && at < Date.parse(exam.opensAt) ? 'not_open' : closed || left === 0 ? 'awaiting_release' : 'open';
    // One item stands for all: the feedback rule is the exam's, the same for every item.
    const scores = variants.length > 0 && (await feedbackFor(store, caller, variants[0])).policy === 'full';
    const view: MyExam = {
      id: exam.id,
      title: exam.title,
      state,
      ...(exam.opensAt ? { opensAt: exam.opensAt } : {}),
      ...(exam.closesAt ? { closesAt: exam.closesAt } : {}),
      ...(exam.releasedAt ? { releasedAt: exam.releasedAt } : {}),
      items: variants.length,
      answered,
      attemptLimit: exam.attemptLimit,
      ...(state === 'open' ? { submissionsLeft: left } : {}),
      ...(scores ? { score: result.score, maxScore: result.maxScore } : {}),
    };
    out.push({ exam, view, n: out.length });
  }
  // Newest exam first; exams made in the same millisecond, the one assigned last first.
  out.sort((a, b) => b.exam.createdAt.localeCompare(a.exam.createdAt) || b.n - a.n);
  return out.map((x) => x.view);
}
