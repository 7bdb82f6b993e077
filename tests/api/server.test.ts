/** Running the service: configuration, the first-run key, and a graceful shutdown. */
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { configFromEnv, startServer } from '../../src/server.js';
import { BENCH_KEY } from '../../bench/servers.js';

describe('server', () => {
  it('reads its configuration from the environment and names a bad value', () => {
    const c = configFromEnv({ PORT: '8080', STEPWISE_DB: '/tmp/x.db', STEPWISE_RATE_LIMIT: '0' });
    expect(c).toMatchObject({ port: 8080, dbFile: '/tmp/x.db', rateLimitPerMinute: 0, synchronous: 'normal' });
    expect(() => configFromEnv({ PORT: 'eighty' })).toThrow(/PORT must be an integer/);
    expect(() => configFromEnv({ STEPWISE_DB_SYNC: 'always' })).toThrow(/STEPWISE_DB_SYNC/);
  });

  it('prints a first-run instructor key once, and not on the next start', async () => {
    const dbFile = join(mkdtempSync(join(tmpdir(), 'stepwise-srv-')), 'first.db');
    const lines: string[] = [];
    const first = await startServer({ ...configFromEnv({ PORT: '0', STEPWISE_DB: dbFile, STEPWISE_LOG_LEVEL: 'silent' }) }, (l) => lines.push(l));
    const key = /(sw_\S+)/.exec(lines.join('\n'))?.[1];
    expect(key).toBeDefined();
    const me = await fetch(`http://127.0.0.1:${(first.server.address() as { port: number }).port}/api/v1/users/me`, { headers: { authorization: `Bearer ${key}` } });
    expect((await me.json()) as object).toMatchObject({ role: 'instructor' });
    await first.stop();
    const again: string[] = [];
    const second = await startServer({ ...configFromEnv({ PORT: '0', STEPWISE_DB: dbFile, STEPWISE_LOG_LEVEL: 'silent' }) }, (l) => again.push(l));
    expect(again.join('\n')).not.toMatch(/sw_/);
    await second.stop();
  });

  it('finishes an in-flight request on shutdown, then closes the database cleanly', async () => {
    const dbFile = join(mkdtempSync(join(tmpdir(), 'stepwise-srv-')), 'graceful.db');
    const running = await startServer(configFromEnv({ PORT: '0', STEPWISE_DB: dbFile, STEPWISE_BOOTSTRAP_KEY: BENCH_KEY, STEPWISE_LOG_LEVEL: 'silent', STEPWISE_RATE_LIMIT: '0' }), () => undefined);
    const port = (running.server.address() as { port: number }).port;
    const lines = Array.from({ length: 20000 }, (_, i) => JSON.stringify({ op: 'generate', topic: 'kl-discrete', seed: i, id: i })).join('\n');
    const inFlight = fetch(`http://127.0.0.1:${port}/api/v1/batch`, {
      method: 'POST',
      headers: { authorization: `Bearer ${BENCH_KEY}`, 'content-type': 'application/x-ndjson' },
      body: lines,
    });
    // The reply's headers mean the server is working through the batch (its lines stream out); a
    // fixed sleep instead could stop the server before a loaded machine had even sent the request.
    const res = await inFlight;
    const stopped = running.stop();
    expect(res.status).toBe(200);
    expect((await res.text()).trim().split('\n')).toHaveLength(20000);
    await stopped;
    // New connections are refused, and the WAL was folded back into the database file.
    await expect(fetch(`http://127.0.0.1:${port}/healthz`)).rejects.toThrow();
    expect(existsSync(`${dbFile}-wal`)).toBe(false);
  }, 60_000);
});
