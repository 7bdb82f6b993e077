/**
 * The API under hostile and careless requests: deep JSON, oversized and unknown answer fields,
 * large batches (limits per line and per request, the event loop kept free), failed
 * authentication, /healthz's own rate-limit bucket, and a forged Host header.
 */
import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type AppOptions } from '../../src/api/app.js';
import { bootstrapInstructor } from '../../src/api/bootstrap.js';
import { MAX_STUDENT_BATCH_LINES } from '../../src/api/routes/topics.js';
import { MAX_LINE } from '../../src/batch/stream.js';
import { ltiTool } from '../../src/lti/index.js';
import { SqliteStore } from '../../src/store/sqlite/index.js';
import { startHarness, type Harness } from './harness.js';
import { ON_POSTGRES } from './harness.js';

const kl = { p: [0.5, 0.5], q: [0.25, 0.75] };
const deep = (n: number) => '['.repeat(n) + ']'.repeat(n);
const ndjson = 'application/x-ndjson';

let h: Harness;
let student: { id: string; key: string };
beforeAll(async () => {
  h = await startHarness();
  student = await h.student('Mallory');
});
afterAll(() => h.close());

describe('deeply nested JSON anywhere in a request is a 4xx', () => {
  it.skipIf(ON_POSTGRES)('in params, unused answer fields, exam bodies and attempts', async () => {
    const v = await h.call('POST', '/api/v1/variants', { key: student.key, body: { topic: 'kl-discrete', seed: 3 } });
    expect(v.status).toBe(201);
    const cases: [string, string, string, string][] = [
      ['student', 'POST', '/api/v1/topics/kl-discrete/grade', `{"params":${JSON.stringify(kl)},"answers":{"zz":${deep(100_000)}}}`],
      ['student', 'POST', '/api/v1/topics/kl-discrete/grade', `{"params":{"p":[0.5,0.5],"q":[0.25,0.75],"x":${deep(100_000)}},"answers":{}}`],
      ['student', 'POST', `/api/v1/variants/${v.body.id}/attempts`, `{"answers":{"zz":${deep(100_000)}}}`],
      ['student', 'POST', `/api/v1/variants/${v.body.id}/attempts`, `{"answers":{"kl":${deep(5_000)}}}`],
      ['instructor', 'POST', '/api/v1/exams', `{"title":"x","versions":1,"blueprint":${deep(100_000)}}`],
      ['instructor', 'POST', '/api/v1/topics/kl-discrete/solve', `{"params":${deep(100_000)}}`],
    ];
    for (const [who, method, path, raw] of cases) {
      const r = await h.call(method, path, { key: who === 'student' ? student.key : h.instructor, raw });
      expect(r.status, `${path} ${raw.slice(0, 60)}: ${r.text.slice(0, 200)}`).toBe(422);
      expect(r.body).toMatchObject({ code: 'invalid_request', detail: expect.stringMatching(/nested more than 32 levels deep/) });
    }
    expect(h.store.db.prepare('SELECT count(*) AS n FROM attempts WHERE variant_id = ?').get(v.body.id)).toEqual({ n: 0 });
  });

  it('in batch lines, for students and instructors: an error reply for the line, the rest answered', async () => {
    const lines = [
      `{"op":"grade","topic":"kl-discrete","params":{"p":[0.5,0.5],"q":[0.25,0.75],"x":${deep(100_000)}},"answers":{},"id":1}`,
      `{"op":"generate","topic":"kl-discrete","seed":1,"id":${deep(100_000)}}`,
      JSON.stringify({ op: 'grade', topic: 'kl-discrete', params: kl, answers: { kl: 0.1438 }, id: 3 }),
    ].join('\n');
    for (const key of [student.key, h.instructor]) {
      const r = await h.call('POST', '/api/v1/batch', { key, raw: lines, type: ndjson });
      expect(r.status, r.text.slice(0, 200)).toBe(200);
      const replies = r.text.trim().split('\n').map((l) => JSON.parse(l));
      expect(replies).toHaveLength(3);
      expect(replies[0]).toMatchObject({ ok: false, error: { code: 'invalid_request', path: expect.stringMatching(/^request\.params\.x/) } });
      expect(replies[1]).toMatchObject({ ok: false, error: { code: 'invalid_request' } });
      expect(replies[2]).toMatchObject({ ok: true, id: 3, score: 3, maxScore: 3 }); // the blank steps are implied by the correct kl (stateless default)
    }
  });
});

