/**
 * Artefact questions on the web pages, over HTTP without JavaScript: the page shows the runs'
 * pictures under letters with neutral alt text, serves them by content hash with immutable cache
 * headers, grades the answer from the runs, computes runs in a worker process while the page shows
 * progress and /healthz stays quick, refuses a full queue with 503, and never sends a run name,
 * metric name or cache path. Runs are tiny GANs (a few steps); the worker is the built one
 * (dist/src/pages/artefact-worker.js: run `npm run build` first, as `npm test` does).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ArtefactJobs } from '../../src/pages/artefact-jobs.js';
import { readNumber } from '../../src/pages/artefact.js';
import { instructorView } from '../../src/models/student.js';
import type { ArtefactQuestion } from '../../src/models/questions.js';
import type { Harness } from '../api/harness.js';
import { signIn, startPages, type PageClient } from './harness.js';
import { broken, howMany, TINY, whichRun } from './artefact-fixtures.js';

/** Slower (a few seconds): for the progress, /healthz and queue tests. Each seed is its own run. */
const slow = (seed: number): ArtefactQuestion => ({
  id: `slow-${seed}`,
  title: 'A slower question',
  lab: 'gan',
  runs: [{ name: 'vanilla', run: 'vanilla', seed, config: { ...TINY, steps: 600, batch: 16, hidden: 16, evalSamples: 500 } }],
  prompt: 'Run {{vanilla}} trains a GAN. How many of the 8 modes does it cover?',
  show: ['vanilla:samples-final.png'],
  answer: { type: 'number', metric: 'vanilla.modesCovered' },
});

/** Words a student must never receive: run keys and lab run names, metric names, cache files. */
const FORBIDDEN = /vanilla|minibatch|finalDLoss|modesCovered|metrics\.json|stepwise-cache|stepwise-artpages-cache|\.tmp-/i;

let cache: string;
const saved = process.env.STEPWISE_CACHE;
beforeAll(() => {
  cache = mkdtempSync(join(tmpdir(), 'stepwise-artpages-cache-'));
  process.env.STEPWISE_CACHE = cache; // inherited by the worker process
});
afterAll(() => {
  rmSync(cache, { recursive: true, force: true });
  if (saved === undefined) delete process.env.STEPWISE_CACHE;
  else process.env.STEPWISE_CACHE = saved;
});

async function start(jobs: ArtefactJobs, questions: ArtefactQuestion[], waitMs: number): Promise<{ h: Harness; c: PageClient }> {
  const h = await startPages({ artefactPages: { jobs, questions: new Map(questions.map((q) => [q.id, q])), waitMs, refreshSeconds: 1 } });
  const s = await h.student('Ada');
  return { h, c: await signIn(h, s.key) };
}

/** Loads the page until it is ready (the worker computed the runs). */
async function untilReady(c: PageClient, path: string, ms = 120_000) {
  const until = Date.now() + ms;
  for (;;) {
    const r = await c.get(path);
    if (r.status !== 202 || Date.now() > until) return r;
    await new Promise((res) => setTimeout(res, 200));
  }
}

