/**
 * Submitting and reading attempts. Grading uses the variant's question (its steps, marks,
 * tolerance and ECF policy) or, for a bare topic variant, every step. The stored result is always
 * complete; what a caller sees is redacted when the variant's answers are not revealed to them.
 */
import { gradeAnswers, type StepGrade } from '../engine.js';
import type { Value } from '../core/values.js';
import type { Caller } from '../api/route.js';
import type { Attempt, Store, Variant } from '../store/types.js';
import { revealed } from './access.js';
import { storableAnswers } from './answers.js';
import { variantAnswers } from './variants.js';

/** A graded step as a caller sees it: the values are absent when not revealed. */
export type StepView = Omit<StepGrade, 'expected' | 'carriedValue'> & { expected?: Value; carriedValue?: Value };

export interface AttemptView {
  id: string;
  variantId: string;
  userId: string;
  answers: unknown;
  topic: string;
  score: number;
  maxScore: number;
  steps: StepView[];
  warnings?: string[];
  revealed: boolean;
  solution?: ReturnType<typeof variantAnswers>;
  createdAt: string;
}

/** Called after an attempt is committed (LTI grade passback); failures there never undo the attempt. */
export type AttemptHook = (attempt: Attempt, variant: Variant, caller: Caller) => Promise<void>;

export async function submitAttempt(store: Store, caller: Caller, v: Variant, answers: unknown): Promise<Attempt> {
  // Only the variant's steps, within the answer limits, are graded and stored (answers.ts).
  const { answers: stored, dropped } = storableAnswers(v, answers);
  const result = gradeAnswers(v.question ?? v.topic, v.params, stored, { steps: v.steps });
  if (dropped.length > 0) result.warnings = [...(result.warnings ?? []), ...dropped];
  return store.attempts.create({ variantId: v.id, userId: caller.user.id, answers: stored, result });
}

export async function attemptView(store: Store, caller: Caller, a: Attempt, v: Variant): Promise<AttemptView> {
  const show = await revealed(store, caller, v);
  const view: AttemptView = {
    id: a.id,
    variantId: a.variantId,
    userId: a.userId,
    answers: a.answers,
    topic: a.result.topic,
    score: a.score,
    maxScore: a.maxScore,
    steps: show ? a.result.steps : a.result.steps.map(redact),
    revealed: show,
    createdAt: a.createdAt,
  };
  if (a.result.warnings) view.warnings = a.result.warnings;
  if (show) view.solution = variantAnswers(v);
  return view;
}

/** A step without the true value or the value re-derived from the student's answers. */
function redact(s: StepGrade): StepView {
  const { expected: _e, carriedValue: _c, ...rest } = s;
  return rest;
}
