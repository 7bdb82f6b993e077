/**
 * Outcome notes: a stable id for how each graded step came out, in the spirit of STACK's answer
 * notes. Statistics and exports read these, never the feedback text (free to change). The ids are
 * part of the public contract: add new ones, never rename one.
 *
 *   correct                a right answer
 *   correct-from-rounded   built correctly on earlier answers that were right only to the asked precision
 *   carried                wrong against the truth, right from the student's own earlier answers (ECF)
 *   partial                some elements right
 *   incorrect              answered, nothing right, no known misconception
 *   misconception:<id>     a partial or incorrect answer that one of the topic's misconceptions explains
 *   invalid:<reason>       unreadable: too-large, form, syntax, shape, non-finite, unknown-label
 *   missing                not answered
 *   missing:implied        not answered, but credited: a correct answer depends on it (blank-step policy implied)
 */
import type { InvalidReason } from './read-answer.js';

export type OutcomeNote =
  | 'correct'
  | 'correct-from-rounded'
  | 'carried'
  | 'partial'
  | 'incorrect'
  | `misconception:${string}`
  | `invalid:${InvalidReason}`
  | 'missing'
  | 'missing:implied';

/** The notes that are not parameterised, and the prefixes of those that are. */
export const OUTCOME_NOTES = ['correct', 'correct-from-rounded', 'carried', 'partial', 'incorrect', 'missing', 'missing:implied'] as const;
export const OUTCOME_PREFIXES = ['misconception:', 'invalid:'] as const;

/** The misconception id of a `misconception:<id>` note, else undefined. */
export function misconceptionOf(note: string): string | undefined {
  return note.startsWith('misconception:') ? note.slice('misconception:'.length) : undefined;
}

export const isInvalid = (note: string): boolean => note.startsWith('invalid:');

/**
 * The note of a step graded before notes existed (stored attempts, backfilled once): from its status,
 * misconception and implied note; the feedback text is read only here, for what nothing else kept
 * (a rounded-but-correct step; an unreadable answer's reason).
 */
export function legacyOutcome(g: { status: string; feedback?: string; misconception?: { id: string }; note?: string }): OutcomeNote {
  const fb = g.feedback ?? '';
  switch (g.status) {
    case 'correct':
      return fb.startsWith('Correct, from your rounded') ? 'correct-from-rounded' : 'correct';
    case 'carried':
      return 'carried';
    case 'partial':
    case 'incorrect':
      return g.misconception ? `misconception:${g.misconception.id}` : g.status;
    case 'invalid':
      return `invalid:${legacyInvalidReason(fb)}`;
    default:
      return g.note === 'implied' ? 'missing:implied' : 'missing';
  }
}

function legacyInvalidReason(feedback: string): InvalidReason {
  const r = feedback.replace(/^Cannot read this answer: /, '');
  if (/longer than \d+ characters|more than \d+ elements/.test(r)) return 'too-large';
  if (/^expected .* got /.test(r) && !/^expected a (number, an array|class name)/.test(r)) return 'shape';
  if (/^expected a (number, an array|class name)|nested more than two deep/.test(r)) return 'form';
  if (/NaN|infinite|is empty \(null\)/.test(r)) return 'non-finite';
  if (/is not one of the classes/.test(r)) return 'unknown-label';
  return 'syntax'; // the math reader's messages are many; every other reason is matched above
}
