/**
 * Submitting and reading attempts. Grading uses the variant's question (its steps, marks,
 * tolerance and ECF policy) or, for a bare topic variant, every step. The stored result is always
 * complete; what a caller sees is redacted when the variant's answers are not revealed to them.
 */
import { StepwiseError } from '../core/errors.js';
import { gradeAnswers, type GradeResult, type StepGrade } from '../engine.js';
import type { Value } from '../core/values.js';
import type { Caller } from './caller.js';
import type { Attempt, Exam, FeedbackPolicy, Store, Variant } from '../store/types.js';
import { isInstructor, revealed } from './access.js';
import { storableAnswers } from './answers.js';
import { variantAnswers } from './variants.js';
import { examGradeOptions } from './exam-marks.js';

/**
 * A graded step as a caller sees it: the values are absent when not revealed; only id, label and
 * status under an open exam's `status` feedback policy.
 */
export type StepView = Pick<StepGrade, 'id' | 'label' | 'status'> &
  Partial<Omit<StepGrade, 'id' | 'label' | 'status' | 'expected' | 'carriedValue'>> & { expected?: Value; carriedValue?: Value };

export interface AttemptView {
  id: string;
  variantId: string;
  userId: string;
  answers: unknown;
  topic: string;
  /** Absent while an unreleased exam's feedback policy is `none` or `status`. */
  score?: number;
  maxScore?: number;
  steps: StepView[];
  /** The exam's feedback policy that limited this view (absent when nothing is withheld but the key). */
  feedback?: FeedbackPolicy;
  warnings?: string[];
  revealed: boolean;
  solution?: ReturnType<typeof variantAnswers>;
  createdAt: string;
}

/** Called after an attempt is committed (LTI grade passback); failures there never undo the attempt. */
export type AttemptHook = (attempt: Attempt, variant: Variant, caller: Caller) => Promise<void>;

/**
 * Grades and stores an attempt. An exam variant is graded under its exam's blank-step policy and
 * stored only if the exam is open, unreleased and the attempt limit is not reached — checked in the
 * store's write transaction (409 exam_not_open / exam_closed / exam_released / attempt_limit);
 * instructors' previews are not held to them. Practice grades with blank steps `implied`.
 */
export async function submitAttempt(store: Store, caller: Caller, v: Variant, answers: unknown, hintsUsed: readonly string[] = []): Promise<Attempt> {
  // Only the variant's steps, within the answer limits, are graded and stored (answers.ts).
  const { answers: stored, dropped } = storableAnswers(v, answers);
  const exam = v.examId ? await store.exams.get(v.examId) : undefined;
  const result = gradeVariant(v, exam, stored, hintsUsed);
  if (dropped.length > 0) result.warnings = [...(result.warnings ?? []), ...dropped];
  // An instructor's attempt at an exam item is a preview: not held to the rules, and never in the
  // results or the attempt count (marked on the attempt: the same user may sit the exam later).
  const preview = exam !== undefined && isInstructor(caller, exam.id);
  const held = exam !== undefined && !preview;
  // A typo or a wrong shape in an exam must not use up an attempt: refuse it, storing nothing, as
  // the drill asks again. Whether an answer reads depends only on its syntax and the step's shape,
  // which the prompt gives, so the refusal reveals nothing of the key.
  // Every unreadable answer is named at once, so one correction fixes them all.
  const unreadable = held ? result.steps.filter((s) => s.status === 'invalid') : [];
  if (unreadable.length > 0) {
    const why = unreadable.map((g) => `${g.label} (answers.${g.id}) cannot be read: ${g.feedback.replace(/^Cannot read this answer: /, '').replace(/\.$/, '')}`);
    throw new StepwiseError('invalid_answers', `${why.join('; ')}; nothing was stored, so this does not use up an attempt`, `answers.${unreadable[0].id}`);
  }
  const input = { variantId: v.id, userId: caller.user.id, answers: stored, result, ...(preview ? { preview } : {}) };
  return held ? store.attempts.create(input, { examId: exam.id, attemptLimit: exam.attemptLimit }) : store.attempts.create(input);
}

/**
 * Grades answers to a variant the way every attempt is graded (online and paper alike): its question's
 * steps, marks, tolerance and ECF policy, under its exam's blank-step policy (practice: `implied`).
 * Hints revealed before submitting cost what the question sets (hintPenalty; none by default).
 */
export function gradeVariant(v: Variant, exam: Exam | undefined, answers: Record<string, unknown>, hintsUsed: readonly string[] = []): GradeResult {
  // Hints revealed before submitting cost what the question sets (hintPenalty; none by default);
  // an exam's item marks and ECF penalty apply to online and paper answers alike.
  return gradeAnswers(v.question ?? v.topic, v.params, answers, { steps: v.steps, blankSteps: exam?.blankSteps ?? 'implied', hintsUsed, ...examGradeOptions(exam, v) });
}

/**
 * What the caller sees of an attempt. Revealed (instructors, practice, released exams): everything.
 * A student on an unreleased exam gets what its feedback policy allows, never expected or carried
 * values: `none` a receipt (no statuses, no score), `status` each step's status, `full` statuses,
 * credit, score, feedback and misconceptions.
 */
export async function attemptView(store: Store, caller: Caller, a: Attempt, v: Variant): Promise<AttemptView> {
  const { show, policy } = await feedbackFor(store, caller, v);
  const view: AttemptView = {
    id: a.id,
    variantId: a.variantId,
    userId: a.userId,
    answers: a.answers,
    topic: a.result.topic,
    steps: show ? a.result.steps : policy === 'full' ? a.result.steps.map(redact) : policy === 'status' ? a.result.steps.map(statusOnly) : [],
    revealed: show,
    createdAt: a.createdAt,
  };
  if (policy === 'full') {
    view.score = a.score;
    view.maxScore = a.maxScore;
  }
  if (!show) view.feedback = policy;
  if (a.result.warnings) view.warnings = a.result.warnings;
  if (show) view.solution = variantAnswers(v);
  return view;
}

/**
 * What the caller may see of their attempts at this variant: `show`, the key (expected values,
 * solution); `policy`, the rest — `full` (scores) when revealed or for instructors, else the exam's
 * feedback policy. attemptView and the home page's exam list (my-exams.ts) both go by this.
 */
export async function feedbackFor(store: Store, caller: Caller, v: Variant): Promise<{ show: boolean; policy: FeedbackPolicy }> {
  const show = await revealed(store, caller, v);
  return { show, policy: show || isInstructor(caller, v.examId) ? 'full' : await feedbackPolicy(store, v) };
}

async function feedbackPolicy(store: Store, v: Variant): Promise<FeedbackPolicy> {
  const exam: Exam | undefined = v.examId ? await store.exams.get(v.examId) : undefined;
  return exam?.feedback ?? 'full';
}

/** Status only: no credit, feedback, misconception or implied note (they say more than the status). */
function statusOnly(s: StepGrade): StepView {
  return { id: s.id, label: s.label, status: s.status };
}

/** A step without the true value or the value re-derived from the student's answers. */
function redact(s: StepGrade): StepView {
  const { expected: _e, carriedValue: _c, ...rest } = s;
  return rest;
}
