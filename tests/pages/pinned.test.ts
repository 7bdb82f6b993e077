/**
 * A pinned, loose exam-style question on the practice page: the prompt states what is assumed, and
 * the submitted result lists the grade's warning.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Harness } from '../api/harness.js';
import { signIn, startPages } from './harness.js';

const Q = 'pinned-bayes-class-left-out';

describe('practising a pinned question with loose priors', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startPages();
  });
  afterAll(async () => {
    await h?.close();
  });

  it('states the assumption in the prompt and lists the warning with the result', async () => {
    const c = await signIn(h, (await h.student('Pinned')).key);
    const page = await c.get(`/practice/${Q}?seed=9`);
    expect(page.status).toBe(200);
    expect(page.text).toMatch(/Assumed:<\/em> the entries of priors sum to 0\.8, not 1/);
    const id = /action="\/practice\/v\/([^"]+)"/.exec(page.text)![1];
    // By hand: joint 0.1, 0.18; evidence 0.28; posteriors 0.357, 0.643; decision dog.
    const form = {
      'answers[joint][0]': '0.1',
      'answers[joint][1]': '0.18',
      'answers[evidence]': '0.28',
      'answers[posterior][0]': '0.357',
      'answers[posterior][1]': '0.643',
      'answers[decision]': 'dog',
    };
    const done = await c.post(`/practice/v/${id}`, { _csrf: c.csrf(page.text), action: 'submit', ...form });
    expect(done.status).toBe(200);
    expect(done.text).toContain('data-total="5/5"');
    expect(done.text).toMatch(/<ul class="warnings"[^>]*><li>params\.priors: the entries of priors sum to 0\.8, not 1: the remaining 0\.2 is taken to belong to outcomes not listed, and the posteriors are normalised over the listed classes \(cat, dog\)\.<\/li><\/ul>/);
  });

  it('the exam builder says a pinned question has the same numbers in every version', async () => {
    const c = await signIn(h, h.instructor);
    const page = await c.get('/instructor/exams/new');
    expect(page.status).toBe(200);
    expect(page.text).toMatch(/Exam-style, pinned numbers: Bayes posteriors when the priors leave a class out \(bank question, medium; pinned numbers, the same in every version\)/);
    expect(page.text).not.toMatch(/kl-discrete-bits[^<]*pinned numbers/);
  });
});
