/**
 * "Your exams" on the home page, over HTTP: every exam the student was assigned a version of,
 * newest first, with a link and its state in words; only what the exam's feedback policy lets the
 * student see (no score or answers before release under `none`); nothing for a student with no
 * exam, nor for an instructor.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { solveProblem } from '../../src/engine.js';
import type { Harness } from '../api/harness.js';
import { signIn, startPages, type PageClient } from './harness.js';

let h: Harness;
beforeEach(async () => {
  h = await startPages();
});
afterEach(async () => {
  await h.close();
});

const HOUR = 3_600_000;
const at = (offsetMs: number) => new Date(Date.now() + offsetMs).toISOString();
const utc = (iso: string) => `${iso.slice(0, 16).replace('T', ' ')} UTC`;
const TWO_ITEMS = [{ topic: 'kl-discrete', count: 1, difficulty: 'easy' }, { topic: 'diffusion-step', count: 1, difficulty: 'easy' }];

async function makeExam(title: string, rules: Record<string, unknown> = {}, blueprint: object[] = TWO_ITEMS) {
  const r = await h.call('POST', '/api/v1/exams', { key: h.instructor, body: { title, blueprint, versions: 2, seed: 7, ...rules } });
  expect(r.status, r.text).toBe(201);
  return r.body as { id: string; closesAt?: string; opensAt?: string; manifest: { seed: number }[][] };
}

type V = { id: string; topic: string; params: object; steps: string[] };
/** Opens the exam page (which assigns the version), then the student's variants from the API. */
async function sit(c: PageClient, key: string, examId: string): Promise<V[]> {
  expect((await c.get(`/exams/${examId}`)).status).toBe(200);
  const mine = await h.call('GET', `/api/v1/exams/${examId}/my-version`, { key });
  expect(mine.status, mine.text).toBe(200);
  return mine.body.variants as V[];
}

function rightAnswers(v: V): Record<string, unknown> {
  const solved = solveProblem(v.topic, v.params).steps.filter((s) => v.steps.includes(s.id));
  return JSON.parse(JSON.stringify(Object.fromEntries(solved.map((s) => [s.id, s.value]))));
}

async function submit(key: string, v: V, answers: object) {
  const r = await h.call('POST', `/api/v1/variants/${v.id}/attempts`, { key, body: { answers } });
  expect(r.status, r.text).toBe(201);
}

/** The "Your exams" entries of a home page, in order: id, state and the entry's HTML. */
function examEntries(html: string) {
  return [...html.matchAll(/<li data-exam="([^"]+)" data-state="([^"]+)">([\s\S]*?)<\/li>/g)].map((m) => ({ id: m[1], state: m[2], html: m[3] }));
}
const examsSection = (html: string) => /<section aria-labelledby="exams-h">[\s\S]*?<\/section>/.exec(html)?.[0] ?? '';

