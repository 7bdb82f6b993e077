/**
 * Opening the SQLite file: WAL mode (readers never block the writer), foreign keys on, and the
 * numbered migrations under db/migrations applied in order, each in its own transaction.
 *
 * synchronous=NORMAL in WAL mode: a commit is in the WAL before better-sqlite3 returns, so it
 * survives a killed process; only a power cut can lose the last commits. STEPWISE_DB_SYNC=full
 * fsyncs every commit instead (slower; durable against power loss too).
 */
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve as resolvePath } from 'node:path';
import Database from 'better-sqlite3';
import { PACKAGE_ROOT } from '../../core/paths.js';

export type Db = Database.Database;
export type Statement = Database.Statement;

export const MIGRATIONS_DIR = join(PACKAGE_ROOT, 'db', 'migrations');

/** The data file STEPWISE_DB names (default db/stepwise.db), as an absolute path. */
export function dbFileFromEnv(env: NodeJS.ProcessEnv = process.env): string {
  return resolvePath(env.STEPWISE_DB ?? 'db/stepwise.db');
}

export interface OpenOptions {
  /** File path, or ":memory:". */
  file: string;
  synchronous?: 'normal' | 'full';
}

/** The file opened with the store's settings, not migrated (`stepwise db migrate` reports what it applies). */
export function openFile(opts: OpenOptions): Db {
  if (opts.file !== ':memory:') mkdirSync(dirname(opts.file), { recursive: true });
  const db = new Database(opts.file);
  db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${opts.synchronous === 'full' ? 'FULL' : 'NORMAL'}`);
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  return db;
}

export function openDatabase(opts: OpenOptions): Db {
  const db = openFile(opts);
  migrate(db);
  return db;
}

/**
 * A write transaction that takes SQLite's write lock at BEGIN (BEGIN IMMEDIATE). With several
 * processes on one file (STEPWISE_WORKERS), a deferred transaction that reads and then writes
 * fails at once with SQLITE_BUSY when another process wrote in between; an immediate one waits
 * its turn (busy_timeout) and then reads what the other wrote — a check-then-insert (an exam's
 * attempt limit, an LTI state used once) stays atomic across processes.
 */
export function writeTransaction<A extends unknown[], R>(db: Db, fn: (...args: A) => R): (...args: A) => R {
  const tx = db.transaction(fn);
  return (...args: A) => tx.immediate(...args);
}

/** Applies every migration newer than the database's user_version; returns the versions applied. */
export function migrate(db: Db, dir = MIGRATIONS_DIR): number[] {
  const current = db.pragma('user_version', { simple: true }) as number;
  const files = readdirSync(dir)
    .map((f) => ({ f, m: /^(\d+)_[\w-]+\.sql$/.exec(f) }))
    .filter((x): x is { f: string; m: RegExpExecArray } => x.m !== null)
    .map(({ f, m }) => ({ file: f, version: Number(m[1]) }))
    .sort((a, b) => a.version - b.version);
  const applied: number[] = [];
  for (const { file, version } of files) {
    if (version <= current) continue;
    const sql = readFileSync(join(dir, file), 'utf8');
    // Checked again under the write lock: another process opening the same file may have applied it.
    const done = writeTransaction(db, (): boolean => {
      if ((db.pragma('user_version', { simple: true }) as number) >= version) return false;
      db.exec(sql);
      db.pragma(`user_version = ${version}`);
      return true;
    })();
    if (done) applied.push(version);
  }
  return applied;
}
