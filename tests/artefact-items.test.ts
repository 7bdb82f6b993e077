/**
 * Questions about model runs as bank questions in the engine (src/bank/artefact-item.ts): params
 * `{seed}` checked field by field, `not_ready` until the runs' answer is known, grading of numbers
 * (absolute tolerance, decimal comma), run letters and text, exam-safe feedback, the bank listing
 * and the exam-item fingerprint over the drawn run seeds. No training here: answers are told.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  generateProblem,
  getNumericTopic,
  gradeAnswers,
  listQuestions,
  listTopics,
  registerArtefactQuestion,
  rememberArtefactAnswer,
  resolve,
  solveProblem,
  StepwiseError,
  workedSolution,
} from '../src/engine.js';
import { builtInConcepts } from '../src/bank/concepts.js';
import { builtInBank } from '../src/bank/bank.js';
import { ARTEFACT_DIR, loadArtefactQuestions, runSeedsFor, type ArtefactQuestion } from '../src/models/questions.js';
import { runLetters } from '../src/models/student.js';
import { problemFingerprint } from '../src/store/fingerprint.js';
import { variantMaxScore } from '../src/lti/targets.js';
import { TINY } from './artefact-fixtures.js';

const number: ArtefactQuestion = {
  id: 'unit-number',
  lab: 'gan',
  runs: [{ name: 'vanilla', run: 'vanilla', config: TINY }],
  runSeeds: [3, 4, 5],
  prompt: 'Run {{vanilla}} trains a GAN. What is its mean |D − D*|?',
  show: ['vanilla:samples-final.png'],
  answer: { type: 'number', metric: 'vanilla.x', tolerance: 0.02 },
};
const choice: ArtefactQuestion = {
  id: 'unit-choice',
  lab: 'gan',
  runs: [
    { name: 'vanilla', run: 'vanilla', seed: 3, config: TINY },
    { name: 'minibatch', run: 'minibatch', seed: 3, config: TINY },
  ],
  prompt: 'Runs A and B train a GAN. Which covers fewer modes?',
  show: ['vanilla:samples-final.png', 'minibatch:samples-final.png'],
  answer: { type: 'choice', pick: 'min', metric: 'modesCovered' },
};
registerArtefactQuestion(number);
registerArtefactQuestion(choice);

const code = (f: () => unknown): string | undefined => {
  try {
    f();
  } catch (e) {
    return e instanceof StepwiseError ? `${e.code} ${e.path ?? ''}`.trim() : 'not a StepwiseError';
  }
  return undefined;
};

describe('a question about model runs in the engine', () => {
  it('generates {seed} params and a prompt with the seed’s letters, and names a bad param', () => {
    const p = generateProblem(number.id, 12);
    expect(p).toMatchObject({ topic: number.id, question: number.id, seed: 12, params: { seed: 12 }, steps: ['answer'] });
    expect(p.prompt).toContain(`Run ${runLetters(number, 12).vanilla} trains`);
    expect(p.prompt).not.toContain('{{');
    expect(code(() => gradeAnswers(number.id, { seed: -1 }, {}))).toBe('invalid_params params.seed');
    expect(code(() => gradeAnswers(number.id, { seed: 1, runs: 2 }, {}))).toBe('invalid_params params.runs');
    expect(code(() => gradeAnswers(number.id, [], {}))).toBe('invalid_params params');
  });

  it('is not_ready until its runs’ answer is known, then solves and grades it', () => {
    expect(code(() => solveProblem(number.id, { seed: 40 }))).toBe('not_ready params.seed');
    expect(code(() => gradeAnswers(number.id, { seed: 40 }, { answer: 1 }))).toBe('not_ready params.seed');
    rememberArtefactAnswer(number.id, 40, 0.25);
    expect(solveProblem(number.id, { seed: 40 }).steps).toEqual([{ id: 'answer', label: 'Answer', value: 0.25 }]);
    // |0.27 − 0.25| = 0.02 is within the tolerance, 0.271 is not; a decimal comma is read.
    expect(gradeAnswers(number.id, { seed: 40 }, { answer: 0.27 }).steps[0].status).toBe('correct');
    expect(gradeAnswers(number.id, { seed: 40 }, { answer: '0,23' }).steps[0].status).toBe('correct');
    const wrong = gradeAnswers(number.id, { seed: 40 }, { answer: 0.271 }).steps[0];
    expect(wrong).toMatchObject({ status: 'incorrect', credit: 0, outcome: 'incorrect', expected: 0.25 });
    // Exam-safe: the feedback never states the runs' value (an exam's policy may show feedback, not expected).
    expect(wrong.feedback).not.toContain('0.25');
    expect(gradeAnswers(number.id, { seed: 40 }, { answer: 'lots' }).steps[0]).toMatchObject({ status: 'invalid', outcome: 'invalid:form' });
    expect(gradeAnswers(number.id, { seed: 40 }, {}).steps[0]).toMatchObject({ status: 'missing', credit: 0 });
    expect(workedSolution(number.id, { seed: 40 })).toContain('**Answer:** 0.25');
  });

  it('grades a run letter in either case and refuses a letter that is no run', () => {
    rememberArtefactAnswer(choice.id, 8, 'B');
    expect(gradeAnswers(choice.id, { seed: 8 }, { answer: 'b' }).score).toBe(1);
    expect(gradeAnswers(choice.id, { seed: 8 }, { answer: 'A' }).steps[0].status).toBe('incorrect');
    const c = gradeAnswers(choice.id, { seed: 8 }, { answer: 'C' }).steps[0];
    expect(c.status).toBe('invalid');
    expect(c.feedback).toContain('A, B');
  });

  it('has its marks without its runs: an LTI line item’s maximum needs no answer', () => {
    expect(variantMaxScore(generateProblem(number.id, 41))).toBe(1);
    expect(code(() => gradeAnswers(number.id, { seed: 41 }, {}))).toBe('not_ready params.seed');
  });

  it('is listed with the bank questions, not as a numeric topic; no id is shared with a topic, bank question or conceptual item', () => {
    expect(listQuestions().map((q) => q.id)).toEqual(expect.arrayContaining(['gan-mode-collapse', 'clip-logit-temperature', 'tvlt-mask-fraction', number.id]));
    expect(resolve('gan-mode-collapse').question?.steps).toEqual(['answer']);
    expect(code(() => getNumericTopic('gan-mode-collapse'))).toBe('unknown_topic topic');
    const others = new Set([...listTopics().map((t) => t.id), ...builtInBank().questions.keys(), ...builtInConcepts().items.keys()]);
    for (const q of loadArtefactQuestions().questions.values()) expect(others.has(q.id), q.id).toBe(false);
  });
});

describe('run seeds drawn per question seed', () => {
  it('draws every pooled seed, the same for a seed on every call, and all of a question’s runs alike', () => {
    const drawn = Array.from({ length: 300 }, (_, s) => runSeedsFor(number, s).vanilla);
    expect(runSeedsFor(number, 17)).toEqual(runSeedsFor(number, 17));
    const counts = [3, 4, 5].map((r) => drawn.filter((x) => x === r).length);
    // About a third each (binomial, n = 300: 100 ± 3σ ≈ 100 ± 25).
    for (const n of counts) expect(n).toBeGreaterThan(70);
    // Without runSeeds, each run's own seed, whatever the question seed.
    expect(runSeedsFor(choice, 1)).toEqual({ vanilla: 3, minibatch: 3 });
    expect(runSeedsFor(choice, 99)).toEqual({ vanilla: 3, minibatch: 3 });
  });

  it('every bank question with runSeeds lists no seed on its runs (the loader refuses one, naming the field)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'stepwise-runseeds-'));
    try {
      writeFileSync(join(dir, 'artefact-question.schema.json'), readFileSync(join(ARTEFACT_DIR, 'artefact-question.schema.json')));
      writeFileSync(join(dir, 'bad.json'), JSON.stringify({ ...number, id: 'bad', runs: [{ ...number.runs[0], seed: 2 }] }));
      const loaded = loadArtefactQuestions(dir);
      expect(loaded.problems).toEqual([expect.objectContaining({ field: 'runs[0].seed' })]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    const { questions, problems } = loadArtefactQuestions();
    expect(problems).toEqual([]);
    expect([...questions.values()].filter((q) => q.runSeeds).length).toBeGreaterThanOrEqual(9);
  });

  it('an exam item’s fingerprint covers every seed that draws its runs, and no other', () => {
    const seeds = Array.from({ length: 60 }, (_, s) => s);
    const item = 0;
    const same = seeds.filter((s) => runSeedsFor(number, s).vanilla === runSeedsFor(number, item).vanilla);
    const other = seeds.filter((s) => !same.includes(s));
    expect(same.length).toBeGreaterThan(1);
    expect(other.length).toBeGreaterThan(1);
    const fp = problemFingerprint(number.id, { seed: item });
    for (const s of same) expect(problemFingerprint(number.id, { seed: s })).toBe(fp);
    for (const s of other) expect(problemFingerprint(number.id, { seed: s })).not.toBe(fp);
  });
});
