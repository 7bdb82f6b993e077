/** Starting the service: HOST as the listen address, and restarts with a revoked bootstrap key. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { configFromEnv, listeningLine, startServer, type Running } from '../../src/server.js';
import type { SqliteStore } from '../../src/store/sqlite/index.js';

const BOOTSTRAP = 'sw_bootstrap_restart_test_0123456789';

const portOf = (r: Running): number => (r.server.address() as { port: number }).port;

describe('HOST', () => {
  it('sets the listen address; without it the server listens on every interface', async () => {
    expect(configFromEnv({}).host).toBeUndefined();
    expect(configFromEnv({ HOST: ' 127.0.0.1 ' }).host).toBe('127.0.0.1');
    expect(configFromEnv({ STEPWISE_ALLOWED_HOSTS: 'stepwise.lan, tutor.example:8443' }).allowedHosts).toEqual(['stepwise.lan', 'tutor.example:8443']);
    expect(configFromEnv({}).authFailuresPerMinute).toBe(20);
    expect(() => configFromEnv({ STEPWISE_AUTH_FAILURE_LIMIT: 'many' })).toThrow(/STEPWISE_AUTH_FAILURE_LIMIT must be an integer/);

    const dbFile = join(mkdtempSync(join(tmpdir(), 'stepwise-host-')), 'host.db');
    const lines: string[] = [];
    const running = await startServer(configFromEnv({ HOST: '127.0.0.1', PORT: '0', STEPWISE_DB: dbFile, STEPWISE_LOG_LEVEL: 'silent' }), (l) => lines.push(l));
    try {
      expect((running.server.address() as { address: string }).address).toBe('127.0.0.1');
      expect(lines[0]).toContain(`listening on http://127.0.0.1:${portOf(running)} `);
      expect((await fetch(`http://127.0.0.1:${portOf(running)}/healthz`)).status).toBe(200);
    } finally {
      await running.stop();
    }
  });
});

describe('the line printed at start', () => {
  // Pure, so the every-interface case is checked without binding every interface in a test.
  it('says when the server listens on every interface, not only on localhost, and how to narrow it', () => {
    for (const host of [undefined, '0.0.0.0', '::']) {
      expect(listeningLine(host, 3902, undefined, '/tmp/s.db')).toBe(
        'Stepwise API listening on every interface, port 3902: http://localhost:3902 from this machine (HOST=127.0.0.1 serves this machine only) (database /tmp/s.db)',
      );
    }
    expect(listeningLine('127.0.0.1', 3902, undefined, 'db/s.db')).toBe('Stepwise API listening on http://127.0.0.1:3902 (database db/s.db)');
    expect(listeningLine('::1', 3902, undefined, 'db/s.db')).toBe('Stepwise API listening on http://[::1]:3902 (database db/s.db)');
    expect(listeningLine(undefined, 3902, 'https://tutor.example', 'db/s.db')).toBe(
      'Stepwise API listening on every interface, port 3902: https://tutor.example (database db/s.db)',
    );
  });
});

describe('a revoked STEPWISE_BOOTSTRAP_KEY', () => {
  it('stays revoked across restarts on the same database: a clean start, a clear line, no orphan user', async () => {
    const dbFile = join(mkdtempSync(join(tmpdir(), 'stepwise-boot-')), 'boot.db');
    const env = { HOST: '127.0.0.1', PORT: '0', STEPWISE_DB: dbFile, STEPWISE_BOOTSTRAP_KEY: BOOTSTRAP, STEPWISE_LOG_LEVEL: 'silent' };
    const start = async () => {
      const lines: string[] = [];
      const running = await startServer(configFromEnv(env), (l) => lines.push(l));
      const call = (path: string, key: string, method = 'GET') =>
        fetch(`http://127.0.0.1:${portOf(running)}${path}`, { method, headers: { authorization: `Bearer ${key}` } });
      // A SQLite store here (STEPWISE_DB): its file is read directly.
      const db = (running.store as SqliteStore).db;
      const counts = () => ({
        users: (db.prepare('SELECT count(*) AS n FROM users').get() as { n: number }).n,
        orphans: (db.prepare('SELECT count(*) AS n FROM users u WHERE NOT EXISTS (SELECT 1 FROM api_keys k WHERE k.user_id = u.id)').get() as { n: number }).n,
      });
      return { running, lines, call, counts };
    };

    // First start installs the key; its owner revokes it.
    const first = await start();
    expect((await first.call('/api/v1/users/me', BOOTSTRAP)).status).toBe(200);
    const [key] = await first.running.store.keys.list((await first.running.store.keys.authenticate(BOOTSTRAP))!.user.id);
    expect((await first.call(`/api/v1/keys/${key.id}`, BOOTSTRAP, 'DELETE')).status).toBe(200);
    expect(first.counts()).toEqual({ users: 1, orphans: 0 });
    await first.running.stop();

    // Restart with the key still set: it starts, says why the key is not installed, and (as no
    // instructor has an active key any more) prints a fresh first-run key, as a first start does.
    const second = await start();
    try {
      const text = second.lines.join('\n');
      expect(text).toContain(`STEPWISE_BOOTSTRAP_KEY is a key that was revoked (key ${key.id}, revoked at `);
      expect(text).toContain('stays revoked and was not reinstalled');
      expect(text).not.toContain(BOOTSTRAP);
      expect((await second.call('/api/v1/users/me', BOOTSTRAP)).status).toBe(401);
      const fresh = /(sw_\S+)/.exec(text)?.[1];
      expect(fresh).toBeDefined();
      expect((await second.call('/api/v1/users/me', fresh!)).status).toBe(200);
      expect(second.counts()).toEqual({ users: 2, orphans: 0 });
    } finally {
      await second.running.stop();
    }

    // And again: no new user, no new key, the same line.
    const third = await start();
    try {
      expect(third.lines.join('\n')).toContain('stays revoked and was not reinstalled');
      expect(third.lines.join('\n')).not.toMatch(/First-run instructor API key/);
      expect((await third.call('/api/v1/users/me', BOOTSTRAP)).status).toBe(401);
      expect(third.counts()).toEqual({ users: 2, orphans: 0 });
    } finally {
      await third.running.stop();
    }
  });
});
