/**
 * Choosing the store from the environment: STEPWISE_DATABASE_URL selects PostgreSQL (opened,
 * migrated), else the SQLite file STEPWISE_DB; the URL's password never appears in a message,
 * a log line, the start line or the output of `stepwise db migrate`. On a real PostgreSQL
 * (tests/pg-server.ts; its trust authentication ignores the password, so one can be put in the URL).
 */
import { existsSync, mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { migratePgDb, rotatePgSecrets } from '../../src/cli/secrets.js';
import { configFromEnv, listeningLine, storeTarget } from '../../src/server.js';
import { databaseUrlFromEnv, describeTarget, openStore, redactUrl } from '../../src/store/open.js';
import { PgStore } from '../../src/store/pg/index.js';
import { SqliteStore } from '../../src/store/sqlite/index.js';
import { stepwise } from '../cli-helpers.js';
import { freshDatabase, pgRequiredOnCi, startPgServer, type PgServer } from '../pg-server.js';

const PASSWORD = 'pw-Zq8-never-printed';

let server: PgServer | undefined;
beforeAll(async () => {
  server = await startPgServer();
}, 60_000);
afterAll(() => server?.stop());

/** A fresh database's URL with a password in it. */
const urlWithPassword = async (s: PgServer): Promise<string> => {
  const u = new URL(await freshDatabase(s.url));
  u.password = PASSWORD;
  return u.toString();
};

/** Everything written to the console or stdout/stderr while `fn` runs. */
async function captured(fn: () => Promise<unknown>): Promise<string> {
  const out: string[] = [];
  const grab = (...a: unknown[]) => void out.push(a.map(String).join(' '));
  const spies = [
    ...(['log', 'info', 'warn', 'error', 'debug'] as const).map((m) => vi.spyOn(console, m).mockImplementation(grab)),
    vi.spyOn(process.stdout, 'write').mockImplementation((c: string | Uint8Array) => (grab(String(c)), true)),
    vi.spyOn(process.stderr, 'write').mockImplementation((c: string | Uint8Array) => (grab(String(c)), true)),
  ];
  try {
    await fn().catch((e: unknown) => grab(e instanceof Error ? `${e.message} ${e.stack ?? ''}` : String(e)));
  } finally {
    for (const s of spies) s.mockRestore();
  }
  return out.join('\n');
}

const closedPort = (): Promise<number> =>
  new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });

pgRequiredOnCi();

describe('openStore', () => {
  it('without STEPWISE_DATABASE_URL: SQLite at STEPWISE_DB', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'stepwise-open-')), 'x.db');
    const store = await openStore({ STEPWISE_DB: file, STEPWISE_DATABASE_URL: '' });
    try {
      expect(store).toBeInstanceOf(SqliteStore);
      expect(existsSync(file)).toBe(true);
    } finally {
      await store.close();
    }
  });

  it('with STEPWISE_DATABASE_URL: PostgreSQL, migrated and answering; nothing printed holds the password', async (ctx) => {
    if (!server) return ctx.skip();
    const url = await urlWithPassword(server);
    const file = join(mkdtempSync(join(tmpdir(), 'stepwise-open-')), 'unused.db');
    let store: Awaited<ReturnType<typeof openStore>> | undefined;
    const out = await captured(async () => {
      store = await openStore({ STEPWISE_DATABASE_URL: url, STEPWISE_DB: file });
    });
    expect(out).not.toContain(PASSWORD);
    try {
      expect(store).toBeInstanceOf(PgStore);
      expect(existsSync(file)).toBe(false); // STEPWISE_DB is not touched
      expect(await store!.check()).toEqual({ ok: true, detail: 'ok' });
      const u = await store!.users.create({ name: 'Ada', role: 'student' });
      // The row is in PostgreSQL: read back through a plain client.
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      try {
        expect((await c.query('SELECT name FROM users WHERE id = $1', [u.id])).rows).toEqual([{ name: 'Ada' }]);
      } finally {
        await c.end();
      }
    } finally {
      await store?.close();
    }
    // The start line names the database without the password.
    const config = configFromEnv({ STEPWISE_DATABASE_URL: url });
    const line = listeningLine('127.0.0.1', 3000, undefined, describeTarget(storeTarget(config)));
    expect(line).toContain(`(database PostgreSQL ${url.replace(PASSWORD, '***')})`);
    expect(line).not.toContain(PASSWORD);
  });

  it('a database it cannot reach, or a URL it cannot use: an error that names the variable, never the password', async () => {
    const port = await closedPort();
    let err: unknown;
    const out = await captured(async () => {
      err = await openStore({ STEPWISE_DATABASE_URL: `postgres://stepwise:${PASSWORD}@127.0.0.1:${port}/db` }).then(
        () => undefined,
        (e: unknown) => e,
      );
    });
    expect(err).toBeInstanceOf(Error);
    expect(`${(err as Error).message} ${(err as Error).stack}`).not.toContain(PASSWORD);
    expect(out).not.toContain(PASSWORD);
    // A Unix socket folder in place of a host is a URL node-postgres takes; no host at all is not.
    expect(databaseUrlFromEnv({ STEPWISE_DATABASE_URL: ' postgres:///stepwise?host=/var/run/postgresql ' })).toBe('postgres:///stepwise?host=/var/run/postgresql');
    expect(databaseUrlFromEnv({ STEPWISE_DATABASE_URL: '' })).toBeUndefined();
    for (const bad of [`mysql://u:${PASSWORD}@host/db`, `postgres:${PASSWORD}`, `${PASSWORD}`, 'postgres:///stepwise']) {
      await expect(openStore({ STEPWISE_DATABASE_URL: bad })).rejects.toThrow(/^STEPWISE_DATABASE_URL must be a URL of the form postgres:\/\/user:password@host:port\/database$/);
    }
    expect(() => configFromEnv({ STEPWISE_DATABASE_URL: `mysql://u:${PASSWORD}@h/d` })).toThrow(/STEPWISE_DATABASE_URL must be/);
    expect(redactUrl(`postgresql://me:${PASSWORD}@db.example:5433/stepwise?sslmode=require`)).toBe('postgresql://me:***@db.example:5433/stepwise?sslmode=require');
    expect(redactUrl('postgres://me@db.example/stepwise')).toBe('postgres://me@db.example/stepwise');
  });
});

