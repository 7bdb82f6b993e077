/** Migration 007 on a database whose exams were linked under the old first-link rule: each keeps that course as its home. */
import { copyFileSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { migrate, MIGRATIONS_DIR } from '../../src/store/sqlite/db.js';
import { SqliteStore } from '../../src/store/sqlite/index.js';

describe('migration 007 (LTI exam homes)', () => {
  it('binds each linked exam to the course of its first exam link, and leaves unlinked exams unbound', async () => {
    const older = mkdtempSync(join(tmpdir(), 'stepwise-mig-'));
    for (const f of readdirSync(MIGRATIONS_DIR)) if (/^\d+_/.test(f) && Number(f.slice(0, 3)) < 7) copyFileSync(join(MIGRATIONS_DIR, f), join(older, f));
    const db = new Database(':memory:');
    db.pragma('foreign_keys = ON');
    migrate(db, older);
    const t = (s: number) => `2026-01-01T00:00:0${s}.000Z`;
    db.prepare("INSERT INTO users (id, name, role, created_at) VALUES ('u1', 'Ada', 'instructor', ?)").run(t(0));
    for (const e of ['e1', 'e2', 'e3']) {
      db.prepare("INSERT INTO exams (id, title, blueprint, versions, seed, manifest, created_by, created_at) VALUES (?, 'x', '[]', 1, 1, '[[]]', 'u1', ?)").run(e, t(0));
    }
    db.prepare("INSERT INTO lti_platforms (id, name, issuer, client_id, auth_login_url, auth_token_url, jwks_url, created_at) VALUES ('p1', 'LMS', 'https://lms.example', 'c', 'https://lms.example/a', 'https://lms.example/t', 'https://lms.example/j', ?)").run(t(0));
    const link = db.prepare(
      "INSERT INTO lti_resource_links (id, platform_id, deployment_id, resource_link_id, context_id, target_kind, target_id, created_at, updated_at) VALUES (?, 'p1', 'd', ?, ?, ?, ?, ?, ?)",
    );
    // e1: linked from course-b second, course-a first (inserted out of order); e2: only a topic link names its id; e3: no link.
    link.run('l1', 'rl-1', 'course-b', 'exam', 'e1', t(5), t(5));
    link.run('l2', 'rl-2', 'course-a', 'exam', 'e1', t(2), t(2));
    link.run('l3', 'rl-3', 'course-c', 'topic', 'e2', t(1), t(1));
    // A link to an exam that no longer exists is no home.
    link.run('l4', 'rl-4', 'course-d', 'exam', 'gone', t(1), t(1));
    migrate(db);
    const store = new SqliteStore(db);
    expect(await store.lti.examHome('e1')).toEqual({ platformId: 'p1', contextId: 'course-a' });
    expect(await store.lti.examHome('e2')).toBeUndefined();
    expect(await store.lti.examHome('e3')).toBeUndefined();
    expect(await store.lti.examHome('gone')).toBeUndefined();
    // The backfilled home holds: a later binding elsewhere changes nothing.
    expect(await store.lti.bindExamHome('e1', { platformId: 'p1', contextId: 'course-b' })).toEqual({ platformId: 'p1', contextId: 'course-a' });
    expect(await store.lti.bindExamHome('e3', { platformId: 'p1', contextId: 'course-b' })).toEqual({ platformId: 'p1', contextId: 'course-b' });
    await store.close();
  });
});