describe('stored answers are held to the limits; unknown fields are not stored', () => {
  let variant: string;
  beforeAll(async () => {
    variant = (await h.call('POST', '/api/v1/variants', { key: student.key, body: { topic: 'kl-discrete', seed: 4 } })).body.id;
  });
  const attempts = async () => (h.store.db.prepare('SELECT answers FROM attempts WHERE variant_id = ?').all(variant) as { answers: string }[]).map((r) => JSON.parse(r.answers));

  it.skipIf(ON_POSTGRES)('drops fields that are not steps of the variant, and says so', async () => {
    const r = await h.call('POST', `/api/v1/variants/${variant}/attempts`, {
      key: student.key,
      body: { answers: { kl: 0.5, zz: 'x'.repeat(200_000), scores: [1, 2] } },
    });
    expect(r.status).toBe(201);
    expect(r.body.answers).toEqual({ kl: 0.5 });
    expect(r.body.warnings).toEqual(expect.arrayContaining(['answers.zz: not a step of this variant; not stored', 'answers.scores: not a step of this variant; not stored']));
    expect(await attempts()).toEqual([{ kl: 0.5 }]);
  });

  it.skipIf(ON_POSTGRES)('refuses an answer over the limits (413) or holding an object (422), naming the field, and stores nothing', async () => {
    const over = await h.call('POST', `/api/v1/variants/${variant}/attempts`, { key: student.key, body: { answers: { kl: '1'.repeat(59_999) + 'a' } } });
    expect(over.status).toBe(413);
    expect(over.body).toMatchObject({ code: 'too_large', field: 'answers.kl', detail: 'answers.kl: the answer is longer than 2000 characters' });
    const many = await h.call('POST', `/api/v1/variants/${variant}/attempts`, { key: student.key, body: { answers: { log_ratio: Array.from({ length: 2000 }, () => 1) } } });
    expect(many.body).toMatchObject({ status: 413, field: 'answers.log_ratio', detail: expect.stringMatching(/more than 1024 elements/) });
    const obj = await h.call('POST', `/api/v1/variants/${variant}/attempts`, { key: student.key, body: { answers: { kl: { junk: 'x'.repeat(100_000) } } } });
    expect(obj.status).toBe(422);
    expect(obj.body).toMatchObject({ code: 'invalid_answers', field: 'answers.kl' });
    const fields = await h.call('POST', `/api/v1/variants/${variant}/attempts`, { key: student.key, body: { answers: Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`f${i}`, 1])) } });
    expect(fields.status).toBe(413);
    expect(await attempts()).toHaveLength(1); // only the one from the test before
  });
});