describe('operator commands with STEPWISE_DATABASE_URL', () => {
  it('db migrate migrates PostgreSQL (once), printing the URL with its password masked; db backup says to use pg_dump', async (ctx) => {
    if (!server) return ctx.skip();
    const url = await urlWithPassword(server);
    const masked = url.replace(PASSWORD, '***');
    const first = stepwise(['db', 'migrate'], undefined, { STEPWISE_DATABASE_URL: url });
    expect(first.stderr).toBe('');
    expect(first.stdout).toBe(`${masked}: applied 1, 2; now at version 2\n`);
    const again = stepwise(['db', 'migrate', '--json'], undefined, { STEPWISE_DATABASE_URL: url });
    expect(JSON.parse(again.stdout)).toEqual({ file: masked, applied: [], version: 2 });
    const backup = stepwise(['db', 'backup', join(tmpdir(), 'never-written.db')], undefined, { STEPWISE_DATABASE_URL: url });
    expect(backup.status).toBe(2);
    expect(backup.stderr).toMatch(/STEPWISE_DATABASE_URL is set: back PostgreSQL up with pg_dump/);
    for (const r of [first, again, backup]) expect(r.stdout + r.stderr).not.toContain(PASSWORD);
    expect(existsSync(join(tmpdir(), 'never-written.db'))).toBe(false);
    // The library function agrees with the command.
    expect(await migratePgDb({ STEPWISE_DATABASE_URL: url })).toEqual({ file: masked, applied: [], version: 2 });
  });

  it('secrets rotate re-seals the tool keys on PostgreSQL: the store then opens with the new secret only', async (ctx) => {
    if (!server) return ctx.skip();
    const url = await freshDatabase(server.url);
    const A = 'a'.repeat(40);
    const B = 'b'.repeat(40);
    await (await PgStore.open({ url })).close();
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    await c.query("INSERT INTO lti_tool_keys (kid, private_jwk, public_jwk, created_at) VALUES ('k1', '{\"d\":\"x\"}', '{}', '2026-01-01')");
    await c.end();
    await (await PgStore.open({ url, secret: A })).close(); // sealed under A at open
    await expect(rotatePgSecrets({ STEPWISE_DATABASE_URL: url, STEPWISE_SECRET: B, STEPWISE_NEW_SECRET: A })).rejects.toThrow(/STEPWISE_SECRET does not open/);
    expect(await rotatePgSecrets({ STEPWISE_DATABASE_URL: url, STEPWISE_SECRET: A, STEPWISE_NEW_SECRET: B })).toEqual({ file: url, toolKeys: 1 });
    await expect(PgStore.open({ url, secret: A })).rejects.toThrow(/does not open/);
    const reopened = await PgStore.open({ url, secret: B });
    expect(reopened.atRest).toEqual({ sealed: 1, resealed: 0, plaintext: 0 });
    await reopened.close();
  });
});
