/** A conceptual item id works wherever a bank question id does: generate, solve, grade, worked solution. */
import { describe, expect, it } from 'vitest';
import { builtInConcepts } from '../src/bank/concepts.js';
import { generateProblem, getTopic, gradeAnswers, listQuestions, resolve, runWorkedCases, solveProblem, workedSolution } from '../src/engine.js';

const ID = 'example-gan-discriminator-goal';

describe('concept items through the engine', () => {
  it('generates a seed-shuffled presentation with a lettered Markdown prompt and one step, answer', () => {
    const p = generateProblem(ID, 11);
    expect(p).toMatchObject({ topic: ID, question: ID, seed: 11, difficulty: 'easy', steps: ['answer'] });
    expect([...(p.params as { options: string[] }).options].sort()).toEqual(['a', 'b', 'c', 'd']);
    expect(p.prompt).toMatch(/- \*\*A\.\*\* .*\n- \*\*B\.\*\* .*\n- \*\*C\.\*\* .*\n- \*\*D\.\*\* /);
    expect(generateProblem(ID, 11)).toEqual(p);
    const orders = new Set(Array.from({ length: 30 }, (_, s) => JSON.stringify(generateProblem(ID, s).params)));
    expect(orders.size).toBeGreaterThan(4);
  });

  it('solves to the letter the right option is shown under and grades that full marks, a distractor none', () => {
    const p = generateProblem(ID, 3);
    const options = (p.params as { options: string[] }).options;
    const right = String.fromCharCode(65 + options.indexOf('a')); // option a is the right one in the file
    expect(solveProblem(p.topic, p.params).steps).toEqual([{ id: 'answer', label: 'Answer', value: right }]);
    expect(gradeAnswers(ID, p.params, { answer: right })).toMatchObject({ topic: ID, score: 1, maxScore: 1 });
    const wrong = String.fromCharCode(65 + options.indexOf('b'));
    const g = gradeAnswers(ID, p.params, { answer: wrong.toLowerCase() });
    expect(g.steps[0]).toMatchObject({ status: 'incorrect', misconception: { id: 'option-b' } });
    expect(g.steps[0].feedback).toMatch(/generator's/);
  });

  it('refuses params that are not a presentation of the item, naming the field', () => {
    expect(() => gradeAnswers(ID, { options: ['a', 'b'] }, { answer: 'A' })).toThrow(expect.objectContaining({ code: 'invalid_params', path: 'params.options' }));
    expect(() => solveProblem(ID, null)).toThrow(expect.objectContaining({ code: 'invalid_params' }));
  });

  it('resolves like a bank question, lists with the questions and has a worked solution', () => {
    const { topic, question } = resolve(ID);
    expect(question).toMatchObject({ id: ID, topic: ID, steps: ['answer'], difficulty: 'easy' });
    expect(topic.steps.answer.label).toBe('Answer');
    expect(getTopic(ID).title).toMatch(/^In the GAN minimax game/);
    expect(listQuestions().map((q) => q.id)).toContain(ID);
    const p = generateProblem(ID, 3);
    expect(workedSolution(p.topic, p.params)).toContain('**Answer:** ');
    expect(workedSolution(p.topic, p.params)).toContain('Goodfellow et al. 2014');
  });

  it('every built-in item\'s worked cases pass: the expected answer full marks, each distractor named', () => {
    for (const item of builtInConcepts().items.values()) {
      const p = generateProblem(item.id, 9);
      for (const c of runWorkedCases(item.id, p.params)) expect(c.outcome, `${item.id} ${c.name}: ${c.detail}`).toBe('pass');
    }
  });

  it('numeric and text items read numbers and normalised text', () => {
    const n = generateProblem('example-optimal-d-equilibrium', 1);
    expect(n.params).toEqual({});
    expect(gradeAnswers(n.question, n.params, { answer: '0.5' }).score).toBe(1);
    expect(gradeAnswers(n.question, n.params, { answer: 1 }).steps[0].misconception?.id).toBe('wrong-1');
    expect(gradeAnswers('example-bert-cls-token', {}, { answer: 'the [CLS] token' }).score).toBe(1);
  });
});
