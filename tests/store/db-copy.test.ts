/**
 * `stepwise db copy --to postgres://…`: a SQLite store with rows in every table moves into an empty
 * PostgreSQL database, counts checked; a non-empty target is refused; a count difference rolls back
 * and exits non-zero; the URL's password is never printed. On a real server (tests/pg-server.ts).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { copySqliteToPg } from '../../src/store/pg/copy.js';
import { migratePg, openPool, type Pool } from '../../src/store/pg/db.js';
import { pgLti } from '../../src/store/pg/lti.js';
import { pgPassbackJobs } from '../../src/store/pg/passback-jobs.js';
import { pgModelJobs } from '../../src/store/pg/model-jobs.js';
import { toolKeySealer } from '../../src/store/sqlite/sealed-keys.js';
import { SqliteStore } from '../../src/store/sqlite/index.js';
import { stepwise } from '../cli-helpers.js';
import { freshDatabase, startPgServer, type PgServer } from '../pg-server.js';

const SECRET = 'k'.repeat(40);
const T = '2026-01-01T00:00:00.000Z';
const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 255, 7]);

let server: PgServer | undefined;
let dir: string;
let file: string;

/** A store at `file` with rows in every table, through the SQLite repositories and plain SQL. */
async function fillStore(file: string): Promise<void> {
  const store = SqliteStore.open({ file, secret: SECRET });
  const db = store.db;
  const run = (sql: string, ...v: unknown[]) => db.prepare(sql).run(...v);
  try {
    run("INSERT INTO users (id, name, role, created_at) VALUES ('t1', 'Teacher', 'instructor', ?)", T);
    run("INSERT INTO users (id, name, role, lti_issuer, lti_subject, created_at, local_handle) VALUES ('u1', 'Ada', 'student', 'https://lms.example', 'sub-1', ?, 'ada')", T);
    run("INSERT INTO courses (id, title, created_by, created_at) VALUES ('c1', 'Deep learning', 't1', ?)", T);
    run("INSERT INTO course_members (course_id, user_id, added_at) VALUES ('c1', 'u1', ?)", T);
    run("INSERT INTO practice_sessions (id, user_id, topics, difficulty, created_at) VALUES ('ps1', 'u1', '[\"kl-discrete\"]', 'easy', ?)", T);
    run("INSERT INTO exams (id, title, course_id, blueprint, versions, seed, manifest, created_by, created_at, ecf_penalty) VALUES ('e1', 'Midterm', 'c1', '[]', 1, 4294967295, '{}', 't1', ?, 0.25)", T);
    run("INSERT INTO variants (id, topic, seed, difficulty, params, steps, prompt, mode, session_id, created_by, created_at) VALUES ('v1', 'kl-discrete', 4294967295, 'easy', '{\"p\":[0.5,0.5]}', '[\"kl\"]', 'Find KL', 'practice', 'ps1', 'u1', ?)", T);
    run("INSERT INTO variants (id, topic, seed, difficulty, params, steps, prompt, mode, exam_id, exam_version, exam_item, created_by, created_at) VALUES ('v2', 'kl-discrete', 3, 'easy', '{}', '[]', 'Exam item', 'exam', 'e1', 0, 0, 't1', ?)", T);
    run("INSERT OR IGNORE INTO exam_fingerprints (variant_id, exam_id, fingerprint, form) VALUES ('v2', 'e1', 'fp', 0)");
    run("INSERT INTO exam_assignments (exam_id, user_id, version, assigned_at) VALUES ('e1', 'u1', 0, ?)", T);
    run("INSERT INTO exam_drafts (user_id, variant_id, fields, updated_at) VALUES ('u1', 'v2', '{}', ?)", T);
    run("INSERT INTO web_practice (user_id, session_id) VALUES ('u1', 'ps1')");

    const p = (await store.lti.createPlatform({ name: 'Moodle', issuer: 'https://lms.example', clientId: 'c', authLoginUrl: 'https://lms.example/a', authTokenUrl: 'https://lms.example/t', jwksUrl: 'https://lms.example/j', deploymentIds: ['d2', 'd1'] }))!;
    await store.lti.createLoginState({ state: 'st', nonce: 'n', platformId: p.id, expiresAt: '2099-01-01T00:00:00.000Z' });
    await store.lti.useNonce(p.id, 'n', '2099-01-01T00:00:00.000Z');
    const link = await store.lti.upsertResourceLink({ platformId: p.id, deploymentId: 'd1', resourceLinkId: 'rl', contextId: 'ctx', target: { kind: 'topic', id: 'kl-discrete' } });
    await store.lti.setLineItem(link.id, 'https://lms.example/li/1');
    await store.lti.bindExamHome('e1', { platformId: p.id, contextId: 'ctx' });
    const launch = await store.lti.createLaunch({ userId: 'u1', resourceLink: link.id, variantId: 'v1', lineItemUrl: 'https://lms.example/li/1' });
    await store.lti.addToolKey({ kid: 'kid-1', privateJwk: { kty: 'RSA', d: 'private' }, publicJwk: { kty: 'RSA', n: 'public' } });
    run("INSERT INTO api_keys (id, user_id, role, label, key_hash, prefix, created_at, scope_resource_link) VALUES ('k1', 'u1', 'student', 'lti', 'hash', 'sw_abc', ?, ?)", T, link.id);
    run("INSERT INTO web_sessions (token_hash, user_id, key_id, created_at, expires_at) VALUES ('tok', 'u1', 'k1', ?, '2099-01-01T00:00:00.000Z')", T);

    // Attempts at the launched variant: the SQLite trigger writes their passback jobs.
    for (const [id, score] of [['a1', 1.25], ['a2', 0.1], ['a3', 2]] as const) {
      run("INSERT INTO attempts (id, variant_id, user_id, answers, result, score, max_score, created_at) VALUES (?, 'v1', 'u1', '{\"kl\":\"0.1\"}', '{\"steps\":[]}', ?, 2, ?)", id, score, T);
      run("INSERT INTO attempt_steps (attempt_id, step_id, status, credit, marks, outcome) VALUES (?, 'kl', 'correct', 1, 2, 'right')", id);
    }
    run("DELETE FROM lti_passback_jobs WHERE attempt_id = 'a2'"); // a gap in the ids, which must survive
    await store.lti.recordScorePost({ attemptId: 'a1', launchId: launch.id, url: 'https://lms.example/li/1/scores', scoreGiven: 1.25, scoreMaximum: 2, status: 200 });
    await store.models.request('q-gan', 4294967295, 10, 0);
    await store.models.claim('w1', Date.now(), 60_000, ['q-gan']);
    await store.models.finish('q-gan', 4294967295, 'w1', '{"pictures":["h1"]}', [{ hash: 'h1', png: PNG }]);
    run("INSERT INTO secrets (name, value, created_at) VALUES ('extra', ?, ?)", Buffer.from([0, 1, 2, 254]), T);
  } finally {
    await store.close();
  }
}

