/**
 * How an exam grades each of its items: the blueprint row's total marks (the item's steps' own
 * marks scaled in proportion to it) and the exam's ECF penalty. Every grading of an exam item —
 * online attempts, results, LTI scores, exports, paper answers — takes its options from here, so
 * they agree; an exam that sets neither grades as its questions do.
 */
import { resolve, type GradeOptions } from '../engine.js';
import type { Exam, Variant } from '../store/types.js';

/** A step's own marks in this topic or question (the question's, else the step's, else 1). */
export function ownMarks(ref: string, step: string): number {
  const { topic, question } = resolve(ref);
  return question?.marks?.[step] ?? topic.steps[step]?.marks ?? 1;
}

/** The asked steps' marks scaled so they add up to `total`, each in proportion to its own marks. */
export function scaledMarks(ref: string, steps: readonly string[], total: number): Record<string, number> {
  const own = steps.map((id) => ownMarks(ref, id));
  const sum = own.reduce((t, m) => t + m, 0);
  return Object.fromEntries(steps.map((id, i) => [id, (own[i] * total) / sum]));
}

/** The item's total marks set by its blueprint row, if any (manifest[version − 1][item]). */
export function itemMarks(exam: Pick<Exam, 'manifest'>, v: Pick<Variant, 'examVersion' | 'examItem'>): number | undefined {
  if (v.examVersion === undefined || v.examItem === undefined) return undefined;
  return exam.manifest[v.examVersion - 1]?.[v.examItem]?.marks;
}

/** The grading options an exam sets for one of its variants: marks per step and the ECF penalty (nothing for practice). */
export function examGradeOptions(exam: Pick<Exam, 'manifest' | 'ecfPenalty'> | undefined, v: Pick<Variant, 'topic' | 'question' | 'steps' | 'examVersion' | 'examItem'>): GradeOptions {
  if (!exam) return {};
  const total = itemMarks(exam, v);
  return {
    ...(total !== undefined ? { marks: scaledMarks(v.question ?? v.topic, v.steps, total) } : {}),
    ...(exam.ecfPenalty !== undefined ? { ecfPenalty: exam.ecfPenalty } : {}),
  };
}

/** A step's marks in this variant as graded (scaled in an exam that sets the item's marks). */
export function stepMarks(exam: Pick<Exam, 'manifest' | 'ecfPenalty'> | undefined, v: Pick<Variant, 'topic' | 'question' | 'steps' | 'examVersion' | 'examItem'>, step: string): number {
  return examGradeOptions(exam, v).marks?.[step] ?? ownMarks(v.question ?? v.topic, step);
}

/** The most this variant scores as set (every asked step), under its exam's marks. */
export function variantMaxMarks(exam: Pick<Exam, 'manifest' | 'ecfPenalty'> | undefined, v: Pick<Variant, 'topic' | 'question' | 'steps' | 'examVersion' | 'examItem'>): number {
  const total = exam ? itemMarks(exam, v) : undefined;
  if (total !== undefined) return total;
  return Math.round(v.steps.reduce((t, id) => t + ownMarks(v.question ?? v.topic, id), 0) * 1e9) / 1e9;
}
