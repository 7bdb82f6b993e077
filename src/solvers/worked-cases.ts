/**
 * A question's worked cases, run through the grader: the true answers must earn full marks, and
 * each of the asked steps' misconceptions — its wrong value made by the topic's own wrong method
 * from the true earlier values — must be recognised by name. What an instructor's "test this
 * question" shows; a failing case means the grader and the topic disagree.
 */
import { DEFAULT_TOLERANCE } from '../core/tolerance.js';
import type { Value } from '../core/values.js';
import { allRight, compareValues } from './compare.js';
import { gradeValidated, type GradeOptions } from './grade.js';
import { validateParams } from './params.js';
import { evaluateSteps, nonFinite } from './solve.js';
import type { Topic } from './topic.js';

export interface WorkedCase {
  /** `correct`, or the misconception's id. */
  name: string;
  kind: 'correct' | 'misconception';
  /** The step the misconception is on. */
  step?: string;
  /** `pass`, `fail`, or `skip` (the wrong method gives the true value, or none, for these numbers). */
  outcome: 'pass' | 'fail' | 'skip';
  /** What was expected and what the grader did, in one sentence. */
  detail: string;
  /** The wrong value entered (misconception cases). */
  entered?: Value;
}

export function workedCases(topic: Topic, rawParams: unknown, options: GradeOptions & { steps: readonly string[] }): WorkedCase[] {
  const p = validateParams(topic, rawParams);
  const truth = evaluateSteps(topic, p);
  const asked = options.steps.filter((id) => Object.hasOwn(truth, id));
  const right = Object.fromEntries(asked.map((id) => [id, truth[id]]));
  const cases: WorkedCase[] = [];
  const full = gradeValidated(topic, p, right, options);
  const ok = Math.abs(full.score - full.maxScore) < 1e-9 && full.steps.every((s) => s.status === 'correct');
  cases.push({
    name: 'correct',
    kind: 'correct',
    outcome: ok ? 'pass' : 'fail',
    detail: ok ? `The true values score full marks (${full.score}/${full.maxScore}).` : `The true values score ${full.score}/${full.maxScore}: ${full.steps.filter((s) => s.status !== 'correct').map((s) => `${s.id} ${s.status}`).join(', ')}.`,
  });
  for (const m of topic.misconceptions) {
    if (!asked.includes(m.step)) continue;
    const base = { name: m.id, kind: 'misconception' as const, step: m.step };
    if (m.applies && !m.applies(p)) {
      cases.push({ ...base, outcome: 'skip', detail: `Not possible for these numbers.` });
      continue;
    }
    let wrong: Value;
    try {
      wrong = m.compute(p, truth);
    } catch {
      cases.push({ ...base, outcome: 'skip', detail: 'The wrong method gives no value for these numbers.' });
      continue;
    }
    if (nonFinite(wrong, true) !== null) {
      cases.push({ ...base, outcome: 'skip', detail: 'The wrong method gives no finite value for these numbers.' });
      continue;
    }
    if (allRight(compareValues(wrong, truth[m.step], options.tolerance ?? topic.steps[m.step].tolerance ?? DEFAULT_TOLERANCE))) {
      cases.push({ ...base, entered: wrong, outcome: 'skip', detail: `The wrong method gives the true ${m.step} for these numbers, so it cannot be told apart.` });
      continue;
    }
    const g = gradeValidated(topic, p, { ...right, [m.step]: wrong }, options).steps.find((s) => s.id === m.step)!;
    const hit = g.misconception?.id === m.id;
    const named = g.misconception && !hit ? topic.misconceptions.find((o) => o.id === g.misconception!.id && o.step === m.step) : undefined;
    if (named && sameValue(named, p, truth, wrong, options.tolerance ?? topic.steps[m.step].tolerance ?? DEFAULT_TOLERANCE)) {
      // Two wrong methods that land on the same number (e.g. 11 both ways) cannot be told apart.
      cases.push({ ...base, entered: wrong, outcome: 'skip', detail: `The wrong method gives the same ${m.step} as ${named.id} for these numbers, which the grader names first.` });
      continue;
    }
    cases.push({
      ...base,
      entered: wrong,
      outcome: hit ? 'pass' : 'fail',
      detail: hit ? `Recognised: ${m.step} graded ${g.status}, ${g.credit}/${g.marks}, naming ${m.id}.` : `Not recognised: ${m.step} graded ${g.status}${g.misconception ? `, naming ${g.misconception.id}` : ', naming no misconception'}.`,
    });
  }
  return cases;
}

/** Whether another misconception's wrong value for these numbers is this value. */
function sameValue(o: Topic['misconceptions'][number], p: ReturnType<typeof validateParams>, truth: ReturnType<typeof evaluateSteps>, value: Value, tol: Parameters<typeof compareValues>[2]): boolean {
  if (o.applies && !o.applies(p)) return false;
  try {
    const v = o.compute(p, truth);
    return nonFinite(v, true) === null && allRight(compareValues(value, v, tol));
  } catch {
    return false;
  }
}
