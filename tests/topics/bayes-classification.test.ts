/**
 * bayes-classification golden cases, worked by hand from Bayes' rule P(c | x) = P(x | c) P(c) / P(x):
 * classes cat, dog, fox with priors [0.5, 0.3, 0.2] and likelihoods [0.2, 0.5, 0.6]:
 * joint = [0.2·0.5, 0.5·0.3, 0.6·0.2] = [0.10, 0.15, 0.12], evidence = 0.10 + 0.15 + 0.12 = 0.37,
 * posterior = [0.10/0.37, 0.15/0.37, 0.12/0.37] = [0.270270, 0.405405, 0.324324], decision dog.
 * The largest likelihood is fox's (0.6): its small prior is what makes dog win.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { gradeAnswers, solveProblem } from '../../src/engine.js';
import { errorOf, expectClose, runGolden, solved, type GoldenCase } from '../helpers.js';

const params = { classes: ['cat', 'dog', 'fox'], priors: [0.5, 0.3, 0.2], likelihoods: [0.2, 0.5, 0.6] };
const right = {
  joint: [0.1, 0.15, 0.12],
  evidence: 0.37,
  posterior: [0.270270, 0.405405, 0.324324],
  decision: 'dog',
};

const cases: GoldenCase[] = [
  { name: 'hand-worked answers are all correct', params, answers: right, expect: { joint: 'correct', evidence: 'correct', posterior: 'correct', decision: 'correct' }, score: 4 },
  {
    name: 'math strings and class names in any case are read',
    params,
    answers: { joint: ['0.2*0.5', '0.5*0.3', '0.6*0.2'], evidence: '0.1 + 0.15 + 0.12', posterior: '[0.10, 0.15, 0.12] / 0.37', decision: ' Dog ' },
    expect: { joint: 'correct', evidence: 'correct', posterior: 'correct', decision: 'correct' },
    score: 4,
  },
  {
    // fox's joint slipped to 0.18; evidence 0.10 + 0.15 + 0.18 = 0.43;
    // posterior [0.10/0.43, 0.15/0.43, 0.18/0.43] = [0.232558, 0.348837, 0.418605]; decision fox.
    name: 'a slip in one joint is carried through the evidence, posterior and decision',
    params,
    answers: { joint: [0.1, 0.15, 0.18], evidence: 0.43, posterior: [0.232558, 0.348837, 0.418605], decision: 'fox' },
    expect: { joint: 'partial', evidence: 'carried', posterior: 'carried', decision: 'carried' },
    score: 2 / 3 + 3,
  },
  {
    // evidence slipped to 0.4: posterior [0.10/0.4, 0.15/0.4, 0.12/0.4] = [0.25, 0.375, 0.3]; dog still wins.
    name: 'a wrong evidence is carried into the posterior',
    params,
    answers: { joint: right.joint, evidence: 0.4, posterior: [0.25, 0.375, 0.3], decision: 'dog' },
    expect: { joint: 'correct', evidence: 'incorrect', posterior: 'carried', decision: 'correct' },
    score: 3,
  },
  {
    name: 'posterior left unnormalised (the joint itself)',
    params,
    answers: { posterior: [0.1, 0.15, 0.12] },
    expect: { posterior: 'incorrect', joint: 'missing' },
    misconceptions: { posterior: 'posterior-unnormalised' },
  },
  {
    // 0.2 + 0.5 + 0.6 = 1.3
    name: 'evidence as the plain sum of the likelihoods',
    params,
    answers: { evidence: 1.3 },
    expect: { evidence: 'incorrect' },
    misconceptions: { evidence: 'evidence-unweighted' },
  },
  {
    // [0.2, 0.5, 0.6] / 1.3 = [0.153846, 0.384615, 0.461538]
    name: 'posterior from the likelihoods alone, priors ignored',
    params,
    answers: { posterior: [0.153846, 0.384615, 0.461538] },
    expect: { posterior: 'incorrect' },
    misconceptions: { posterior: 'priors-ignored' },
  },
  {
    name: 'decision by the largest likelihood',
    params,
    answers: { decision: 'fox' },
    expect: { decision: 'incorrect' },
    misconceptions: { decision: 'max-likelihood-decision' },
  },
  {
    name: 'unreadable answers are invalid, not crashes',
    params,
    answers: { joint: [0.1, 0.15], evidence: 'zero point three seven', posterior: [0.27, NaN, 0.32], decision: 'wolf' },
    expect: { joint: 'invalid', evidence: 'invalid', posterior: 'invalid', decision: 'invalid' },
    score: 0,
  },
  {
    name: 'a number is not a class name; an infinite evidence is invalid',
    params,
    answers: { decision: 2, evidence: '1/0' },
    expect: { decision: 'invalid', evidence: 'invalid' },
  },
];

describe('bayes-classification golden cases', () => {
  for (const c of cases) it(c.name, () => runGolden('bayes-classification', c));

  it('solves the hand-worked example to 1e-6', () => {
    const s = solved('bayes-classification', params);
    for (const [id, v] of Object.entries(right)) expectClose(s[id], v, 1e-6, id);
  });

  it('solves a two-class spam filter worked by hand', () => {
    // joint [0.8·0.3, 0.2·0.7] = [0.24, 0.14]; evidence 0.38; posterior [0.631579, 0.368421]
    const s = solved('bayes-classification', { classes: ['spam', 'ham'], priors: [0.3, 0.7], likelihoods: [0.8, 0.2] });
    expectClose(s.joint, [0.24, 0.14], 1e-12, 'joint');
    expectClose(s.evidence, 0.38, 1e-12, 'evidence');
    expectClose(s.posterior, [0.631579, 0.368421], 1e-6, 'posterior');
    expect(s.decision).toBe('spam');
  });

  it('names the field of a bad parameter', () => {
    const bad = (over: object) => () => solveProblem('bayes-classification', { ...params, ...over });
    expect(bad({ priors: [0.5, 0.5] })).toThrow(/params\.priors has 2 entries but classes has 3; they must match/);
    expect(bad({ likelihoods: [0.2, 0.5, 0.6, 0.1] })).toThrow(/params\.likelihoods has 4 entries but classes has 3/);
    expect(bad({ priors: [0.5, 0.3, 0.3] })).toThrow(/params\.priors sums to 1\.1; a distribution sums to 1/);
    expect(bad({ likelihoods: [0.2, 1.5, 0.6] })).toThrow(/params\.likelihoods\[1\] must be <= 1/);
    expect(bad({ priors: [0.5, -0.1, 0.6] })).toThrow(/params\.priors\[1\] must be >= 0/);
    expect(bad({ classes: ['cat', 'Cat', 'fox'] })).toThrow(/params\.classes\[1\] \("Cat"\) repeats classes\[0\]/);
    expect(bad({ classes: ['cat', ' dog', 'fox'] })).toThrow(/params\.classes\[1\].*leading or trailing spaces/);
    expect(bad({ classes: ['cat', '', 'fox'] })).toThrow(/params\.classes\[1\] must NOT have fewer than 1 characters/);
    expect(bad({ classes: ['cat', 'x'.repeat(41), 'fox'] })).toThrow(/params\.classes\[1\] must NOT have more than 40 characters/);
    expect(bad({ classes: ['cat'], priors: [1], likelihoods: [0.5] })).toThrow(/params\.classes must NOT have fewer than 2 items/);
    expect(bad({ classes: ['cat', 7, 'fox'] })).toThrow(/params\.classes\[1\] must be string/);
    expect(bad({ extra: 1 })).toThrow(/unknown field "extra"/);
    expect(errorOf(bad({ priors: [0.5, 0.5] })).code).toBe('invalid_params');
  });

  it('a zero evidence is a domain error, not NaN', () => {
    const e = errorOf(() => solveProblem('bayes-classification', { ...params, likelihoods: [0, 0, 0] }));
    expect(e.code).toBe('domain_error');
    expect(e.message).toMatch(/evidence P\(x\).* is 0/);
    // A prior of 0 on the only class that explains x gives the same.
    const e2 = errorOf(() => solveProblem('bayes-classification', { classes: ['a', 'b'], priors: [0, 1], likelihoods: [0.9, 0] }));
    expect(e2.code).toBe('domain_error');
  });
});

describe('bayes-classification properties', () => {
  const problem = fc.integer({ min: 2, max: 6 }).chain((k) =>
    fc
      .record({
        weights: fc.array(fc.integer({ min: 0, max: 100 }), { minLength: k, maxLength: k }),
        likelihoods: fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: k, maxLength: k }),
      })
      .map(({ weights, likelihoods }) => {
        const total = weights.reduce((a, b) => a + b, 0) || 1;
        return { classes: weights.map((_, i) => `class ${i}`), priors: weights.map((w) => w / total), likelihoods };
      })
      // Some class must explain x (a zero evidence is a domain error, tested above).
      .filter((p) => p.priors.some((w, i) => w * p.likelihoods[i] > 0)),
  );

  it('the posterior is a distribution and the decision is its argmax', () => {
    fc.assert(
      fc.property(problem, (p) => {
        const s = solved('bayes-classification', p);
        const post = s.posterior as number[];
        expect(Math.abs(post.reduce((a, b) => a + b, 0) - 1)).toBeLessThan(1e-12);
        for (const x of post) expect(x).toBeGreaterThanOrEqual(0);
        const chosen = p.classes.indexOf(s.decision as string);
        expect(chosen).toBeGreaterThanOrEqual(0);
        for (const x of post) expect(post[chosen]).toBeGreaterThanOrEqual(x);
      }),
    );
  });
});

describe('bayes-classification ties', () => {
  // Equal priors and equal likelihoods for two of three classes: P(a|x) = P(b|x) = 0.4·0.5/(0.4·0.5·2 + 0.2·0.1) = 0.2/0.42.
  const tie = { classes: ['a', 'b', 'c'], priors: [0.4, 0.4, 0.2], likelihoods: [0.5, 0.5, 0.1] };

  it('accepts either class of an exact tie, and not the third', () => {
    for (const [decision, status] of [['a', 'correct'], ['B', 'correct'], ['c', 'incorrect']] as const) {
      const g = gradeAnswers('bayes-classification', tie, { decision });
      expect(g.steps.find((s) => s.id === 'decision')?.status, decision).toBe(status);
    }
  });

  it('accepts either class tied in the student’s own posteriors as carried', () => {
    // The student's posteriors tie b and c (wrongly): deciding c follows from them.
    const g = gradeAnswers('bayes-classification', tie, { posterior: [0.2, 0.4, 0.4], decision: 'c' });
    expect(g.steps.find((s) => s.id === 'decision')?.status).toBe('carried');
  });
});
