/**
 * What of a submitted answers object is graded and stored: only the variant's steps, each within
 * the per-answer limits. Fields that are not steps of the variant are dropped (and named in the
 * attempt's warnings), so a client cannot park arbitrary data in the database. An answer over the
 * limits (413) or holding an object (422) is refused, naming the field, rather than stored: a
 * pasting slip does not use up an exam attempt, and nothing unbounded reaches the database.
 */
import { StepwiseError } from '../core/errors.js';
import { clipKey, MAX_ANSWER_FIELDS } from '../solvers/grade.js';
import { answerLimitProblem } from '../solvers/read-answer.js';
import type { Variant } from '../store/types.js';
import { findConcept } from '../bank/concept-topic.js';

export interface StorableAnswers {
  answers: Record<string, unknown>;
  /** One line per dropped field, for the attempt's warnings. */
  dropped: string[];
}

export function storableAnswers(v: Pick<Variant, 'steps'> & Partial<Pick<Variant, 'topic'>>, answers: unknown): StorableAnswers {
  // A matching item's answer is the one object an answer may be: left entry → right letter.
  const matching = findConcept(v.topic)?.kind === 'matching';
  if (typeof answers !== 'object' || answers === null || Array.isArray(answers)) {
    throw new StepwiseError('invalid_answers', 'answers must be a JSON object keyed by step id', 'answers');
  }
  const keys = Object.keys(answers);
  if (keys.length > MAX_ANSWER_FIELDS) {
    throw new StepwiseError('too_large', `answers has ${keys.length} fields; at most ${MAX_ANSWER_FIELDS} are accepted`, 'answers');
  }
  const steps = new Set(v.steps);
  const kept: Record<string, unknown> = {};
  const dropped: string[] = [];
  for (const k of keys) {
    const raw = (answers as Record<string, unknown>)[k];
    if (!steps.has(k)) {
      dropped.push(`answers.${clipKey(k)}: not a step of this variant; not stored`);
      continue;
    }
    const problem = matching && typeof raw === 'object' && raw !== null && !Array.isArray(raw) ? matchesProblem(raw) : answerLimitProblem(raw);
    if (problem) throw new StepwiseError(problem.size ? 'too_large' : 'invalid_answers', `answers.${k}: ${problem.reason}`, `answers.${k}`);
    kept[k] = raw;
  }
  return { answers: kept, dropped };
}

/** A matching answer's limits: a few short string entries. */
function matchesProblem(raw: object): { reason: string; size: boolean } | null {
  const entries = Object.entries(raw);
  if (entries.length > 16) return { reason: 'more than 16 matches', size: true };
  for (const [k, v] of entries) {
    if (k.length > 64 || (typeof v === 'string' && v.length > 500)) return { reason: 'a match is longer than its limit', size: true };
    if (v !== null && typeof v !== 'string') return { reason: `the match for ${clipKey(k)} must be a string`, size: false };
  }
  return null;
}
