/** The exam total posted to the LMS counts attempts as the exam's results do (its `counts` rule). */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { solveProblem } from '../../src/engine.js';
import { startLti, type LtiHarness } from './harness.js';
import { C } from './platform.js';

let h: LtiHarness;
beforeEach(async () => {
  h = await startLti();
});
afterEach(async () => {
  await h.close();
});

describe('exam grade passback', () => {
  it('posts the total by the exam’s counts rule, the same as its results: best keeps 3, not the later 0', async () => {
    const exam = await h.call('POST', '/api/v1/exams', {
      key: h.instructor,
      body: { title: 'Quiz', blueprint: [{ topic: 'kl-discrete', count: 1, difficulty: 'easy' }], versions: 1, attemptLimit: 2, counts: 'best' },
    });
    expect(exam.status, exam.text).toBe(201);
    const launch = await h.launch({ claims: (c) => ({ ...c, [C.resourceLink]: { id: 'rl-quiz' }, [C.custom]: { exam: exam.body.id } }) });
    expect(launch.status, launch.text).toBe(200);
    const { apiKey, variantId } = launch.body;
    const v = (await h.call('GET', `/api/v1/variants/${variantId}`, { key: apiKey })).body;
    const right = Object.fromEntries(solveProblem(v.topic, v.params).steps.map((s) => [s.id, s.value]));
    // kl-discrete: 3 steps of 1 mark. All right: 3 of 3; then every step wrong: 0 of 3.
    expect((await h.call('POST', `/api/v1/variants/${variantId}/attempts`, { key: apiKey, body: { answers: right } })).status).toBe(201);
    const nines = (right.log_ratio as number[]).map(() => 9); // wrong, in the step's shape (a wrong shape is refused)
    expect((await h.call('POST', `/api/v1/variants/${variantId}/attempts`, { key: apiKey, body: { answers: { log_ratio: nines, terms: nines, kl: 9 } } })).status).toBe(201);
    expect(h.platform.scores.map((s) => [s.body.scoreGiven, s.body.scoreMaximum])).toEqual([
      [3, 3],
      [3, 3],
    ]);
    const results = (await h.call('GET', `/api/v1/exams/${exam.body.id}/results`, { key: h.instructor })).body;
    expect(results.students.map((s: { score: number }) => s.score)).toEqual([3]);
  });
});
