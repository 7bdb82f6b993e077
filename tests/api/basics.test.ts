/** The API's edges: authentication and roles, problem+json errors, topics, stateless solve/grade, batch, OpenAPI. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Ajv } from 'ajv';
import { startHarness, type Harness } from './harness.js';
import { ON_POSTGRES } from './harness.js';

const I = [[1, 0], [0, 1]];
const params = { X: [[1, 0], [1, 1]], W_Q: I, W_K: [[1, 1], [0, 1]], W_V: I };

let h: Harness;
let student: { id: string; key: string };
beforeAll(async () => {
  h = await startHarness();
  student = await h.student('Ada');
});
afterAll(() => h.close());

describe('authentication and roles', () => {
  it('401 without a key, with an unknown key, and with a revoked key', async () => {
    expect((await h.call('GET', '/api/v1/topics')).status).toBe(401);
    const bad = await h.call('GET', '/api/v1/topics', { key: 'sw_nope' });
    expect(bad.status).toBe(401);
    expect(bad.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect(bad.body).toMatchObject({ status: 401, code: 'unauthorized', title: 'Unauthorized' });

    const s = await h.student('Temp');
    expect((await h.call('GET', '/api/v1/users/me', { key: s.key })).status).toBe(200);
    const keys = await h.store.keys.list(s.id);
    expect((await h.call('DELETE', `/api/v1/keys/${keys[0].id}`, { key: s.key })).status).toBe(200);
    expect((await h.call('GET', '/api/v1/users/me', { key: s.key })).status).toBe(401);
  });

  it('403 for a student on instructor routes', async () => {
    for (const [method, path, body] of [
      ['POST', '/api/v1/topics/self-attention/solve', { params }],
      ['POST', '/api/v1/users', { name: 'x', role: 'student' }],
      ['POST', '/api/v1/exams', { title: 'x', blueprint: [{ topic: 'kl-discrete', count: 1 }], versions: 1 }],
      ['GET', '/api/v1/exams', undefined],
    ] as const) {
      const r = await h.call(method, path, { key: student.key, body });
      expect(r.status, `${method} ${path}`).toBe(403);
      expect(r.body.code).toBe('forbidden');
    }
  });

  it('a student cannot revoke someone else’s key', async () => {
    const other = await h.student('Other');
    const keys = await h.store.keys.list(other.id);
    const r = await h.call('DELETE', `/api/v1/keys/${keys[0].id}`, { key: student.key });
    expect(r.status).toBe(403);
  });

  it.skipIf(ON_POSTGRES)('keys are stored hashed, never in clear', async () => {
    const row = h.store.db.prepare('SELECT * FROM api_keys WHERE user_id = ?').get(student.id) as Record<string, string>;
    expect(JSON.stringify(row)).not.toContain(student.key);
    expect(row.key_hash).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('problem+json errors name what is wrong', () => {
  it('400 malformed JSON', async () => {
    const r = await h.call('POST', '/api/v1/topics/self-attention/grade', { key: student.key, raw: '{"params": ' });
    expect(r.status).toBe(400);
    expect(r.body).toMatchObject({ code: 'invalid_json' });
  });

  it('422 schema violation naming the field', async () => {
    const r = await h.call('POST', '/api/v1/variants', { key: student.key, body: { topic: 'kl-discrete', seed: -1 } });
    expect(r.status).toBe(422);
    expect(r.body).toMatchObject({ code: 'invalid_request', field: 'body.seed' });
    const extra = await h.call('POST', '/api/v1/variants', { key: student.key, body: { topic: 'kl-discrete', colour: 1 } });
    expect(extra.body.detail).toMatch(/unknown field "colour"/);
  });

  it('422 invalid params naming the field', async () => {
    const r = await h.call('POST', '/api/v1/topics/self-attention/grade', {
      key: student.key,
      body: { params: { ...params, W_K: [[1, 1, 0], [0, 1, 0]] }, answers: {} },
    });
    expect(r.status).toBe(422);
    expect(r.body).toMatchObject({ code: 'invalid_params', field: 'params.W_K' });
  });

  it('404 unknown topic, unknown resource, unknown route', async () => {
    expect((await h.call('GET', '/api/v1/topics/gan-loss', { key: student.key })).body).toMatchObject({ status: 404, code: 'unknown_topic' });
    expect((await h.call('GET', '/api/v1/attempts/att_nope', { key: student.key })).body).toMatchObject({ status: 404, code: 'not_found' });
    expect((await h.call('GET', '/api/v1/nowhere', { key: student.key })).status).toBe(404);
  });

  it('413 body too large', async () => {
    const big = JSON.stringify({ params, answers: { Q: 'x'.repeat(1_100_000) } });
    const r = await h.call('POST', '/api/v1/topics/self-attention/grade', { key: student.key, raw: big });
    expect(r.status).toBe(413);
    expect(r.body.code).toBe('too_large');
  });

  it('415 when a JSON route gets another content type', async () => {
    const r = await h.call('POST', '/api/v1/variants', { key: student.key, raw: 'topic=x', type: 'text/plain' });
    expect(r.status).toBe(415);
  });

  it('no stack traces in any error body', async () => {
    const r = await h.call('POST', '/api/v1/topics/self-attention/grade', { key: student.key, raw: '{"params": ' });
    expect(r.text).not.toMatch(/at .*\.js:\d+/);
  });
});

describe('rate limiting', () => {
  it('429 past the per-key limit, counted per key', async () => {
    const limited = await startHarness({ rateLimitPerMinute: 3 });
    try {
      const s = await limited.student(); // uses one of the instructor's three
      const statuses = [];
      for (let i = 0; i < 4; i++) statuses.push((await limited.call('GET', '/api/v1/users/me', { key: s.key })).status);
      expect(statuses).toEqual([200, 200, 200, 429]);
      const r = await limited.call('GET', '/api/v1/users/me', { key: s.key });
      expect(r.body).toMatchObject({ status: 429, code: 'rate_limited' });
      expect(r.headers.get('ratelimit')).toBeTruthy();
      expect((await limited.call('GET', '/api/v1/users/me', { key: limited.instructor })).status).toBe(200);
    } finally {
      await limited.close();
    }
  });
});

describe('topics, solve, grade, batch', () => {
  it('lists the topics and one topic’s params schema', async () => {
    const list = await h.call('GET', '/api/v1/topics', { key: student.key });
    expect(list.body.map((t: { id: string }) => t.id)).toContain('self-attention');
    const one = await h.call('GET', '/api/v1/topics/kl-discrete', { key: student.key });
    expect(one.body.paramsSchema.properties).toHaveProperty('q');
  });

  it('solve (instructors) and stateless grade give the CLI’s answers', async () => {
    const s = await h.call('POST', '/api/v1/topics/self-attention/solve', { key: h.instructor, body: { params } });
    expect(s.status).toBe(200);
    expect(s.body.steps.find((x: { id: string }) => x.id === 'scores').value).toEqual([[1, 1], [2, 3]]);
    const g = await h.call('POST', '/api/v1/topics/self-attention/grade', {
      key: student.key,
      body: { params, answers: { scores: [[1, 1], [2, 4]], scaled_scores: '[[1, 1], [2, 4]] / sqrt(2)' } },
    });
    expect(g.body.steps.find((x: { id: string }) => x.id === 'scaled_scores').status).toBe('carried');
  });

  it('bulk JSON Lines: one reply per line, in order; students may not solve', async () => {
    const lines = [
      JSON.stringify({ op: 'grade', topic: 'self-attention', params, answers: { scores: [[1, 1], [2, 3]] }, id: 1 }),
      'oops',
      JSON.stringify({ op: 'solve', topic: 'self-attention', params, id: 3 }),
      JSON.stringify({ op: 'generate', topic: 'kl-discrete', seed: 4, id: 4 }),
    ].join('\n');
    const asStudent = await h.call('POST', '/api/v1/batch', { key: student.key, raw: lines, type: 'application/x-ndjson' });
    expect(asStudent.status).toBe(200);
    expect(asStudent.headers.get('content-type')).toMatch(/application\/x-ndjson/);
    const replies = asStudent.text.trim().split('\n').map((l) => JSON.parse(l));
    expect(replies.map((r: { ok: boolean; id?: number }) => [r.ok, r.id])).toEqual([[true, 1], [false, undefined], [false, 3], [true, 4]]);
    expect(replies[2].error.code).toBe('forbidden');
    const asInstructor = await h.call('POST', '/api/v1/batch', { key: h.instructor, raw: lines, type: 'application/x-ndjson' });
    expect(JSON.parse(asInstructor.text.trim().split('\n')[2]).ok).toBe(true);
  });
});

describe('OpenAPI and health', () => {
  it('serves an OpenAPI 3.1 document whose schemas compile and whose paths cover the routes', async () => {
    const r = await h.call('GET', '/api/v1/openapi.json');
    expect(r.status).toBe(200);
    expect(r.body.openapi).toBe('3.1.0');
    for (const p of ['/api/v1/topics', '/api/v1/topics/{topic}/solve', '/api/v1/topics/{topic}/grade', '/api/v1/variants', '/api/v1/variants/{id}/attempts', '/api/v1/attempts/{id}', '/api/v1/batch', '/api/v1/users', '/healthz']) {
      expect(r.body.paths, p).toHaveProperty([p]);
    }
    // Every component schema is valid JSON Schema once its refs point into the document.
    const ajv = new Ajv({ strict: false });
    ajv.addSchema({ $id: 'doc', components: r.body.components });
    const refs = JSON.stringify(r.body.paths).match(/#\/components\/schemas\/\w+/g) ?? [];
    for (const ref of new Set(refs)) expect(ajv.getSchema(`doc${ref}`), ref).toBeDefined();
  });

  it('/healthz checks the database', async () => {
    const r = await h.call('GET', '/healthz');
    expect(r.body).toEqual({ status: 'ok', database: 'ok' });
  });

  it('sends security headers', async () => {
    const r = await h.call('GET', '/healthz');
    expect(r.headers.get('x-content-type-options')).toBe('nosniff');
    expect(r.headers.get('x-powered-by')).toBeNull();
  });
});
