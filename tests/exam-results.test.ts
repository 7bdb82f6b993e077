/** The service's counting rule and CSV cells, on hand-made attempts and results. */
import { describe, expect, it } from 'vitest';
import { csvCell, resultsCsv, type ExamResults } from '../src/service/exam-results.js';
import { checkRules, countedAttempt } from '../src/service/exam-rules.js';
import type { Attempt } from '../src/store/types.js';

const attempt = (id: string, score: number, createdAt: string): Attempt => ({
  id,
  variantId: 'var_1',
  userId: 'usr_1',
  answers: {},
  result: { topic: 'kl-discrete', score, maxScore: 3, steps: [] },
  score,
  maxScore: 3,
  createdAt,
});

// In time order: 2 at 09:00, 3 at 09:30, 1 at 10:00, then 3 again at 11:00 (after a 10:30 close).
const tries = [attempt('a', 2, '2030-01-01T09:00:00.000Z'), attempt('b', 3, '2030-01-01T09:30:00.000Z'), attempt('c', 1, '2030-01-01T10:00:00.000Z'), attempt('d', 3, '2030-01-01T11:00:00.000Z')];
const closesAt = '2030-01-01T10:30:00.000Z';

describe('countedAttempt', () => {
  it('last counts the last attempt before the close, ignoring one made after it', () => {
    expect(countedAttempt({ counts: 'last', closesAt }, tries)?.id).toBe('c');
    expect(countedAttempt({ counts: 'last' }, tries)?.id).toBe('d');
  });
  it('best counts the highest score, the earliest of a tie', () => {
    expect(countedAttempt({ counts: 'best', closesAt }, tries)?.id).toBe('b');
    expect(countedAttempt({ counts: 'best' }, tries)?.id).toBe('b');
  });
  it('first counts the first', () => {
    expect(countedAttempt({ counts: 'first', closesAt }, tries)?.id).toBe('a');
  });
  it('nothing before the close counts as nothing submitted', () => {
    expect(countedAttempt({ counts: 'last', closesAt: '2030-01-01T08:00:00.000Z' }, tries)).toBeUndefined();
    expect(countedAttempt({ counts: 'best' }, [])).toBeUndefined();
  });
});

describe('checkRules', () => {
  it('fills the exam defaults', () => {
    expect(checkRules({})).toEqual({ attemptLimit: 1, feedback: 'none', counts: 'last', blankSteps: 'shown' });
  });
  it('names the failing field', () => {
    expect(() => checkRules({ opensAt: '2030-01-02T00:00:00Z', closesAt: '2030-01-01T00:00:00Z' })).toThrow(expect.objectContaining({ code: 'invalid_request', path: 'body.closesAt' }));
    expect(() => checkRules({ attemptLimit: 0 })).toThrow(expect.objectContaining({ path: 'body.attemptLimit' }));
    expect(() => checkRules({ feedback: 'all' })).toThrow(expect.objectContaining({ path: 'body.feedback' }));
    expect(() => checkRules({ opensAt: '2030-02-30T00:00:00Z' })).toThrow(expect.objectContaining({ path: 'body.opensAt' }));
  });
});

describe('CSV cells', () => {
  it('prefix text that a spreadsheet would run as a formula with a single quote', () => {
    expect(csvCell('=1+1')).toBe("'=1+1");
    expect(csvCell('+1')).toBe("'+1");
    expect(csvCell('-1')).toBe("'-1"); // text, e.g. a name: neutralised
    expect(csvCell('@cmd')).toBe("'@cmd");
    expect(csvCell('\t=1')).toBe("'\t=1");
    expect(csvCell('\r=1')).toBe(`"'\r=1"`); // and quoted, since it holds a CR
    expect(csvCell('=A1,"x"')).toBe(`"'=A1,""x"""`);
    expect(csvCell('Ada Lovelace')).toBe('Ada Lovelace');
  });
  it('keep numbers as numbers, negative ones included, and blanks blank', () => {
    expect(csvCell(-0.5)).toBe('-0.5');
    expect(csvCell(3)).toBe('3');
    expect(csvCell(null)).toBe('');
  });
  it('in a results file: a negative score stays a number, a formula-like name becomes text', () => {
    const r: ExamResults = {
      examId: 'exm_1',
      title: 'T',
      released: false,
      counts: 'last',
      students: [
        {
          userId: 'usr_1',
          name: '-2+3',
          version: 2,
          score: -0.5,
          maxScore: 3,
          items: [{ variantId: 'var_1', topic: 'kl-discrete', attemptId: 'att_1', score: -0.5, maxScore: 3, attempts: 1 }],
        },
      ],
    };
    expect(resultsCsv(r)).toBe("user_id,name,version,item_1,score,max_score\r\nusr_1,'-2+3,2,-0.5,-0.5,3\r\n");
  });
});
