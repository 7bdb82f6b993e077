/** "Test this question": every topic's and bank question's worked cases pass, and a grader that misses is caught. */
import { describe, expect, it } from 'vitest';
import { artefactOf, generateProblem, listQuestions, listTopics, rememberArtefactAnswer, runWorkedCases } from '../../src/engine.js';
import { workedCases } from '../../src/solvers/worked-cases.js';
import { getTopic } from '../../src/engine.js';

describe('worked cases', () => {
  const refs = [...listTopics().map((t) => t.id), ...listQuestions().map((q) => q.id)];
  it.each(refs)('%s: the true values score full marks and every applicable misconception is recognised (seeds 1–3)', (ref) => {
    for (const seed of [1, 2, 3]) {
      const p = generateProblem(ref, seed, 'medium');
      // A question about model runs: its runs' answer, as a model worker would report it.
      const runs = artefactOf(ref);
      if (runs) rememberArtefactAnswer(ref, seed, runs.answer.type === 'choice' ? 'B' : runs.answer.type === 'number' ? 0.5 : 'a photo of a red circle');
      const cases = runWorkedCases(ref, p.params, p.steps);
      expect(cases[0]).toMatchObject({ name: 'correct', outcome: 'pass' });
      const failed = cases.filter((c) => c.outcome === 'fail');
      expect(failed, JSON.stringify(failed)).toEqual([]);
    }
  });

  it('lists one case per misconception on an asked step, with the wrong value entered', () => {
    const p = generateProblem('diffusion-step', 7, 'easy');
    const cases = runWorkedCases('diffusion-step', p.params, ['noise_coef']);
    expect(cases.map((c) => c.name)).toEqual(['correct', 'noise-no-square-root']);
    expect(cases[1].entered).toBeCloseTo((p.params as { beta: number }).beta, 12); // β without its root
    expect(cases[1].outcome).toBe('pass');
  });

  it('fails a case the grader does not recognise', () => {
    const topic = getTopic('diffusion-step');
    const p = generateProblem('diffusion-step', 7, 'easy');
    // A wrong method whose value the grader's own call does not reproduce: the case must fail, not pass silently.
    let calls = 0;
    const noise = topic.misconceptions.find((m) => m.id === 'noise-no-square-root')!;
    const drifting = { ...topic, misconceptions: [{ ...noise, compute: () => (calls++ === 0 ? 0.123456 : 0.654321) }] };
    const cases = workedCases(drifting, p.params, { steps: ['noise_coef'] });
    expect(cases[1]).toMatchObject({ name: 'noise-no-square-root', outcome: 'fail' });
    expect(cases[1].detail).toMatch(/^Not recognised: noise_coef graded incorrect/);
  });
});
