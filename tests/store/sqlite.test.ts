/** The SQLite store: migrations, transactions, frozen variants, group commit, keys at rest. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { gradeAnswers } from '../../src/engine.js';
import { migrate } from '../../src/store/sqlite/db.js';
import { SqliteStore } from '../../src/store/sqlite/index.js';

async function seeded() {
  const store = SqliteStore.open({ file: ':memory:' });
  const user = await store.users.create({ name: 'Ada', role: 'student' });
  const v = await store.variants.create({
    topic: 'kl-discrete',
    seed: 1,
    difficulty: 'easy',
    params: { p: [0.5, 0.5], q: [0.25, 0.75] },
    steps: ['kl'],
    prompt: 'p',
    mode: 'practice',
    createdBy: user.id,
  });
  return { store, user, v };
}

describe('SQLite store', () => {
  it('applies numbered migrations once, in order, and records the version', () => {
    const dir = mkdtempSync(join(tmpdir(), 'stepwise-mig-'));
    writeFileSync(join(dir, '001_a.sql'), 'CREATE TABLE a (x INTEGER);');
    writeFileSync(join(dir, '002_b.sql'), 'CREATE TABLE b (y INTEGER);');
    writeFileSync(join(dir, 'notes.txt'), 'ignored');
    const db = new Database(':memory:');
    expect(migrate(db, dir)).toEqual([1, 2]);
    expect(migrate(db, dir)).toEqual([]);
    expect(db.pragma('user_version', { simple: true })).toBe(2);
    writeFileSync(join(dir, '003_bad.sql'), 'CREATE TABLE c (z INTEGER); CREATE TABLE a (x INTEGER);');
    expect(() => migrate(db, dir)).toThrow();
    // The failed migration left nothing behind and the version unchanged.
    expect(db.prepare("SELECT name FROM sqlite_master WHERE name = 'c'").get()).toBeUndefined();
    expect(db.pragma('user_version', { simple: true })).toBe(2);
  });

  it('opens a file in WAL mode with foreign keys on', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'stepwise-db-')), 'x.db');
    const store = SqliteStore.open({ file });
    expect(store.db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(store.db.pragma('foreign_keys', { simple: true })).toBe(1);
    void store.close();
  });

  it('stores an attempt with one row per step, atomically', async () => {
    const { store, user, v } = await seeded();
    const result = gradeAnswers('kl-discrete', v.params, { kl: 0.1438 }, { steps: ['kl'] });
    const a = await store.attempts.create({ variantId: v.id, userId: user.id, answers: { kl: 0.1438 }, result });
    expect((await store.attempts.get(a.id))?.result).toEqual(result);
    expect(store.db.prepare('SELECT step_id, status FROM attempt_steps WHERE attempt_id = ?').all(a.id)).toEqual([{ step_id: 'kl', status: 'correct' }]);
    // A step row that cannot be written (unknown attempt) rolls the whole attempt back.
    const bad = { ...result, steps: [...result.steps, { ...result.steps[0] }] }; // duplicate step id: PK violation
    await expect(store.attempts.create({ variantId: v.id, userId: user.id, answers: {}, result: bad })).rejects.toThrow(/UNIQUE/);
    expect(await store.attempts.count()).toBe(1);
  });

  it('group commit: concurrent writes commit together; one bad write fails alone', async () => {
    const { store, user, v } = await seeded();
    const result = gradeAnswers('kl-discrete', v.params, {}, { steps: ['kl'] });
    const writes = Array.from({ length: 20 }, (_, i) =>
      store.attempts.create({ variantId: i === 7 ? 'var_missing' : v.id, userId: user.id, answers: { i }, result }),
    );
    const settled = await Promise.allSettled(writes);
    expect(settled.map((s) => s.status)).toEqual(Array.from({ length: 20 }, (_, i) => (i === 7 ? 'rejected' : 'fulfilled')));
    expect(await store.attempts.count()).toBe(19);
  });

  it('variants are frozen once stored', async () => {
    const { store, v } = await seeded();
    expect(() => store.db.prepare('UPDATE variants SET seed = 2 WHERE id = ?').run(v.id)).toThrow(/frozen/);
  });

  it('API keys: only the hash is stored; revoked and expired keys do not authenticate', async () => {
    const { store, user } = await seeded();
    const { key, secret } = await store.keys.create({ userId: user.id, role: 'student', label: 'k' });
    expect(JSON.stringify(store.db.prepare('SELECT * FROM api_keys').all())).not.toContain(secret);
    expect((await store.keys.authenticate(secret))?.user.id).toBe(user.id);
    await store.keys.revoke(key.id);
    expect(await store.keys.authenticate(secret)).toBeUndefined();
    const old = await store.keys.create({ userId: user.id, role: 'student', label: 'old', expiresAt: '2000-01-01T00:00:00.000Z' });
    expect(await store.keys.authenticate(old.secret)).toBeUndefined();
  });

  it('exam versions are handed out in rotation and kept', async () => {
    const { store, user } = await seeded();
    const { exam } = await store.exams.create(
      { title: 'E', blueprint: [], versions: 3, seed: 1, createdBy: user.id },
      () => ({ manifest: [[], [], []], variants: [] }),
    );
    const users = await Promise.all([1, 2, 3, 4].map((i) => store.users.create({ name: `s${i}`, role: 'student' })));
    const versions: number[] = [];
    for (const u of users) versions.push(await store.exams.assign(exam.id, u.id, 3));
    // Numbered from 1 (stored from 0).
    expect(versions).toEqual([1, 2, 3, 1]);
    expect(await store.exams.assign(exam.id, users[1].id, 3)).toBe(2);
    expect(await store.exams.assignments(exam.id)).toEqual(users.map((u, i) => ({ userId: u.id, version: versions[i] })));
  });
});
