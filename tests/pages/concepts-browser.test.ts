/**
 * Conceptual items' controls in chromium: every kind's question page passes axe (WCAG 2.1 AA), and a
 * multiple-choice item is answered with the keyboard and mouse through its labelled checkboxes.
 * Skipped where chromium is not installed (required under CI: tests/browser.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import type { Harness } from '../api/harness.js';
import { axeViolations, chromiumRequiredOnCi, installed, launchChromium } from '../browser.js';
import { startPages } from './harness.js';

chromiumRequiredOnCi();
let h: Harness;
let browser: Browser;

beforeAll(async () => {
  if (!installed) return;
  h = await startPages();
  browser = await launchChromium();
}, 30_000);
afterAll(async () => {
  await browser?.close();
  await h?.close();
});

const IDS = ['example-gan-discriminator-goal', 'example-bert-masking-rule', 'example-rlhf-stages', 'example-lm-objectives', 'example-optimal-d-equilibrium', 'example-bert-cls-token'];

async function signedIn(): Promise<Page> {
  const s = await h.student('Concept student');
  const ctx = await browser.newContext({ bypassCSP: true });
  ctx.setDefaultTimeout(8000);
  const page = await ctx.newPage();
  await page.goto(`${h.url}/login`);
  await page.getByLabel('API key').fill(s.key);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(`${h.url}/`);
  return page;
}

describe.skipIf(!installed)('conceptual items in chromium', () => {
  it('every kind of item page passes axe, before and after a submit', async () => {
    const page = await signedIn();
    for (const id of IDS) {
      await page.goto(`${h.url}/practice/${id}?seed=2`);
      const v = await axeViolations(page);
      expect(v.violations, id).toEqual([]);
      await page.getByRole('button', { name: 'Submit all' }).last().click();
      await page.waitForSelector('[data-total]');
      expect((await axeViolations(page)).violations, `${id} after submit`).toEqual([]);
    }
  }, 120_000);

  it('ticks labelled checkboxes and gets right-minus-wrong credit', async () => {
    const page = await signedIn();
    await page.goto(`${h.url}/practice/example-bert-masking-rule?seed=2`);
    await page.getByLabel(/80% of the time it is replaced/).check();
    await page.getByLabel(/10% of the time it is replaced by a random token/).check();
    await page.getByLabel(/10% of the time it is left unchanged/).check();
    await page.getByRole('button', { name: 'Submit all' }).last().click();
    await page.waitForSelector('[data-total]');
    expect(await page.locator('[data-total]').getAttribute('data-total')).toBe('1/1');
    expect(await page.getByLabel(/10% of the time it is left unchanged/).isChecked()).toBe(true);
  }, 60_000);
});
