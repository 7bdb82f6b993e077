/**
 * The variants and attempts tables' rows (db/migrations; db/pg-migrations/001_schema.sql has the
 * same columns) and their mapping to and from Variant and Attempt, for both backends.
 */
import type { GradeResult, StepGrade } from '../../solvers/grade.js';
import { legacyOutcome } from '../../solvers/outcome.js';
import type { Difficulty, Params } from '../../solvers/topic.js';
import type { Attempt, NewVariant, Variant, VariantMode } from '../types.js';
import { newId, now } from '../ids.js';
import { json, opt } from './fields.js';

export interface VariantRow {
  id: string;
  topic: string;
  question: string | null;
  seed: number;
  difficulty: Difficulty;
  params: string;
  steps: string;
  prompt: string;
  mode: VariantMode;
  course_id: string | null;
  session_id: string | null;
  exam_id: string | null;
  exam_version: number | null;
  exam_item: number | null;
  created_by: string;
  created_at: string;
}

export interface AttemptRow {
  id: string;
  variant_id: string;
  user_id: string;
  answers: string;
  result: string;
  score: number;
  max_score: number;
  preview: number;
  source?: 'online' | 'paper';
  created_at: string;
}

export const toVariant = (r: VariantRow): Variant => ({
  id: r.id,
  topic: r.topic,
  ...opt('question', r.question),
  seed: r.seed,
  difficulty: r.difficulty,
  params: json<Params>(r.params),
  steps: json<string[]>(r.steps),
  prompt: r.prompt,
  mode: r.mode,
  ...opt('courseId', r.course_id),
  ...opt('sessionId', r.session_id),
  ...opt('examId', r.exam_id),
  ...opt('examVersion', r.exam_version === null ? null : r.exam_version + 1), // stored 0-based, numbered from 1
  ...opt('examItem', r.exam_item),
  createdBy: r.created_by,
  createdAt: r.created_at,
});

export function variantRow(v: NewVariant): VariantRow {
  return {
    id: newId('var'),
    topic: v.topic,
    question: v.question ?? null,
    seed: v.seed,
    difficulty: v.difficulty,
    params: JSON.stringify(v.params),
    steps: JSON.stringify(v.steps),
    prompt: v.prompt,
    mode: v.mode,
    course_id: v.courseId ?? null,
    session_id: v.sessionId ?? null,
    exam_id: v.examId ?? null,
    exam_version: v.examVersion === undefined ? null : v.examVersion - 1,
    exam_item: v.examItem ?? null,
    created_by: v.createdBy,
    created_at: now(),
  };
}

export const toAttempt = (r: AttemptRow): Attempt => ({
  id: r.id,
  variantId: r.variant_id,
  userId: r.user_id,
  answers: json<unknown>(r.answers),
  result: withOutcomes(json<GradeResult>(r.result)),
  score: r.score,
  maxScore: r.max_score,
  ...(r.preview ? { preview: true } : {}),
  ...(r.source === 'paper' ? { source: 'paper' as const } : {}),
  createdAt: r.created_at,
});

/**
 * A result stored before outcome notes existed (an old SQLite row, or one copied to PostgreSQL)
 * gets them on read, derived as the backfill derives them.
 */
function withOutcomes(r: GradeResult): GradeResult {
  for (const s of r.steps ?? []) if (s.outcome === undefined) s.outcome = legacyOutcome(s);
  return r;
}

/** A new attempt's row (a paper attempt is never a preview). */
export function attemptRow(input: { variantId: string; userId: string; answers: unknown; result: GradeResult }, preview: boolean): AttemptRow {
  return {
    id: newId('att'),
    variant_id: input.variantId,
    user_id: input.userId,
    answers: JSON.stringify(input.answers),
    result: JSON.stringify(input.result),
    score: input.result.score,
    max_score: input.result.maxScore,
    preview: preview ? 1 : 0,
    created_at: now(),
  };
}

/**
 * One attempt_steps row's values, in the column order attempt_id, step_id, status, credit, marks,
 * misconception, note, outcome (the outcome note derived when the grade has none).
 */
export const stepRowValues = (attemptId: string, s: StepGrade) =>
  [attemptId, s.id, s.status, s.credit, s.marks, s.misconception?.id ?? null, s.note ?? null, s.outcome ?? legacyOutcome(s)] as const;