describe('the HTTP batch route', () => {
  it('holds each line to 1 MiB, as the CLI does, and carries on', async () => {
    const long = JSON.stringify({ op: 'grade', topic: 'kl-discrete', params: kl, answers: { zz: 'x'.repeat(MAX_LINE) }, id: 1 });
    const ok = JSON.stringify({ op: 'grade', topic: 'kl-discrete', params: kl, answers: { kl: 0.1438 }, id: 2 });
    const r = await h.call('POST', '/api/v1/batch', { key: h.instructor, raw: `${long}\n${ok}\n`, type: ndjson });
    expect(r.status).toBe(200);
    const replies = r.text.trim().split('\n').map((l) => JSON.parse(l));
    expect(replies).toHaveLength(2);
    expect(replies[0]).toMatchObject({ ok: false, error: { code: 'too_large', message: `the request line is longer than ${MAX_LINE} characters` } });
    expect(replies[1]).toMatchObject({ ok: true, id: 2 });
  });

  it(`caps a student's batch at ${MAX_STUDENT_BATCH_LINES} lines (413, before any reply)`, async () => {
    const line = JSON.stringify({ op: 'generate', topic: 'kl-discrete', seed: 1 });
    const at = await h.call('POST', '/api/v1/batch', { key: student.key, raw: Array.from({ length: MAX_STUDENT_BATCH_LINES }, () => line).join('\n\n'), type: ndjson });
    expect(at.status).toBe(200);
    expect(at.text.trim().split('\n')).toHaveLength(MAX_STUDENT_BATCH_LINES);
    const over = await h.call('POST', '/api/v1/batch', { key: student.key, raw: Array.from({ length: MAX_STUDENT_BATCH_LINES + 1 }, () => line).join('\n'), type: ndjson });
    expect(over.status).toBe(413);
    expect(over.body).toMatchObject({ code: 'too_large', detail: expect.stringMatching(/at most 1000 lines/) });
  });

  it('a large batch does not block the event loop: /healthz answers while it runs', async () => {
    const line = (i: number) => JSON.stringify({ op: 'grade', topic: 'kl-discrete', params: { p: [0.5, 0.5], q: [0.25 + (i % 50) / 100, 0.75 - (i % 50) / 100] }, answers: { log_ratio: [0.69, -0.4], kl: 0.14 }, id: i });
    const n = 40_000;
    const body = Array.from({ length: n }, (_, i) => line(i)).join('\n');
    const lag = monitorEventLoopDelay({ resolution: 5 });
    lag.enable();
    const started = performance.now();
    const batch = fetch(`${h.url}/api/v1/batch`, { method: 'POST', headers: { authorization: `Bearer ${h.instructor}`, 'content-type': ndjson }, body });
    await new Promise((r) => setTimeout(r, 300)); // the body is uploaded and being worked through
    const healthSent = performance.now();
    const health = await fetch(`${h.url}/healthz`);
    const healthMs = performance.now() - healthSent;
    expect(health.status).toBe(200);
    // Read the reply as it streams, chunk by chunk (one 40 MB decode at the end would itself block).
    const decoder = new TextDecoder();
    let lines = 0;
    let tail = ''; // an unfinished line
    let last = ''; // the last complete line
    for await (const chunk of (await batch).body as unknown as AsyncIterable<Uint8Array>) {
      const text = tail + decoder.decode(chunk, { stream: true });
      const cut = text.lastIndexOf('\n');
      if (cut < 0) {
        tail = text;
        continue;
      }
      const complete = text.slice(0, cut);
      lines += complete.split('\n').length;
      last = complete.slice(complete.lastIndexOf('\n') + 1);
      tail = text.slice(cut + 1);
    }
    const batchMs = performance.now() - started;
    lag.disable();
    expect(lines).toBe(n);
    expect(JSON.parse(last)).toMatchObject({ ok: true, id: n - 1 });
    // Before, the whole batch ran in one turn of the event loop (2–3 s here) and /healthz waited for
    // all of it (healthMs ≈ batchMs − 300). Slices are now 10 ms, but garbage collection and a shared
    // 2-core box (the process descheduled while other test files run) add pauses, and a loaded
    // machine stretches everything alike: so the bound is 500 ms or a quarter of the batch's own
    // time, whichever is larger — far from the old behaviour either way.
    const bound = Math.max(500, batchMs / 4);
    expect(healthMs, `healthz took ${healthMs.toFixed(0)} ms; the batch ${batchMs.toFixed(0)} ms`).toBeLessThan(bound);
    expect(lag.max / 1e6, `longest event-loop delay in ms (batch ${batchMs.toFixed(0)} ms)`).toBeLessThan(bound);
  }, 60_000);
});

describe('failed authentication is rate limited per address', () => {
  it('after the limit, 429 with Retry-After, even for a good key, until the minute is over', async () => {
    const a = await startHarness({ authFailuresPerMinute: 3 });
    try {
      for (let i = 0; i < 3; i++) expect((await a.call('GET', '/api/v1/topics', { key: `sw_guess${i}` })).status).toBe(401);
      const r = await a.call('GET', '/api/v1/topics', { key: 'sw_guess4' });
      expect(r.status).toBe(429);
      expect(r.body).toMatchObject({ code: 'rate_limited', detail: expect.stringMatching(/failed authentications/) });
      const retry = Number(r.headers.get('retry-after'));
      expect(retry).toBeGreaterThanOrEqual(1);
      expect(retry).toBeLessThanOrEqual(60);
      expect((await a.call('GET', '/api/v1/topics', { key: a.instructor })).status).toBe(429);
      // Public routes are not behind it.
      expect((await a.call('GET', '/healthz')).status).toBe(200);
    } finally {
      await a.close();
    }
  });

  it('good keys and missing headers do not count', async () => {
    const a = await startHarness({ authFailuresPerMinute: 2 });
    try {
      for (let i = 0; i < 5; i++) expect((await a.call('GET', '/api/v1/topics', { key: a.instructor })).status).toBe(200);
      for (let i = 0; i < 5; i++) expect((await a.call('GET', '/api/v1/topics')).status).toBe(401);
      expect((await a.call('GET', '/api/v1/topics', { key: 'sw_guess' })).status).toBe(401);
      expect((await a.call('GET', '/api/v1/topics', { key: a.instructor })).status).toBe(200);
    } finally {
      await a.close();
    }
  });
});

