/**
 * The exam builder end to end in chromium (Debian's, via playwright-core): an instructor signs
 * in, fills two rows (after "Add rows"), previews the versions side by side, freezes, and lands on
 * the exam's overview. Every instructor page kind passes axe (WCAG 2.1 AA), light and dark.
 */
import { mkdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { Harness } from '../api/harness.js';
import { axeViolations, chromiumRequiredOnCi, installed, launchChromium } from '../browser.js';
import { startPages } from '../pages/harness.js';

chromiumRequiredOnCi();
/** Set STEPWISE_SCREENSHOTS=<dir> to keep screenshots of the builder. */
const SHOTS = process.env.STEPWISE_SCREENSHOTS;

let h: Harness;
let browser: Browser;

beforeAll(async () => {
  if (!installed) return;
  h = await startPages();
  browser = await launchChromium();
  if (SHOTS) mkdirSync(SHOTS, { recursive: true });
}, 30_000);

afterAll(async () => {
  await browser?.close();
  await h?.close();
});

async function instructor(scheme: 'light' | 'dark', bypassCSP = false): Promise<{ ctx: BrowserContext; page: Page }> {
  const ctx = await browser.newContext({ colorScheme: scheme, viewport: { width: 1300, height: 900 }, bypassCSP });
  ctx.setDefaultTimeout(10_000);
  const page = await ctx.newPage();
  await page.goto(`${h.url}/login?next=%2Finstructor`);
  await page.getByLabel('API key').fill(h.instructor);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(`${h.url}/instructor`);
  return { ctx, page };
}

async function axe(page: Page, what: string): Promise<void> {
  const r = await axeViolations(page);
  expect(r.violations, what).toEqual([]);
  expect(r.passes, `${what}: axe ran its rules`).toBeGreaterThan(10);
}

describe.skipIf(!installed)('the exam builder in chromium', () => {
  it('sign in, add rows, fill two, preview every version, freeze, see the overview', async () => {
    const { ctx, page } = await instructor('light');
    await page.getByRole('link', { name: 'New exam' }).click();
    await page.waitForURL(`${h.url}/instructor/exams/new`);
    await page.getByLabel('Title').fill('Browser midterm');
    await page.getByRole('button', { name: 'Add rows' }).click();
    await expect.poll(() => page.locator('tr[data-row]').count()).toBe(6);
    await page.getByLabel('Row 1: topic or question').selectOption('kl-discrete');
    await page.getByLabel('Row 1: count').fill('2');
    await page.getByLabel('Row 1: difficulty').selectOption('easy');
    await page.getByLabel('Row 1: marks per item').fill('6');
    await page.getByLabel('Row 2: topic or question').selectOption('diffusion-step-one-step');
    await page.getByLabel('Versions (forms A, B, C, …)').fill('2');
    await page.getByLabel('ECF penalty, 0 to 1 (blank: each question’s own)').fill('0.5');
    await page.getByRole('button', { name: 'Preview', exact: true }).click();
    await page.getByRole('heading', { name: 'Preview: every version' }).waitFor();
    expect(await page.locator('section.version').count()).toBe(2);
    expect(await page.locator('section.version').nth(1).locator('li[data-item]').count()).toBe(3);
    // Side by side: form B's column starts level with form A's, to its right.
    const [a, b] = [await page.locator('section.version').nth(0).boundingBox(), await page.locator('section.version').nth(1).boundingBox()];
    expect(Math.abs(a!.y - b!.y)).toBeLessThan(2);
    expect(b!.x).toBeGreaterThan(a!.x + a!.width - 1);
    const previewId = await page.locator('[data-preview]').getAttribute('data-preview');
    if (SHOTS) await page.screenshot({ path: `${SHOTS}/exam-builder.png`, fullPage: true, clip: { x: 0, y: 0, width: 1300, height: 1900 } });
    await page.getByRole('button', { name: 'Freeze this exam' }).click();
    await page.waitForURL(`${h.url}/instructor/exams/${previewId}`);
    await page.getByRole('heading', { name: 'Browser midterm', level: 1 }).waitFor();
    expect(await page.locator('section.version').count()).toBe(2);
    await expect.poll(() => page.getByText('ECF: carried steps lose 50% of their marks').count()).toBe(1);
    const exam = (await h.store.exams.get(previewId!))!;
    expect(exam.blueprint).toEqual([{ ref: 'kl-discrete', count: 2, difficulty: 'easy', marks: 6 }, { ref: 'diffusion-step-one-step', count: 1, difficulty: 'medium' }]);
    await ctx.close();
  }, 60_000);

  it('every instructor page kind passes axe, light and dark', async () => {
    const made = await h.call('POST', '/api/v1/exams', { key: h.instructor, body: { title: 'Axe exam', blueprint: [{ topic: 'self-attention', count: 1, difficulty: 'easy', marks: 5 }], versions: 2, seed: 5 } });
    expect(made.status, made.text).toBe(201);
    // A dead and a waiting grade passback job, for the passback page.
    const s = await h.student('Axe student');
    const v = await h.call('POST', '/api/v1/variants', { key: s.key, body: { topic: 'kl-discrete', seed: 2 } });
    const a = await h.call('POST', `/api/v1/variants/${v.body.id}/attempts`, { key: s.key, body: { answers: {} } });
    const dead = await h.store.passback.enqueue(a.body.id);
    await h.store.passback.failed(dead.id, 'score post answered 400: no such line item', 400, undefined);
    const waiting = await h.store.passback.enqueue(a.body.id);
    await h.store.passback.failed(waiting.id, 'score post answered 503', 503, Date.now() + 60_000);
    for (const scheme of ['light', 'dark'] as const) {
      const { ctx, page } = await instructor(scheme, true);
      await axe(page, `home, ${scheme}`);
      await page.goto(`${h.url}/instructor/questions`);
      await axe(page, `question browser, ${scheme}`);
      await page.goto(`${h.url}/instructor/questions/self-attention?seed=4&difficulty=easy&test=1`);
      await axe(page, `question preview with its test, ${scheme}`);
      await page.goto(`${h.url}/instructor/questions/bayes-classification-posterior?seed=2`);
      await axe(page, `bank question preview, ${scheme}`);
      await page.goto(`${h.url}/instructor/exams/new`);
      await page.getByLabel('Title').fill('Axe preview');
      await page.getByLabel('Row 1: topic or question').selectOption('bayes-classification');
      await page.getByRole('button', { name: 'Preview', exact: true }).click();
      await page.getByRole('heading', { name: 'Preview: every version' }).waitFor();
      await axe(page, `builder with a preview, ${scheme}`);
      await page.getByLabel('Row 1: marks per item').fill('-1');
      await page.getByRole('button', { name: 'Preview', exact: true }).click();
      await page.locator('.notice').waitFor();
      await axe(page, `builder with a refusal, ${scheme}`);
      await page.goto(`${h.url}/instructor/exams/${made.body.id}`);
      await axe(page, `exam overview, ${scheme}`);
      await page.goto(`${h.url}/instructor/courses`);
      await page.getByLabel('Title').fill(`Course ${scheme}`);
      await page.getByRole('button', { name: 'Create course' }).click();
      await page.getByRole('heading', { name: `Course ${scheme}` }).waitFor();
      await page.getByLabel('Name').fill('Grace');
      await page.getByRole('button', { name: 'Add student and make a key' }).click();
      await page.locator('[data-new-key]').waitFor();
      await axe(page, `course with a new key, ${scheme}`);
      await page.goto(`${h.url}/instructor/courses`);
      await axe(page, `courses, ${scheme}`);
      await page.goto(`${h.url}/instructor/passback`);
      await axe(page, `grade passback, ${scheme}`);
      await ctx.close();
    }
  }, 120_000);
});
