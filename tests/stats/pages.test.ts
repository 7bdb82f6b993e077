/**
 * The statistics pages: instructors only, every figure in tables beside plots rendered to SVG on the
 * server (named and described for screen readers), CSV download; axe in chromium, light and dark.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import type { Harness } from '../api/harness.js';
import { axeViolations, chromiumRequiredOnCi, installed, launchChromium } from '../browser.js';
import { signIn, startPages } from '../pages/harness.js';
import { seedExam } from './seed.js';

chromiumRequiredOnCi();

let h: Harness;
let examId: string;
let courseId: string;
beforeAll(async () => {
  h = await startPages();
  examId = await seedExam(h, 8);
  courseId = (await h.call('POST', '/api/v1/courses', { key: h.instructor, body: { title: 'Deep learning' } })).body.id;
}, 60_000);
afterAll(() => h?.close());

describe('statistics pages over HTTP', () => {
  it('an exam’s page: summary, plots as inline SVG with a title and description, tables, CSV link', async () => {
    const c = await signIn(h, h.instructor);
    const r = await c.get(`/instructor/exams/${examId}/statistics`);
    expect(r.status, r.text.slice(0, 300)).toBe(200);
    expect(r.text).toMatch(/<h1>Statistics: Midterm<\/h1>/);
    expect(r.text).toMatch(/Fewer than 20 respondents \(8\)/);
    expect(r.text).toMatch(/<dd data-stat="n">8<\/dd>/);
    // Four plots (histogram, facility, discrimination, misconceptions), each an accessible image.
    const svgs = r.text.match(/<svg role="img" aria-labelledby="(\w+)-t \1-d"[^>]*><title id="\1-t">[^<]+<\/title><desc id="\1-d">[^<]+<\/desc>/g) ?? [];
    expect(svgs).toHaveLength(4);
    expect(r.text).toMatch(/data-misconception="ratio-reversed"/);
    // Item 1 kl: right for k ≡ 0, 2 (mod 4), carried for k ≡ 1, blank for k ≡ 3 → 6 of 8 = 75 %, whatever the
    // exam's (secret-seeded) params; the page shows what the API reports.
    expect(r.text).toMatch(/<tr class="step" data-item="1" data-step="kl"><th scope="row"><span class="indent">kl<\/span><\/th><td>8\*<\/td><td>75 %<\/td>/);
    const api = await h.call('GET', `/api/v1/exams/${examId}/statistics`, { key: h.instructor });
    const lr = api.body.steps.find((x: { item: number; step: string }) => x.item === 1 && x.step === 'log_ratio');
    expect(r.text).toContain(`data-step="log_ratio"><th scope="row"><span class="indent">log_ratio</span></th><td>8*</td><td>${Math.round(lr.facility * 100)} %</td>`);
    const csv = await c.get(`/instructor/exams/${examId}/statistics.csv`);
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(csv.text.split('\r\n')[0]).toMatch(/^level,item,step,/);
  });

  it('an exam nobody has sat yet: the page, with no figures to show', async () => {
    const c = await signIn(h, h.instructor);
    const e = await h.call('POST', '/api/v1/exams', { key: h.instructor, body: { title: 'Empty', blueprint: [{ topic: 'kl-discrete', count: 1 }], versions: 1 } });
    const r = await c.get(`/instructor/exams/${e.body.id}/statistics`);
    expect(r.status).toBe(200);
    expect(r.text).toMatch(/<dd data-stat="n">0<\/dd>/);
    expect(r.text).toMatch(/No respondents yet/);
    expect(r.text).not.toMatch(/NaN/);
  });

  it('practice pool page: a chooser without a course, the statistics with one', async () => {
    const c = await signIn(h, h.instructor);
    const chooser = await c.get('/instructor/statistics');
    expect(chooser.status).toBe(200);
    expect(chooser.text).toMatch(/<select id="course" name="course">/);
    const s = await h.student('Practiser');
    const v = await h.call('POST', '/api/v1/variants', { key: s.key, body: { topic: 'kl-discrete', courseId } });
    await h.call('POST', `/api/v1/variants/${v.body.id}/attempts`, { key: s.key, body: { answers: { kl: 0.5 } } });
    const r = await c.get(`/instructor/statistics?course=${courseId}&topic=kl-discrete`);
    expect(r.status).toBe(200);
    expect(r.text).toMatch(/Practice statistics: Deep learning · kl-discrete/);
    expect(r.text).toMatch(/<dd data-stat="n">1<\/dd>/);
    expect((await c.get(`/instructor/statistics?course=crs_none`)).status).toBe(404);
  });

  it('students get 403 and nothing of the statistics; signed-out visitors go to sign in', async () => {
    const s = await h.student('Nosy');
    const c = await signIn(h, s.key);
    for (const path of [`/instructor/exams/${examId}/statistics`, `/instructor/exams/${examId}/statistics.csv`, `/instructor/statistics?course=${courseId}`]) {
      const r = await c.get(path);
      expect(r.status, path).toBe(403);
      expect(r.text).not.toMatch(/ratio-reversed|facility/i);
    }
    const anon = await fetch(`${h.url}/instructor/exams/${examId}/statistics`, { redirect: 'manual' });
    expect(anon.status).toBe(303);
  });
});

describe.skipIf(!installed)('statistics pages in chromium', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(() => browser?.close());

  it('pass axe (WCAG 2.1 AA), light and dark', async () => {
    for (const scheme of ['light', 'dark'] as const) {
      const ctx = await browser.newContext({ colorScheme: scheme, bypassCSP: true });
      ctx.setDefaultTimeout(8000);
      const page = await ctx.newPage();
      await page.goto(`${h.url}/login`);
      await page.getByLabel('API key').fill(h.instructor);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.waitForURL(`${h.url}/`);
      for (const path of [`/instructor/exams/${examId}/statistics`, '/instructor/statistics', `/instructor/statistics?course=${courseId}`]) {
        await page.goto(h.url + path);
        const v = await axeViolations(page);
        expect(v.violations, `${path}, ${scheme}`).toEqual([]);
        expect(v.passes).toBeGreaterThan(10);
      }
      // The plots are drawn: each SVG has a size and is named by its title.
      const named = await page.goto(`${h.url}/instructor/exams/${examId}/statistics`).then(() => page.getByRole('img', { name: 'Score histogram' }).count());
      expect(named).toBe(1);
      await ctx.close();
    }
  }, 60_000);
});
