/**
 * An artefact question in a real browser (Debian's chromium through playwright-core, axe-core
 * injected, as tests/pages/browser.test.ts): the page first shows progress and reloads itself
 * while the worker computes a tiny GAN run, then the pictures; the student answers by keyboard
 * and sees the verdict; axe finds no WCAG 2.1 AA violation, light and dark. Needs `npm run build`
 * (the worker is the built one).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { instructorView } from '../../src/models/student.js';
import type { ArtefactQuestion } from '../../src/models/questions.js';
import { ArtefactJobs } from '../../src/pages/artefact-jobs.js';
import { registerArtefactQuestion } from '../../src/engine.js';
import { modelWorker, type ModelWorker } from '../../src/model-worker.js';
import type { Harness } from '../api/harness.js';
import { axeViolations, chromiumRequiredOnCi, installed, launchChromium } from '../browser.js';
import { startPages } from './harness.js';
import { whichRun } from '../artefact-fixtures.js';

chromiumRequiredOnCi();

/** The fixture's two runs at run seed 4. */
const question: ArtefactQuestion = { ...whichRun, id: 'tiny-browser', runs: whichRun.runs.map((r) => ({ ...r, seed: 4 })) };

let h: Harness;
let browser: Browser;
let cache: string;
const saved = process.env.STEPWISE_CACHE;
let worker: ModelWorker | undefined;

beforeAll(async () => {
  if (!installed) return;
  cache = mkdtempSync(join(tmpdir(), 'stepwise-artbrowser-'));
  process.env.STEPWISE_CACHE = cache;
  registerArtefactQuestion(question);
  h = await startPages({ artefactPages: { waitMs: 0, refreshSeconds: 1 } });
  // The worker a server runs beside itself: it computes the runs the pages queue.
  worker = modelWorker(h.store, { questions: new Map([[question.id, question]]), executor: new ArtefactJobs({ queueLimit: 1 }), pollMs: 100 });
  worker.start();
  browser = await launchChromium();
}, 30_000);

afterAll(async () => {
  await worker?.stop();
  await browser?.close();
  await h?.close();
  if (cache) rmSync(cache, { recursive: true, force: true });
  if (saved === undefined) delete process.env.STEPWISE_CACHE;
  else process.env.STEPWISE_CACHE = saved;
});

async function axe(page: Page, what: string): Promise<void> {
  const r = await axeViolations(page);
  expect(r.violations, what).toEqual([]);
  expect(r.passes, `${what}: axe ran its rules`).toBeGreaterThan(10);
}

describe.skipIf(!installed)('an artefact question in chromium', () => {
  it('shows progress, then the pictures; answered by keyboard; axe finds nothing, light and dark', async () => {
    const seed = 9;
    const expected = String((await instructorView(question, seed)).expected);
    const s = await h.student('Browser student');
    for (const scheme of ['light', 'dark'] as const) {
      // bypassCSP only lets axe's script tag in.
      const ctx = await browser.newContext({ colorScheme: scheme, bypassCSP: true, viewport: { width: 900, height: 900 } });
      ctx.setDefaultTimeout(60_000);
      const page = await ctx.newPage();
      await page.goto(`${h.url}/login`);
      await page.getByLabel('API key').fill(s.key);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.waitForURL(`${h.url}/`);
      if (scheme === 'light') {
        // From the home page's list to a new seed, not computed yet: the progress page, which
        // reloads itself until the runs are done. In its own tab, closed after, so its reloads
        // cannot race the navigation below.
        const home = await ctx.newPage();
        // The page's own reload (Refresh: 1) is held back in this tab so axe is not cut off mid-run.
        await home.route('**/practice/**', async (route) => {
          const r = await route.fetch({ maxRedirects: 0 });
          const headers = { ...r.headers() };
          expect(r.status() === 303 || headers.refresh !== undefined).toBe(true);
          delete headers.refresh;
          await route.fulfill({ response: r, headers });
        });
        await home.goto(`${h.url}/`);
        await home.getByRole('link', { name: question.title! }).click();
        await home.waitForSelector('progress');
        await axe(home, `artefact progress, ${scheme}`);
        await home.close();
      }
      await page.goto(`${h.url}/practice/${question.id}?seed=${seed}`);
      await page.waitForSelector('.artefact-images img');
      const imgs = page.locator('.artefact-images img');
      expect(await imgs.count()).toBe(2);
      for (let i = 0; i < 2; i++) {
        expect(await imgs.nth(i).getAttribute('alt')).toMatch(new RegExp(`^Run ${'AB'[i]}: `));
        // The picture loaded (its natural size is the PNG's).
        expect(await imgs.nth(i).evaluate((el) => (el as unknown as { naturalWidth: number }).naturalWidth)).toBeGreaterThan(50);
      }
      await axe(page, `artefact question, ${scheme}`);
      // Keyboard: focus the choice, pick with the arrow keys if needed, submit with Enter.
      await page.getByRole('radio', { name: 'Run A' }).focus();
      await page.keyboard.press('Space');
      if (expected === 'B') await page.keyboard.press('ArrowRight');
      expect(await page.getByRole('radio', { name: `Run ${expected}` }).isChecked()).toBe(true);
      await page.keyboard.press('Enter');
      await page.waitForSelector('[data-step="answer"][data-status]');
      expect(await page.locator('[data-step="answer"]').getAttribute('data-status')).toBe('correct');
      await axe(page, `artefact answered, ${scheme}`);
      await ctx.close();
    }
  }, 120_000);
});
