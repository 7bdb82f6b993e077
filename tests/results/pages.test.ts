/**
 * The instructor's results pages over HTTP (no JavaScript) and in chromium with axe: scores per item
 * and in total, sort links, the CSV download, one student's attempts step by step (answer and
 * expected value), the paper-answers upload with its line-by-line report; 403 for students.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import type { Harness } from '../api/harness.js';
import { axeViolations, chromiumRequiredOnCi, installed, launchChromium } from '../browser.js';
import { signIn, startPages, type PageClient } from '../pages/harness.js';

chromiumRequiredOnCi();

let h: Harness;
let examId: string;
let params: { p: number[]; q: number[]; base?: string }[];
const ids: Record<string, string> = {};

beforeAll(async () => {
  h = await startPages();
  const r = await h.call('POST', '/api/v1/exams', {
    key: h.instructor,
    body: { title: 'Results midterm', blueprint: [{ topic: 'kl-discrete', count: 2, difficulty: 'easy' }], versions: 1, seed: 11 },
  });
  examId = r.body.id;
  const versions = await h.call('GET', `/api/v1/exams/${examId}/versions`, { key: h.instructor });
  params = versions.body[0].variants.map((v: { params: object }) => v.params);
  for (const name of ['Zoe', 'Abe', 'Mia']) ids[name] = (await h.student(name)).id;
  // Mia opened the exam online (so she is assigned form A) and submitted nothing.
  await h.store.exams.assign(examId, ids.Mia, 1);
});
afterAll(async () => {
  await h?.close();
});

const logOf = (base?: string) => (x: number) => Math.log(x) / (base === '2' ? Math.LN2 : base === '10' ? Math.LN10 : 1);
function kl(i: number) {
  const { p, q, base } = params[i];
  const ratio = p.map((x, j) => logOf(base)(x / q[j]));
  const terms = p.map((x, j) => x * ratio[j]);
  return { ratio, terms, kl: terms.reduce((t, x) => t + x, 0) };
}

async function instructor(): Promise<PageClient> {
  return signIn(h, h.instructor);
}

/** Student name → [item 1 cell, item 2 cell, total] as the table shows them (text only). */
function table(html: string): [string, string[]][] {
  const body = /<tbody>([\s\S]*?)<\/tbody>/.exec(html)![1];
  return [...body.matchAll(/<tr data-user="[^"]+">([\s\S]*?)<\/tr>/g)].map((m) => {
    const name = /<th scope="row"><a [^>]+>([^<]+)<\/a>/.exec(m[1])![1];
    const cells = [...m[1].matchAll(/<td[^>]*>([\s\S]*?)<\/td>/g)].map((c) => c[1].replace(/<[^>]+>/g, '').trim());
    return [name, cells];
  });
}