function sqliteCounts(file: string): Record<string, number> {
  const db = new Database(file, { readonly: true });
  try {
    const names = db.prepare<[], { name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").all();
    return Object.fromEntries(names.map(({ name }) => [name, (db.prepare(`SELECT count(*) AS n FROM "${name}"`).get() as { n: number }).n]));
  } finally {
    db.close();
  }
}

async function pgCounts(pool: Pool, tables: string[]): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const t of tables) out[t] = Number((await pool.query(`SELECT count(*) AS n FROM "${t}"`)).rows[0].n);
  return out;
}

beforeAll(async () => {
  server = await startPgServer();
  dir = mkdtempSync(join(tmpdir(), 'stepwise-db-copy-'));
  file = join(dir, 'store.db');
  await fillStore(file);
}, 60_000);
afterAll(() => {
  server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('stepwise db copy', () => {
  it('copies every table of a SQLite store row for row, keeping passback ids and bytes', async (ctx) => {
    if (!server) return ctx.skip();
    const source = sqliteCounts(file);
    for (const [t, n] of Object.entries(source)) expect(n, t).toBeGreaterThan(0); // the fixture fills every table
    const url = await freshDatabase(server.url);
    const r = await copySqliteToPg(file, url);
    expect(Object.fromEntries(r.tables.map((t) => [t.table, t.source]))).toEqual(source);
    expect(r.tables.every((t) => t.target === t.source)).toBe(true);
    expect(r.rows).toBe(Object.values(source).reduce((a, b) => a + b, 0));
    // Parents first: users before attempts, attempts before launches (the outbox trigger stays quiet).
    const at = (t: string) => r.tables.findIndex((x) => x.table === t);
    expect(at('users')).toBeLessThan(at('variants'));
    expect(at('attempts')).toBeLessThan(at('lti_launches'));

    const pool = openPool({ url });
    try {
      expect(await pgCounts(pool, Object.keys(source))).toEqual(source);
      const src = new Database(file, { readonly: true });
      const jobs = src.prepare('SELECT id, attempt_id FROM lti_passback_jobs ORDER BY id').all() as { id: number; attempt_id: string }[];
      const exam = src.prepare("SELECT seed, ecf_penalty FROM exams WHERE id = 'e1'").get();
      const key = src.prepare('SELECT private_jwk FROM lti_tool_keys').get() as { private_jwk: string };
      const server_ = src.prepare("SELECT value FROM secrets WHERE name = 'server'").get() as { value: Buffer } | undefined;
      src.close();
      expect(jobs.map((j) => j.attempt_id)).toEqual(['a1', 'a3']);
      expect((await pool.query('SELECT id, attempt_id FROM lti_passback_jobs ORDER BY id')).rows).toEqual(jobs);
      expect((await pool.query("SELECT seed, ecf_penalty FROM exams WHERE id = 'e1'")).rows[0]).toEqual(exam);
      expect((await pool.query("SELECT score FROM attempts WHERE id = 'a1'")).rows[0].score).toBe(1.25);
      expect((await pool.query("SELECT value FROM secrets WHERE name = 'extra'")).rows[0].value).toEqual(Buffer.from([0, 1, 2, 254]));
      if (server_) expect((await pool.query("SELECT value FROM secrets WHERE name = 'server'")).rows[0].value).toEqual(server_.value);
      expect((await pool.query('SELECT private_jwk FROM lti_tool_keys')).rows[0].private_jwk).toBe(key.private_jwk);

      // The PostgreSQL repositories read the copy as the SQLite ones wrote it.
      const lti = pgLti(pool, toolKeySealer(SECRET));
      const [platform] = await lti.listPlatforms();
      expect(platform!.deploymentIds).toEqual(['d2', 'd1']);
      expect((await lti.toolKeys())[0]!.privateJwk).toEqual({ kty: 'RSA', d: 'private' });
      expect(await lti.launchFor('v1', 'u1')).toMatchObject({ subject: 'sub-1', launch: { lineItemUrl: 'https://lms.example/li/1' } });
      expect(await lti.useNonce(platform!.id, 'n', '2099-01-01T00:00:00.000Z')).toBe(false);
      expect(await lti.consumeLoginState('st')).toMatchObject({ ok: true });
      const models = pgModelJobs(pool);
      expect(await models.get('q-gan', 4294967295)).toMatchObject({ state: 'done', view: '{"pictures":["h1"]}' });
      expect((await models.file('h1'))!.equals(PNG)).toBe(true);
      // The identity goes on after the largest copied id, and the outbox trigger works on the copy.
      const next = await pgPassbackJobs(pool).enqueue('a2');
      expect(next.id).toBe(jobs[jobs.length - 1]!.id + 1);
      await pool.query("INSERT INTO attempts (id, variant_id, user_id, answers, result, score, max_score, created_at) VALUES ('a4', 'v1', 'u1', '{}', '{}', 1, 2, $1)", [T]);
      expect((await pool.query("SELECT id FROM lti_passback_jobs WHERE attempt_id = 'a4'")).rows).toEqual([{ id: next.id + 1 }]);
    } finally {
      await pool.end();
    }
  }, 60_000);

  it('copies tables larger than one statement holds (rows and bytes), every row once', async (ctx) => {
    if (!server) return ctx.skip();
    const big = join(dir, 'big.db');
    const store = SqliteStore.open({ file: big });
    const p = (await store.lti.createPlatform({ name: 'LMS', issuer: 'https://lms.example', clientId: 'c', authLoginUrl: 'https://lms.example/a', authTokenUrl: 'https://lms.example/t', jwksUrl: 'https://lms.example/j', deploymentIds: [] }))!;
    const nonce = store.db.prepare('INSERT INTO lti_nonces (platform_id, nonce, expires_at) VALUES (?, ?, ?)');
    store.db.transaction(() => {
      for (let i = 0; i < 25_000; i++) nonce.run(p.id, `n${i}`, '2099-01-01T00:00:00.000Z');
    })();
    const pictures = [0, 1, 2, 3].map((i) => Buffer.alloc(3 * 1024 * 1024, i + 1)); // 12 MB: more than one statement's bytes
    pictures.forEach((png, i) => store.db.prepare('INSERT INTO model_files (hash, png, created_at) VALUES (?, ?, 1)').run(`h${i}`, png));
    await store.close();
    const url = await freshDatabase(server.url);
    const r = await copySqliteToPg(big, url);
    expect(r.tables.find((t) => t.table === 'lti_nonces')).toEqual({ table: 'lti_nonces', source: 25_000, target: 25_000 });
    const pool = openPool({ url });
    try {
      expect((await pool.query('SELECT count(DISTINCT nonce)::int AS n, min(nonce) AS lo, max(nonce) AS hi FROM lti_nonces')).rows[0]).toEqual({ n: 25_000, lo: 'n0', hi: 'n9999' });
      for (const [i, png] of pictures.entries()) expect((await pool.query('SELECT png FROM model_files WHERE hash = $1', [`h${i}`])).rows[0].png.equals(png)).toBe(true);
    } finally {
      await pool.end();
    }
  }, 60_000);

  it('refuses a database that is not empty, and a store behind on its migrations', async (ctx) => {
    if (!server) return ctx.skip();
    const url = await freshDatabase(server.url);
    const pool = openPool({ url });
    try {
      await migratePg(pool);
      await pool.query("INSERT INTO users (id, name, role, created_at) VALUES ('someone', 'S', 'student', $1)", [T]);
      await expect(copySqliteToPg(file, url)).rejects.toThrow(/not empty \(rows in users\)/);
      expect((await pool.query('SELECT count(*)::int AS n FROM users')).rows[0].n).toBe(1);
      expect((await pool.query('SELECT count(*)::int AS n FROM variants')).rows[0].n).toBe(0);
    } finally {
      await pool.end();
    }
    const old = join(dir, 'old.db');
    await fillStore(old);
    const db = new Database(old);
    db.pragma('user_version = 14');
    db.close();
    await expect(copySqliteToPg(old, await freshDatabase(server.url))).rejects.toThrow(/at migration 14.*run `stepwise db migrate`/);
  }, 60_000);

  it('rolls everything back when a count differs after the copy', async (ctx) => {
    if (!server) return ctx.skip();
    const url = await freshDatabase(server.url);
    const pool = openPool({ url });
    try {
      await migratePg(pool);
      // A rule that silently drops nonces: the copy "succeeds" row by row, but the counts say otherwise.
      await pool.query('CREATE RULE drop_nonces AS ON INSERT TO lti_nonces DO INSTEAD NOTHING');
      await expect(copySqliteToPg(file, url)).rejects.toThrow(/row counts differ.*lti_nonces 1 in SQLite, 0 in PostgreSQL/);
      expect((await pool.query('SELECT count(*)::int AS n FROM users')).rows[0].n).toBe(0);
      expect((await pool.query('SELECT count(*)::int AS n FROM lti_passback_jobs')).rows[0].n).toBe(0);
    } finally {
      await pool.end();
    }
  }, 60_000);

  it('runs as `stepwise db copy --to`, printing the counts and never the password', async (ctx) => {
    if (!server) return ctx.skip();
    // The test cluster trusts loopback, so any password is accepted: it stands for a real one.
    const withPassword = (u: string) => u.replace('postgres://stepwise@', 'postgres://stepwise:Hunter2-secret@');
    const env = { STEPWISE_DB: file };
    const url = withPassword(await freshDatabase(server.url));
    const ok = stepwise(['db', 'copy', '--to', url], undefined, env);
    expect(ok.stderr).toBe('');
    expect(ok.status).toBe(0);
    expect(ok.stdout).toMatch(/counts checked/);
    expect(ok.stdout).toMatch(/lti_passback_jobs\s+2\s+2\n/);
    expect(ok.stdout).toContain('stepwise:***@');
    const again = stepwise(['db', 'copy', '--to', url, '--json'], undefined, env);
    expect(again.status).toBe(2);
    expect(JSON.parse(again.stdout)).toMatchObject({ ok: false, error: { code: 'conflict' } });
    // Through STEPWISE_DATABASE_URL, into a target whose counts will not match: exit 1.
    const bad = withPassword(await freshDatabase(server.url));
    const pool = openPool({ url: bad });
    await migratePg(pool);
    await pool.query('CREATE RULE drop_keys AS ON INSERT TO lti_tool_keys DO INSTEAD NOTHING');
    await pool.end();
    const off = stepwise(['db', 'copy'], undefined, { ...env, STEPWISE_DATABASE_URL: bad });
    expect(off.status).toBe(1);
    expect(off.stderr).toMatch(/row counts differ.*lti_tool_keys 1 in SQLite, 0 in PostgreSQL/);
    const wrongPort = withPassword(server.url).replace(/:(\d+)\//, ':1/');
    const refused = stepwise(['db', 'copy', '--to', wrongPort], undefined, env);
    expect(refused.status).toBe(2); // the operator's to fix, not a bug
    expect(refused.stderr).toMatch(/cannot use the PostgreSQL database at postgres:\/\/stepwise:\*\*\*@127\.0\.0\.1:1\/.*ECONNREFUSED/);
    for (const r of [ok, again, off, refused]) expect(r.stdout + r.stderr).not.toContain('Hunter2');
  }, 120_000);
});

describe('db copy messages', () => {
  it('mask the password of the URL, in its user part or as a parameter', async () => {
    const { redactUrl } = await import('../../src/store/pg/copy.js');
    expect(redactUrl('postgres://app:s3cr%40t@db.example:5432/stepwise')).toBe('postgres://app:***@db.example:5432/stepwise');
    expect(redactUrl('postgres://db.example/stepwise?user=app&password=s3cret&sslmode=require')).toBe('postgres://db.example/stepwise?user=app&password=***&sslmode=require');
    expect(redactUrl('postgres://app@db.example/stepwise')).toBe('postgres://app@db.example/stepwise');
    // A URL that does not parse: the part between ':' and '@' still goes.
    expect(redactUrl('postgres://app:pa ss@[bad/x')).not.toContain('pa ss');
    await expect(copySqliteToPg(join(tmpdir(), 'no-such-stepwise.db'), 'postgres://app:Hunter2@127.0.0.1:1/x')).rejects.toThrow(/no-such-stepwise/);
  });
});
