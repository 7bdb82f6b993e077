/** A small exam with a spread of answers, sat through the API, for the statistics pages' tests. */
import { solveProblem } from '../../src/engine.js';
import type { Harness } from '../api/harness.js';

type V = { id: string; topic: string; params: { p: number[]; q: number[] }; steps: string[] };

/**
 * kl-discrete ×2 (log_ratio → terms → kl). Student k of n answers item 1 as one of four patterns:
 * right; log ratios reversed (the misconception) with terms and kl carried from them; terms wrong;
 * nothing but log_ratio; item 2 right for the first half, blank after.
 */
export async function seedExam(h: Harness, n: number): Promise<string> {
  const e = await h.call('POST', '/api/v1/exams', { key: h.instructor, body: { title: 'Midterm', blueprint: [{ topic: 'kl-discrete', count: 2, difficulty: 'easy' }], versions: 1, seed: 11 } });
  if (e.status !== 201) throw new Error(e.text);
  for (let k = 0; k < n; k++) {
    const s = await h.student(`Student ${k + 1}`);
    const mine = await h.call('GET', `/api/v1/exams/${e.body.id}/my-version`, { key: s.key });
    const vs = mine.body.variants as V[];
    for (const [i, v] of vs.entries()) {
      const truth = Object.fromEntries(solveProblem(v.topic, v.params).steps.map((x) => [x.id, x.value])) as Record<string, number[] | number>;
      let answers: Record<string, unknown>;
      if (i === 1) answers = k < n / 2 ? truth : {};
      else if (k % 4 === 0) answers = truth;
      else if (k % 4 === 1) {
        const lr = (truth.log_ratio as number[]).map((x) => -x);
        const terms = lr.map((x, j) => v.params.p[j] * x);
        answers = { log_ratio: lr, terms, kl: terms.reduce((t, x) => t + x, 0) };
      } else if (k % 4 === 2) answers = { log_ratio: truth.log_ratio, terms: (truth.terms as number[]).map(() => 9), kl: truth.kl };
      else answers = { log_ratio: truth.log_ratio };
      const r = await h.call('POST', `/api/v1/variants/${v.id}/attempts`, { key: s.key, body: { answers: JSON.parse(JSON.stringify(answers)) } });
      if (r.status !== 201) throw new Error(r.text);
    }
  }
  return e.body.id as string;
}
