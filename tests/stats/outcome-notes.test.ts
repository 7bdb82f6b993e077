/**
 * Outcome notes: every graded step carries a stable note beside its status (README, "Item
 * statistics"). Worked by hand on kl-discrete with p = (½, ½), q = (¼, ¾):
 * log_ratio = (ln 2, ln ⅔) = (0.693147, −0.405465), terms = p·log_ratio = (0.346574, −0.202733), kl = 0.143841.
 */
import { describe, expect, it } from 'vitest';
import { gradeAnswers } from '../../src/engine.js';
import { legacyOutcome } from '../../src/solvers/outcome.js';

const kl = { p: [0.5, 0.5], q: [0.25, 0.75] };
const notes = (answers: Record<string, unknown>, blankSteps: 'implied' | 'shown' = 'shown') =>
  gradeAnswers('kl-discrete', kl, answers, { blankSteps }).steps.map((s) => [s.id, s.status, s.outcome]);

describe('outcome notes', () => {
  it('correct, and a misconception with what is carried from it', () => {
    // log(q/p) = (−0.693147, 0.405465): ratio-reversed; terms and kl built from it: carried.
    expect(notes({ log_ratio: [-0.693147, 0.405465], terms: [-0.346574, 0.202733], kl: -0.143841 })).toEqual([
      ['log_ratio', 'incorrect', 'misconception:ratio-reversed'],
      ['terms', 'carried', 'carried'],
      ['kl', 'carried', 'carried'],
    ]);
    expect(notes({ log_ratio: [0.693147, -0.405465], terms: [0.346574, -0.202733], kl: 0.143841 }).map((r) => r[2])).toEqual(['correct', 'correct', 'correct']);
  });

  it('partial, incorrect, missing and missing:implied', () => {
    // One of two log ratios right; terms (9, 9) nothing right and no misconception; kl blank.
    expect(notes({ log_ratio: [0.693147, 5], terms: [9, 9] })).toEqual([
      ['log_ratio', 'partial', 'partial'],
      ['terms', 'incorrect', 'incorrect'],
      ['kl', 'missing', 'missing'],
    ]);
    expect(notes({ kl: 0.1438 }, 'implied').map((r) => r[2])).toEqual(['missing:implied', 'missing:implied', 'correct']);
  });

  it('invalid answers name a stable reason, whatever the English message says', () => {
    const one = (a: unknown) => notes({ log_ratio: a })[0][2];
    expect(one([1, 2, 3])).toBe('invalid:shape'); // three numbers for two outcomes
    expect(one('1 +')).toBe('invalid:syntax');
    expect(one({ x: 1 })).toBe('invalid:form');
    expect(one([1, 'x'.repeat(5000)])).toBe('invalid:too-large');
    expect(one('[1, 1/0]')).toBe('invalid:non-finite');
  });

  it('a result stored before notes existed gets the same notes from its status, misconception and implied note', () => {
    expect(legacyOutcome({ status: 'correct', feedback: 'Correct.' })).toBe('correct');
    expect(legacyOutcome({ status: 'correct', feedback: 'Correct, from your rounded a.' })).toBe('correct-from-rounded');
    expect(legacyOutcome({ status: 'incorrect', misconception: { id: 'm' } })).toBe('misconception:m');
    expect(legacyOutcome({ status: 'partial' })).toBe('partial');
    expect(legacyOutcome({ status: 'missing', note: 'implied' })).toBe('missing:implied');
    expect(legacyOutcome({ status: 'invalid', feedback: 'Cannot read this answer: expected a 2-vector, got a 3-vector.' })).toBe('invalid:shape');
    expect(legacyOutcome({ status: 'invalid', feedback: 'Cannot read this answer: the value is infinite.' })).toBe('invalid:non-finite');
  });
});
