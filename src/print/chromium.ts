/**
 * PDFs from the print HTML through playwright-core driving Debian's `chromium` (never a browser
 * download): STEPWISE_CHROMIUM names another executable. One browser serves a whole batch (a
 * launch costs far more than a page); every request a page makes is refused, so a PDF cannot
 * depend on the network (the HTML carries its fonts and images as data: URLs).
 */
import { accessSync, constants, statSync } from 'node:fs';
import type { Browser, BrowserContext } from 'playwright-core';

export const CHROMIUM_ENV = 'STEPWISE_CHROMIUM';
export const DEFAULT_CHROMIUM = '/usr/bin/chromium';

/** Headless, and nothing that would reach past the machine (updates, sync, QUIC probes); as tests/browser.ts. */
export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-quic'];

const HOW_TO_INSTALL = `install Debian's package (apt-get install chromium) or set ${CHROMIUM_ENV} to the path of a Chromium executable`;

/** No Chromium to print with: the message says exactly what to do. */
export class NoChromiumError extends Error {
  override readonly name = 'NoChromiumError';
}

function executable(path: string): boolean {
  try {
    if (!statSync(path).isFile()) return false;
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The Chromium to print with, or a NoChromiumError naming what was looked for and how to install one. */
export function findChromium(env: NodeJS.ProcessEnv = process.env): string {
  const chosen = env[CHROMIUM_ENV];
  if (chosen !== undefined && chosen !== '') {
    if (executable(chosen)) return chosen;
    throw new NoChromiumError(`Printing PDFs needs Chromium, and ${CHROMIUM_ENV}=${chosen} is not an executable file: ${HOW_TO_INSTALL}.`);
  }
  if (executable(DEFAULT_CHROMIUM)) return DEFAULT_CHROMIUM;
  throw new NoChromiumError(`Printing PDFs needs Chromium, and none was found at ${DEFAULT_CHROMIUM}: ${HOW_TO_INSTALL}.`);
}

/** How long one document may take to lay out and print before it is given up. */
const RENDER_TIMEOUT_MS = 60_000;

/** One launched Chromium and its context, printing HTML documents to PDF; close() when the batch is done. */
export class PdfPrinter {
  private constructor(
    private readonly browser: Browser,
    private readonly context: BrowserContext,
  ) {}

  static async launch(env: NodeJS.ProcessEnv = process.env): Promise<PdfPrinter> {
    const executablePath = findChromium(env);
    let chromium: typeof import('playwright-core').chromium;
    try {
      ({ chromium } = await import('playwright-core'));
    } catch {
      throw new NoChromiumError('Printing PDFs needs the playwright-core package (a dependency of Stepwise): reinstall with npm install.');
    }
    const browser = await chromium.launch({ executablePath, args: CHROMIUM_ARGS });
    try {
      const context = await browser.newContext({ javaScriptEnabled: true, offline: true });
      // data: URLs load without a request; anything else would be the network.
      await context.route('**/*', (route) => route.abort());
      return new PdfPrinter(browser, context);
    } catch (e) {
      await browser.close();
      throw e;
    }
  }

  /**
   * The PDF of one print document: its script lays the pages out; pages beyond the QR codes the
   * file carries get theirs from `moreQr(from, to)`.
   */
  async pdf(html: string, moreQr: (from: number, to: number) => Promise<string[]>, carried: number): Promise<{ pdf: Buffer; pages: number }> {
    const page = await this.context.newPage();
    try {
      page.setDefaultTimeout(RENDER_TIMEOUT_MS);
      await page.setContent(html, { waitUntil: 'load' });
      // Browser-side expressions as strings: this file is compiled without the DOM's types.
      await page.waitForFunction("document.documentElement.dataset.paginated === 'done'");
      const pages = Number(await page.evaluate('document.documentElement.dataset.pages'));
      if (pages > carried) {
        const extra = await moreQr(1, pages);
        await page.evaluate(`window.stepwiseQr(${JSON.stringify(extra)})`);
      }
      // Every QR image decoded before printing (data: URLs, so this is quick).
      await page.evaluate('Promise.all(Array.from(document.images).map((img) => (img.complete ? undefined : img.decode().catch(() => undefined))))');
      const pdf = await page.pdf({ preferCSSPageSize: true, printBackground: true });
      return { pdf, pages };
    } finally {
      await page.close();
    }
  }

  get connected(): boolean {
    return this.browser.isConnected();
  }

  async close(): Promise<void> {
    await this.browser.close();
  }
}

/**
 * One printer shared by a server's requests: launched on first use, kept while requests come
 * (a launch is most of a single PDF's time), closed after `idleMs` without one, and launched
 * again if the browser went away. A launch that fails (no Chromium) is not kept: the next request
 * looks again, so installing Chromium needs no restart.
 */
export class SharedPrinter {
  private printer: Promise<PdfPrinter> | undefined;
  private users = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly idleMs = 60_000,
    private readonly env: NodeJS.ProcessEnv = process.env,
  ) {}

  async use<T>(fn: (p: PdfPrinter) => Promise<T>): Promise<T> {
    clearTimeout(this.timer);
    this.users++;
    try {
      let pending = (this.printer ??= PdfPrinter.launch(this.env));
      let printer: PdfPrinter;
      try {
        printer = await pending;
        if (!printer.connected) {
          if (this.printer === pending) this.printer = undefined;
          printer = await (pending = this.printer ??= PdfPrinter.launch(this.env));
        }
      } catch (e) {
        if (this.printer === pending) this.printer = undefined;
        throw e;
      }
      return await fn(printer);
    } finally {
      if (--this.users === 0) this.timer = setTimeout(() => void this.close(), this.idleMs);
    }
  }

  async close(): Promise<void> {
    clearTimeout(this.timer);
    const p = this.printer;
    this.printer = undefined;
    if (p) await (await p.catch(() => undefined))?.close().catch(() => undefined);
  }
}
