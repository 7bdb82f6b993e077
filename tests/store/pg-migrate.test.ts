/** The PostgreSQL schema migrates once, in order, under a lock (two pools at once), on a real server (tests/pg-server.ts). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migratePg, openPool, type Pool } from '../../src/store/pg/db.js';
import { freshDatabase, startPgServer, type PgServer } from '../pg-server.js';

let server: PgServer | undefined;
beforeAll(async () => {
  server = await startPgServer();
}, 60_000);
afterAll(() => server?.stop());

describe('PostgreSQL migrations', () => {
  it('apply once, in order, even from two pools at once; the SQLite tables are all there', async (ctx) => {
    if (!server) return ctx.skip();
    const url = await freshDatabase(server.url);
    const pools: Pool[] = [openPool({ url }), openPool({ url })];
    try {
      const [a, b] = await Promise.all(pools.map((p) => migratePg(p)));
      expect([...a, ...b].sort()).toEqual([1, 2]);
      expect(await migratePg(pools[0])).toEqual([]);
      const tables = (await pools[0].query<{ t: string }>("SELECT table_name AS t FROM information_schema.tables WHERE table_schema = 'public'")).rows.map((r) => r.t);
      expect(tables).toEqual(expect.arrayContaining(['users', 'api_keys', 'variants', 'attempts', 'attempt_steps', 'exams', 'lti_passback_jobs', 'model_jobs', 'model_files', 'web_sessions', 'schema_migrations']));
      // Variants are frozen, as on SQLite.
      await pools[0].query("INSERT INTO users (id, name, role, created_at) VALUES ('u1', 'Ada', 'student', '2026-01-01')");
      await pools[0].query("INSERT INTO variants (id, topic, seed, difficulty, params, steps, prompt, mode, created_by, created_at) VALUES ('v1', 'kl-discrete', 4294967295, 'easy', '{}', '[]', 'p', 'practice', 'u1', '2026-01-01')");
      await expect(pools[0].query("UPDATE variants SET prompt = 'x' WHERE id = 'v1'")).rejects.toThrow(/frozen/);
      expect((await pools[0].query<{ seed: number }>('SELECT seed FROM variants')).rows[0].seed).toBe(4294967295);
    } finally {
      await Promise.all(pools.map((p) => p.end()));
    }
  }, 60_000);
});