describe("home: the student's exams", () => {
  it('lists an open and a released exam, newest first, each with a link and its state in words', async () => {
    const open = await makeExam('Midterm', { closesAt: at(2 * HOUR), attemptLimit: 2 });
    const released = await makeExam('Quiz 1');
    const s = await h.student();
    const c = await signIn(h, s.key);
    const openItems = await sit(c, s.key, open.id);
    const relItems = await sit(c, s.key, released.id);
    await submit(s.key, openItems[0], rightAnswers(openItems[0]));
    await submit(s.key, relItems[0], rightAnswers(relItems[0]));
    await submit(s.key, relItems[1], {}); // blank: nothing earned under blankSteps "shown"
    expect((await h.call('POST', `/api/v1/exams/${released.id}/release`, { key: h.instructor, body: { force: true } })).status).toBe(200);

    const home = await c.get('/');
    expect(home.status).toBe(200);
    expect(home.text).toContain('<h2 id="exams-h">Your exams</h2>');
    const entries = examEntries(home.text);
    expect(entries.map((e) => [e.id, e.state])).toEqual([
      [released.id, 'released'],
      [open.id, 'open'],
    ]);
    const [rel, opn] = entries;
    expect(rel.html).toContain(`href="/exams/${released.id}"`);
    expect(opn.html).toContain(`href="/exams/${open.id}"`);

    expect(opn.html).toContain('<strong>Open</strong>');
    expect(opn.html).toContain(`Closes at ${utc(open.closesAt!)}.`);
    // One item submitted once: of 2 × 2 submissions, 3 remain.
    expect(opn.html).toContain('1 of 2 items answered; 3 submissions left (2 per item).');
    expect(opn.html).not.toMatch(/score/i);

    // The counted total: the graded attempts' scores as stored (item 2 blank), out of both items' marks.
    const attempts = (await h.store.attempts.listByExam(released.id)).filter((a) => a.userId === s.id);
    expect(attempts).toHaveLength(2);
    const expected = attempts.reduce((t, a) => t + a.score, 0);
    const max = attempts.reduce((t, a) => t + a.maxScore, 0);
    expect(expected).toBeGreaterThan(0);
    expect(expected).toBeLessThan(max);
    expect(rel.html).toContain('<strong>Released</strong>');
    const m = /Your score: ([\d.]+)\/([\d.]+)\./.exec(rel.html);
    expect(m, rel.html).not.toBeNull();
    expect(Number(m![1])).toBeCloseTo(expected, 2);
    expect(Number(m![2])).toBeCloseTo(max, 2);

    // The links lead to the exam pages.
    expect((await c.get(`/exams/${open.id}`)).status).toBe(200);
    // No exam's item seeds anywhere in the page.
    for (const e of [open, released]) for (const seed of e.manifest.flat().map((i) => i.seed)) expect(home.text).not.toContain(String(seed));
  });

  it('shows no exam section to a student assigned none, nor to an instructor', async () => {
    const e = await makeExam('Midterm');
    const sitting = await h.student('Sitting');
    const sc = await signIn(h, sitting.key);
    await sit(sc, sitting.key, e.id);
    expect(examEntries((await sc.get('/')).text).map((x) => x.id)).toEqual([e.id]);

    const other = await h.student('Other');
    const home = await (await signIn(h, other.key)).get('/');
    expect(home.status).toBe(200);
    expect(home.text).not.toContain('Your exams');
    expect(home.text).not.toContain('data-exam=');
    expect(home.text).not.toContain(`/exams/${e.id}`);

    const ic = await signIn(h, h.instructor);
    expect((await ic.get(`/exams/${e.id}`)).status).toBe(200);
    const ihome = await ic.get('/');
    expect(ihome.status).toBe(200);
    expect(ihome.text).not.toContain('Your exams');
  });

  it('under feedback none, a submitted exam awaiting release shows neither score nor answers; under full, the score so far', async () => {
    const one = [{ topic: 'kl-discrete', count: 1, difficulty: 'easy' }];
    const none = await makeExam('Hidden', { feedback: 'none' }, one);
    const full = await makeExam('Shown', { feedback: 'full' }, one);
    const s = await h.student();
    const c = await signIn(h, s.key);
    const [vNone] = await sit(c, s.key, none.id);
    const [vFull] = await sit(c, s.key, full.id);
    const right = rightAnswers(vNone);
    await submit(s.key, vNone, right);
    await submit(s.key, vFull, rightAnswers(vFull));

    const home = await c.get('/');
    const byId = new Map(examEntries(home.text).map((e) => [e.id, e]));
    const hidden = byId.get(none.id)!;
    expect(hidden.state).toBe('awaiting_release');
    expect(hidden.html).toContain('<strong>Submitted — awaiting release</strong>');
    expect(hidden.html).toContain('1 of 1 item answered.');
    expect(hidden.html).not.toMatch(/score|correct|\d+\/\d+/i);
    // No expected value of the item anywhere in the exams section (nor any step status).
    const section = examsSection(home.text);
    expect(section).not.toBe('');
    for (const x of Object.values(right).flat(2)) if (typeof x === 'number' && !Number.isInteger(x)) expect(section).not.toContain(String(x).slice(0, 6));
    expect(home.text).not.toContain('data-status=');

    const shown = byId.get(full.id)!;
    expect(shown.state).toBe('awaiting_release');
    const [a] = await h.store.attempts.listByVariant(vFull.id);
    const m = /Your score so far: ([\d.]+)\/([\d.]+)\./.exec(shown.html);
    expect(m, shown.html).not.toBeNull();
    expect(Number(m![1])).toBeCloseTo(a.score, 2);
    expect(Number(m![2])).toBeCloseTo(a.maxScore, 2);
  });

  it('an exam not open yet says when it opens; a closed one with nothing submitted awaits release', async () => {
    const later = await makeExam('Final', { opensAt: at(HOUR) });
    const closed = await makeExam('Past', { opensAt: at(-2 * HOUR), closesAt: at(-HOUR) });
    const s = await h.student();
    const c = await signIn(h, s.key);
    // No page assigns a version before the exam opens; the store can (as a launch-time assignment would).
    await h.store.exams.assign(later.id, s.id, 2);
    await sit(c, s.key, closed.id);
    const byId = new Map(examEntries((await c.get('/')).text).map((e) => [e.id, e]));
    expect(byId.get(later.id)!.state).toBe('not_open');
    expect(byId.get(later.id)!.html).toContain(`<strong>Not open yet</strong> <span class="small">Opens at ${utc(later.opensAt!)}.</span>`);
    expect(byId.get(closed.id)!.state).toBe('awaiting_release');
    expect(byId.get(closed.id)!.html).toContain('<strong>Closed — awaiting release</strong>');
    expect(byId.get(closed.id)!.html).toContain('0 of 2 items answered.');
  });
});
