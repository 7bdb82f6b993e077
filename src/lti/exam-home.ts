/**
 * Which LMS course an exam belongs to (its home) and how a course claims it: only with the exam's
 * link code (src/service/exam-link-code.ts), never by linking it first. The home's instructors get
 * a launch key over the exam; anyone else's instructor launch of it is refused.
 */
import { LtiError } from './errors.js';
import { examByLinkCode, linkCodeMatches } from '../service/exam-link-code.js';
import type { Exam, Store } from '../store/types.js';
import type { ExamHome } from './types.js';

/** How an instructor binds an exam to their course (said wherever a binding is missing or refused). */
export const HOW_TO_BIND =
  "bind it to your course with the exam's link code (ltiLinkCode in GET /api/v1/exams/{id} with an instructor key, from whoever created the exam): " +
  'enter it under "Exam link code" when adding Stepwise content through deep linking, or give this link the custom parameter exam_code=<code> next to exam=<id>';

export const sameCourse = (home: ExamHome | undefined, course: ExamHome): boolean =>
  home !== undefined && home.platformId === course.platformId && (home.contextId ?? null) === (course.contextId ?? null);

/** Whether the exam's home is this course. */
export async function homedIn(store: Store, examId: string, course: ExamHome): Promise<boolean> {
  return sameCourse(await store.lti.examHome(examId), course);
}

/**
 * Binds the exam to the course (already homed there: nothing changes). 403 when the course is
 * another one's home already; 422 without a course (a link code binds to a context only).
 */
export async function bindExam(store: Store, examId: string, course: ExamHome, field: string): Promise<void> {
  if (!course.contextId) throw new LtiError('invalid_claim', 'binding an exam needs the launch’s course (the context claim with an id)', field);
  const home = await store.lti.bindExamHome(examId, { platformId: course.platformId, contextId: course.contextId });
  if (!sameCourse(home, course)) {
    throw new LtiError('exam_bound_elsewhere', 'this exam belongs to another course already; a link code cannot move it (ask that course’s instructor, or create an exam for this course)', field);
  }
}

/** The custom parameter exam_code: checks it is exam `examId`'s code (403 otherwise) and binds. */
export async function bindByCustomCode(store: Store, examId: string, code: unknown, course: ExamHome, field: string): Promise<void> {
  if (typeof code !== 'string' || !(await linkCodeMatches(store, examId, code))) {
    throw new LtiError('invalid_link_code', `exam_code is not this exam’s link code; ${HOW_TO_BIND}`, field);
  }
  await bindExam(store, examId, course, field);
}

/** The exam a link code names, bound to the course (403 for a code of no exam, or of another course's exam). */
export async function bindByCode(store: Store, code: string, course: ExamHome, field: string): Promise<Exam> {
  const exam = await examByLinkCode(store, code);
  if (!exam) throw new LtiError('invalid_link_code', 'this is no exam’s link code (ltiLinkCode in GET /api/v1/exams/{id} with an instructor key)', field);
  await bindExam(store, exam.id, course, field);
  return exam;
}
