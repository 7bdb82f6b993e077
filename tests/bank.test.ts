/** The question bank: the built-in one loads clean; a broken file is named and the rest still loads. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { builtInBank, loadBank } from '../src/bank/bank.js';
import { generateProblem, gradeAnswers, listTopics, solveProblem } from '../src/engine.js';

describe('built-in question bank', () => {
  const bank = builtInBank();

  it('loads every file without a problem', () => {
    expect(bank.problems).toEqual([]);
  });

  it('has at least one question per topic', () => {
    const covered = new Set([...bank.questions.values()].map((q) => q.topic));
    for (const t of listTopics()) expect(covered, t.id).toContain(t.id);
  });

  it('every question generates, states its steps and tolerance, and grades full marks on its own solution', () => {
    for (const q of bank.questions.values()) {
      const p = generateProblem(q.id, 42);
      expect(p.question).toBe(q.id);
      expect(p.difficulty).toBe(q.difficulty);
      expect(p.steps).toEqual(q.steps);
      if (q.tolerance && 'decimals' in q.tolerance) expect(p.prompt).toMatch(new RegExp(`${q.tolerance.decimals} decimal place`));
      const truth = Object.fromEntries(solveProblem(q.topic, p.params).steps.map((s) => [s.id, s.value]));
      const g = gradeAnswers(q.id, p.params, JSON.parse(JSON.stringify(truth)));
      expect(g.score, q.id).toBe(g.maxScore);
      expect(g.steps.map((s) => s.id)).toEqual(q.steps);
    }
  });
});

describe('a bank with broken files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'stepwise-bank-'));
  const good = { id: 'good-one', topic: 'self-attention', difficulty: 'easy', steps: ['scores'] };
  writeFileSync(join(dir, 'a-good.json'), JSON.stringify(good)); // files load in name order: the first id wins
  writeFileSync(join(dir, 'not-json.json'), '{ "id": ');
  writeFileSync(join(dir, 'bad-difficulty.json'), JSON.stringify({ ...good, id: 'bad-d', difficulty: 'insane' }));
  writeFileSync(join(dir, 'bad-step.json'), JSON.stringify({ ...good, id: 'bad-s', steps: ['scores', 'logits'] }));
  writeFileSync(join(dir, 'bad-topic.json'), JSON.stringify({ ...good, id: 'bad-t', topic: 'gan-loss' }));
  writeFileSync(join(dir, 'bad-tol.json'), JSON.stringify({ ...good, id: 'bad-tol', tolerance: { decimals: -2 } }));
  writeFileSync(join(dir, 'bad-marks.json'), JSON.stringify({ ...good, id: 'bad-m', marks: { weights: 2 } }));
  writeFileSync(join(dir, 'dup.json'), JSON.stringify(good));
  writeFileSync(join(dir, 'extra.json'), JSON.stringify({ ...good, id: 'extra', colour: 'red' }));
  const bank = loadBank(dir);
  const problem = (file: string) => bank.problems.find((p) => p.file.endsWith(file));

  it('keeps the good question', () => {
    expect([...bank.questions.keys()]).toEqual(['good-one']);
  });

  it('names the file and the failing field of each broken one', () => {
    expect(problem('not-json.json')).toMatchObject({ field: '', message: expect.stringMatching(/not valid JSON/) });
    expect(problem('bad-difficulty.json')).toMatchObject({ field: 'difficulty', message: expect.stringMatching(/easy, medium, hard|one of/) });
    expect(problem('bad-step.json')).toMatchObject({ field: 'steps[1]', message: expect.stringMatching(/"logits" is not a step of self-attention/) });
    expect(problem('bad-topic.json')).toMatchObject({ field: 'topic', message: expect.stringMatching(/unknown topic "gan-loss"/) });
    expect(problem('bad-tol.json')).toMatchObject({ field: 'tolerance.decimals' });
    expect(problem('bad-marks.json')).toMatchObject({ field: 'marks.weights' });
    expect(problem('dup.json')).toMatchObject({ field: 'id', message: expect.stringMatching(/already used/) });
    expect(problem('extra.json')).toMatchObject({ message: expect.stringMatching(/unknown field "colour"/) });
    expect(bank.problems).toHaveLength(8);
  });
});
