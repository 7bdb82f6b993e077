/** Grading behaviour that belongs to the engine, not to one topic. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { generateProblem, gradeAnswers, StepwiseError } from '../src/engine.js';
import { grade } from '../src/solvers/grade.js';
import { TOPICS } from '../src/topics/index.js';
import { getTopic } from '../src/engine.js';
import { defineTopic } from '../src/solvers/topic.js';

// The self-attention hand example of tests/topics/self-attention.test.ts.
const I = [[1, 0], [0, 1]];
const params = { X: [[1, 0], [1, 1]], W_Q: I, W_K: [[1, 1], [0, 1]], W_V: I };
const slip = {
  scores: [[1, 1], [2, 4]],
  scaled_scores: [[0.70711, 0.70711], [1.41421, 2.82843]],
  weights: [[0.5, 0.5], [0.195571, 0.804429]],
};

describe('grading options', () => {
  it('a question asks some steps with its own marks, and withholds a share of carried marks', () => {
    const g = grade(getTopic('self-attention'), params, slip, {
      steps: ['scores', 'scaled_scores', 'weights'],
      marks: { scores: 2, weights: 4 },
      ecfPenalty: 0.25,
    });
    expect(g.steps.map((s) => [s.id, s.status, s.credit, s.marks])).toEqual([
      ['scores', 'partial', 1.5, 2], // 3 of 4 elements right
      ['scaled_scores', 'carried', 0.75, 1],
      ['weights', 'carried', 3, 4],
    ]);
    expect(g.score).toBe(5.25);
    expect(g.maxScore).toBe(7);
    expect(g.steps[1].carriedValue).toBeDefined();
    expect(g.steps[1].feedback).toMatch(/25% of the marks withheld/);
  });

  it('a rounding instruction replaces the default tolerance', () => {
    const answers = { scaled_scores: [[0.707, 0.707], [1.414, 2.121]] };
    const loose = grade(getTopic('self-attention'), params, answers, { steps: ['scaled_scores'], tolerance: { decimals: 3 } });
    expect(loose.steps[0].status).toBe('correct');
    const strict = grade(getTopic('self-attention'), params, answers, { steps: ['scaled_scores'], tolerance: { decimals: 5 } });
    expect(strict.steps[0].status).toBe('incorrect');
  });

  it('grades by question id with the bank entry’s steps and marks', () => {
    const g = gradeAnswers('self-attention-residual', params, {});
    expect(g.steps.map((s) => s.id)).toEqual(['scores', 'scaled_scores', 'weights', 'attention_output', 'output']);
    expect(g.maxScore).toBe(7);
    expect(g.steps.every((s) => s.status === 'missing')).toBe(true);
  });

  it('carries through a step the student skipped', () => {
    // No scaled_scores given: the weights are judged against softmax of the scores the student gave, scaled.
    const g = gradeAnswers('self-attention', params, { scores: slip.scores, weights: slip.weights });
    const byId = Object.fromEntries(g.steps.map((s) => [s.id, s.status]));
    expect(byId).toMatchObject({ scores: 'partial', scaled_scores: 'missing', weights: 'carried' });
  });

  it('never quotes the true value in feedback', () => {
    const g = gradeAnswers('self-attention', params, { scaled_scores: [[9, 9], [9, 9]], scores: 7 });
    for (const s of g.steps) expect(s.feedback).not.toMatch(/0\.707|1\.414/);
  });
});

describe('bad answers', () => {
  it('answers that are not an object are refused with a named error', () => {
    for (const bad of [null, 3, 'x', [1, 2]]) {
      expect(() => gradeAnswers('self-attention', params, bad)).toThrow(StepwiseError);
      expect(() => gradeAnswers('self-attention', params, bad)).toThrow(/answers must be a JSON object/);
    }
  });

  it('unknown step ids are reported as warnings, not graded', () => {
    const g = gradeAnswers('self-attention', params, { Q: [[1, 0], [1, 1]], attention: 1 });
    expect(g.warnings).toEqual(['answers.attention: not a step of self-attention; ignored']);
  });

  it('too many answer fields is a too_large error', () => {
    const many = Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`s${i}`, 1]));
    expect(() => gradeAnswers('self-attention', params, many)).toThrow(expect.objectContaining({ code: 'too_large' }));
  });

  it('an oversized answer is invalid with a reason', () => {
    const huge = Array.from({ length: 2000 }, () => 1);
    const g = gradeAnswers('self-attention', params, { Q: huge, K: '1+'.repeat(3000) + '1' });
    expect(g.steps[0]).toMatchObject({ status: 'invalid' });
    expect(g.steps[0].feedback).toMatch(/more than 1024 elements/);
    expect(g.steps[1].feedback).toMatch(/longer than 2000 characters/);
  });

  it('never throws on arbitrary JSON answers, for any topic', () => {
    const problems = TOPICS.map((t) => generateProblem(t.id, 11, 'medium'));
    const stepIds = [...new Set(TOPICS.flatMap((t) => Object.keys(t.steps))), 'nope'];
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: problems.length - 1 }),
        fc.dictionary(fc.constantFrom(...stepIds), fc.jsonValue()),
        (i, answers) => {
          const g = gradeAnswers(problems[i].topic, problems[i].params, answers);
          for (const s of g.steps) {
            expect(['correct', 'carried', 'partial', 'incorrect', 'invalid', 'missing']).toContain(s.status);
            expect(Number.isFinite(s.credit)).toBe(true);
          }
        },
      ),
      { numRuns: 2000 },
    );
  });
});

describe('rounded earlier answers', () => {
  // A two-step topic that amplifies rounding: b = 100·a.
  const amplify = defineTopic<{ x: number }, { a: number; b: number }>({
    id: 'amplify',
    title: 'amplify',
    summary: 'b = 100 a',
    paramsSchema: { type: 'object', properties: { x: { type: 'number' } }, required: ['x'], additionalProperties: false },
    steps: {
      a: { label: 'a', kind: 'scalar', deps: [], formula: 'a = x', compute: (p) => p.x },
      b: { label: 'b', kind: 'scalar', deps: ['a'], formula: 'b = 100a', compute: (_p, s) => 100 * s.a },
    },
    misconceptions: [],
    generate: () => ({ x: 1 }),
  });
  const opts = { tolerance: { absolute: 0.01 }, ecfPenalty: 0.5 };

  it('a step built on earlier answers that were right to the asked precision is correct, with no ECF penalty', () => {
    const g = grade(amplify, { x: 0.123456 }, { a: 0.13, b: 13 }, opts); // a within 0.01; b = 100·0.13
    expect(g.steps.map((s) => [s.status, s.credit])).toEqual([['correct', 1], ['correct', 1]]);
    expect(g.steps[1].feedback).toMatch(/from your rounded a/);
  });

  it('a step built on a wrong earlier answer is still carried, with the penalty', () => {
    const g = grade(amplify, { x: 0.123456 }, { a: 0.2, b: 20 }, opts);
    expect(g.steps.map((s) => [s.status, s.credit])).toEqual([['incorrect', 0], ['carried', 0.5]]);
  });
});

describe('feedback on a partly right matrix', () => {
  // V = X W_V = X = [[1, 0], [1, 1]]: its transpose has 2 of 4 elements right.
  it('says a square matrix is the transpose of the one asked, and how many elements are wrong', () => {
    const g = grade(getTopic('self-attention'), params, { V: [[1, 1], [0, 1]] }, { steps: ['V'] });
    expect(g.steps[0].status).toBe('partial');
    expect(g.steps[0].credit).toBeCloseTo(0.5, 12);
    expect(g.steps[0].feedback).toBe('2 of 4 elements are right; 2 are not, the first at row 1, column 2. Your matrix is the transpose of V: rows and columns swapped.');
  });

  it('names a single wrong element as before, and says nothing of a transpose that is not one', () => {
    const g = grade(getTopic('self-attention'), params, { V: [[1, 0], [1, 5]] }, { steps: ['V'] });
    expect(g.steps[0].feedback).toBe('3 of 4 elements are right; row 2, column 2 is not.');
  });

  it('leaves the transpose to a misconception that names it (K Qᵀ for the scores)', () => {
    // Q = X, K = X W_K = [[1, 1], [1, 2]]; Q Kᵀ = [[1, 1], [2, 3]], K Qᵀ its transpose.
    const g = grade(getTopic('self-attention'), params, { scores: [[1, 2], [1, 3]] }, { steps: ['scores'] });
    expect(g.steps[0].misconception?.id).toBe('scores-transposed');
    expect(g.steps[0].feedback).not.toMatch(/rows and columns swapped/);
  });
});

describe('a whole answer that is a named misconception', () => {
  it('is incorrect with no credit even where some elements coincide with the truth (the notes’ exponent (i−1)/d)', () => {
    // d_model 4, position 1, base 10000: dims 0 and 2 (sines) use base^0 and base^(2/4) under both
    // formulas; dims 1 and 3 (cosines) use base^(1/4) = 10 and base^(3/4) = 1000 under the notes'.
    const params = { d_model: 4, positions: [1] };
    const notes = [[Math.sin(1), Math.cos(1 / 10), Math.sin(1 / 100), Math.cos(1 / 1000)]];
    const g = gradeAnswers('positional-encoding', params, { encoding: notes }).steps.find((s) => s.id === 'encoding')!;
    expect(g.status).toBe('incorrect');
    expect(g.credit).toBe(0);
    expect(g.misconception?.id).toBe('exponent-dimension-index');
  });

  it('names the notes’ attention score q vᵀ and the tenfold joint probability', () => {
    // X = I (2×2), W_Q = [[1, 0], [0, 1]], W_K = [[0, 1], [1, 0]], W_V = [[2, 0], [0, 3]]:
    // Q = I, V = diag(2, 3), so Q Vᵀ = [[2, 0], [0, 3]] (Q Kᵀ would be [[0, 1], [1, 0]]).
    const sa = { X: [[1, 0], [0, 1]], W_Q: [[1, 0], [0, 1]], W_K: [[0, 1], [1, 0]], W_V: [[2, 0], [0, 3]] };
    const s = gradeAnswers('self-attention', sa, { scores: [[2, 0], [0, 3]] }).steps.find((x) => x.id === 'scores')!;
    expect(s.misconception?.id).toBe('scores-with-values');
    // Likelihoods [0.3, 0.5], priors [0.2, 0.8]: joint [0.06, 0.4]; ten times: [0.6, 4].
    const bayes = { classes: ['a', 'b'], likelihoods: [0.3, 0.5], priors: [0.2, 0.8] };
    const j = gradeAnswers('bayes-classification', bayes, { joint: [0.6, 4] }).steps.find((x) => x.id === 'joint')!;
    expect(j.status).toBe('incorrect');
    expect(j.misconception?.id).toBe('joint-ten-times');
  });
});
