/**
 * Pinned bank questions (fixed exam-style numbers) and loose real-exam params: probabilities printed
 * rounded, priors that leave a class out. Loose params grade with a warning saying what was
 * assumed; impossible ones are still refused naming the field.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { builtInBank, loadBank } from '../src/bank/bank.js';
import { generateProblem, gradeAnswers, solveProblem } from '../src/engine.js';
import { MAX_SEED } from '../src/generators/rng.js';
import { errorOf } from './helpers.js';

const SEEDS = [0, 1, 42, 99_999, MAX_SEED];
const PINNED = ['pinned-bayes-class-left-out', 'pinned-kl-discrete-rounded', 'pinned-gan-discriminator-rounded'];
const LEFT_OUT = { classes: ['cat', 'dog'], priors: [0.5, 0.3], likelihoods: [0.2, 0.6] };

describe('pinned questions in the built-in bank', () => {
  it('load clean and are labelled exam-style with pinned numbers (not claimed as a real paper)', () => {
    expect(builtInBank().problems).toEqual([]);
    for (const id of PINNED) {
      const q = builtInBank().questions.get(id)!;
      expect(q.params, id).toBeDefined();
      expect(q.title, id).toMatch(/^Exam-style, pinned numbers:/);
      expect(q.instructions, id).toMatch(/not taken from a past paper/);
    }
  });

  it('every seed gives the same numbers and the same prompt', () => {
    for (const id of PINNED) {
      const first = generateProblem(id, SEEDS[0]);
      expect(first.params).toEqual(builtInBank().questions.get(id)!.params);
      for (const seed of SEEDS.slice(1)) {
        const p = generateProblem(id, seed);
        expect(p.seed).toBe(seed);
        expect(p.params, `${id} seed ${seed}`).toEqual(first.params);
        expect(p.prompt, `${id} seed ${seed}`).toBe(first.prompt);
      }
    }
  });

  it('a generated problem cannot alter the pinned params (each gets its own copy)', () => {
    const p = generateProblem('pinned-bayes-class-left-out', 3);
    (p.params as { priors: number[] }).priors[0] = 0.9;
    expect(generateProblem('pinned-bayes-class-left-out', 4).params).toEqual(LEFT_OUT);
  });

  it('the prompt states what is assumed', () => {
    const bayes = generateProblem('pinned-bayes-class-left-out', 0).prompt;
    expect(bayes).toContain('*Assumed:* the entries of priors sum to 0.8, not 1: the remaining 0.2 is taken to belong to outcomes not listed, and the posteriors are normalised over the listed classes (cat, dog).');
    const kl = generateProblem('pinned-kl-discrete-rounded', 0).prompt;
    expect(kl).toContain('*Assumed:* the entries of p sum to 0.99, not 1: taken as rounding (within 0.02 of 1), so the values are used as given.');
    expect(kl).not.toMatch(/entries of q/); // q sums to 1: nothing assumed
    const gan = generateProblem('pinned-gan-discriminator-rounded', 0).prompt;
    expect(gan).toContain('*Assumed:* the entries of p_g sum to 1.01, not 1: taken as rounding');
  });
});

describe('the loose-priors question, worked by hand', () => {
  // Listed classes cat, dog (a third class with prior 0.2 is left out).
  // joint:     cat 0.2 × 0.5 = 0.10,  dog 0.6 × 0.3 = 0.18
  // evidence over the listed classes: 0.10 + 0.18 = 0.28
  // posterior: cat 0.10 / 0.28 = 5/14 ≈ 0.357143,  dog 0.18 / 0.28 = 9/14 ≈ 0.642857  (sum 1)
  // decision:  dog
  const HAND = { joint: [0.1, 0.18], evidence: 0.28, posterior: [5 / 14, 9 / 14], decision: 'dog' };

  it('solves to the hand-computed, normalised posteriors', () => {
    const s = Object.fromEntries(solveProblem('bayes-classification', LEFT_OUT).steps.map((x) => [x.id, x.value]));
    (s.joint as number[]).forEach((v, i) => expect(v).toBeCloseTo(HAND.joint[i], 12));
    expect(s.evidence as number).toBeCloseTo(HAND.evidence, 12);
    (s.posterior as number[]).forEach((v, i) => expect(v).toBeCloseTo(HAND.posterior[i], 12));
    expect(s.decision).toBe('dog');
  });

  it('grades the hand answers (3 s.f.) full marks, with the warning saying what was assumed', () => {
    const g = gradeAnswers('pinned-bayes-class-left-out', LEFT_OUT, { joint: [0.1, 0.18], evidence: 0.28, posterior: [0.357, 0.643], decision: 'dog' });
    expect(g.score).toBe(g.maxScore);
    expect(g.warnings).toEqual([
      'params.priors: the entries of priors sum to 0.8, not 1: the remaining 0.2 is taken to belong to outcomes not listed, and the posteriors are normalised over the listed classes (cat, dog).',
    ]);
  });

  it('the joint given as the posteriors (not normalised over the listed classes) is still the named slip', () => {
    const g = gradeAnswers('pinned-bayes-class-left-out', LEFT_OUT, { posterior: [0.1, 0.18] });
    const post = g.steps.find((s) => s.id === 'posterior')!;
    expect(post.status).toBe('incorrect');
    expect(post.misconception?.id).toBe('posterior-unnormalised');
  });
});

describe('loose params accepted with a warning', () => {
  it('priors rounded to sum 0.99 are taken as rounding, posteriors normalised over the listed classes', () => {
    // joint 0.5·0.33 = 0.165, 0.2·0.33 = 0.066, 0.1·0.33 = 0.033; evidence 0.264;
    // posteriors 0.165/0.264 = 0.625, 0.066/0.264 = 0.25, 0.033/0.264 = 0.125 (the same as with exact thirds).
    const params = { classes: ['a', 'b', 'c'], priors: [0.33, 0.33, 0.33], likelihoods: [0.5, 0.2, 0.1] };
    const g = gradeAnswers('bayes-classification', params, { posterior: [0.625, 0.25, 0.125], decision: 'a' });
    expect(g.steps.find((s) => s.id === 'posterior')!.status).toBe('correct');
    expect(g.warnings).toEqual([
      'params.priors: the entries of priors sum to 0.99, not 1: taken as rounding (within 0.02 of 1), so the posteriors are normalised over the listed classes (a, b, c).',
    ]);
  });

  it('kl-discrete: P summing to 0.99 is used as printed', () => {
    // P = (0.33, 0.33, 0.33), Q = (0.5, 0.25, 0.25), bits:
    // 0.33·log2(0.66) + 2 · 0.33·log2(1.32) = 0.33·(−0.599462) + 0.66·(0.400538) = −0.197822 + 0.264355 = 0.066533
    const params = { p: [0.33, 0.33, 0.33], q: [0.5, 0.25, 0.25], base: '2' };
    const kl = solveProblem('kl-discrete', params);
    expect(kl.steps.find((s) => s.id === 'kl')!.value as number).toBeCloseTo(0.066533, 5);
    expect(kl.warnings).toEqual(['params.p: the entries of p sum to 0.99, not 1: taken as rounding (within 0.02 of 1), so the values are used as given.']);
    const g = gradeAnswers('pinned-kl-discrete-rounded', params, { kl: 0.067 });
    expect(g.steps.find((s) => s.id === 'kl')!.status).toBe('correct');
    expect(g.warnings?.[0]).toMatch(/^params\.p: the entries of p sum to 0\.99/);
  });

  it('gan-optimal-discriminator: p_g summing to 1.01 is used as printed', () => {
    // D* = p_data / (p_data + p_g): 0.5/0.67 = 0.746269, 0.25/0.42 = 0.595238, 0.25/0.92 = 0.271739
    const params = { p_data: [0.5, 0.25, 0.25], p_g: [0.17, 0.17, 0.67] };
    const g = gradeAnswers('gan-optimal-discriminator', params, { d_star: [0.746, 0.595, 0.272] });
    expect(g.steps.find((s) => s.id === 'd_star')!.status).toBe('correct');
    expect(g.warnings).toEqual(['params.p_g: the entries of p_g sum to 1.01, not 1: taken as rounding (within 0.02 of 1), so the values are used as given.']);
  });

  it('exact params carry no warning', () => {
    expect(gradeAnswers('bayes-classification', { classes: ['a', 'b'], priors: [0.4, 0.6], likelihoods: [0.5, 0.5] }, {}).warnings).toBeUndefined();
    expect(solveProblem('kl-discrete', { p: [0.5, 0.5], q: [0.25, 0.75] }).warnings).toBeUndefined();
  });
});

describe('impossible params are still refused, naming the field', () => {
  const refused = (topic: string, params: unknown) => errorOf(() => gradeAnswers(topic, params, {}));

  it('negative probabilities, NaN, shape mismatches', () => {
    expect(refused('bayes-classification', { ...LEFT_OUT, priors: [0.5, -0.3] }).path).toBe('params.priors[1]');
    expect(refused('bayes-classification', { ...LEFT_OUT, priors: [Number.NaN, 0.3] }).path).toBe('params.priors[0]');
    expect(refused('bayes-classification', { ...LEFT_OUT, likelihoods: [0.2, 0.6, 0.1] }).path).toBe('params.likelihoods');
    expect(refused('kl-discrete', { p: [0.5, 0.5], q: [0.2, 0.3, 0.5] }).path).toBe('params.q');
    expect(refused('gan-optimal-discriminator', { p_data: [0.5, 0.5], p_g: [-0.1, 1.1] }).path).toBe('params.p_g[0]');
  });

  it('sums far from 1 where nothing sensible can be assumed', () => {
    const over = refused('bayes-classification', { ...LEFT_OUT, priors: [0.9, 0.6] });
    expect(over.path).toBe('params.priors');
    expect(over.message).toMatch(/sums to 1\.5; a distribution sums to 1 \(to within 0\.02, for rounding; or below 1, with outcomes left out\)/);
    expect(refused('bayes-classification', { ...LEFT_OUT, priors: [0, 0] }).path).toBe('params.priors');
    // A KL or GAN distribution cannot leave an outcome out: only rounding is forgiven.
    const kl = refused('kl-discrete', { p: [0.45, 0.45], q: [0.5, 0.5] });
    expect(kl.path).toBe('params.p');
    expect(kl.message).toMatch(/sums to 0\.9; a distribution sums to 1 \(to within 0\.02, for rounding\)/);
    expect(refused('kl-discrete', { p: [0.5, 0.5], q: [0.52, 0.51] }).path).toBe('params.q');
    expect(refused('gan-optimal-discriminator', { p_data: [0.5, 0.5], p_g: [0.4, 0.4] }).path).toBe('params.p_g');
  });

  it('rounded sums that would make a divergence negative', () => {
    // KL: 0.5·ln(0.5/0.51) + 0.5·ln(0.5/0.5) = 0.5 · (−0.0198) = −0.0099 nats < 0 (Q sums to 1.01).
    const kl = refused('kl-discrete', { p: [0.5, 0.5], q: [0.51, 0.5] });
    expect(kl.path).toBe('params.q');
    expect(kl.message).toMatch(/KL\(P‖Q\) negative \(-0\.0099\d* nats\)/);
    // GAN: p_data = p_g = (0.5, 0.51): D* = 1/2 everywhere, V = 1.01·ln ½ + 1.01·ln ½ = −1.01·ln 4,
    // so JSD = (V + ln 4)/2 = −0.005·ln 4 ≈ −0.00693 < 0.
    const gan = refused('gan-optimal-discriminator', { p_data: [0.5, 0.51], p_g: [0.5, 0.51] });
    expect(gan.path).toBe('params.p_g');
    expect(gan.message).toMatch(/JSD \(V \+ ln 4\)\/2 negative \(-0\.00693\)/);
    // The same shapes with exact sums are fine (no assumption made, nothing negative).
    expect(() => gradeAnswers('kl-discrete', { p: [0.5, 0.5], q: [0.5, 0.5] }, {})).not.toThrow();
  });
});

describe('pinned params are checked when the bank loads', () => {
  const dir = mkdtempSync(join(tmpdir(), 'stepwise-pinned-'));
  const base = { topic: 'bayes-classification', difficulty: 'medium', steps: ['posterior', 'decision'] };
  const write = (file: string, q: object) => writeFileSync(join(dir, file), JSON.stringify({ id: file.replace('.json', ''), ...base, ...q }));
  write('good-exact.json', { params: { classes: ['a', 'b'], priors: [0.4, 0.6], likelihoods: [0.5, 0.2] } });
  write('good-loose.json', { params: LEFT_OUT });
  write('bad-negative.json', { params: { ...LEFT_OUT, priors: [0.5, -0.3] } });
  write('bad-length.json', { params: { ...LEFT_OUT, likelihoods: [0.2, 0.6, 0.1] } });
  write('bad-sum.json', { params: { ...LEFT_OUT, priors: [0.9, 0.6] } });
  write('bad-field.json', { params: { ...LEFT_OUT, colour: 'red' } });
  write('bad-not-object.json', { params: [0.5, 0.3] });
  write('bad-evidence.json', { params: { ...LEFT_OUT, likelihoods: [0, 0] } });
  write('bad-shape.json', { topic: 'self-attention', steps: ['scores'], shape: { causal: true }, params: { Q: [[1]], K: [[1]], V: [[1]] } });
  const bank = loadBank(dir);
  const problem = (file: string) => bank.problems.find((p) => p.file.endsWith(file));

  it('keeps the good ones, exact and loose', () => {
    expect([...bank.questions.keys()].sort()).toEqual(['good-exact', 'good-loose']);
  });

  it('names the file and the pinned field of each bad one', () => {
    expect(problem('bad-negative.json')).toMatchObject({ field: 'params.priors[1]', message: expect.stringMatching(/pinned params: params\.priors\[1\]/) });
    expect(problem('bad-length.json')).toMatchObject({ field: 'params.likelihoods', message: expect.stringMatching(/has 3 entries but classes has 2/) });
    expect(problem('bad-sum.json')).toMatchObject({ field: 'params.priors', message: expect.stringMatching(/sums to 1\.5/) });
    expect(problem('bad-field.json')).toMatchObject({ field: 'params.colour', message: expect.stringMatching(/unknown field "colour"/) });
    expect(problem('bad-not-object.json')).toMatchObject({ field: 'params' });
    expect(problem('bad-evidence.json')).toMatchObject({ field: 'params.likelihoods', message: expect.stringMatching(/evidence/) });
    expect(problem('bad-shape.json')).toMatchObject({ field: 'shape', message: expect.stringMatching(/pinned params/) });
    expect(bank.problems).toHaveLength(7);
  });
});
