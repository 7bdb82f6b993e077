/**
 * The builder's instructor pages over HTTP (no JavaScript): home, question browser with preview
 * and "test this question", the exam builder (rows, preview, freeze), the exam overview with
 * release, and courses with students and keys. Instructors only (a student gets 403 on every page
 * and post), CSRF on every post, nothing stored by a preview.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { solveProblem, generateProblem, listQuestions, listTopics } from '../../src/engine.js';
import { formatValue } from '../../src/core/format.js';
import type { Harness } from '../api/harness.js';
import { signIn, startPages, type PageClient } from '../pages/harness.js';

let h: Harness;
let ins: PageClient;
let stu: PageClient;
let stuKey: string;
beforeAll(async () => {
  h = await startPages();
  ins = await signIn(h, h.instructor);
  const s = await h.student('Sam Student');
  stuKey = s.key;
  stu = await signIn(h, s.key);
});
afterAll(() => h.close());

const count = (table: string): number => (h.store.db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
const decode = (s: string) => s.replace(/&amp;/g, '&').replace(/&#x27;/g, "'").replace(/&quot;/g, '"').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&#x3D;/g, '=');

/** The builder form's fields for `rows` (ref, count, difficulty, marks) and the rest. */
function builderForm(csrf: string, rows: [string, string, string, string][], rest: Record<string, string> = {}): Record<string, string> {
  const f: Record<string, string> = { _csrf: csrf, rows: String(rows.length), title: 'Midterm', versions: '2', seed: '1234', ecfPenalty: '', opensAt: '', closesAt: '', attemptLimit: '1', feedback: 'none', counts: 'last', blankSteps: 'shown', ...rest };
  rows.forEach(([ref, n, d, m], i) => Object.assign(f, { [`row${i}.ref`]: ref, [`row${i}.count`]: n, [`row${i}.difficulty`]: d, [`row${i}.marks`]: m }));
  return f;
}
const hidden = (html: string, name: string) => new RegExp(`name="${name}" value="([^"]*)"`).exec(html)?.[1];

describe('access', () => {
  const pages = ['/instructor', '/instructor/questions', '/instructor/questions/kl-discrete?seed=3', '/instructor/exams/new', '/instructor/courses'];
  it('a student gets a 403 page on every instructor page, with nothing of it', async () => {
    for (const p of pages) {
      const r = await stu.get(p);
      expect(r.status, p).toBe(403);
      expect(r.text).toContain('This page is for instructors');
      expect(r.text).not.toMatch(/Worked solution|data-values|New exam/);
    }
  });

  it('a student’s posts (with their own valid CSRF token) are refused with 403, storing nothing', async () => {
    const csrf = stu.csrf((await stu.get('/')).text);
    const exams = count('exams');
    const courses = count('courses');
    expect((await stu.post('/instructor/exams/new', builderForm(csrf, [['kl-discrete', '1', 'easy', '']], { action: 'preview' }))).status).toBe(403);
    expect((await stu.post('/instructor/courses', { _csrf: csrf, title: 'Mine' })).status).toBe(403);
    expect(count('exams')).toBe(exams);
    expect(count('courses')).toBe(courses);
  });

  it('posts without the CSRF token, or from another origin, are refused', async () => {
    const csrf = ins.csrf((await ins.get('/instructor/courses')).text);
    expect((await ins.post('/instructor/courses', { _csrf: 'wrong', title: 'X' })).status).toBe(403);
    expect((await ins.post('/instructor/courses', { title: 'X' })).status).toBe(403);
    expect((await ins.post('/instructor/courses', { _csrf: csrf, title: 'X' }, { origin: 'https://evil.example' })).status).toBe(403);
    expect(count('courses')).toBe(0);
  });

  it('signed out: a GET goes to the sign-in page', async () => {
    const r = await fetch(`${h.url}/instructor`, { redirect: 'manual' });
    expect(r.status).toBe(303);
    expect(r.headers.get('location')).toBe('/login?next=%2Finstructor');
  });
});

