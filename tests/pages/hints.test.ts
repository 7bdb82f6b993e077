/**
 * Hints with a penalty (Numbas's rule): a bank question may charge a share of a step's marks for
 * revealing its hint; the grader takes it off that step's credit (never below 0), the page keeps a
 * charged hint on the server until asked for with a form post (recorded), names the cost on the
 * button, and the stored attempt carries the reduced credit. Plain topic practice stays free.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadBank } from '../../src/bank/bank.js';
import { generateProblem, gradeAnswers, solveProblem } from '../../src/engine.js';
import type { Harness } from '../api/harness.js';
import { signIn, startPages } from './harness.js';

const Q = 'kl-discrete-bits'; // marks log_ratio 2, terms 1, kl 1; hintPenalty { log_ratio: 0.5 }

/** Every asked step's true value, as a student who got everything right writes it. */
function rightAnswers(params: unknown): Record<string, unknown> {
  return Object.fromEntries(solveProblem('kl-discrete', params).steps.map((s) => [s.id, s.value]));
}

describe('the grader', () => {
  const { params } = generateProblem(Q, 4);
  const credit = (hintsUsed: string[], answers = rightAnswers(params)) =>
    Object.fromEntries(gradeAnswers(Q, params, answers, { hintsUsed }).steps.map((s) => [s.id, s.credit]));

  it('takes the question’s share of a step’s marks off for its revealed hint, and nothing for a free one', () => {
    expect(credit([])).toEqual({ log_ratio: 2, terms: 1, kl: 1 });
    // 0.5 of log_ratio's 2 marks: 1 mark off; terms has no penalty set.
    expect(credit(['log_ratio', 'terms'])).toEqual({ log_ratio: 1, terms: 1, kl: 1 });
    const g = gradeAnswers(Q, params, rightAnswers(params), { hintsUsed: ['log_ratio'] });
    expect(g.score).toBe(3);
    expect(g.maxScore).toBe(4);
    expect(g.steps[0].feedback).toMatch(/Hint revealed: 1 mark off/);
  });

  it('never takes credit below 0', () => {
    const answers = { ...rightAnswers(params), log_ratio: [9, 9, 9, 9, 9, 9, 9, 9].slice(0, (rightAnswers(params).log_ratio as number[]).length) };
    const c = credit(['log_ratio'], answers);
    expect(c.log_ratio).toBe(0);
  });

  it('charges nothing in plain topic practice', () => {
    const p = generateProblem('kl-discrete', 4).params;
    const g = gradeAnswers('kl-discrete', p, rightAnswers(p), { hintsUsed: ['log_ratio', 'terms', 'kl'] });
    expect(g.score).toBe(g.maxScore);
  });
});

describe('the bank', () => {
  it('refuses a hint penalty for a step the question does not ask, or over the whole step', () => {
    const dir = mkdtempSync(join(tmpdir(), 'stepwise-hints-'));
    const good = { id: 'h-good', topic: 'self-attention', difficulty: 'easy', steps: ['scores'], hintPenalty: { scores: 0.25 } };
    writeFileSync(join(dir, 'a.json'), JSON.stringify(good));
    writeFileSync(join(dir, 'b.json'), JSON.stringify({ ...good, id: 'h-step', hintPenalty: { weights: 0.5 } }));
    writeFileSync(join(dir, 'c.json'), JSON.stringify({ ...good, id: 'h-big', hintPenalty: { scores: 1.5 } }));
    const bank = loadBank(dir);
    expect([...bank.questions.keys()]).toEqual(['h-good']);
    expect(bank.problems.find((p) => p.file.endsWith('b.json'))).toMatchObject({ field: 'hintPenalty.weights', message: expect.stringMatching(/does not ask/) });
    expect(bank.problems.find((p) => p.file.endsWith('c.json'))?.field).toMatch(/^hintPenalty/);
  });
});

describe('the question page', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startPages();
  });
  afterAll(async () => {
    await h?.close();
  });

  const variantIdOf = (html: string) => /action="\/practice\/v\/([^"]+)"/.exec(html)![1];
  const formOf = (answers: Record<string, unknown>): Record<string, string> => {
    const f: Record<string, string> = {};
    for (const [id, v] of Object.entries(answers)) {
      if (Array.isArray(v)) v.forEach((x, j) => (f[`answers[${id}][${j}]`] = String(x)));
      else f[`answers[${id}]`] = String(v);
    }
    return f;
  };

  it('shows the cost, reveals the hint only on request, and the stored attempt loses that share', async () => {
    const c = await signIn(h, (await h.student('Hinted')).key);
    const page = await c.get(`/practice/${Q}?seed=4`);
    expect(page.status).toBe(200);
    // The charged hint is not in the page until asked for; the free ones are.
    expect(page.text).toContain('Reveal hint for log_ratio (costs 1 mark of log_ratio’s 2 marks)');
    expect(page.text).not.toContain('<summary>Hint for log_ratio</summary>');
    expect(page.text).toContain('<summary>Hint for terms</summary>');
    const id = variantIdOf(page.text);
    const v = (await h.store.variants.get(id))!;
    const answers = formOf(rightAnswers(v.params));

    const revealed = await c.post(`/practice/v/${id}`, { _csrf: c.csrf(page.text), action: 'hint:log_ratio', ...answers });
    expect(revealed.status).toBe(200);
    expect(revealed.text).toMatch(/<details class="hint" open>\s*<summary>Hint for log_ratio<\/summary>/);
    expect(revealed.text).toContain('it costs 1 mark of log_ratio’s 2 marks');
    // The entries survive the reveal, and nothing was stored.
    expect(revealed.text).toContain(`value="${answers['answers[kl]']}"`);
    expect(await h.store.attempts.listByVariant(id)).toHaveLength(0);
    // Reloading keeps it revealed (recorded on the server, not in the form).
    expect((await c.get(`/practice/v/${id}`)).text).toContain('<summary>Hint for log_ratio</summary>');

    const done = await c.post(`/practice/v/${id}`, { _csrf: c.csrf(page.text), action: 'submit', ...answers });
    expect(done.status).toBe(200);
    expect(done.text).toContain('data-total="3/4"');
    const [a] = await h.store.attempts.listByVariant(id);
    expect(a.score).toBe(3);
    expect(a.result.steps.find((s) => s.id === 'log_ratio')?.credit).toBe(1);
  });

  it('gives full marks without the reveal, and a step that is not asked is refused', async () => {
    const c = await signIn(h, (await h.student('Unhinted')).key);
    const page = await c.get(`/practice/${Q}?seed=4`);
    const id = variantIdOf(page.text);
    const v = (await h.store.variants.get(id))!;
    const bad = await c.post(`/practice/v/${id}`, { _csrf: c.csrf(page.text), action: 'hint:nope' });
    expect(bad.status).toBe(422);
    const done = await c.post(`/practice/v/${id}`, { _csrf: c.csrf(page.text), action: 'submit', ...formOf(rightAnswers(v.params)) });
    expect(done.text).toContain('data-total="4/4"');
  });

  it('a plain topic’s hints stay free and in the page', async () => {
    const c = await signIn(h, (await h.student('Free')).key);
    const page = await c.get('/practice/kl-discrete?seed=4');
    expect(page.text).not.toContain('Reveal hint for');
    expect(page.text).toContain('Hints cost no marks in practice.');
  });
});
