/** Migration 005 on a database that already holds an exam and an attempt: they read with the exam defaults. */
import { copyFileSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { migrate, MIGRATIONS_DIR } from '../../src/store/sqlite/db.js';
import { SqliteStore } from '../../src/store/sqlite/index.js';

describe('migration 005 (exam rules)', () => {
  it('gives exams made before it the defaults, keeps their 0-based versions read as 1-based, and nulls old step notes', async () => {
    const older = mkdtempSync(join(tmpdir(), 'stepwise-mig-'));
    for (const f of readdirSync(MIGRATIONS_DIR)) if (/^\d+_/.test(f) && Number(f.slice(0, 3)) < 5) copyFileSync(join(MIGRATIONS_DIR, f), join(older, f));
    const db = new Database(':memory:');
    migrate(db, older);
    const t = '2026-01-01T00:00:00.000Z';
    db.prepare("INSERT INTO users (id, name, role, created_at) VALUES ('u1', 'Ada', 'student', ?)").run(t);
    db.prepare("INSERT INTO exams (id, title, blueprint, versions, seed, manifest, created_by, created_at) VALUES ('e1', 'Old', '[]', 2, 1, '[[],[]]', 'u1', ?)").run(t);
    db.prepare("INSERT INTO exam_assignments (exam_id, user_id, version, assigned_at) VALUES ('e1', 'u1', 1, ?)").run(t);
    migrate(db);
    const store = new SqliteStore(db);
    expect(await store.exams.get('e1')).toMatchObject({ attemptLimit: 1, feedback: 'none', counts: 'last', blankSteps: 'shown' });
    expect(await store.exams.assignment('e1', 'u1')).toBe(2);
    expect(db.prepare("SELECT name FROM pragma_table_info('attempt_steps') WHERE name = 'note'").get()).toEqual({ name: 'note' });
    await store.close();
  });
});
