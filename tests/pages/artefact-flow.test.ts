/**
 * Questions about live model runs in the bank's own flows: a practice variant whose page shows the
 * runs' progress, then their pictures, and records graded attempts; the same question as an exam
 * item (runs queued at the freeze, no answer before release, its seed refused in practice); the
 * API's figures and pictures; per-seed runs. Runs are tiny GANs computed by a real model worker (the
 * built child process: `npm run build` first, as `npm test` does).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerArtefactQuestion } from '../../src/engine.js';
import { modelWorker } from '../../src/model-worker.js';
import { runSeedsFor, type ArtefactQuestion } from '../../src/models/questions.js';
import { ArtefactJobs } from '../../src/pages/artefact-jobs.js';
import type { Harness } from '../api/harness.js';
import { howMany as tinyHowMany, TINY, whichRun as tinyWhichRun } from '../artefact-fixtures.js';
import { signIn, startPages, type PageClient } from './harness.js';

const howMany: ArtefactQuestion = { ...tinyHowMany, id: 'flow-how-many' };
const whichRun: ArtefactQuestion = { ...tinyWhichRun, id: 'flow-which-run' };
const broken: ArtefactQuestion = { ...howMany, id: 'flow-broken', show: ['vanilla:no-such-plot.png'] };
// Two run seeds: a question seed draws one, so two students can train different runs.
const pooled: ArtefactQuestion = { ...howMany, id: 'flow-pooled', runs: [{ name: 'vanilla', run: 'vanilla', config: TINY }], runSeeds: [3, 4] };
const questions = new Map([howMany, whichRun, broken, pooled].map((q) => [q.id, q]));

/** Words a student must never receive: run keys and lab run names, metric names, cache files. */
const FORBIDDEN = /vanilla|minibatch|finalDLoss|modesCovered|metrics\.json|stepwise-cache|stepwise-flow-cache|\.tmp-/i;

let h: Harness;
let ada: PageClient;
let adaKey: string;
let cache: string;
const savedCache = process.env.STEPWISE_CACHE;

/** Runs every queued job once (the worker a server would run). */
async function work(): Promise<number> {
  const w = modelWorker(h.store, { questions, executor: new ArtefactJobs({ queueLimit: 1 }), name: 'flow-worker' });
  let n = 0;
  try {
    while (await w.once()) n++;
  } finally {
    await w.stop();
  }
  return n;
}

const variantOf = (r: { headers: Headers }): string => /url=\/practice\/v\/([\w-]+)/.exec(r.headers.get('refresh') ?? '')?.[1] ?? '';
const attemptsOf = async (variantId: string) => h.store.attempts.listByVariant(variantId);

beforeAll(async () => {
  cache = mkdtempSync(join(tmpdir(), 'stepwise-flow-cache-'));
  process.env.STEPWISE_CACHE = cache; // inherited by the worker's child process
  for (const q of questions.values()) registerArtefactQuestion(q);
  h = await startPages({ artefactPages: { waitMs: 50, pollMs: 20, refreshSeconds: 1 } });
  adaKey = (await h.student('Ada')).key;
  ada = await signIn(h, adaKey);
});

afterAll(async () => {
  await h.close();
  rmSync(cache, { recursive: true, force: true });
  if (savedCache === undefined) delete process.env.STEPWISE_CACHE;
  else process.env.STEPWISE_CACHE = savedCache;
});

