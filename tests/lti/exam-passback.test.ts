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
      body: { title: 'Quiz', blueprint: [{ topic: 'kl-discrete', count: 1, difficulty: 'easy' }], versions: 1, attemptLimit: 2, counts: 'best', feedback: 'full' },
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

  it('withholds the score from the LMS while the feedback policy hides it (none, status), and posts the counted total at release', async () => {
    for (const feedback of ['none', 'status'] as const) {
      h.platform.scores.length = 0;
      const exam = await h.call('POST', '/api/v1/exams', {
        key: h.instructor,
        body: { title: `Quiz ${feedback}`, blueprint: [{ topic: 'kl-discrete', count: 1, difficulty: 'easy' }], versions: 1, attemptLimit: 2, counts: 'best', feedback },
      });
      expect(exam.status, exam.text).toBe(201);
      const launch = await h.launch({ claims: (c) => ({ ...c, [C.resourceLink]: { id: `rl-${feedback}` }, [C.custom]: { exam: exam.body.id } }) });
      expect(launch.status, launch.text).toBe(200);
      const { apiKey, variantId } = launch.body;
      const v = (await h.call('GET', `/api/v1/variants/${variantId}`, { key: apiKey })).body;
      const right = Object.fromEntries(solveProblem(v.topic, v.params).steps.map((s) => [s.id, s.value]));
      const first = await h.call('POST', `/api/v1/variants/${variantId}/attempts`, { key: apiKey, body: { answers: right } });
      expect(first.status, first.text).toBe(201);
      expect(first.body.score).toBeUndefined(); // the attempt view hides it...
      const second = await h.call('POST', `/api/v1/variants/${variantId}/attempts`, { key: apiKey, body: { answers: { log_ratio: (right.log_ratio as number[]).map(() => 9), terms: (right.terms as number[]).map(() => 9), kl: 9 } } }); // wrong, in the steps' shapes
      expect(second.status, second.text).toBe(201);
      // A second student, one wrong attempt.
      const other = await h.launch({ claims: (c) => ({ ...c, sub: 'student-2', [C.resourceLink]: { id: `rl-${feedback}` }, [C.custom]: { exam: exam.body.id } }) });
      expect(other.status, other.text).toBe(200);
      const wrong = await h.call('POST', `/api/v1/variants/${other.body.variantId}/attempts`, { key: other.body.apiKey, body: { answers: { kl: 9 } } });
      expect(wrong.status, wrong.text).toBe(201);
      expect(h.platform.scores).toEqual([]); // ...and so does the gradebook
      const released = await h.call('POST', `/api/v1/exams/${exam.body.id}/release`, { key: h.instructor, body: { force: true } });
      expect(released.status, released.text).toBe(200);
      // One post per student, the total by the counts rule (best: 3 of 3; 0 of 3), complete.
      const posted = h.platform.scores.map((s) => [s.body.userId, s.body.scoreGiven, s.body.scoreMaximum, s.body.activityProgress, s.body.gradingProgress]);
      expect(posted.sort()).toEqual([
        ['student-1', 3, 3, 'Completed', 'FullyGraded'],
        ['student-2', 0, 3, 'Completed', 'FullyGraded'],
      ]);
    }
  });
});
