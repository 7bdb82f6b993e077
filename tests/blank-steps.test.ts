/**
 * The blank-step policy: a correct answer over blank earlier steps. `implied` (the default, as in
 * Numbas) credits the blank steps it depends on, transitively, stopping at steps the student wrote;
 * `shown` credits only what is written. Expected scores are worked by hand from the step graphs.
 */
import { describe, expect, it } from 'vitest';
import { gradeAnswers } from '../src/engine.js';

// kl-discrete: log_ratio → terms → kl. p = (½, ½), q = (¼, ¾):
// log_ratio = (ln 2, ln ⅔) = (0.693147, −0.405465), terms = (0.346574, −0.202733), kl = 0.143841.
const kl = { p: [0.5, 0.5], q: [0.25, 0.75] };

const summary = (g: ReturnType<typeof gradeAnswers>) => g.steps.map((s) => [s.id, s.status, s.credit, s.note ?? null]);

describe('blank steps under a correct answer', () => {
  it('implied: a correct kl alone earns the blank terms and, through them, the blank log_ratio', () => {
    const g = gradeAnswers('kl-discrete', kl, { kl: 0.1438 });
    expect(g.score).toBe(3);
    expect(g.maxScore).toBe(3);
    expect(summary(g)).toEqual([
      ['log_ratio', 'missing', 1, 'implied'],
      ['terms', 'missing', 1, 'implied'],
      ['kl', 'correct', 1, null],
    ]);
    expect(g.steps[0].feedback).toMatch(/implied by your correct kl/);
  });

  it('is the default: stated explicitly, implied gives the same result', () => {
    expect(gradeAnswers('kl-discrete', kl, { kl: 0.1438 }, { blankSteps: 'implied' })).toEqual(gradeAnswers('kl-discrete', kl, { kl: 0.1438 }));
  });

  it('shown: only what is written earns', () => {
    const g = gradeAnswers('kl-discrete', kl, { kl: 0.1438 }, { blankSteps: 'shown' });
    expect(g.score).toBe(1);
    expect(summary(g)).toEqual([
      ['log_ratio', 'missing', 0, null],
      ['terms', 'missing', 0, null],
      ['kl', 'correct', 1, null],
    ]);
  });

  it('a wrong final answer implies nothing', () => {
    const g = gradeAnswers('kl-discrete', kl, { kl: 1 });
    expect(g.score).toBe(0);
    expect(g.steps.every((s) => s.note === undefined)).toBe(true);
  });

  it('a written step speaks for itself: a wrong log_ratio stays wrong, the blank terms between are implied', () => {
    // log_ratio (1, 1) is incorrect (0); terms blank, under the correct kl (1); kl correct (1): 2 of 3.
    const g = gradeAnswers('kl-discrete', kl, { log_ratio: [1, 1], kl: 0.143841 });
    expect(g.score).toBe(2);
    expect(summary(g)).toEqual([
      ['log_ratio', 'incorrect', 0, null],
      ['terms', 'missing', 1, 'implied'],
      ['kl', 'correct', 1, null],
    ]);
  });

  it('an unreadable step is written, not blank: it earns nothing and stops the chain', () => {
    const g = gradeAnswers('kl-discrete', kl, { terms: 'oops(', kl: 0.143841 });
    expect(summary(g)).toEqual([
      ['log_ratio', 'missing', 0, null],
      ['terms', 'invalid', 0, null],
      ['kl', 'correct', 1, null],
    ]);
    expect(g.score).toBe(1);
  });

  // self-attention-residual asks scores, scaled_scores, weights (2 marks), attention_output (2),
  // output with 2-decimal tolerance. X = [[1,0],[1,1]], W_Q = W_V = I, W_K = [[1,1],[0,1]]:
  // Q = V = X, K = [[1,1],[1,2]], scores = [[1,1],[2,3]], scaled = scores/√2,
  // weights row 2 = softmax(1.41421, 2.12132) = (0.330237, 0.669763), row 1 = (0.5, 0.5),
  // attention_output = [[1, 0.5], [1, 0.669763]], output = X + that = [[2, 0.5], [2, 1.669763]].
  const I = [[1, 0], [0, 1]];
  const sa = { X: [[1, 0], [1, 1]], W_Q: I, W_K: [[1, 1], [0, 1]], W_V: I };
  const output = [[2, 0.5], [2, 1.67]];

  it('a question: a correct output implies every asked step before it, with the question’s marks (7 of 7)', () => {
    const g = gradeAnswers('self-attention-residual', sa, { output });
    expect(g.maxScore).toBe(7);
    expect(g.score).toBe(7);
    expect(g.steps.filter((s) => s.note === 'implied').map((s) => [s.id, s.credit])).toEqual([
      ['scores', 1],
      ['scaled_scores', 1],
      ['weights', 2],
      ['attention_output', 2],
    ]);
    expect(gradeAnswers('self-attention-residual', sa, { output }, { blankSteps: 'shown' }).score).toBe(1);
  });

  it('a wrong written weights cuts the chain: attention_output is implied, scores and scaled_scores are not (3 of 7)', () => {
    const g = gradeAnswers('self-attention-residual', sa, { weights: [[0.4, 0.6], [0.6, 0.4]], output });
    expect(summary(g)).toEqual([
      ['scores', 'missing', 0, null],
      ['scaled_scores', 'missing', 0, null],
      ['weights', 'incorrect', 0, null],
      ['attention_output', 'missing', 2, 'implied'],
      ['output', 'correct', 1, null],
    ]);
    expect(g.score).toBe(3);
  });
});