describe('/healthz has its own rate-limit bucket', () => {
  it('stays up when the public routes are exhausted, and spends none of their budget', async () => {
    const a = await startHarness({ rateLimitPerMinute: 2 });
    try {
      for (let i = 0; i < 2; i++) expect((await a.call('GET', '/healthz')).status).toBe(200);
      for (let i = 0; i < 2; i++) expect((await a.call('GET', '/api/v1/openapi.json')).status).toBe(200);
      expect((await a.call('GET', '/api/v1/openapi.json')).status).toBe(429);
      expect((await a.call('GET', '/healthz')).status).toBe(429); // its own two are spent
    } finally {
      await a.close();
    }
    const b = await startHarness({ rateLimitPerMinute: 2 });
    try {
      for (let i = 0; i < 3; i++) await b.call('GET', '/api/v1/openapi.json');
      expect((await b.call('GET', '/healthz')).status).toBe(200);
    } finally {
      await b.close();
    }
  });
});

describe('URLs are not built from a foreign Host header', () => {
  async function ltiApp(options: Partial<AppOptions>) {
    const store = SqliteStore.open({ file: ':memory:' });
    const { created } = await bootstrapInstructor(store);
    const lti = ltiTool(store, {});
    const { app } = createApp({ store, rateLimitPerMinute: 0, extraRoutes: lti.routes, ...options });
    const server = await new Promise<import('node:http').Server>((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    const port = (server.address() as AddressInfo).port;
    const get = (path: string, host: string, key?: string) =>
      new Promise<{ status: number; body: any; location?: string }>((resolve, reject) => {
        const req = request({ host: '127.0.0.1', port, path, headers: { host, ...(key ? { authorization: `Bearer ${key}` } : {}) } }, (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (c: string) => (text += c));
          res.on('end', () => {
            let body: unknown;
            try {
              body = JSON.parse(text);
            } catch {
              body = text;
            }
            resolve({ status: res.statusCode ?? 0, body, ...(res.headers.location ? { location: res.headers.location } : {}) });
          });
        });
        req.on('error', reject);
        req.end();
      });
    return { get, key: created!, close: () => new Promise<void>((r) => server.close(() => void store.close().then(r))) };
  }

  it('without STEPWISE_BASE_URL: loopback names, the listen address and allowed hosts only; others get 421', async () => {
    const a = await ltiApp({ allowedHosts: ['stepwise.lan', 'tutor.example:8443'], listenHost: '10.1.2.3' });
    try {
      const evil = await a.get('/api/v1/lti/config', 'evil.example', a.key);
      expect(evil.status).toBe(421);
      expect(evil.body).toMatchObject({ code: 'misdirected_request', detail: expect.stringMatching(/STEPWISE_BASE_URL/) });
      expect((await a.get('/lti/login?iss=https%3A%2F%2Fplatform.example&login_hint=x&target_link_uri=x', 'evil.example')).status).toBe(421);
      expect((await a.get('/api/v1/lti/config', 'tutor.example:9999', a.key)).status).toBe(421);
      expect((await a.get('/api/v1/lti/config', 'localhost@evil.example', a.key)).status).toBe(421);
      for (const [host, launch] of [
        ['localhost:3000', 'http://localhost:3000/lti/launch'],
        ['127.0.0.1:8080', 'http://127.0.0.1:8080/lti/launch'],
        ['[::1]:3000', 'http://[::1]:3000/lti/launch'],
        ['STEPWISE.lan', 'http://STEPWISE.lan/lti/launch'],
        ['tutor.example:8443', 'http://tutor.example:8443/lti/launch'],
        ['10.1.2.3:3000', 'http://10.1.2.3:3000/lti/launch'],
      ]) {
        const r = await a.get('/api/v1/lti/config', host, a.key);
        expect(r.status, host).toBe(200);
        expect(r.body).toMatchObject({ launchUrl: launch, redirectUris: [launch] });
      }
      // Routes that build no URL answer any Host (access by a LAN address keeps working).
      expect((await a.get('/api/v1/topics', '192.168.1.20:3000', a.key)).status).toBe(200);
    } finally {
      await a.close();
    }
  });

  it('with STEPWISE_BASE_URL the Host header is ignored', async () => {
    const a = await ltiApp({ baseUrl: 'https://stepwise.example.edu' });
    try {
      const r = await a.get('/api/v1/lti/config', 'evil.example', a.key);
      expect(r.status).toBe(200);
      expect(r.body).toMatchObject({ launchUrl: 'https://stepwise.example.edu/lti/launch', jwksUrl: 'https://stepwise.example.edu/lti/jwks' });
    } finally {
      await a.close();
    }
  });
});
