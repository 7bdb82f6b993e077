/**
 * Which store a process opens: STEPWISE_DATABASE_URL (postgres://…) selects PostgreSQL, else the
 * SQLite file STEPWISE_DB names (default db/stepwise.db). The URL's password never appears in a
 * message: `describeTarget` shows the URL with it masked, and errors name the variable only.
 */
import { StepwiseError } from '../core/errors.js';
import { dbFileFromEnv } from './sqlite/db.js';
import { SqliteStore } from './sqlite/index.js';
import type { PgStore } from './pg/index.js';

export type OpenedStore = SqliteStore | PgStore;

export type StoreTarget = { kind: 'sqlite'; file: string; synchronous: 'normal' | 'full' } | { kind: 'postgres'; url: string };

const MIN_SECRET_LENGTH = 32; // as `serve` (src/server.ts)

/** The URL with its password replaced by "***" (for logs and the start line). */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password !== '') u.password = '***';
    return u.toString();
  } catch {
    return 'postgres://(unparseable URL)';
  }
}

/** STEPWISE_DATABASE_URL, checked (a postgres:// or postgresql:// URL); undefined when unset or empty. */
export function databaseUrlFromEnv(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const raw = env.STEPWISE_DATABASE_URL?.trim();
  if (raw === undefined || raw === '') return undefined;
  let u: URL | undefined;
  try {
    u = new URL(raw);
  } catch {
    u = undefined;
  }
  // The value is never echoed: it may hold a password.
  // A host, or (postgres:///db?host=/var/run/postgresql) a Unix socket folder.
  if (u === undefined || (u.protocol !== 'postgres:' && u.protocol !== 'postgresql:') || (u.hostname === '' && !u.searchParams.has('host'))) {
    throw new StepwiseError('invalid_request', 'STEPWISE_DATABASE_URL must be a URL of the form postgres://user:password@host:port/database', 'STEPWISE_DATABASE_URL');
  }
  return raw;
}

export function storeTargetFromEnv(env: NodeJS.ProcessEnv = process.env): StoreTarget {
  const url = databaseUrlFromEnv(env);
  if (url !== undefined) return { kind: 'postgres', url };
  return { kind: 'sqlite', file: dbFileFromEnv(env), synchronous: env.STEPWISE_DB_SYNC === 'full' ? 'full' : 'normal' };
}

/** What the start line and the commands print for the database: the file, or the masked URL. */
export function describeTarget(t: StoreTarget): string {
  return t.kind === 'sqlite' ? t.file : `PostgreSQL ${redactUrl(t.url)}`;
}

/** STEPWISE_SECRET when set (at least 32 characters; the value is never echoed). */
export function secretFromEnv(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const secret = env.STEPWISE_SECRET;
  if (secret === undefined || secret === '') return undefined;
  if (secret.length < MIN_SECRET_LENGTH) {
    throw new StepwiseError('invalid_request', `STEPWISE_SECRET must be at least ${MIN_SECRET_LENGTH} characters long, got ${secret.length}`, 'STEPWISE_SECRET');
  }
  return secret;
}

/** Opens (and migrates) the store at `target`; `secret` as SqliteStore.open and PgStore.open take it. */
export async function openStoreAt(target: StoreTarget, opts: { secret?: string; max?: number } = {}): Promise<OpenedStore> {
  const secret = opts.secret !== undefined ? { secret: opts.secret } : {};
  if (target.kind === 'sqlite') return SqliteStore.open({ file: target.file, synchronous: target.synchronous, ...secret });
  // Loaded only here: a SQLite deployment never loads the PostgreSQL driver.
  const { PgStore } = await import('./pg/index.js');
  return PgStore.open({ url: target.url, ...secret, ...(opts.max !== undefined ? { max: opts.max } : {}) });
}

/** The store the environment names (STEPWISE_DATABASE_URL, else STEPWISE_DB), with STEPWISE_SECRET. */
export async function openStore(env: NodeJS.ProcessEnv = process.env): Promise<OpenedStore> {
  const secret = secretFromEnv(env);
  return openStoreAt(storeTargetFromEnv(env), secret !== undefined ? { secret } : {});
}
