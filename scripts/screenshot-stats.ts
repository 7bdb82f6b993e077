/**
 * npm run screenshot:stats — docs/statistics-page.png for the README: the real app (the built
 * server on a loopback port, a fresh database) in Debian's chromium. An instructor sets a
 * three-item midterm; 24 students sit it through the API with a spread of answers (right, the
 * log ratios reversed with the rest carried from them, wrong terms, blanks); the instructor's
 * statistics page is photographed.
 *
 *   node dist/scripts/screenshot-stats.js [out.png]
 */
import { existsSync, mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { solveProblem } from '../src/engine.js';
import { PACKAGE_ROOT } from '../src/core/paths.js';
import { BENCH_KEY, freePort, startStepwise, stop } from '../bench/servers.js';

const CHROMIUM = '/usr/bin/chromium';
const OUT = process.argv[2] ?? join(PACKAGE_ROOT, 'docs', 'statistics-page.png');
const STUDENTS = 24;

type V = { id: string; topic: string; params: { p: number[]; q: number[] }; steps: string[] };

async function main(): Promise<void> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is not installed (apt-get install chromium)`);
  const server = await startStepwise(join(mkdtempSync(join(tmpdir(), 'stepwise-shot-')), 'shot.db'), await freePort());
  const call = async (method: string, path: string, key: string, body?: unknown) => {
    const r = await fetch(server.url + path, { method, headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` }, body: body === undefined ? undefined : JSON.stringify(body) });
    const json = (await r.json()) as Record<string, unknown>;
    if (r.status >= 300) throw new Error(`${method} ${path}: ${r.status} ${JSON.stringify(json)}`);
    return json;
  };
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
  try {
    const exam = await call('POST', '/api/v1/exams', BENCH_KEY, { title: 'Midterm', blueprint: [{ topic: 'kl-discrete', count: 3, difficulty: 'easy' }], versions: 1, seed: 7 });
    for (let k = 0; k < STUDENTS; k++) {
      const { apiKey } = (await call('POST', '/api/v1/users', BENCH_KEY, { name: `Student ${k + 1}`, role: 'student' })) as { apiKey: string };
      const mine = (await call('GET', `/api/v1/exams/${exam.id as string}/my-version`, apiKey)) as { variants: V[] };
      for (const [i, v] of mine.variants.entries()) {
        const truth = Object.fromEntries(solveProblem(v.topic, v.params).steps.map((x) => [x.id, x.value])) as Record<string, number[] | number>;
        // Stronger students (higher k) slip less; later items are harder.
        const slip = ((k * 37 + i * 61) % 100) / 100 < (1 - k / STUDENTS) * (0.6 + 0.2 * i);
        const pattern = slip ? 1 + ((k + i) % 3) : 0;
        let answers: Record<string, unknown> = truth;
        if (pattern === 1) {
          const lr = (truth.log_ratio as number[]).map((x) => -x);
          const terms = lr.map((x, j) => v.params.p[j] * x);
          answers = { log_ratio: lr, terms, kl: terms.reduce((t, x) => t + x, 0) };
        } else if (pattern === 2) answers = { log_ratio: truth.log_ratio, terms: (truth.terms as number[]).map((x, j) => v.params.q[j] * (truth.log_ratio as number[])[j]), kl: 0.5 };
        else if (pattern === 3) answers = { log_ratio: truth.log_ratio };
        await call('POST', `/api/v1/variants/${v.id}/attempts`, apiKey, { answers: JSON.parse(JSON.stringify(answers)) });
      }
    }
    const ctx = await browser.newContext({ viewport: { width: 900, height: 1000 }, colorScheme: 'light', reducedMotion: 'reduce' });
    const page = await ctx.newPage();
    await page.goto(`${server.url}/login`);
    await page.getByLabel('API key').fill(BENCH_KEY);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${server.url}/`);
    await page.goto(`${server.url}/instructor/exams/${exam.id as string}/statistics`);
    // The summary, the histogram and the facility plot.
    const end = await page.locator('#chart-facility').boundingBox();
    if (!end) throw new Error('the statistics page has no facility plot');
    await page.screenshot({ path: OUT, clip: { x: 0, y: 0, width: 900, height: end.y + end.height + 8 }, fullPage: true });
    console.log(`wrote ${OUT} (${Math.round(statSync(OUT).size / 1024)} KB)`);
    await ctx.close();
  } finally {
    await browser.close();
    await stop(server);
  }
}

await main();