describe('a question about model runs in practice', () => {
  it('is listed on the home page and opens as a practice variant', async () => {
    const home = await ada.get('/');
    expect(home.text).toContain('Questions about live models');
    expect(home.text).toContain(`href="/practice/${howMany.id}"`);
    // The older address leads to the same flow, seed kept.
    const older = await ada.get(`/practice/artefact/${howMany.id}?seed=5`);
    expect(older.status).toBe(303);
    expect(older.headers.get('location')).toBe(`/practice/${howMany.id}?seed=5`);
  });

  it('shows progress and takes no answer until the runs are computed; then the pictures, graded and recorded attempts', async () => {
    const first = await ada.get(`/practice/${howMany.id}?seed=5`);
    expect(first.status).toBe(202);
    expect(first.text).toContain('Computing the model runs');
    expect(first.text).not.toMatch(/<form[^>]*class="answers"/);
    const id = variantOf(first);
    expect(id).not.toBe('');
    expect(first.text).not.toMatch(FORBIDDEN);
    // Answering before the runs are there: 503 with Retry-After, nothing stored.
    const early = await ada.post(`/practice/v/${id}`, { _csrf: ada.csrf(first.text), action: 'submit', 'answers[answer]': '3' });
    expect(early.status).toBe(503);
    expect(early.headers.get('retry-after')).toBe('30');
    expect(await attemptsOf(id)).toHaveLength(0);

    expect(await work()).toBe(1);
    const page = await ada.get(`/practice/v/${id}`);
    expect(page.status).toBe(200);
    expect(page.text).not.toMatch(FORBIDDEN);
    const img = /<img src="(\/pages\/artefact-files\/[0-9a-f]{64}\.png)" alt="([^"]*)"/.exec(page.text);
    expect(img?.[2]).toMatch(/^Run A: /);
    const png = await fetch(h.url + img![1], { headers: { cookie: ada.cookie! } });
    expect(png.status).toBe(200);
    expect(Buffer.from(await png.arrayBuffer()).subarray(1, 4).toString()).toBe('PNG');
    expect((await fetch(h.url + img![1])).status).toBe(401);

    const expected = (JSON.parse((await h.store.models.get(howMany.id, 5))!.view!) as { expected: number }).expected;
    expect(Number.isInteger(expected)).toBe(true);
    const csrf = ada.csrf(page.text);
    // A decimal comma is read; the attempt is stored with its outcome.
    const right = await ada.post(`/practice/v/${id}`, { _csrf: csrf, action: 'submit', 'answers[answer]': `${expected},0` });
    expect(right.status).toBe(200);
    expect(right.text).toMatch(/data-step="answer"[^>]*data-status="correct"/);
    // The worked solution after the submit names the metric in words, never the bank's own keys.
    expect(right.text).toContain('modes covered');
    expect(right.text).not.toMatch(FORBIDDEN);
    const wrong = await ada.post(`/practice/v/${id}`, { _csrf: csrf, action: 'submit', 'answers[answer]': String(expected + 1) });
    expect(wrong.text).toMatch(/data-status="incorrect"/);
    const unreadable = await ada.post(`/practice/v/${id}`, { _csrf: csrf, action: 'submit', 'answers[answer]': 'lots' });
    expect(unreadable.status).toBe(422);
    const stored = await attemptsOf(id);
    expect(stored.map((a) => a.result.steps[0].outcome)).toEqual(['correct', 'incorrect']);
  }, 120_000);

  it('a "which run" question takes a run letter and grades it from the runs', async () => {
    const first = await ada.get(`/practice/${whichRun.id}?seed=2`);
    expect(first.status).toBe(202);
    await work();
    const id = variantOf(first);
    const page = await ada.get(`/practice/v/${id}`);
    expect(page.text).toContain('type="radio" id="c-0-A" name="answers[answer]" value="A"');
    expect(page.text).toContain('value="B"');
    expect(page.text).not.toMatch(FORBIDDEN);
    const expected = (JSON.parse((await h.store.models.get(whichRun.id, 2))!.view!) as { expected: string }).expected;
    expect(['A', 'B']).toContain(expected);
    const other = expected === 'A' ? 'B' : 'A';
    const csrf = ada.csrf(page.text);
    expect((await ada.post(`/practice/v/${id}`, { _csrf: csrf, action: 'submit', 'answers[answer]': expected })).text).toMatch(/data-status="correct"/);
    expect((await ada.post(`/practice/v/${id}`, { _csrf: csrf, action: 'submit', 'answers[answer]': other })).text).toMatch(/data-status="incorrect"/);
    const bad = await ada.post(`/practice/v/${id}`, { _csrf: csrf, action: 'submit', 'answers[answer]': 'Z' });
    expect(bad.status).toBe(422);
    expect(bad.text).toContain('one of the runs: A, B');
  }, 120_000);

  it('a failed job shows as failed, not the worker message', async () => {
    const first = await ada.get(`/practice/${broken.id}?seed=1`);
    await work();
    expect((await h.store.models.get(broken.id, 1))?.state).toBe('failed');
    const page = await ada.get(`/practice/v/${variantOf(first)}`);
    expect(page.status).toBe(503);
    expect(page.text).toContain('could not be computed');
    expect(page.text).not.toMatch(/no-such-plot|show\[0\]/);
  }, 120_000);

  it('draws run seeds per question seed: two students can train different runs and see different pictures', async () => {
    const seeds = Array.from({ length: 40 }, (_, s) => runSeedsFor(pooled, s).vanilla);
    expect(new Set(seeds)).toEqual(new Set([3, 4]));
    const s3 = seeds.indexOf(3);
    const s4 = seeds.indexOf(4);
    await ada.get(`/practice/${pooled.id}?seed=${s3}`);
    await ada.get(`/practice/${pooled.id}?seed=${s4}`);
    expect(await work()).toBe(2);
    const view = async (s: number) => JSON.parse((await h.store.models.get(pooled.id, s))!.view!) as { images: { hash: string }[] };
    expect((await view(s3)).images[0].hash).not.toBe((await view(s4)).images[0].hash);
  }, 120_000);
});

