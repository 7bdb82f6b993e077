/**
 * Who the statistics are about, from the store: an exam's students (each item by its counted
 * attempt under the exam's `counts` rule; previews left out; an item not submitted counts 0 with
 * every step `missing`), or a course's practice attempts (each attempt its own respondent, one item
 * per topic). The figures themselves are computed in src/stats/compute.ts.
 */
import { notFoundError, StepwiseError } from '../core/errors.js';
import { gradeAnswers } from '../engine.js';
import { findTopic } from '../topics/index.js';
import { computeStatistics, type ItemLayout, type Respondent, type Statistics, type StepResponse } from '../stats/compute.js';
import type { Attempt, AttemptOutcomes, Exam, Store, Variant } from '../store/types.js';
import { countedAttempt } from './exam-rules.js';
import { ownMarks } from './exam-marks.js';

export interface ExamStatistics extends Statistics {
  scope: { kind: 'exam'; examId: string; title: string; counts: Exam['counts']; versions: number };
}

export interface PracticeStatistics extends Statistics {
  scope: { kind: 'practice'; courseId: string; title: string; topic: string | null };
}

type AttemptSteps = AttemptOutcomes;

/**
 * The exam's counting rule (countedAttempt, as the results use it) over attempts read for
 * statistics: each is given the Attempt fields the rule reads, and the one it picks is mapped back.
 */
function countedOf(exam: Exam, tries: readonly AttemptSteps[]): AttemptSteps | undefined {
  const shaped = tries.map((a): Attempt => ({
    id: a.attemptId,
    variantId: a.variantId,
    userId: a.userId,
    answers: null,
    result: { topic: '', score: a.score, maxScore: 0, steps: [] },
    score: a.score,
    maxScore: 0,
    createdAt: a.createdAt,
    ...(a.source ? { source: a.source } : {}),
  }));
  const picked = countedAttempt(exam, shaped);
  return picked && tries[shaped.indexOf(picked)];
}

const response = (item: number, r: AttemptOutcomes['steps'][number]): StepResponse => ({ item, step: r.stepId, note: r.outcome, mark: r.credit, max: r.marks });

export async function examStatistics(store: Store, exam: Exam): Promise<ExamStatistics> {
  const variants = await store.variants.listByExam(exam.id);
  const variantById = new Map(variants.map((v) => [v.id, v]));
  const attempts = await store.attempts.stepOutcomes({ examId: exam.id });

  // Each student's attempts per item, in time order; their version is the one their attempts are at.
  const perUser = new Map<string, { version: number; tries: Map<string, AttemptSteps[]> }>();
  for (const a of attempts) {
    const v = variantById.get(a.variantId);
    if (!v) continue;
    const u = perUser.get(a.userId) ?? perUser.set(a.userId, { version: v.examVersion ?? 1, tries: new Map() }).get(a.userId)!;
    (u.tries.get(a.variantId) ?? u.tries.set(a.variantId, []).get(a.variantId)!).push(a);
  }

  const blank = new Map<string, StepResponse[]>();
  const unanswered = (v: Variant, item: number): StepResponse[] => {
    let steps = blank.get(v.id);
    if (!steps) {
      // The item's steps and marks as the grader gives them to a blank answer sheet.
      try {
        const g = gradeAnswers(v.question ?? v.topic, v.params, {}, { steps: v.steps, blankSteps: 'shown' });
        steps = g.steps.map((s) => ({ item, step: s.id, note: s.outcome, mark: 0, max: s.marks }));
      } catch (e) {
        // A question about model runs whose runs are not done: nobody could answer it; its marks need no grading.
        if (!(e instanceof StepwiseError && e.code === 'not_ready')) throw e;
        steps = v.steps.map((id) => ({ item, step: id, note: 'missing' as const, mark: 0, max: ownMarks(v.question ?? v.topic, id) }));
      }
      blank.set(v.id, steps);
    }
    return steps;
  };

  const respondents: Respondent[] = [];
  for (const [userId, u] of [...perUser].sort(([a], [b]) => a.localeCompare(b))) {
    const steps: StepResponse[] = [];
    let counted = 0;
    for (const v of variants.filter((x) => x.examVersion === u.version)) {
      const item = (v.examItem ?? 0) + 1;
      const a = countedOf(exam, u.tries.get(v.id) ?? []);
      if (a) counted++;
      steps.push(...(a ? a.steps.map((r) => response(item, r)) : unanswered(v, item)));
    }
    // Attempts made only after the close count for nothing: such a student did not sit the exam.
    if (counted > 0) respondents.push({ id: userId, steps });
  }

  const layout: ItemLayout[] = [];
  for (const v of variants) {
    const item = (v.examItem ?? 0) + 1;
    let it = layout.find((l) => l.item === item);
    if (!it) layout.push((it = { item, label: '', steps: [] }));
    const label = v.question ?? v.topic;
    if (!it.label.split(' / ').includes(label)) it.label = it.label ? `${it.label} / ${label}` : label;
    for (const s of v.steps) if (!it.steps.includes(s)) it.steps.push(s);
  }
  layout.sort((a, b) => a.item - b.item);

  return {
    scope: { kind: 'exam', examId: exam.id, title: exam.title, counts: exam.counts, versions: exam.versions },
    ...computeStatistics(layout, respondents, 'exam'),
  };
}

/**
 * A course's practice pool: every student's practice attempt at the course's variants (of one
 * topic, or each topic its own item), each attempt a respondent. Discrimination there is a step
 * against the rest of its attempt; items have none (an attempt has no rest of exam).
 */
export async function practiceStatistics(store: Store, courseId: string, topic?: string): Promise<PracticeStatistics> {
  const course = await store.courses.get(courseId);
  if (!course) throw notFoundError('course', courseId);
  if (topic !== undefined && !findTopic(topic)) throw new StepwiseError('invalid_request', `query.topic: unknown topic ${JSON.stringify(topic)}`, 'query.topic');
  const attempts = await store.attempts.stepOutcomes({ courseId, ...(topic !== undefined ? { topic } : {}) });
  const topics = [...new Set(attempts.map((a) => a.topic ?? ''))].sort();
  const layout: ItemLayout[] = topics.map((t, i) => ({ item: i + 1, label: t, steps: [] }));
  const respondents: Respondent[] = attempts.map((a) => {
    const it = layout[topics.indexOf(a.topic ?? '')];
    for (const r of a.steps) if (!it.steps.includes(r.stepId)) it.steps.push(r.stepId);
    return { id: a.attemptId, steps: a.steps.map((r) => response(it.item, r)) };
  });
  return {
    scope: { kind: 'practice', courseId, title: course.title, topic: topic ?? null },
    ...computeStatistics(layout, respondents, 'item'),
  };
}
