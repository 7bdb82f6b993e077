/** A running Stepwise API on an ephemeral loopback port, with an in-memory store and a few users. */
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { createApp, type AppOptions } from '../../src/api/app.js';
import { bootstrapInstructor } from '../../src/api/bootstrap.js';
import { SqliteStore } from '../../src/store/sqlite/index.js';
import type { Store } from '../../src/store/types.js';
import { inject } from 'vitest';
import { PgStore } from '../../src/store/pg/index.js';
import { freshDatabase } from '../../bench/pg-cluster.js';

export interface Harness<S extends Store = SqliteStore> {
  url: string;
  store: S;
  instructor: string;
  /** Makes a student and returns their id and key. */
  student(name?: string): Promise<{ id: string; key: string }>;
  call(method: string, path: string, opts?: { key?: string; body?: unknown; raw?: string; type?: string }): Promise<{ status: number; body: any; text: string; headers: Headers }>;
  close(): Promise<void>;
}

/** The suite runs over PostgreSQL (the `postgres` project: tests/pg-global.ts): tests that read SQLite's tables directly skip (the storage contracts check the same on both). */
export const ON_POSTGRES = Boolean(inject('pgUrl'));

/** The API on an in-memory SQLite store, or on the store `make` opens (a PostgreSQL one: tests/api/pg-nodes.test.ts). */
export async function startHarness(options?: Partial<AppOptions>): Promise<Harness>;
export async function startHarness<S extends Store>(options: Partial<AppOptions>, make: () => Promise<S>): Promise<Harness<S>>;
export async function startHarness(options: Partial<AppOptions> = {}, make?: () => Promise<Store>): Promise<Harness<Store>> {
  // In the `postgres` project (vitest.config.ts) every harness is on a fresh database of the run's cluster.
  const pgServer = inject('pgUrl');
  const store = make ? await make() : pgServer ? await PgStore.open({ url: await freshDatabase(pgServer), max: 4 }) : SqliteStore.open({ file: ':memory:' });
  const { created } = await bootstrapInstructor(store);
  const { app } = createApp({ store, checkResponses: true, rateLimitPerMinute: 0, ...options });
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const call: Harness['call'] = async (method, path, opts = {}) => {
    const headers: Record<string, string> = {};
    if (opts.key) headers.authorization = `Bearer ${opts.key}`;
    let body: string | undefined;
    if (opts.raw !== undefined) {
      body = opts.raw;
      headers['content-type'] = opts.type ?? 'application/json';
    } else if (opts.body !== undefined) {
      body = JSON.stringify(opts.body);
      headers['content-type'] = 'application/json';
    }
    const res = await fetch(url + path, { method, headers, body });
    const text = await res.text();
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    return { status: res.status, body: parsed, text, headers: res.headers };
  };
  const h: Harness<Store> = {
    url,
    store,
    instructor: created!,
    async student(name = 'Student') {
      const r = await call('POST', '/api/v1/users', { key: created!, body: { name, role: 'student' } });
      if (r.status !== 201) throw new Error(`could not create a student: ${r.text}`);
      return { id: r.body.id as string, key: r.body.apiKey as string };
    },
    call,
    async close() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await store.close();
    },
  };
  return h;
}