describe('the API', () => {
  it('gives the figures of an artefact variant and its pictures with the same key; grades attempts; 404 for other variants', async () => {
    const v = await h.call('POST', '/api/v1/variants', { key: adaKey, body: { topic: howMany.id, seed: 5 } });
    expect(v.status).toBe(201);
    expect(v.body.params).toEqual({ seed: 5 });
    const f = await h.call('GET', `/api/v1/variants/${v.body.id}/figures`, { key: adaKey });
    expect(f.status).toBe(200);
    expect(f.body.state).toBe('ready'); // computed by the practice test above: same question and seed
    const url = f.body.images[0].url as string;
    expect(url).toMatch(/^\/api\/v1\/artefact-files\/[0-9a-f]{64}\.png$/);
    expect(f.text).not.toMatch(FORBIDDEN);
    const png = await fetch(h.url + url, { headers: { authorization: `Bearer ${adaKey}` } });
    expect(png.headers.get('content-type')).toBe('image/png');
    expect((await fetch(h.url + url)).status).toBe(401);
    const a = await h.call('POST', `/api/v1/variants/${v.body.id}/attempts`, { key: adaKey, body: { answers: { answer: 'many' } } });
    expect(a.status).toBe(201);
    expect(a.body.steps[0].status).toBe('invalid');
    // Runs not computed yet: queued, and grading says not_ready (503, Retry-After) and stores nothing.
    const fresh = await h.call('POST', '/api/v1/variants', { key: adaKey, body: { topic: howMany.id, seed: 77 } });
    expect((await h.call('GET', `/api/v1/variants/${fresh.body.id}/figures`, { key: adaKey })).body.state).toBe('queued');
    const early = await h.call('POST', `/api/v1/variants/${fresh.body.id}/attempts`, { key: adaKey, body: { answers: { answer: 3 } } });
    expect(early.status).toBe(503);
    expect(early.body.code).toBe('not_ready');
    expect(early.headers.get('retry-after')).toBe('30');
    expect(await attemptsOf(fresh.body.id)).toHaveLength(0);
    const numeric = await h.call('POST', '/api/v1/variants', { key: adaKey, body: { topic: 'kl-discrete', seed: 1 } });
    expect((await h.call('GET', `/api/v1/variants/${numeric.body.id}/figures`, { key: adaKey })).status).toBe(404);
  }, 120_000);
});