describe('the results page', () => {
  it('takes paper answers by upload and reports refused rows by line and field', async () => {
    const c = await instructor();
    const page = await c.get(`/instructor/exams/${examId}/results`);
    expect(page.status).toBe(200);
    expect(table(page.text).map(([n]) => n)).toEqual(['Mia']);
    const a = kl(0);
    const b = kl(1);
    const csv = [
      'student,form,item,step,answer',
      `Zoe,A,1,log_ratio,"${JSON.stringify(a.ratio)}"`,
      `Zoe,A,1,terms,"${JSON.stringify(a.terms)}"`,
      `Zoe,A,1,kl,${a.kl}`,
      `Zoe,A,2,kl,${b.kl + 1}`,
      `Abe,A,2,kl,${b.kl}`,
      `Mia,A,1,kl,<script>`,
      'Nobody,A,1,kl,1',
    ].join('\n');
    const r = await c.post(`/instructor/exams/${examId}/paper-answers`, { _csrf: c.csrf(page.text), csv });
    expect(r.status).toBe(200);
    expect(r.text).toContain('Stored 5 answers in 3 paper attempts.');
    const rejected = /<table class="rejected">[\s\S]*?<\/table>/.exec(r.text)![0];
    const rows = [...rejected.matchAll(/<tr><td class="num">(\d+)<\/td><td>(\w+)<\/td><td>([^<]*)<\/td><\/tr>/g)].map((m) => [Number(m[1]), m[2]]);
    expect(rows).toEqual([
      [7, 'answer'],
      [8, 'student'],
    ]);
    // Escaped, never markup.
    expect(r.text).not.toContain('<script>`');
    expect(r.text).not.toMatch(/<td>[^<]*<script>/);
  });

  it('refuses a post without the CSRF token', async () => {
    const c = await instructor();
    await c.get(`/instructor/exams/${examId}/results`);
    const r = await c.post(`/instructor/exams/${examId}/paper-answers`, { csv: 'student,form,item,step,answer\nZoe,A,1,kl,0\n' });
    expect(r.status).toBe(403);
  });

  it('shows each student per item and in total, sorted by the links', async () => {
    const c = await instructor();
    const byName = table((await c.get(`/instructor/exams/${examId}/results`)).text);
    expect(byName.map(([n]) => n)).toEqual(['Abe', 'Mia', 'Zoe']);
    const zoe = byName.find(([n]) => n === 'Zoe')![1];
    // Form, item 1 (3 of 3), item 2 (log_ratio and terms blank, kl wrong: 0 of 3), total 3 of 6.
    expect(zoe).toEqual(['A', '3/3 P', '0/3 P', '3/6']);
    const abe = byName.find(([n]) => n === 'Abe')![1];
    expect(abe[1]).toBe('—');
    expect(abe[2]).toBe('1/3 P'); // kl right, the steps it rests on blank (shown policy)
    const page = await c.get(`/instructor/exams/${examId}/results?sort=total&dir=desc`);
    expect(table(page.text).map(([n]) => n)).toEqual(['Zoe', 'Abe', 'Mia']); // Mia: nothing stored, last
    expect(page.text).toMatch(/<th scope="col" class="num" aria-sort="descending"><a href="[^"]*sort&#x3D;total&amp;dir&#x3D;asc"/);
    const item2 = table((await c.get(`/instructor/exams/${examId}/results?sort=item-2&dir=asc`)).text).map(([n]) => n);
    expect(item2).toEqual(['Zoe', 'Abe', 'Mia']); // 0 < 1, then blank
    // A bad sort falls back to names.
    expect(table((await c.get(`/instructor/exams/${examId}/results?sort=item-99&dir=sideways`)).text).map(([n]) => n)).toEqual(['Abe', 'Mia', 'Zoe']);
  });

  it('downloads the results as CSV', async () => {
    const c = await instructor();
    const r = await c.get(`/instructor/exams/${examId}/results.csv`);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/^text\/csv/);
    const lines = r.text.trim().split('\r\n');
    expect(lines[0]).toBe('user_id,name,version,item_1,item_2,score,max_score');
    expect(lines.find((l) => l.includes(',Zoe,'))).toBe(`${ids.Zoe},Zoe,1,3,0,3,6`);
  });

  it("opens one student's attempts step by step with their answers and the expected values", async () => {
    const c = await instructor();
    const r = await c.get(`/instructor/exams/${examId}/results/${ids.Zoe}`);
    expect(r.status).toBe(200);
    expect(r.text).toContain('Form A');
    const item2 = /<section class="item" aria-labelledby="item-2">([\s\S]*?)<\/section>/.exec(r.text)![1];
    expect(item2).toContain('data-source="paper"');
    const klRow = /<tr class="status-(\w+)" data-step="kl"[\s\S]*?<\/tr>/.exec(item2)!;
    expect(klRow[1]).toBe('incorrect');
    const codes = [...klRow[0].matchAll(/<code>([^<]*)<\/code>/g)].map((m) => m[1]);
    expect(Number(codes[0])).toBeCloseTo(kl(1).kl + 1, 9); // their answer
    expect(Number(codes[1])).toBeCloseTo(kl(1).kl, 3); // the expected value (formatted)
    expect((await c.get(`/instructor/exams/${examId}/results/usr_nobody`)).status).toBe(404);
  });

  it('is 403 for a student on every route, and sends a signed-out visitor to sign in', async () => {
    const s = await h.student('Nosy');
    const c = await signIn(h, s.key);
    for (const path of [`/instructor/exams/${examId}/results`, `/instructor/exams/${examId}/results.csv`, `/instructor/exams/${examId}/results/${ids.Zoe}`]) {
      const r = await c.get(path);
      expect(r.status, path).toBe(403);
      expect(r.text).not.toContain('Zoe');
    }
    const home = await c.get('/');
    const post = await c.post(`/instructor/exams/${examId}/paper-answers`, { _csrf: c.csrf(home.text), csv: `student,form,item,step,answer\nZoe,A,1,kl,0\n` });
    expect(post.status).toBe(403);
    const before = (await h.call('GET', `/api/v1/exams/${examId}/results`, { key: h.instructor })).body;
    expect(before.students.find((x: { name: string }) => x.name === 'Zoe').items[0].score).toBeCloseTo(3, 9);
    const anon = await fetch(`${h.url}/instructor/exams/${examId}/results`, { redirect: 'manual' });
    expect(anon.status).toBe(303);
  });
});

describe.skipIf(!installed)('in chromium', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchChromium();
  }, 30_000);
  afterAll(async () => {
    await browser?.close();
  });

  it('the results and student pages pass axe (WCAG 2.1 AA), light and dark, and sort without JavaScript', async () => {
    for (const scheme of ['light', 'dark'] as const) {
      const ctx = await browser.newContext({ colorScheme: scheme, bypassCSP: true });
      ctx.setDefaultTimeout(8000);
      const page = await ctx.newPage();
      await page.goto(`${h.url}/login`);
      await page.getByLabel('API key').fill(h.instructor);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.waitForURL(`${h.url}/`);
      await page.goto(`${h.url}/instructor/exams/${examId}/results`);
      await page.getByRole('link', { name: /Total/ }).click();
      await page.waitForURL(/sort=total/);
      expect(await page.locator('tbody th[scope=row]').allTextContents()).toEqual(['Abe', 'Zoe', 'Mia']); // ascending: Abe 1, Zoe 3, Mia (nothing submitted) last
      const v = await axeViolations(page);
      expect(v.violations, `results (${scheme})`).toEqual([]);
      expect(v.passes).toBeGreaterThan(10);
      // The upload form and its report (a refused row), as an instructor sends it.
      await page.getByLabel(/Paste the typed-in answers/).fill('student,form,item,step,answer\nNobody,A,1,kl,1\n');
      await page.getByRole('button', { name: 'Grade and store' }).click();
      await page.waitForURL(/paper-answers$/);
      expect(await page.locator('table.rejected tbody tr').count()).toBe(1);
      const u = await axeViolations(page);
      expect(u.violations, `upload report (${scheme})`).toEqual([]);
      await page.goto(`${h.url}/instructor/exams/${examId}/results`);
      await page.getByRole('link', { name: 'Zoe' }).click();
      await page.waitForURL(new RegExp(`/results/${ids.Zoe}$`));
      const s = await axeViolations(page);
      expect(s.violations, `student (${scheme})`).toEqual([]);
      await ctx.close();
    }
  }, 60_000);
});
