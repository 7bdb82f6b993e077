/**
 * The PostgreSQL connection (node-postgres): a pool, transactions, and the numbered migrations
 * under db/pg-migrations applied in order under an advisory lock, so several nodes starting at
 * once apply each one once. Columns keep the SQLite store's types (TEXT ids, ISO times and JSON;
 * BIGINT seeds and millisecond times), so rows copy one to one; BIGINT comes back as a number
 * (every value stored is below 2^53).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { PACKAGE_ROOT } from '../../core/paths.js';

pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v));

export const PG_MIGRATIONS_DIR = join(PACKAGE_ROOT, 'db', 'pg-migrations');
/** An advisory lock id of our own: migrations, one node at a time. */
const MIGRATION_LOCK = 0x5374_6570; // "Step"

export type Pool = pg.Pool;

/** What a repository runs its SQL on: the pool, or one transaction's client. */
export interface Sql {
  query<R extends object = Record<string, unknown>>(text: string, values?: readonly unknown[]): Promise<R[]>;
}

const asSql = (c: pg.Pool | pg.PoolClient): Sql => ({
  async query<R extends object>(text: string, values?: readonly unknown[]) {
    return (await c.query<R>(text, values as unknown[] | undefined)).rows;
  },
});

export interface PgOptions {
  /** postgres://user:pass@host:port/db (STEPWISE_DATABASE_URL). */
  url: string;
  /** Connections in the pool (default 10). */
  max?: number;
}

export function openPool(o: PgOptions): Pool {
  const pool = new pg.Pool({ connectionString: o.url, max: o.max ?? 10 });
  // An idle client's error (the server restarted) must not crash the process; the next query reconnects.
  pool.on('error', () => undefined);
  return pool;
}

export const sqlOf = (pool: Pool): Sql => asSql(pool);

/**
 * Runs `fn` in one transaction (READ COMMITTED; a repository takes the row locks it needs with
 * SELECT … FOR UPDATE, or an advisory lock). Rolled back when `fn` throws.
 */
export async function transaction<T>(pool: Pool, fn: (sql: Sql) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const out = await fn(asSql(client));
    await client.query('COMMIT');
    return out;
  } catch (e) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw e;
  } finally {
    client.release();
  }
}

/** Applies every migration newer than the database's; returns the versions applied. */
export async function migratePg(pool: Pool, dir = PG_MIGRATIONS_DIR): Promise<number[]> {
  const files = readdirSync(dir)
    .map((f) => ({ f, m: /^(\d+)_[\w-]+\.sql$/.exec(f) }))
    .filter((x): x is { f: string; m: RegExpExecArray } => x.m !== null)
    .map(({ f, m }) => ({ file: f, version: Number(m[1]) }))
    .sort((a, b) => a.version - b.version);
  return transaction(pool, async (sql) => {
    await sql.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    await sql.query('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())');
    const done = new Set((await sql.query<{ version: number }>('SELECT version FROM schema_migrations')).map((r) => r.version));
    const applied: number[] = [];
    for (const { file, version } of files) {
      if (done.has(version)) continue;
      await sql.query(readFileSync(join(dir, file), 'utf8'));
      await sql.query('INSERT INTO schema_migrations (version) VALUES ($1)', [version]);
      applied.push(version);
    }
    return applied;
  });
}
