/**
 * The print HTML's own page layout (paginate.js) in Chromium: the fast path (blocks measured once,
 * packed by their heights) places every block on the same page as the exact path (block by block,
 * checking each page), items start a page, no page overflows, and every page gets its QR image.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { printHtml } from '../../src/print/html.js';
import { printForm } from '../../src/print/model.js';
import { chromiumRequiredOnCi, installed, launchChromium } from '../browser.js';
import { printFixture } from './fixture.js';

chromiumRequiredOnCi();

interface Layout {
  layout: string;
  pages: string[][];
  overflowing: number;
  qr: number;
}

async function layOut(page: Page, html: string): Promise<Layout> {
  await page.setContent(html, { waitUntil: 'load' });
  await page.waitForFunction("document.documentElement.dataset.paginated === 'done'");
  return page.evaluate(`(() => {
    const pages = Array.from(document.querySelectorAll('.page'));
    return {
      layout: document.documentElement.dataset.layout,
      pages: pages.map((p) => Array.from(p.querySelectorAll('.page-body > .block')).map((b) => (b.className + ' ' + (b.dataset.step || '') + ' ' + (b.querySelector('h2,h3')?.textContent || '')).trim())),
      overflowing: pages.filter((p) => { const b = p.querySelector('.page-body'); return b.scrollHeight > b.clientHeight + 1; }).length,
      qr: pages.filter((p) => p.querySelector('img.qr').src.startsWith('data:image/png;base64,')).length,
    };
  })()`);
}

describe.runIf(installed)('page layout', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('packs measured blocks exactly as the block-by-block layout does', async () => {
    const { exam, variants } = await printFixture();
    const page = await browser.newPage();
    for (const version of [1, 2]) {
      for (const key of [false, true]) {
        const html = await printHtml(printForm(exam, variants, version), key);
        const fast = await layOut(page, html);
        const exact = await layOut(page, html.replace('<body data-header=', '<body data-layout="exact" data-header='));
        expect(exact.layout).toBe('exact');
        expect(fast.pages).toEqual(exact.pages);
        for (const l of [fast, exact]) {
          expect(l.overflowing).toBe(0);
          expect(l.qr).toBe(l.pages.length);
          // Every item starts a page.
          for (const p of l.pages) expect(p.slice(1).some((b) => b.startsWith('block item-head'))).toBe(false);
        }
        // The answer sheets fit in measured blocks (the keys' worked solutions may need the exact path).
        if (!key) expect(fast.layout).toBe('measured');
      }
    }
    await page.close();
  });
});
