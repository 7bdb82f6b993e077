/**
 * The PostgreSQL backend of the Store (node-postgres): one pool per process; several processes
 * and machines share the database (the repositories keep each check-then-write atomic across
 * them). Selected by STEPWISE_DATABASE_URL (../open.ts).
 */
import { readdirSync } from 'node:fs';
import type { Store } from '../types.js';
import { migratePg, openPool, PG_MIGRATIONS_DIR, sqlOf, type Pool } from './db.js';
import { pgCourses, pgSessions } from './courses.js';
import { pgExams } from './exams.js';
import { backfillExamFingerprintsPg } from './fingerprints.js';
import { pgLti } from './lti.js';
import { pgModelJobs } from './model-jobs.js';
import { pgPassbackJobs } from './passback-jobs.js';
import { openPgToolKeys, toolKeySealer } from './sealed-keys.js';
import { pgSecrets } from './secrets.js';
import { pgKeys, pgUsers } from './users.js';
import { pgAttempts, pgVariants } from './variants.js';
import { pgWebSessions } from './web-sessions.js';

export interface PgOpenOptions {
  /** postgres://user:password@host:port/database (STEPWISE_DATABASE_URL). */
  url: string;
  /** The server secret (STEPWISE_SECRET): keys exam seeds in place of the stored one, seals the LTI tool key. */
  secret?: string;
  /** Connections in this process's pool (default 10). */
  max?: number;
}

export type AtRest = { sealed: number; resealed: number; plaintext: number };

/** The newest migration in db/pg-migrations: the schema version this code expects. */
export function latestPgVersion(dir = PG_MIGRATIONS_DIR): number {
  return Math.max(0, ...readdirSync(dir).map((f) => /^(\d+)_[\w-]+\.sql$/.exec(f)).filter((m) => m !== null).map((m) => Number(m[1])));
}

export class PgStore implements Store {
  readonly users;
  readonly keys;
  readonly courses;
  readonly variants;
  readonly attempts;
  readonly sessions;
  readonly exams;
  readonly lti;
  readonly passback;
  readonly models;
  readonly secrets;
  readonly webSessions;
  /** The tool keys found at open: sealed, sealed now (plaintext before), left plaintext (as SqliteStore.atRest). */
  readonly atRest: AtRest;
  private closed = false;

  /** Over a migrated pool whose tool keys `open` has checked (`atRest`); use `PgStore.open`. */
  constructor(
    readonly pool: Pool,
    opts: { secret?: string; atRest: AtRest },
  ) {
    this.users = pgUsers(pool);
    this.keys = pgKeys(pool);
    this.courses = pgCourses(pool);
    this.variants = pgVariants(pool);
    this.attempts = pgAttempts(pool);
    this.sessions = pgSessions(pool);
    this.exams = pgExams(pool);
    this.atRest = opts.atRest;
    this.lti = pgLti(pool, toolKeySealer(opts.secret));
    this.passback = pgPassbackJobs(pool);
    this.models = pgModelJobs(pool);
    this.secrets = pgSecrets(pool, opts.secret);
    this.webSessions = pgWebSessions(pool);
  }

  /**
   * Connects, applies the migrations the database lacks (once across nodes: an advisory lock) and
   * checks the sealed tool keys: refuses (SecretsLockedError) when sealed keys exist and the secret
   * is missing or wrong, leaving the database as it was.
   */
  static async open(opts: PgOpenOptions): Promise<PgStore> {
    const pool = openPool({ url: opts.url, ...(opts.max !== undefined ? { max: opts.max } : {}) });
    try {
      await migratePg(pool);
      const atRest = await openPgToolKeys(pool, opts.secret);
      // Exam fingerprints made under another canonical form (or copied from SQLite) are remade, as SQLite does at open.
      await backfillExamFingerprintsPg(pool);
      return new PgStore(pool, { atRest, ...(opts.secret !== undefined ? { secret: opts.secret } : {}) });
    } catch (e) {
      await pool.end().catch(() => undefined);
      throw e;
    }
  }

  /** Health: the server answers and the schema is the version this code expects. */
  async check(): Promise<{ ok: boolean; detail: string }> {
    try {
      const sql = sqlOf(this.pool);
      await sql.query('SELECT 1');
      const [r] = await sql.query<{ v: number | null }>('SELECT max(version) AS v FROM schema_migrations');
      const version = r?.v ?? 0;
      const expected = latestPgVersion();
      return version === expected
        ? { ok: true, detail: 'ok' } // as SQLite's quick_check says it: /healthz reads `database: ok` on either store
        : { ok: false, detail: `postgresql: schema version ${version}, expected ${expected}` };
    } catch (e) {
      // The driver's message (e.g. "connection refused"), never the URL.
      return { ok: false, detail: `postgresql: ${(e as Error).message}` };
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pool.end();
  }
}
