/** Migration 013 on a database that already holds an attempt: it reads as online, and only 'online' or 'paper' is stored. */
import { copyFileSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { expect, it } from 'vitest';
import { migrate, MIGRATIONS_DIR } from '../../src/store/sqlite/db.js';
import { SqliteStore } from '../../src/store/sqlite/index.js';

it('keeps attempts made before it as online ones, and makes the command line user once', async () => {
  const older = mkdtempSync(join(tmpdir(), 'stepwise-mig-'));
  for (const f of readdirSync(MIGRATIONS_DIR)) if (/^\d+_/.test(f) && Number(f.slice(0, 3)) < 13) copyFileSync(join(MIGRATIONS_DIR, f), join(older, f));
  const db = new Database(':memory:');
  migrate(db, older);
  const t = '2026-01-01T00:00:00.000Z';
  db.prepare("INSERT INTO users (id, name, role, created_at) VALUES ('u1', 'Ada', 'student', ?)").run(t);
  db.prepare("INSERT INTO variants (id, topic, seed, difficulty, params, steps, prompt, mode, created_by, created_at) VALUES ('v1', 'kl-discrete', 1, 'easy', '{}', '[]', '', 'practice', 'u1', ?)").run(t);
  db.prepare("INSERT INTO attempts (id, variant_id, user_id, answers, result, score, max_score, created_at) VALUES ('a1', 'v1', 'u1', '{}', '{\"steps\":[]}', 1, 3, ?)").run(t);
  expect(migrate(db)).toContain(13);
  rmSync(older, { recursive: true, force: true });
  const store = new SqliteStore(db);
  const a = await store.attempts.get('a1');
  expect(a?.source).toBeUndefined();
  expect(db.prepare("SELECT source FROM attempts WHERE id = 'a1'").get()).toEqual({ source: 'online' });
  expect(() => db.prepare("UPDATE attempts SET source = 'fax' WHERE id = 'a1'").run()).toThrow(/CHECK/);
  const cli = await store.users.local('cli', { name: 'Command line', role: 'instructor' });
  expect(await store.users.local('cli', { name: 'Command line', role: 'instructor' })).toEqual(cli);
  expect(await store.users.findByName('Command line')).toHaveLength(1);
  await store.close();
});
