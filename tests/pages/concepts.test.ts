/** The web question page for conceptual items: radio buttons, checkboxes, position and match selects. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Harness } from '../api/harness.js';
import { signIn, startPages } from './harness.js';

let h: Harness;
beforeEach(async () => {
  h = await startPages();
});
afterEach(async () => {
  await h.close();
});

const variantIdOf = (html: string) => /action="\/practice\/v\/([^"]+)"/.exec(html)![1];
/** The letter the item's option (or entry) `id` is shown under in this variant. */
const letterIn = (ids: string[], id: string) => String.fromCharCode(65 + ids.indexOf(id));

describe('conceptual items on the question page', () => {
  it('single choice: one labelled radio per option; the right one scores full marks, a distractor shows its why', async () => {
    const c = await signIn(h, (await h.student()).key);
    const page = await c.get('/practice/example-gan-discriminator-goal?seed=4');
    expect(page.status).toBe(200);
    const radios = [...page.text.matchAll(/<input type="radio" id="([^"]+)" name="answers\[answer\]" value="([A-D])"/g)];
    expect(radios.map((m) => m[2])).toEqual(['A', 'B', 'C', 'D']);
    for (const m of radios) expect(page.text).toContain(`<label for="${m[1]}">`);
    expect(page.text).not.toMatch(/Reveal hint/);
    const v = (await h.store.variants.get(variantIdOf(page.text)))!;
    const options = (v.params as { options: string[] }).options;
    const wrong = await c.post(`/practice/v/${v.id}`, { _csrf: c.csrf(page.text), action: 'submit', 'answers[answer]': letterIn(options, 'b') });
    expect(wrong.status).toBe(200);
    expect(wrong.text).toContain('Total: <strong>0/1</strong>');
    expect(wrong.text).toContain('generator&#x27;s (non-saturating) objective');
    // The chosen radio stays checked.
    expect(wrong.text).toMatch(new RegExp(`value="${letterIn(options, 'b')}" checked`));
    const again = await c.get('/practice/example-gan-discriminator-goal?seed=4');
    const v2 = variantIdOf(again.text);
    const right = await c.post(`/practice/v/${v2}`, { _csrf: c.csrf(again.text), action: 'submit', 'answers[answer]': letterIn(options, 'a') });
    expect(right.text).toContain('Total: <strong>1/1</strong>');
  });

  it('multiple choice: one checkbox per option, graded right-minus-wrong', async () => {
    const c = await signIn(h, (await h.student()).key);
    const page = await c.get('/practice/example-bert-masking-rule?seed=2');
    expect(page.text.match(/type="checkbox"/g)).toHaveLength(4);
    const v = (await h.store.variants.get(variantIdOf(page.text)))!;
    const options = (v.params as { options: string[] }).options;
    // Two of three right options and the one wrong: 1 × (2/3 − 1/1) < 0, so 0.
    const tick = (ids: string[]) => Object.fromEntries(ids.map((id) => [`answers[answer][${letterIn(options, id)}]`, 'on']));
    const r = await c.post(`/practice/v/${v.id}`, { _csrf: c.csrf(page.text), action: 'submit', ...tick(['mask', 'random', 'drop']) });
    expect(r.text).toContain('Total: <strong>0/1</strong>');
    expect(r.text).toMatch(new RegExp(`name="answers\\[answer\\]\\[${letterIn(options, 'drop')}\\]" value="on" checked`));
  });

  it('ordering: a position select per entry; a repeated position is named and nothing is graded', async () => {
    const c = await signIn(h, (await h.student()).key);
    const page = await c.get('/practice/example-rlhf-stages?seed=5');
    const v = (await h.store.variants.get(variantIdOf(page.text)))!;
    const order = (v.params as { order: string[] }).order;
    const truth = ['sft', 'rank', 'rm', 'ppo'];
    const fields = Object.fromEntries(truth.map((id, i) => [`answers[answer][${letterIn(order, id)}]`, String(i + 1)]));
    expect(page.text.match(/<select id="[^"]+" name="answers\[answer\]\[[A-D]\]">/g)).toHaveLength(4);
    const dup = await c.post(`/practice/v/${v.id}`, { _csrf: c.csrf(page.text), action: 'submit', ...fields, [`answers[answer][${letterIn(order, 'ppo')}]`]: '1' });
    expect(dup.text).toContain('two entries are in position 1');
    const r = await c.post(`/practice/v/${v.id}`, { _csrf: c.csrf(page.text), action: 'submit', ...fields });
    expect(r.text).toContain('Total: <strong>1/1</strong>');
  });

  it('matching: a select per numbered entry, partial credit per match', async () => {
    const c = await signIn(h, (await h.student()).key);
    const page = await c.get('/practice/example-lm-objectives?seed=6');
    const v = (await h.store.variants.get(variantIdOf(page.text)))!;
    const { lefts, rights } = v.params as { lefts: string[]; rights: string[] };
    const fields = Object.fromEntries(lefts.map((id, i) => [`answers[answer][${i + 1}]`, letterIn(rights, id)]));
    fields[`answers[answer][${lefts.indexOf('t5') + 1}]`] = letterIn(rights, '~1'); // T5 → the unused entry
    const r = await c.post(`/practice/v/${v.id}`, { _csrf: c.csrf(page.text), action: 'submit', ...fields });
    expect(r.text).toContain('Total: <strong>0.67/1</strong>');
  });

  it('exam page: a matching item\'s draft survives a reload, then the submit is graded', async () => {
    const exam = await h.call('POST', '/api/v1/exams', { key: h.instructor, body: { title: 'Concept quiz', blueprint: [{ topic: 'example-lm-objectives', count: 1 }], versions: 1, seed: 5 } });
    expect(exam.status, exam.text).toBe(201);
    const c = await signIn(h, (await h.student()).key);
    const page = await c.get(`/exams/${exam.body.id}`);
    expect(page.status).toBe(200);
    const action = /action="(\/exams\/[^"]+\/items\/[^"]+)"/.exec(page.text)![1];
    const v = (await h.store.variants.get(decodeURIComponent(action.split('/').pop()!)))!;
    const { lefts, rights } = v.params as { lefts: string[]; rights: string[] };
    const fields = Object.fromEntries(lefts.map((id, i) => [`answers[answer][${i + 1}]`, letterIn(rights, id)]));
    const draft = await c.post(action, { _csrf: c.csrf(page.text), action: 'draft', ...fields });
    expect(draft.status).toBe(303);
    const again = await c.get(`/exams/${exam.body.id}`);
    for (const [name, letter] of Object.entries(fields)) {
      expect(again.text).toMatch(new RegExp(`name="${name.replace(/[[\]]/g, '\\$&')}">[\\s\\S]*?<option value="${letter}" selected>`));
    }
    const submitted = await c.post(action, { _csrf: c.csrf(again.text), action: 'submit', ...fields });
    expect([200, 303]).toContain(submitted.status);
    const attempts = await h.store.attempts.listByVariant(v.id);
    expect(attempts).toHaveLength(1);
    expect(attempts[0].score).toBe(1);
  });

  it('the instructor question browser shows an item with its worked cases passing', async () => {
    const c = await signIn(h, h.instructor);
    const page = await c.get('/instructor/questions/example-gan-discriminator-goal?seed=3&test=1');
    expect(page.status, page.text.slice(0, 300)).toBe(200);
    expect(page.text).toContain('<code>option-b</code> on <code>answer</code>');
    expect(page.text).toMatch(/4 passed, 0 failed, of 4 cases/);
    expect(page.text).toContain('Goodfellow et al. 2014');
  });
});
