/**
 * npm run screenshot — docs/question-page.png for the README: the real app (the built server on a
 * loopback port, a fresh database) in Debian's chromium driven by playwright-core. A student signs
 * in with their key, opens a self-attention question, enters every step with one early slip in Q
 * (the later steps computed from it, as a student would) and submits all: Q is marked incorrect
 * and the steps built on it carried.
 *
 *   node dist/scripts/screenshot.js [out.png]
 */
import { existsSync, mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { generateProblem } from '../src/engine.js';
import { PACKAGE_ROOT } from '../src/core/paths.js';
import { slippedAnswers } from '../bench/core.js';
import { BENCH_KEY, freePort, startStepwise, stop } from '../bench/servers.js';

const CHROMIUM = '/usr/bin/chromium';
const OUT = process.argv[2] ?? join(PACKAGE_ROOT, 'docs', 'question-page.png');

async function main(): Promise<void> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is not installed (apt-get install chromium)`);
  const server = await startStepwise(join(mkdtempSync(join(tmpdir(), 'stepwise-shot-')), 'shot.db'), await freePort());
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
  try {
    const made = await fetch(`${server.url}/api/v1/users`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${BENCH_KEY}` },
      body: JSON.stringify({ name: 'Ada', role: 'student' }),
    });
    const { apiKey } = (await made.json()) as { apiKey: string };
    const ctx = await browser.newContext({ viewport: { width: 760, height: 1000 }, colorScheme: 'light', reducedMotion: 'reduce' });
    const page = await ctx.newPage();
    await page.goto(`${server.url}/login`);
    await page.getByLabel('API key').fill(apiKey);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${server.url}/`);
    // A seed without a causal mask (every cell a number).
    let seed = 1;
    while ((generateProblem('self-attention', seed, 'medium').params as { causal?: boolean }).causal) seed++;
    await page.goto(`${server.url}/practice/self-attention?seed=${seed}&difficulty=medium`);
    const params = JSON.parse(JSON.stringify(generateProblem('self-attention', seed, 'medium').params)) as object;
    const cell = (x: unknown) => String(Number((x as number).toFixed(4)));
    for (const [step, value] of Object.entries(slippedAnswers('self-attention', params as never))) {
      const rows = value as unknown[][];
      for (let i = 0; i < rows.length; i++) {
        for (let j = 0; j < rows[i].length; j++) await page.locator(`input[name="answers[${step}][${i}][${j}]"]`).fill(cell(rows[i][j]));
      }
    }
    await page.getByRole('button', { name: 'Submit all' }).last().click();
    await page.waitForSelector('[data-total]');
    // The result, then Q (the slip), K, V and the carried scores (the problem above is left out to keep the file small).
    await page.evaluate(() => (globalThis as unknown as { document: { activeElement: { blur?(): void } | null } }).document.activeElement?.blur?.());
    const top = await page.locator('#total').boundingBox();
    const scores = await page.locator('#step-scores').boundingBox();
    if (!top || !scores) throw new Error('the results are not on the page');
    await page.screenshot({ path: OUT, fullPage: true, clip: { x: 0, y: Math.max(0, top.y - 8), width: 760, height: scores.y + scores.height - top.y + 16 } });
    console.log(`wrote ${OUT} (${Math.round(statSync(OUT).size / 1024)} KB)`);
    await ctx.close();
  } finally {
    await browser.close();
    await stop(server);
  }
}

await main();