describe('an exam with a question about model runs', () => {
  it('queues the runs at the freeze, shows pictures but no answer before release, refuses its seed in practice, grades after', async () => {
    const exam = await h.call('POST', '/api/v1/exams', {
      key: h.instructor,
      body: { title: 'Runs quiz', blueprint: [{ topic: howMany.id, count: 1 }, { topic: 'kl-discrete', count: 1, difficulty: 'easy' }], versions: 1, seed: 11 },
    });
    expect(exam.status, exam.text).toBe(201);
    const item = (await h.store.variants.listByExam(exam.body.id)).find((v) => v.topic === howMany.id)!;
    const seed = (item.params as { seed: number }).seed;
    expect((await h.store.models.get(howMany.id, seed))?.state).toBe('queued');

    const boKey = (await h.student('Bo')).key;
    const bo = await signIn(h, boKey);
    const before = await bo.get(`/exams/${exam.body.id}`);
    expect(before.status).toBe(200);
    expect(before.text).toContain('Computing the model runs');
    // Its seed in practice would give the answer away: refused, by either address.
    expect((await bo.get(`/practice/${howMany.id}?seed=${seed}`)).status).toBe(403);
    expect((await bo.get(`/practice/artefact/${howMany.id}?seed=${seed}`)).headers.get('location')).toBe(`/practice/${howMany.id}?seed=${seed}`);

    // Statistics before the runs are done: Bo answered the other item; this one counts as unanswered, with its marks.
    const kl = (await h.store.variants.listByExam(exam.body.id)).find((v) => v.topic === 'kl-discrete')!;
    expect((await h.call('POST', `/api/v1/variants/${kl.id}/attempts`, { key: boKey, body: { answers: {} } })).status).toBe(201);
    const early = await h.call('GET', `/api/v1/exams/${exam.body.id}/statistics`, { key: h.instructor });
    expect(early.status, early.text).toBe(200);

    await work();
    const expected = (JSON.parse((await h.store.models.get(howMany.id, seed))!.view!) as { expected: number }).expected;
    const page = await bo.get(`/exams/${exam.body.id}`);
    expect(page.text).toMatch(/<img src="\/pages\/artefact-files\/[0-9a-f]{64}\.png" alt="Run A: /);
    expect(page.text).not.toMatch(FORBIDDEN);
    const posted = await bo.post(`/exams/${exam.body.id}/items/${item.id}`, { _csrf: bo.csrf(page.text), action: 'submit', 'answers[answer]': String(expected) });
    expect(posted.status).toBe(303);
    const after = await bo.get(`/exams/${exam.body.id}`);
    expect(after.text).toContain('Your answers are recorded');
    expect(after.text).not.toContain('data-status="correct"');
    const [attempt] = await attemptsOf(item.id);
    expect(attempt.result.steps[0].status).toBe('correct');
    const reply = await h.call('GET', `/api/v1/attempts/${attempt.id}`, { key: adaKey });
    expect(reply.status).toBe(403); // another student's

    // Released: the result and the runs' answer; the item's outcome counts in the statistics.
    expect((await h.call('POST', `/api/v1/exams/${exam.body.id}/release`, { key: h.instructor, body: { force: true } })).status).toBe(200);
    const released = await bo.get(`/exams/${exam.body.id}`);
    expect(released.text).toMatch(/data-step="answer"[^>]*data-status="correct"/);
    expect(released.text).toMatch(new RegExp(`<strong>Answer:</strong> ${expected}\\b`));
    const stats = await h.call('GET', `/api/v1/exams/${exam.body.id}/statistics`, { key: h.instructor });
    expect(stats.status).toBe(200);
    expect(JSON.stringify(stats.body)).toContain(howMany.id);
  }, 120_000);
});
