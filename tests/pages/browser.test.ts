/**
 * The pages in a real browser: Debian's chromium driven by playwright-core (never a browser
 * download), axe-core injected from node_modules. One browser for the file; skipped where chromium
 * is not installed (CI installs it and fails without it: tests/browser.ts).
 */
import { mkdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { Harness } from '../api/harness.js';
import { axeViolations, chromiumRequiredOnCi, installed, launchChromium } from '../browser.js';
import { selfAttentionChain, startPages } from './harness.js';

chromiumRequiredOnCi();
/** Set STEPWISE_SCREENSHOTS=<dir> to keep screenshots of each page kind. */
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

async function signedIn(scheme: 'light' | 'dark' = 'light', opts: { javaScriptEnabled?: boolean; width?: number; bypassCSP?: boolean } = {}): Promise<{ ctx: BrowserContext; page: Page }> {
  const s = await h.student(`Student ${scheme}`);
  const ctx = await browser.newContext({ colorScheme: scheme, javaScriptEnabled: opts.javaScriptEnabled ?? true, viewport: { width: opts.width ?? 1000, height: 900 }, bypassCSP: opts.bypassCSP ?? false });
  ctx.setDefaultTimeout(8000);
  const page = await ctx.newPage();
  await page.goto(`${h.url}/login`);
  await page.getByLabel('API key').fill(s.key);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(`${h.url}/`);
  return { ctx, page };
}

/** Zero WCAG 2.1 A/AA violations by axe-core, injected into the page. */
async function axe(page: Page, what: string): Promise<void> {
  const violations = await axeViolations(page);
  expect(violations.violations, what).toEqual([]);
  expect(violations.passes, `${what}: axe ran its rules`).toBeGreaterThan(10);
}

const shot = async (page: Page, name: string) => {
  if (SHOTS) await page.screenshot({ path: `${SHOTS}/${name}.png`, fullPage: true });
};

describe.skipIf(!installed)('in chromium', () => {
  it('every page kind passes axe (WCAG 2.1 AA), light and dark', async () => {
    // An exam for the home page's "Your exams" section.
    const exam = await h.call('POST', '/api/v1/exams', {
      key: h.instructor,
      body: { title: 'Axe quiz', blueprint: [{ topic: 'kl-discrete', count: 1, difficulty: 'easy' }], versions: 1, seed: 3, closesAt: new Date(Date.now() + 3_600_000).toISOString() },
    });
    expect(exam.status).toBe(201);
    for (const scheme of ['light', 'dark'] as const) {
      // bypassCSP only lets axe's script tag in; the other tests run under the pages' own CSP.
      const anon = await browser.newContext({ colorScheme: scheme, bypassCSP: true });
      const login = await anon.newPage();
      await login.goto(`${h.url}/login`);
      await axe(login, `login, ${scheme}`);
      await anon.close();
      const { ctx, page } = await signedIn(scheme, { bypassCSP: true });
      await axe(page, `home, ${scheme}`);
      await shot(page, `home-${scheme}`);
      await page.goto(`${h.url}/exams/${exam.body.id}`);
      await page.goto(`${h.url}/`);
      expect(await page.locator(`[data-exam="${exam.body.id}"][data-state="open"]`).count()).toBe(1);
      await axe(page, `home with an exam, ${scheme}`);
      await page.goto(`${h.url}/practice/self-attention?seed=1`);
      await axe(page, `question, ${scheme}`);
      // After a submit: results, total and the worked solution.
      await page.goto(`${h.url}/practice/kl-discrete?seed=4`);
      await page.locator('fieldset.step[data-kind="scalar"] input').first().fill('0.1');
      await page.getByRole('button', { name: 'Submit all' }).last().click();
      await page.waitForSelector('[data-total]');
      await axe(page, `question with results, ${scheme}`);
      await shot(page, `question-results-${scheme}`);
      await page.goto(`${h.url}/practice/no-such-topic`);
      await axe(page, `error page, ${scheme}`);
      await ctx.close();
    }
  }, 60_000);

  it('answers self-attention with an early slip, typed and pasted into the grids, and sees later steps carried', async () => {
    const { ctx, page } = await signedIn();
    await ctx.grantPermissions(['clipboard-read', 'clipboard-write']);
    let v;
    for (let seed = 1; ; seed++) {
      await page.goto(`${h.url}/practice/self-attention?seed=${seed}`);
      const id = await page.locator('form.answers').getAttribute('data-variant');
      v = (await h.store.variants.get(id!))!;
      if (!(v.params as { causal?: boolean }).causal) break;
    }
    const slip = selfAttentionChain(v.params as never, (q) => q.map((r, i) => r.map((x, j) => (i === 0 && j === 0 ? x + 1 : x))));
    const fmt = (x: number) => String(Number(x.toFixed(6)));
    // Q typed cell by cell, moving with the arrow keys.
    const q = slip.Q;
    await page.getByLabel('Q, row 1, column 1', { exact: true }).focus();
    for (let i = 0; i < q.length; i++) {
      for (let j = 0; j < q[0].length; j++) {
        await page.keyboard.type(fmt(q[i][j]));
        if (j < q[0].length - 1) await page.keyboard.press('ArrowRight');
      }
      if (i < q.length - 1) {
        await page.keyboard.press('ArrowDown');
        for (let j = 1; j < q[0].length; j++) await page.keyboard.press('ArrowLeft');
        // ArrowLeft moves only from the start of a cell's text: go there first.
      }
    }
    // The remaining steps pasted: JSON into K, MATLAB into V, rows of numbers into the others.
    const paste = async (step: string, text: string) => {
      const cell = page.getByLabel(`${step}, row 1, column 1`, { exact: true });
      await cell.focus();
      await page.evaluate((t) => (globalThis as unknown as { navigator: { clipboard: { writeText(x: string): Promise<void> } } }).navigator.clipboard.writeText(t), text);
      await page.keyboard.press('Control+V');
    };
    const json = (m: number[][]) => JSON.stringify(m.map((r) => r.map((x) => Number(fmt(x)))));
    const matlab = (m: number[][]) => `[${m.map((r) => r.map(fmt).join(' ')).join('; ')}]`;
    const rows = (m: number[][]) => m.map((r) => r.map(fmt).join('\t')).join('\n');
    await paste('K', json(slip.K));
    await paste('V', matlab(slip.V));
    for (const step of ['scores', 'scaled_scores', 'weights', 'attention_output', 'output'] as const) await paste(step, rows(slip[step]));
    expect(await page.getByLabel('V, row 3, column 4', { exact: true }).inputValue()).toBe(fmt(slip.V[2][3]));
    expect(await page.getByLabel('Q, row 3, column 2', { exact: true }).inputValue()).toBe(fmt(q[2][1]));
    // The live preview: the server's reading, marked not graded.
    await expect.poll(() => page.locator('[data-preview="V"]').textContent()).toContain('not graded');
    await page.getByRole('button', { name: 'Submit all' }).last().click();
    await page.waitForSelector('[data-total]');
    for (const step of ['scores', 'scaled_scores', 'weights', 'attention_output', 'output']) {
      expect(await page.locator(`.result[data-step="${step}"]`).getAttribute('data-status')).toBe('carried');
    }
    expect(await page.locator('.result[data-step="K"]').getAttribute('data-status')).toBe('correct');
    expect(await page.locator('.result[data-step="scores"]').textContent()).toContain('follows from your own Q and K');
    await ctx.close();
  }, 40_000);

  it('an invalid entry shows its reason and is not graded; hints and the worked solution; type as text', async () => {
    const { ctx, page } = await signedIn();
    await page.goto(`${h.url}/practice/kl-discrete?seed=4`);
    const before = await h.store.attempts.count();
    const scalar = page.locator('fieldset.step[data-kind="scalar"]').first();
    await scalar.locator('input').fill('2*/3');
    await expect.poll(() => scalar.locator('[data-preview]').textContent()).toMatch(/Cannot read this: .*not graded/);
    await page.getByRole('button', { name: 'Submit all' }).last().click();
    await page.waitForSelector('.reason[data-status="invalid"]');
    expect(await page.locator('.notice').textContent()).toContain('Nothing was graded or recorded');
    expect(await h.store.attempts.count()).toBe(before);
    // The hint: the step's formula, typeset.
    await page.locator('details.hint summary').first().click();
    expect(await page.locator('details.hint').first().locator('.katex').count()).toBeGreaterThan(0);
    // A vector typed as text through the toggle, then submitted: the worked solution appears.
    const first = page.locator('fieldset.step[data-kind="vector"]').first();
    const n = Number(await first.locator('.grid').getAttribute('data-cols'));
    await first.getByRole('button', { name: 'Type as text' }).click();
    const toggle = first.locator('.toggle-text');
    expect(await toggle.getAttribute('aria-pressed')).toBe('true');
    expect(await toggle.textContent()).toBe('Use the grid');
    expect(await first.locator('.grid').isHidden()).toBe(true);
    await first.locator('.as-text input').fill(`[${Array(n).fill(`1/${n}`).join(', ')}]`);
    await scalar.locator('input').fill('0.1');
    await page.getByRole('button', { name: 'Submit all' }).last().click();
    await page.waitForSelector('[data-total]');
    expect(await h.store.attempts.count()).toBe(before + 1);
    expect(await page.getByRole('heading', { name: 'Worked solution' }).count()).toBe(1);
    await shot(page, 'question-invalid-then-solution');
    await ctx.close();
  }, 30_000);

  it('an exam draft survives a reload; before release no answers; the exam page passes axe, light and dark', async () => {
    const made = await h.call('POST', '/api/v1/exams', {
      key: h.instructor,
      body: { title: 'Browser quiz', blueprint: [{ topic: 'diffusion-step', count: 1, difficulty: 'easy' }], versions: 1, seed: 5 },
    });
    expect(made.status).toBe(201);
    for (const scheme of ['light', 'dark'] as const) {
      const { ctx, page } = await signedIn(scheme, { bypassCSP: scheme === 'dark' });
      await page.goto(`${h.url}/exams/${made.body.id}`);
      if (scheme === 'light') {
        // Typed, autosaved (no button pressed), reloaded: the draft is back.
        const input = page.locator('fieldset.step[data-kind="scalar"] input').first();
        await input.fill('0.77');
        // The page saves a second after typing stops: wait longer than that (the poll's default is 1 s).
        await expect.poll(() => page.locator('.draft-status').textContent(), { timeout: 8000 }).toMatch(/Draft saved at/);
        await page.reload();
        expect(await page.locator('fieldset.step[data-kind="scalar"] input').first().inputValue()).toBe('0.77');
        await page.getByRole('button', { name: 'Submit this item' }).click();
        await page.waitForSelector('[data-total]');
        expect(await page.locator('.result[data-status]').count()).toBe(0);
        expect(await page.getByText('Worked solution').count()).toBe(0);
        await shot(page, 'exam-submitted');
      } else {
        await axe(page, `exam, ${scheme}`);
      }
      await ctx.close();
    }
    const light = await signedIn('light', { bypassCSP: true });
    await light.page.goto(`${h.url}/exams/${made.body.id}`);
    await axe(light.page, 'exam, light');
    await light.ctx.close();
  }, 40_000);

  it('can be completed by keyboard alone, and with JavaScript off', async () => {
    for (const javaScriptEnabled of [true, false]) {
      const { ctx, page } = await signedIn('light', { javaScriptEnabled, width: 380 });
      await page.goto(`${h.url}/practice/diffusion-step?seed=2`);
      // Tab from the top of the page to the first input, type, and submit with Enter.
      await page.keyboard.press('Tab'); // skip link
      let guard = 0;
      while (!(await page.evaluate(() => (globalThis as unknown as { document: { activeElement: { getAttribute(n: string): string | null } | null } }).document.activeElement?.getAttribute('name')?.startsWith('answers[') ?? false)) && guard++ < 40) await page.keyboard.press('Tab');
      expect(guard).toBeLessThan(40);
      await page.keyboard.type('0.5');
      await page.keyboard.press('Enter');
      await page.waitForSelector('[data-total]');
      expect(await page.locator('.result[data-status]').count()).toBeGreaterThan(0);
      if (!javaScriptEnabled) await shot(page, 'question-phone-nojs');
      await ctx.close();
    }
  }, 30_000);
});
