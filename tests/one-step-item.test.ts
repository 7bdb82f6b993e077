/** One lookup for the bank's one-step items (conceptual items, questions about model runs) that the engine's entry points share. */
import { describe, expect, it } from 'vitest';
import { oneStepItem } from '../src/bank/one-step-item.js';
import { getNumericTopic } from '../src/engine.js';

describe('oneStepItem', () => {
  it('names a conceptual item and a question about model runs by their kind; a topic, a bank question or an unknown id are none', () => {
    expect(oneStepItem('example-gan-discriminator-goal')).toMatchObject({ kind: 'concept', id: 'example-gan-discriminator-goal' });
    expect(oneStepItem('gan-modes-covered')).toMatchObject({ kind: 'artefact', id: 'gan-modes-covered' });
    for (const ref of ['kl-gaussian', 'bahdanau-attention-context', 'no-such-id', 42, undefined, null]) expect(oneStepItem(ref)).toBeUndefined();
  });

  it('presents, solves and grades a conceptual item from the params its seed gives', () => {
    const item = oneStepItem('example-gan-discriminator-goal')!;
    const params = item.present(5);
    const right = item.expected(params);
    expect(right).toMatch(/^[A-D]$/);
    expect(item.grade(params, { answer: right }, {})).toMatchObject({ score: 1, maxScore: 1 });
    expect(item.workedCases(params).every((c) => c.outcome === 'pass')).toBe(true);
  });

  it('says a run question’s answer is not ready before its runs are computed, and neither kind passes for a numeric topic', () => {
    const item = oneStepItem('gan-modes-covered')!;
    expect(item.present(123456)).toEqual({ seed: 123456 });
    expect(() => item.expected({ seed: 123456 })).toThrow(expect.objectContaining({ code: 'not_ready' }));
    expect(() => getNumericTopic('gan-modes-covered')).toThrow(/is a question about model runs, not a topic/);
    expect(() => getNumericTopic('example-gan-discriminator-goal')).toThrow(/is a conceptual item, not a topic/);
  });
});