describe('question browser', () => {
  it('lists every topic and bank question', async () => {
    const r = await ins.get('/instructor/questions');
    expect(r.status).toBe(200);
    for (const t of listTopics()) expect(r.text).toContain(`data-ref="${t.id}"`);
    for (const q of listQuestions()) expect(r.text).toContain(`data-ref="${q.id}"`);
  });

  it('shows a variant as a student sees it, every step’s value and the worked solution, storing no variant', async () => {
    const before = count('variants');
    const r = await ins.get('/instructor/questions/diffusion-step?seed=7&difficulty=easy');
    expect(r.status, r.text.slice(0, 300)).toBe(200);
    const p = generateProblem('diffusion-step', 7, 'easy');
    // The student's read-only item: every asked step's input, disabled, no form.
    for (const s of p.steps) expect(r.text).toMatch(new RegExp(`<fieldset class="step" id="q-step-${s}"[^>]* disabled>`));
    expect(r.text).not.toContain('<form method="post"  class="answers"');
    for (const s of solveProblem('diffusion-step', p.params).steps) expect(decode(r.text)).toContain(`<tr data-step="${s.id}"><th scope="row"><code>${s.id}</code>`);
    const beta = (p.params as { beta: number }).beta;
    // signal_coef = √(1 − β), computed here by hand.
    expect(decode(r.text)).toContain(`<code>${formatValue(Math.sqrt(1 - beta))}</code>`);
    expect(r.text).toContain('Worked solution');
    expect(count('variants')).toBe(before);
  });

  it('"test this question" shows each case’s outcome: all pass for a sound topic', async () => {
    const r = await ins.get('/instructor/questions/diffusion-step?seed=7&difficulty=easy&test=1');
    expect(r.status).toBe(200);
    const cases = [...r.text.matchAll(/data-case="([^"]+)" data-outcome="([^"]+)"/g)].map((m) => [m[1], m[2]]);
    expect(cases).toEqual([['correct', 'pass'], ['signal-no-square-root', 'pass'], ['signal-one-minus-sqrt-beta', 'pass'], ['noise-no-square-root', 'pass'], ['coefficients-swapped', 'pass'], ['x-t-no-square-roots', 'pass']]);
    expect(r.text).toMatch(/6 passed, 0 failed, of 6 cases/);
  });

  it('an unknown ref is a 404 page; a bad seed or difficulty a 422 page naming it', async () => {
    expect((await ins.get('/instructor/questions/nope')).status).toBe(404);
    const bad = await ins.get('/instructor/questions/kl-discrete?seed=-4');
    expect(bad.status).toBe(422);
    expect(bad.text).toContain('seed must be a whole number');
    const d = await ins.get('/instructor/questions/kl-discrete?seed=1&difficulty=brutal');
    expect(d.status).toBe(422);
    expect(d.text).toContain('difficulty must be one of');
  });
});

