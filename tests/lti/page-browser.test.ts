/**
 * The landed page in a real browser inside the LMS's iframe (playwright-core driving Debian's
 * chromium, never a download; skipped where it is not installed, as tests/pages/browser.test.ts):
 * the simulated platform's course page frames the launch at 450 px wide, the student answers in
 * the frame, the score reaches the platform, the parent receives lti.frameResize with the page's
 * height, and axe-core finds no WCAG 2.1 AA violation on the landed page (light and dark); with
 * JavaScript off the same answer is graded and posted through the frame's plain form posts.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Frame, Page } from 'playwright-core';
import { solveProblem } from '../../src/engine.js';
import { axeViolations, chromiumRequiredOnCi, installed, launchChromium } from '../browser.js';
import { startLti, type LtiHarness } from './harness.js';
import { C } from './platform.js';

chromiumRequiredOnCi();

/** The browser's globals, as far as these checks read them (the tests are type-checked without the DOM library). */
type Dom = {
  document: { documentElement: { scrollWidth: number; clientWidth: number; scrollHeight: number }; querySelector(s: string): { getAttribute(n: string): string | null } | null };
  frameResizes: { origin: string; height: number }[];
};

/** Set STEPWISE_SCREENSHOTS=<dir> to keep screenshots of the course page framing the tool at 450 px. */
const SHOTS = process.env.STEPWISE_SCREENSHOTS;

let h: LtiHarness;
let browser: Browser;

beforeAll(async () => {
  if (!installed) return;
  h = await startLti();
  browser = await launchChromium();
}, 30_000);

afterAll(async () => {
  await browser?.close();
  await h?.close();
});

/** The platform's course page framing the tool's login for a kl-discrete launch, `width` px wide; the landed frame once its form shows. */
async function openCourse(scheme: 'light' | 'dark', sub: string, width = 450, javaScriptEnabled = true): Promise<{ page: Page; frame: Frame }> {
  const hint = h.platform.prepare({ claims: (c) => ({ ...c, sub, [C.custom]: { topic: 'kl-discrete' } }) });
  const q = new URLSearchParams({ iss: h.platform.issuer, login_hint: hint, target_link_uri: `${h.url}/lti/launch`, client_id: h.platform.clientId });
  const ctx = await browser.newContext({ colorScheme: scheme, viewport: { width: 520, height: 800 }, javaScriptEnabled });
  ctx.setDefaultTimeout(10_000);
  const page = await ctx.newPage();
  await page.goto(`${h.platform.url}/course?width=${width}&tool=${encodeURIComponent(`${h.url}/lti/login?${q}`)}`);
  // Without JavaScript the platform's form_post waits for its "Continue" button (as Moodle's does).
  if (!javaScriptEnabled) await page.frameLocator('iframe[name=tool]').getByRole('button', { name: 'Continue' }).click();
  await page.frameLocator('iframe[name=tool]').locator('form.answers').waitFor();
  const frame = page.frame({ name: 'tool' })!;
  expect(new URL(frame.url()).origin).toBe(h.url);
  return { page, frame };
}

/** Zero WCAG 2.1 A/AA violations by axe-core, evaluated in the frame (the page's CSP allows no injected script tag). */
async function axe(frame: Frame, what: string): Promise<void> {
  const r = await axeViolations(frame, 'evaluate');
  expect(r.violations, what).toEqual([]);
  expect(r.passes, `${what}: axe ran its rules`).toBeGreaterThan(10);
}

