/**
 * The store parts the variants and exams contracts run over, made for either backend: the
 * repositories, a second handle on the same database (PostgreSQL: another pool; SQLite: another
 * connection to the same file), and the rows other repositories own, made directly.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, type TestContext } from 'vitest';
import type { AttemptRepo, ExamRepo, Role, VariantRepo } from '../../../src/store/types.js';
import { SqliteStore } from '../../../src/store/sqlite/index.js';
import { migratePg, openPool, type Pool } from '../../../src/store/pg/db.js';
import { pgAttempts, pgVariants } from '../../../src/store/pg/variants.js';
import { pgExams } from '../../../src/store/pg/exams.js';
import { freshDatabase } from '../../pg-server.js';

export interface ExamRepos {
  variants: VariantRepo;
  attempts: AttemptRepo;
  exams: ExamRepo;
}

export interface ExamStore {
  store: ExamRepos;
  /** The same database through another connection (another node). */
  other: ExamRepos;
  user(name: string, role?: Role): Promise<string>;
  course(title: string, createdBy: string): Promise<string>;
  session(userId: string): Promise<string>;
  /** Runs a raw UPDATE of the variant's prompt (the schema must refuse it). */
  updateVariant(id: string): Promise<void>;
  close(): Promise<void>;
}

export type MakeExamStore = () => Promise<ExamStore>;

/** SQLite: two stores on one temporary file. */
/**
 * For each test of the calling describe block: `open(ctx)` makes a fresh exam store, closed after
 * the test; it skips the test when `available()` is false (no PostgreSQL server installed).
 */
export function useExamStore(make: MakeExamStore, available: () => boolean): (ctx: TestContext) => Promise<ExamStore> {
  let s: ExamStore | undefined;
  afterEach(async () => {
    await s?.close();
    s = undefined;
  });
  return async (ctx) => {
    if (!available()) ctx.skip();
    return (s = await make());
  };
}

export const sqliteExamStore: MakeExamStore = async () => {
  const dir = mkdtempSync(join(tmpdir(), 'stepwise-contract-'));
  const file = join(dir, 'db.sqlite');
  const a = SqliteStore.open({ file });
  const b = SqliteStore.open({ file });
  return {
    store: a,
    other: b,
    user: async (name, role = 'student') => (await a.users.create({ name, role })).id,
    course: async (title, createdBy) => (await a.courses.create({ title, createdBy })).id,
    session: async (userId) => (await a.sessions.create({ userId, topics: ['kl-discrete'], difficulty: 'easy' })).id,
    async updateVariant(id) {
      a.db.prepare("UPDATE variants SET prompt = 'changed' WHERE id = ?").run(id);
    },
    async close() {
      await b.close();
      await a.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
};

let made = 0;
/** PostgreSQL: two pools on a fresh, migrated database; other repositories' rows by plain INSERTs. */
export const pgExamStore =
  (serverUrl: () => string): MakeExamStore =>
  async () => {
    // Planned as on a big database (index scans, which hand rows over in key order, not the order
    // stored): a listing that leans on a small table's scan order fails here.
    const url = `${await freshDatabase(serverUrl())}?options=${encodeURIComponent('-c enable_seqscan=off -c enable_bitmapscan=off')}`;
    const pools: Pool[] = [openPool({ url }), openPool({ url })];
    await migratePg(pools[0]);
    const repos = (p: Pool): ExamRepos => ({ variants: pgVariants(p), attempts: pgAttempts(p), exams: pgExams(p) });
    const at = () => new Date().toISOString();
    const id = (prefix: string) => `${prefix}_contract_${made++}`;
    const q = (text: string, values: unknown[]) => pools[0].query(text, values);
    return {
      store: repos(pools[0]),
      other: repos(pools[1]),
      async user(name, role = 'student') {
        const u = id('usr');
        await q('INSERT INTO users (id, name, role, created_at) VALUES ($1, $2, $3, $4)', [u, name, role, at()]);
        return u;
      },
      async course(title, createdBy) {
        const c = id('crs');
        await q('INSERT INTO courses (id, title, created_by, created_at) VALUES ($1, $2, $3, $4)', [c, title, createdBy, at()]);
        return c;
      },
      async session(userId) {
        const s = id('prs');
        await q("INSERT INTO practice_sessions (id, user_id, topics, difficulty, created_at) VALUES ($1, $2, '[\"kl-discrete\"]', 'easy', $3)", [s, userId, at()]);
        return s;
      },
      async updateVariant(v) {
        await q("UPDATE variants SET prompt = 'changed' WHERE id = $1", [v]);
      },
      async close() {
        await Promise.all(pools.map((p) => p.end()));
      },
    };
  };
