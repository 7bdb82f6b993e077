/** The SQLite backend of the Store (better-sqlite3 12, WAL). */
import { sqlitePassbackJobs } from './passback-jobs.js';
import { sqliteModelJobs } from './model-jobs.js';
import type { Store } from '../types.js';
import { openDatabase, type Db, type OpenOptions } from './db.js';
import { backfillExamFingerprints } from './fingerprints.js';
import { backfillOutcomes } from './outcomes.js';
import { sqliteSecrets } from './secrets.js';
import { sqliteCourses, sqliteExams, sqliteSessions } from './exams.js';
import { sqliteLti } from './lti.js';
import { openToolKeys, toolKeySealer } from './sealed-keys.js';
import { sqliteKeys, sqliteUsers } from './users.js';
import { sqliteAttempts, sqliteVariants } from './variants.js';
import { sqliteWebSessions } from './web-sessions.js';

export class SqliteStore implements Store {
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
  /** The tool keys found at open: sealed, sealed now (plaintext from an older version), left plaintext. */
  readonly atRest: { sealed: number; resealed: number; plaintext: number };
  private closed = false;

  /**
   * `secret`: the server secret (STEPWISE_SECRET) in place of the one stored in the database; it also
   * seals the LTI tool's private key at rest.
   */
  constructor(
    readonly db: Db,
    opts: { secret?: string } = {},
  ) {
    this.users = sqliteUsers(db);
    this.keys = sqliteKeys(db);
    this.courses = sqliteCourses(db);
    this.variants = sqliteVariants(db);
    this.attempts = sqliteAttempts(db);
    this.sessions = sqliteSessions(db);
    this.exams = sqliteExams(db);
    // Refuses to open (SecretsLockedError) when sealed keys exist and the secret is missing or wrong.
    this.atRest = openToolKeys(db, opts.secret);
    this.lti = sqliteLti(db, toolKeySealer(opts.secret));
    this.passback = sqlitePassbackJobs(db);
    this.models = sqliteModelJobs(db);
    this.secrets = sqliteSecrets(db, opts.secret);
    this.webSessions = sqliteWebSessions(db);
    backfillExamFingerprints(db);
    backfillOutcomes(db);
  }

  static open(opts: OpenOptions & { secret?: string }): SqliteStore {
    const db = openDatabase(opts);
    try {
      return new SqliteStore(db, { secret: opts.secret });
    } catch (e) {
      db.close(); // e.g. a refused start (SecretsLockedError): leave the file to the next try
      throw e;
    }
  }

  async check(): Promise<{ ok: boolean; detail: string }> {
    const rows = this.db.pragma('quick_check') as { quick_check: string }[];
    const detail = rows.map((r) => r.quick_check).join('; ');
    return { ok: detail === 'ok', detail };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    // Fold the WAL back into the main file so the database is one clean file at rest.
    this.db.pragma('wal_checkpoint(TRUNCATE)');
    this.db.close();
  }
}