describe.skipIf(!installed)('in chromium, inside the course page', () => {
  it('the launch lands on the question page in the frame; the student answers there; the score reaches the platform; the frame is resized', async () => {
    const { page, frame } = await openCourse('light', 'student-browser');
    // Usable at 450 px: nothing wider than the frame.
    const widths = await frame.evaluate(() => {
      const { document } = globalThis as unknown as Dom;
      return { scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth };
    });
    expect(widths.client).toBeLessThanOrEqual(450);
    expect(widths.scroll).toBeLessThanOrEqual(widths.client);
    await axe(frame, 'landed question page, light');

    const variantId = (await frame.locator('form.answers').getAttribute('data-variant'))!;
    const v = (await h.store.variants.get(variantId))!;
    const values = new Map(solveProblem(v.topic, v.params).steps.map((s) => [s.id, s.value]));
    const last = v.steps[v.steps.length - 1];
    for (const step of v.steps) {
      const value = step === last ? 12345 : values.get(step);
      if (Array.isArray(value)) {
        for (const [j, x] of (value as number[]).entries()) await frame.getByLabel(`${step}, entry ${j + 1}`, { exact: true }).fill(String(x));
      } else await frame.getByLabel(`Your answer for ${step}`).fill(String(value));
    }
    await frame.getByRole('button', { name: 'Submit all' }).click();
    await frame.locator(`[data-step="${last}"][data-status="incorrect"]`).waitFor();
    for (const step of v.steps.slice(0, -1)) expect(await frame.locator(`[data-step="${step}"]`).first().getAttribute('data-status'), step).toBe('correct');
    await axe(frame, 'landed question page with results, light');
    if (SHOTS) await page.screenshot({ path: join(SHOTS, 'lti-frame-450-results-light.png'), fullPage: true });

    // The score went back to the platform's line item (posted by the outbox: wait for it to work
    // what is due, not a fixed 5 s, which a loaded machine running chromium beside it can overrun).
    await h.settled();
    expect(h.platform.scores).toHaveLength(1);
    expect(h.platform.scores[0].body).toMatchObject({ userId: 'student-browser', scoreMaximum: v.steps.length, gradingProgress: 'FullyGraded' });
    expect(h.platform.scores[0].body.scoreGiven).toBeCloseTo(v.steps.length - 1, 9);

    // The parent heard lti.frameResize from the tool's origin with the page's height, and the frame now fits it.
    await page.waitForFunction(() => (globalThis as unknown as Dom).frameResizes.length > 0);
    const resizes = await page.evaluate(() => (globalThis as unknown as Dom).frameResizes);
    expect(resizes.every((m) => m.origin === h.url)).toBe(true);
    const height = await frame.evaluate(() => (globalThis as unknown as Dom).document.documentElement.scrollHeight);
    expect(height).toBeGreaterThan(900); // the results page is taller than the frame's first 900 px
    await page.waitForFunction((want) => (globalThis as unknown as Dom).document.querySelector('iframe[name=tool]')?.getAttribute('height') === String(want), height);
    expect(resizes[resizes.length - 1].height).toBeGreaterThanOrEqual(height - 1);
    await page.context().close();
  }, 60_000);

  it('with JavaScript off in the browser, the frame’s form posts carry the token: the answer is graded and the score reaches the platform', async () => {
    const before = h.platform.scores.length;
    const { page, frame } = await openCourse('light', 'student-nojs', 450, false);
    const variantId = (await frame.locator('form.answers').getAttribute('data-variant'))!;
    const v = (await h.store.variants.get(variantId))!;
    const values = new Map(solveProblem(v.topic, v.params).steps.map((s) => [s.id, s.value]));
    for (const step of v.steps) {
      const value = values.get(step);
      if (Array.isArray(value)) {
        for (const [j, x] of (value as number[]).entries()) await frame.getByLabel(`${step}, entry ${j + 1}`, { exact: true }).fill(String(x));
      } else await frame.getByLabel(`Your answer for ${step}`).fill(String(value));
    }
    await frame.getByRole('button', { name: 'Submit all' }).click();
    await frame.locator(`[data-total="${v.steps.length}/${v.steps.length}"]`).waitFor();
    await h.settled();
    expect(h.platform.scores.slice(before).map((s) => [s.body.userId, s.body.scoreGiven, s.body.scoreMaximum])).toEqual([['student-nojs', v.steps.length, v.steps.length]]);
    await page.context().close();
  }, 30_000);

  it('the landed page passes axe in dark mode too', async () => {
    const { page, frame } = await openCourse('dark', 'student-dark');
    await axe(frame, 'landed question page, dark');
    if (SHOTS) await page.screenshot({ path: join(SHOTS, 'lti-frame-450-dark.png'), fullPage: true });
    await page.context().close();
  }, 30_000);
});
