/**
 * What a resource link opens: a topic or bank question (a fresh practice variant per launch) or an
 * exam (the student's version). Targets come from the launch's custom claim (topic=…, question=…
 * or exam=…, which deep linking puts there) or from an earlier launch of the same link.
 */
import { variantMaxMarks } from '../service/exam-marks.js';
import { artefactOf, generateProblem, getQuestion, getTopic, gradeAnswers, listQuestions, listTopics } from '../engine.js';
import { LtiError } from './errors.js';
import type { Store, Variant } from '../store/types.js';
import { sameCourse } from './exam-home.js';
import type { LtiTarget, TargetKind } from './types.js';

export const TARGET_KINDS: readonly TargetKind[] = ['topic', 'question', 'exam'];

/** The target named by a custom claim, if any; 422 when it names several or a non-string. */
export function targetFromCustom(custom: Record<string, unknown> | undefined): LtiTarget | undefined {
  if (!custom) return undefined;
  const named = TARGET_KINDS.filter((k) => custom[k] !== undefined && custom[k] !== '');
  if (named.length === 0) return undefined;
  if (named.length > 1) throw new LtiError('invalid_target', `the custom claim names several targets (${named.join(', ')}); give one of topic, question or exam`, 'custom');
  const id = custom[named[0]];
  if (typeof id !== 'string' || id.length > 200) throw new LtiError('invalid_target', `the custom parameter ${named[0]} must be a string id`, `custom.${named[0]}`);
  return { kind: named[0], id };
}

/** "topic:kl-discrete" → { kind, id }; 422 otherwise. */
export function parseTarget(s: unknown, field = 'target'): LtiTarget {
  const m = typeof s === 'string' ? /^(topic|question|exam):(.{1,200})$/.exec(s) : null;
  if (!m) throw new LtiError('invalid_target', `${field} must be "topic:<id>", "question:<id>" or "exam:<id>"`, field);
  return { kind: m[1] as TargetKind, id: m[2] };
}

/** Checks the target exists and returns its title (404 naming it otherwise). */
export async function targetTitle(store: Store, t: LtiTarget): Promise<string> {
  if (t.kind === 'topic') return getTopic(t.id).title;
  if (t.kind === 'question') {
    const q = getQuestion(t.id);
    return q.title ?? q.id;
  }
  const exam = await store.exams.get(t.id);
  if (!exam) throw new LtiError('unknown_exam', `no exam with id ${JSON.stringify(t.id)}`, 'exam');
  return exam.title;
}

/** The marks of a variant as set (every asked step, with the question's marks). */
export function variantMaxScore(v: Pick<Variant, 'topic' | 'question' | 'params' | 'steps'>): number {
  // A question about model runs cannot be graded before its runs are done; its marks need no grading.
  if (artefactOf(v.topic)) return variantMaxMarks(undefined, v);
  return gradeAnswers(v.question ?? v.topic, v.params, {}, { steps: v.steps }).maxScore;
}

/** The most a launch of the target can score: the line item's scoreMaximum. */
export async function targetMaxScore(store: Store, t: LtiTarget): Promise<number> {
  if (t.kind !== 'exam') {
    const p = generateProblem(t.id, 0);
    return variantMaxScore(p);
  }
  const exam = await store.exams.get(t.id);
  const variants = await store.variants.listByExam(t.id, 1); // versions are numbered from 1
  // An exam's item marks (its blueprint rows') replace the questions' own.
  return Math.round(variants.reduce((sum, v) => sum + variantMaxMarks(exam, v), 0) * 1e9) / 1e9;
}

/**
 * Everything a deep link from this course may point at: every topic and bank question, and the
 * exams whose home is this course (another exam is added with its link code, which binds it).
 */
export async function targetChoices(store: Store, course: { platformId: string; contextId?: string }) {
  const exams = [];
  for (const e of await store.exams.list()) {
    if (sameCourse(await store.lti.examHome(e.id), course)) exams.push({ id: e.id, title: e.title });
  }
  return {
    topics: listTopics().map((t) => ({ id: t.id, title: t.title })),
    // Conceptual items are bank questions here too (listQuestions lists both).
    questions: listQuestions().map((q) => ({ id: q.id, title: q.title, topic: q.topic })),
    exams,
  };
}