describe('an artefact question page', () => {
  let h: Harness;
  let c: PageClient;
  const jobs = new ArtefactJobs();
  beforeAll(async () => {
    ({ h, c } = await start(jobs, [whichRun, howMany, broken], 100_000));
  });
  afterAll(async () => {
    jobs.close();
    await h.close();
  });

  it('is listed on the home page under "Questions about live models"; the weakest-topic button stays numeric', async () => {
    const home = await c.get('/');
    expect(home.status).toBe(200);
    expect(home.text).toContain('Questions about live models');
    expect(home.text).toContain('href="/practice/artefact/tiny-which-run"');
    expect(home.text).not.toMatch(FORBIDDEN);
    const w = await c.post('/practice/weakest', { _csrf: c.csrf(home.text) });
    expect(w.headers.get('location')).toMatch(/^\/practice\/v\//);
  });

  it('without a seed, redirects to a seeded URL so reloads keep the variant', async () => {
    const r = await c.get('/practice/artefact/tiny-which-run');
    expect(r.status).toBe(303);
    expect(r.headers.get('location')).toMatch(/^\/practice\/artefact\/tiny-which-run\?seed=\d+$/);
    expect((await c.get('/practice/artefact/no-such-question?seed=1')).status).toBe(404);
    expect((await c.get('/practice/artefact/tiny-which-run?seed=abc')).status).toBe(422);
  });

  it('shows letters, neutral pictures served immutable by hash, and grades a choice from the runs', async () => {
    const seed = 5;
    const r = await untilReady(c, `/practice/artefact/tiny-which-run?seed=${seed}`);
    expect(r.status).toBe(200);
    expect(r.text).not.toMatch(FORBIDDEN);
    expect(r.text).toContain('name="answer" value="A"');
    expect(r.text).toContain('name="answer" value="B"');
    const imgs = [...r.text.matchAll(/<img src="([^"]+)" alt="([^"]*)" width="(\d+)" height="(\d+)">/g)];
    expect(imgs).toHaveLength(2);
    expect(imgs.map((m) => m[2])).toEqual([expect.stringMatching(/^Run A: \S/), expect.stringMatching(/^Run B: \S/)]);
    for (const [, src] of imgs) {
      expect(src).toMatch(/^\/pages\/artefact-files\/[0-9a-f]{64}\.png$/);
      const img = await fetch(h.url + src, { headers: { cookie: c.cookie! } });
      expect(img.status).toBe(200);
      expect(img.headers.get('content-type')).toBe('image/png');
      expect(img.headers.get('cache-control')).toBe('private, max-age=31536000, immutable');
      const bytes = Buffer.from(await img.arrayBuffer());
      expect(bytes.subarray(1, 4).toString('latin1')).toBe('PNG');
      expect(bytes.toString('latin1')).not.toMatch(FORBIDDEN);
      // Without a session, no picture.
      expect((await fetch(h.url + src)).status).toBe(401);
    }
    expect((await fetch(`${h.url}/pages/artefact-files/${'0'.repeat(64)}.png`, { headers: { cookie: c.cookie! } })).status).toBe(404);

    // The key, computed independently of the pages (in this process, from the same cached runs).
    const key = await instructorView(whichRun, seed);
    const right = String(key.expected);
    const wrong = right === 'A' ? 'B' : 'A';
    const csrf = c.csrf(r.text);
    const good = await c.post('/practice/artefact/tiny-which-run', { _csrf: csrf, seed: String(seed), answer: right.toLowerCase() });
    expect(good.status).toBe(200);
    expect(good.text).toMatch(/data-step="answer" data-status="correct"/);
    expect(good.text).not.toMatch(FORBIDDEN);
    const bad = await c.post('/practice/artefact/tiny-which-run', { _csrf: csrf, seed: String(seed), answer: wrong });
    expect(bad.text).toMatch(/data-status="incorrect"/);
    expect(bad.text).toContain(`the runs give ${right}`);
    const invalid = await c.post('/practice/artefact/tiny-which-run', { _csrf: csrf, seed: String(seed), answer: 'C' });
    expect(invalid.status).toBe(422);
    expect(invalid.text).toMatch(/data-status="invalid"/);
    // The form is CSRF-protected like every cookie form.
    expect((await c.post('/practice/artefact/tiny-which-run', { seed: String(seed), answer: right })).status).toBe(403);
  });

  it('grades a number within the tolerance, reads a decimal comma, and refuses a non-number ungraded', async () => {
    const r = await untilReady(c, '/practice/artefact/tiny-how-many?seed=1');
    expect(r.status).toBe(200);
    expect(r.text).toContain('inputmode="decimal"');
    expect(r.text).toMatch(/Run A trains a GAN/);
    expect(r.text).not.toMatch(FORBIDDEN);
    const expected = Number((await instructorView(howMany, 1)).expected);
    const csrf = c.csrf(r.text);
    const post = (answer: string) => c.post('/practice/artefact/tiny-how-many', { _csrf: csrf, seed: '1', answer });
    expect((await post(`${expected},0`)).text).toMatch(/data-status="correct"/);
    expect((await post(String(expected + 1))).text).toMatch(/data-status="incorrect"/);
    const nan = await post('lots');
    expect(nan.status).toBe(422);
    expect(nan.text).toMatch(/data-status="invalid"[\s\S]*not a number/);
  });

  it('a run that fails shows a plain error page, not the worker message', async () => {
    const r = await untilReady(c, '/practice/artefact/tiny-broken?seed=1');
    expect(r.status).toBe(500);
    expect(r.text).toContain('could not be computed');
    expect(r.text).not.toMatch(/no-such-plot|show\[0\]|\.vl\.json/);
    expect(r.text).not.toMatch(FORBIDDEN);
    // Failed stays failed for a while (no retry storm from a reloading page).
    expect(jobs.state('tiny-broken', 1).state).toBe('failed');
  });

  it('reads numbers as students type them', () => {
    expect(readNumber('0.75')).toBe(0.75);
    expect(readNumber(' .5 ')).toBe(0.5);
    expect(readNumber('0,9')).toBe(0.9);
    expect(readNumber('7.5e-1')).toBe(0.75);
    for (const x of ['', 'abc', '1/2', '1e999', '0.5.5', 'Infinity', 'NaN']) expect(readNumber(x)).toBeUndefined();
  });
});

describe('runs not cached yet', () => {
  let h: Harness;
  let c: PageClient;
  const jobs = new ArtefactJobs({ queueLimit: 1 });
  beforeAll(async () => {
    ({ h, c } = await start(jobs, [slow(11), slow(12), slow(13)], 0));
  });
  afterAll(async () => {
    jobs.close();
    await h.close();
  });

  it('compute in the worker while the page shows progress and /healthz stays quick; a full queue gets 503', async () => {
    const first = await c.get('/practice/artefact/slow-11?seed=1');
    expect(first.status).toBe(202);
    expect(first.headers.get('refresh')).toBe('1; url=/practice/artefact/slow-11?seed=1');
    expect(first.text).toMatch(/<progress max="100" value="\d+"/);
    expect(first.text).toContain('Computing the model runs');
    expect(first.text).not.toMatch(FORBIDDEN);
    // The second waits in the queue; a third finds the queue full.
    const second = await c.get('/practice/artefact/slow-12?seed=1');
    expect(second.status).toBe(202);
    expect(second.text).toContain('waiting for one other question');
    const third = await c.get('/practice/artefact/slow-13?seed=1');
    expect(third.status).toBe(503);
    expect(third.headers.get('retry-after')).toBe('30');
    expect(third.text).toMatch(/busy/);
    // Reloading a queued page does not queue it twice.
    expect((await c.get('/practice/artefact/slow-12?seed=1')).status).toBe(202);

    // While the first computes, the server answers at once.
    const times: number[] = [];
    while (jobs.state('slow-11', 1).state !== 'ready') {
      const t0 = performance.now();
      const r = await fetch(`${h.url}/healthz`);
      times.push(performance.now() - t0);
      expect(r.status).toBe(200);
      await new Promise((res) => setTimeout(res, 50));
      if (times.length > 2000) throw new Error('the run did not finish');
    }
    expect(times.length).toBeGreaterThanOrEqual(5);
    // A run blocking the event loop would hold a request for seconds; loopback answers take milliseconds
    // (the bounds leave room for a busy shared machine).
    times.sort((a, b) => a - b);
    expect(times[Math.floor(times.length / 2)]).toBeLessThan(100);
    expect(times[times.length - 1]).toBeLessThan(500);
    const done = await c.get('/practice/artefact/slow-11?seed=1');
    expect(done.status).toBe(200);
    expect(done.text).toContain('<img src="/pages/artefact-files/');
  }, 180_000);
});
