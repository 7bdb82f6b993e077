/**
 * The LTI and job repositories of one backend, for the contract suites (lti.ts, jobs.ts): a node's
 * repositories, a second node on the same database (SQLite: another connection to the file;
 * PostgreSQL: another pool), and plain SQL for the rows other repositories own (users, variants,
 * attempts, exams), written with `$1` placeholders for both backends.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LtiRepo, PassbackJobRepo } from '../../../src/store/lti-types.js';
import type { ModelJobRepo } from '../../../src/store/types.js';
import { SqliteStore } from '../../../src/store/sqlite/index.js';
import { toolKeySealer } from '../../../src/store/sqlite/sealed-keys.js';
import { migratePg, openPool, sqlOf, type Pool } from '../../../src/store/pg/db.js';
import { pgLti } from '../../../src/store/pg/lti.js';
import { pgPassbackJobs } from '../../../src/store/pg/passback-jobs.js';
import { pgModelJobs } from '../../../src/store/pg/model-jobs.js';
import { freshDatabase } from '../../pg-server.js';

export interface LtiNode {
  lti: LtiRepo;
  passback: PassbackJobRepo;
  models: ModelJobRepo;
}

export interface LtiHarness extends LtiNode {
  /** A second node on the same database. */
  other: LtiNode;
  /** Plain SQL (fixtures and checks at rest): `$1, $2` placeholders; rows for SELECT/RETURNING. */
  sql(text: string, values?: unknown[]): Promise<Record<string, unknown>[]>;
  close(): Promise<void>;
}

export type MakeLtiHarness = (opts?: { secret?: string }) => Promise<LtiHarness>;

export const sqliteLtiHarness: MakeLtiHarness = async (opts = {}) => {
  const dir = mkdtempSync(join(tmpdir(), 'stepwise-lti-contract-'));
  const file = join(dir, 'store.db');
  const a = SqliteStore.open({ file, secret: opts.secret });
  const b = SqliteStore.open({ file, secret: opts.secret });
  const node = (s: SqliteStore): LtiNode => ({ lti: s.lti, passback: s.passback, models: s.models });
  return {
    ...node(a),
    other: node(b),
    async sql(text, values = []) {
      const order: number[] = [];
      const stmt = a.db.prepare(text.replace(/\$(\d+)/g, (_, n: string) => (order.push(Number(n) - 1), '?')));
      const args = order.map((i) => values[i]);
      if (stmt.reader) return stmt.all(...args) as Record<string, unknown>[];
      stmt.run(...args);
      return [];
    },
    async close() {
      await a.close();
      await b.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
};

/** The PostgreSQL repositories on a fresh, migrated database of the server at `serverUrl`. */
export const pgLtiHarness =
  (serverUrl: () => string): MakeLtiHarness =>
  async (opts = {}) => {
    const url = await freshDatabase(serverUrl());
    const pools: Pool[] = [openPool({ url }), openPool({ url })];
    await migratePg(pools[0]!);
    const sealer = toolKeySealer(opts.secret);
    const node = (p: Pool): LtiNode => ({ lti: pgLti(p, sealer), passback: pgPassbackJobs(p), models: pgModelJobs(p) });
    const sql = sqlOf(pools[0]!);
    return {
      ...node(pools[0]!),
      other: node(pools[1]!),
      sql: (text, values) => sql.query(text, values),
      async close() {
        await Promise.all(pools.map((p) => p.end()));
      },
    };
  };

/** Fixture rows through plain SQL: a user (with an LTI subject when given), a variant of theirs, an attempt. */
export async function addUser(h: LtiHarness, id: string, subject?: string): Promise<void> {
  await h.sql("INSERT INTO users (id, name, role, lti_issuer, lti_subject, created_at) VALUES ($1, $1, 'student', $2, $3, '2026-01-01T00:00:00.000Z')", [
    id,
    subject === undefined ? null : 'https://lms.example',
    subject ?? null,
  ]);
}

export async function addVariant(h: LtiHarness, id: string, userId: string): Promise<void> {
  await h.sql(
    "INSERT INTO variants (id, topic, seed, difficulty, params, steps, prompt, mode, created_by, created_at) VALUES ($1, 'kl-discrete', 4294967295, 'easy', '{}', '[]', 'p', 'practice', $2, '2026-01-01T00:00:00.000Z')",
    [id, userId],
  );
}

export async function addAttempt(h: LtiHarness, id: string, variantId: string, userId: string, source: 'online' | 'paper' = 'online'): Promise<void> {
  await h.sql(
    "INSERT INTO attempts (id, variant_id, user_id, answers, result, score, max_score, created_at, source) VALUES ($1, $2, $3, '{}', '{}', 1.5, 2, '2026-01-01T00:00:01.000Z', $4)",
    [id, variantId, userId, source],
  );
}

export async function addExam(h: LtiHarness, id: string, userId: string): Promise<void> {
  await h.sql(
    "INSERT INTO exams (id, title, blueprint, versions, seed, manifest, created_by, created_at) VALUES ($1, 'Midterm', '{}', 1, 7, '{}', $2, '2026-01-01T00:00:00.000Z')",
    [id, userId],
  );
}
