/**
 * The question page's own stylesheet and script stay small: every same-origin stylesheet and
 * script the served page links (KaTeX's stylesheet and fonts aside), fetched as a browser would
 * and gzipped, together at most 60 KB.
 */
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Harness } from '../api/harness.js';
import { signIn, startPages } from './harness.js';

const LIMIT = 60 * 1024;
let h: Harness;
beforeAll(async () => {
  h = await startPages();
});
afterAll(async () => {
  await h?.close();
});

it('the question page links at most 60 KB gzipped of its own CSS and JS', async () => {
  const c = await signIn(h, (await h.student('Size')).key);
  const page = await c.get('/practice/self-attention?seed=1');
  expect(page.status).toBe(200);
  const links = [
    ...[...page.text.matchAll(/<link rel="stylesheet" href="([^"]+)"/g)].map((m) => m[1]),
    ...[...page.text.matchAll(/<script[^>]* src="([^"]+)"/g)].map((m) => m[1]),
  ];
  const own = links.filter((u) => !u.startsWith('/assets/katex/'));
  // The page's stylesheet and its script, at least: an empty list would pass trivially.
  expect(own.some((u) => u.endsWith('.css'))).toBe(true);
  expect(own.some((u) => u.endsWith('.js'))).toBe(true);
  let total = 0;
  for (const u of own) {
    expect(u.startsWith('/'), `${u} is served by the app`).toBe(true);
    const r = await fetch(h.url + u);
    expect(r.status, u).toBe(200);
    const body = Buffer.from(await r.arrayBuffer());
    expect(body.length, u).toBeGreaterThan(100);
    total += gzipSync(body, { level: 9 }).length;
  }
  expect(total).toBeLessThanOrEqual(LIMIT);
});