describe('exam builder', () => {
  let csrf: string;
  beforeAll(async () => {
    csrf = ins.csrf((await ins.get('/instructor/exams/new')).text);
  });

  it('starts with three empty rows; "Add rows" adds three, keeping what was typed; "Remove" drops one', async () => {
    const first = await ins.get('/instructor/exams/new');
    expect([...first.text.matchAll(/<tr data-row="/g)].length).toBe(3);
    const added = await ins.post('/instructor/exams/new', builderForm(csrf, [['kl-discrete', '2', 'hard', '5'], ['', '1', 'medium', ''], ['', '1', 'medium', '']], { action: 'add-rows', title: 'Keep me' }));
    expect(added.status).toBe(200);
    expect([...added.text.matchAll(/<tr data-row="/g)].length).toBe(6);
    expect(added.text).toContain('value="Keep me"');
    expect(added.text).toMatch(/<option value="kl-discrete" selected>/);
    const removed = await ins.post('/instructor/exams/new', builderForm(csrf, [['kl-discrete', '2', 'hard', '5'], ['diffusion-step', '1', 'easy', '']], { action: 'remove:0' }));
    expect([...removed.text.matchAll(/<tr data-row="/g)].length).toBe(1);
    expect(removed.text).toMatch(/<option value="diffusion-step" selected>/);
  });

  it('preview shows every version side by side and stores nothing; freeze stores exactly the preview', async () => {
    const exams = count('exams');
    const variants = count('variants');
    const form = builderForm(csrf, [['kl-discrete', '2', 'easy', '10'], ['diffusion-step-one-step', '1', 'medium', '']], { versions: '3', seed: '', ecfPenalty: '1' });
    const p = await ins.post('/instructor/exams/new', { ...form, action: 'preview' });
    expect(p.status, p.text.slice(0, 500)).toBe(200);
    expect(count('exams')).toBe(exams);
    expect(count('variants')).toBe(variants);
    expect([...p.text.matchAll(/<section class="version" data-version="(\d)"/g)].map((m) => m[1])).toEqual(['1', '2', '3']);
    expect(p.text).toContain('Form C');
    const seed = hidden(p.text, 'seed')!;
    expect(seed).toMatch(/^\d+$/); // a blank seed was chosen and kept in the form
    const examId = hidden(p.text, 'examId')!;
    const previewed = hidden(p.text, 'previewed')!;
    const items = [...p.text.matchAll(/<li data-item="(\d)" data-ref="([^"]+)">\s*<p><strong>[^<]*<\/strong> <span class="small">\(<code>[^<]*<\/code>, [a-z]+, ([\d.]+) marks/g)].map((m) => [m[2], Number(m[3])]);
    expect(items).toEqual([...Array(3)].flatMap(() => [['kl-discrete', 10], ['kl-discrete', 10], ['diffusion-step-one-step', 4]]));
    const prompts = [...p.text.matchAll(/<div class="prompt">([\s\S]*?)<\/div>\n<\/li>/g)].map((m) => m[1]);

    const f = await ins.post('/instructor/exams/new', { ...form, seed, examId, previewed, action: 'freeze' });
    expect(f.status, f.text.slice(0, 500)).toBe(303);
    expect(f.headers.get('location')).toBe(`/instructor/exams/${examId}`);
    const exam = (await h.store.exams.get(examId))!;
    expect(exam).toMatchObject({ title: 'Midterm', versions: 3, seed: Number(seed), ecfPenalty: 1 });
    expect(exam.blueprint).toEqual([{ ref: 'kl-discrete', count: 2, difficulty: 'easy', marks: 10 }, { ref: 'diffusion-step-one-step', count: 1, difficulty: 'medium' }]);
    // The overview shows the same items with the same prompts as the preview.
    const o = await ins.get(`/instructor/exams/${examId}`);
    expect(o.status).toBe(200);
    expect([...o.text.matchAll(/<div class="prompt">([\s\S]*?)<\/div>\n<\/li>/g)].map((m) => m[1])).toEqual(prompts);
    expect(o.text).toContain(`href="/instructor/exams/${examId}/results"`);
    expect(o.text).toContain(`href="/instructor/exams/${examId}/statistics"`);
    expect(o.text).toContain(`href="/instructor/exams/${examId}/print"`);
    expect(o.text).toContain('ECF: none (carried steps earn nothing)');
    // Freezing the same preview again is refused (the id is taken).
    const again = await ins.post('/instructor/exams/new', { ...form, seed, examId, previewed, action: 'freeze' });
    expect(again.status).toBe(409);
    expect(count('exams')).toBe(exams + 1);
  });

  it('freeze after the form changed previews again instead of storing', async () => {
    const form = builderForm(csrf, [['kl-discrete', '1', 'easy', '']]);
    const p = await ins.post('/instructor/exams/new', { ...form, action: 'preview' });
    const exams = count('exams');
    const changed = { ...form, 'row0.count': '2', examId: hidden(p.text, 'examId')!, previewed: hidden(p.text, 'previewed')!, action: 'freeze' };
    const r = await ins.post('/instructor/exams/new', changed);
    expect(r.status).toBe(200);
    expect(r.text).toContain('The form changed since the preview');
    expect(count('exams')).toBe(exams);
  });

  it('bad values come back as the form with a notice naming the field, storing nothing', async () => {
    const exams = count('exams');
    const cases: [Record<string, string>, string, RegExp][] = [
      [{ 'row0.marks': '0' }, 'body.blueprint[0].marks', /marks must be a number above 0/],
      [{ 'row0.marks': 'ten' }, 'body.blueprint[0].marks', /got &quot;ten&quot;/],
      [{ ecfPenalty: '1.5' }, 'body.ecfPenalty', /ecfPenalty must be a number from 0/],
      [{ versions: '0' }, 'body.versions', /versions must be a whole number/],
      [{ 'row0.count': '30' }, 'body.blueprint[0].count', /count must be a whole number from 1 to 20/],
      [{ closesAt: '2030-01-01T10:00', opensAt: '2030-01-01T12:00' }, 'body.closesAt', /must be after/],
      [{ title: '' }, 'body.title', /title/],
      [{ seed: 'x' }, 'body.seed', /seed must be a whole number/],
    ];
    for (const [change, fieldName, message] of cases) {
      const r = await ins.post('/instructor/exams/new', { ...builderForm(csrf, [['kl-discrete', '1', 'easy', '']]), ...change, action: 'preview' });
      expect(r.status, JSON.stringify(change)).toBe(422);
      expect(r.text, JSON.stringify(change)).toContain(`data-field="${fieldName}"`);
      expect(r.text).toMatch(message);
    }
    expect(count('exams')).toBe(exams);
  });
});

describe('home and release', () => {
  it('lists exams with their state and links; release needs "end the exam now" before the close', async () => {
    const made = await h.call('POST', '/api/v1/exams', { key: h.instructor, body: { title: 'Quiz <1>', blueprint: [{ topic: 'kl-discrete', count: 1 }], versions: 1 } });
    const id = made.body.id as string;
    const home = await ins.get('/instructor');
    expect(home.status).toBe(200);
    expect(home.text).toMatch(new RegExp(`<tr data-exam="${id}" data-state="open">`));
    expect(home.text).toContain('Quiz &lt;1&gt;');
    for (const area of ['results', 'statistics', 'print']) expect(home.text).toContain(`href="/instructor/exams/${id}/${area}"`);
    expect(home.text).toContain('href="/instructor/questions"');
    expect(home.text).toContain('href="/instructor/courses"');

    const csrf = ins.csrf((await ins.get(`/instructor/exams/${id}`)).text);
    const refused = await ins.post(`/instructor/exams/${id}/release`, { _csrf: csrf });
    expect(refused.status).toBe(409);
    expect(refused.text).toContain('End the exam now');
    expect((await h.store.exams.get(id))!.releasedAt).toBeUndefined();
    const ok = await ins.post(`/instructor/exams/${id}/release`, { _csrf: csrf, force: 'yes' });
    expect(ok.status).toBe(303);
    expect((await h.store.exams.get(id))!.releasedAt).toBeDefined();
    expect((await ins.get('/instructor')).text).toMatch(new RegExp(`<tr data-exam="${id}" data-state="released">`));
    // A student cannot release.
    const sc = stu.csrf((await stu.get('/')).text);
    expect((await stu.post(`/instructor/exams/${id}/release`, { _csrf: sc, force: 'yes' })).status).toBe(403);
  });
});

describe('courses, students and keys', () => {
  it('creates a course, adds a student whose key is shown once and works, lists keys by prefix only, revokes', async () => {
    const csrf = ins.csrf((await ins.get('/instructor/courses')).text);
    const blank = await ins.post('/instructor/courses', { _csrf: csrf, title: '  ' });
    expect(blank.status).toBe(422);
    const made = await ins.post('/instructor/courses', { _csrf: csrf, title: 'DL 101' });
    expect(made.status).toBe(303);
    const path = made.headers.get('location')!;
    const added = await ins.post(`${path}/students`, { _csrf: csrf, name: 'Ada' });
    expect(added.status).toBe(201);
    const secret = /data-new-key>([^<]+)</.exec(added.text)![1];
    expect((await h.call('GET', '/api/v1/users/me', { key: secret })).body).toMatchObject({ name: 'Ada', role: 'student' });
    const page = await ins.get(path);
    expect(page.text).not.toContain(secret);
    expect(page.text).toContain(`<code>${secret.slice(0, 8)}`);
    const list = await ins.get('/instructor/courses');
    expect(list.text).toMatch(/DL 101<\/a><\/th><td>[^<]*<\/td><td>1<\/td>/);
    // Revoke: the key stops working and shows as revoked.
    const revoke = /action="([^"]+\/revoke)"/.exec(page.text)![1];
    expect((await ins.post(revoke, { _csrf: csrf })).status).toBe(303);
    expect((await h.call('GET', '/api/v1/users/me', { key: secret })).status).toBe(401);
    expect((await ins.get(path)).text).toMatch(/data-active="false"><code>[^<]+<\/code> first key, made [^:]+:\d\d UTC: revoked/);
    // A key of someone not on this roster cannot be revoked through it.
    const other = await h.call('GET', '/api/v1/users/me', { key: stuKey });
    const keyId = (await h.store.keys.list(other.body.id))[0].id;
    expect((await ins.post(`${path}/students/${other.body.id}/keys/${keyId}/revoke`, { _csrf: csrf })).status).toBe(404);
  });
});
