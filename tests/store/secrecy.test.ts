/** The store's side of exam secrecy: the server secret, and exam fingerprints kept across upgrades. */
import { copyFileSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { configFromEnv } from '../../src/server.js';
import { migrate, MIGRATIONS_DIR } from '../../src/store/sqlite/db.js';
import { SqliteStore } from '../../src/store/sqlite/index.js';

const tempFile = (name = 'x.db') => join(mkdtempSync(join(tmpdir(), 'stepwise-secrecy-')), name);

describe('the server secret', () => {
  it('is made once per database (32 random bytes), kept across restarts, and differs between servers', async () => {
    const file = tempFile();
    const first = SqliteStore.open({ file });
    const secret = Buffer.from(await first.secrets.server());
    expect(secret.length).toBe(32);
    await first.close();
    const again = SqliteStore.open({ file });
    expect(Buffer.from(await again.secrets.server()).equals(secret)).toBe(true);
    await again.close();
    const other = SqliteStore.open({ file: tempFile() });
    expect(Buffer.from(await other.secrets.server()).equals(secret)).toBe(false);
    await other.close();
  });

  it('STEPWISE_SECRET replaces it; one too short is refused without being echoed', async () => {
    const given = 'correct horse battery staple, twice over';
    const store = SqliteStore.open({ file: ':memory:', secret: configFromEnv({ STEPWISE_SECRET: given }).secret });
    expect(Buffer.from(await store.secrets.server()).toString('utf8')).toBe(given);
    await store.close();
    expect(() => configFromEnv({ STEPWISE_SECRET: 'hunter2' })).toThrow(/STEPWISE_SECRET must be at least 32 characters/);
    try {
      configFromEnv({ STEPWISE_SECRET: 'hunter2' });
    } catch (e) {
      expect((e as Error).message).not.toContain('hunter2');
    }
  });
});

describe('exam fingerprints survive an upgrade', () => {
  it('recomputes fingerprints of a database made before migration 004 (old form, or none at all)', async () => {
    // A database as migrations 001–003 left it, with two exam items: one fingerprinted by 003's
    // form with the default base written out, one from before 003 (no fingerprint).
    const old = join(mkdtempSync(join(tmpdir(), 'stepwise-mig-')), 'migrations');
    mkdirSync(old);
    for (const f of ['001_core.sql', '002_lti.sql', '003_variant_fingerprints.sql']) copyFileSync(join(MIGRATIONS_DIR, f), join(old, f));
    const file = tempFile();
    const db = new Database(file);
    expect(migrate(db, old)).toEqual([1, 2, 3]);
    const t = '2026-01-01T00:00:00.000Z';
    db.prepare("INSERT INTO users (id, name, role, created_at) VALUES ('usr_1', 'I', 'instructor', ?)").run(t);
    db.prepare("INSERT INTO exams (id, title, blueprint, versions, seed, manifest, created_by, created_at) VALUES ('exm_1', 'E', '[]', 1, 1, '[]', 'usr_1', ?)").run(t);
    const variant = db.prepare(
      `INSERT INTO variants (id, topic, seed, difficulty, params, steps, prompt, mode, exam_id, exam_version, exam_item, created_by, created_at, fingerprint)
       VALUES (?, 'kl-discrete', 1, 'medium', ?, '["kl"]', 'p', 'exam', 'exm_1', 0, ?, 'usr_1', ?, ?)`,
    );
    variant.run('var_1', JSON.stringify({ p: [0.5, 0.5], q: [0.25, 0.75], base: 'e' }), 0, t, 'an-old-form-fingerprint');
    variant.run('var_2', JSON.stringify({ p: [0.2, 0.8], q: [0.4, 0.6] }), 1, t, null);
    db.close();

    const store = SqliteStore.open({ file });
    expect(store.db.pragma('user_version', { simple: true })).toBeGreaterThanOrEqual(4);
    expect(await store.variants.inUnreleasedExam('kl-discrete', { q: [0.25, 0.75], p: [0.5, 0.5] })).toBe(true);
    expect(await store.variants.inUnreleasedExam('kl-discrete', { p: [0.2, 0.8], q: [0.4, 0.6], base: 'e' })).toBe(true);
    expect(await store.variants.inUnreleasedExam('kl-discrete', { p: [0.2, 0.8], q: [0.4, 0.6], base: '2' })).toBe(false);
    // A row made under an older form is recomputed at the next open.
    store.db.prepare("UPDATE exam_fingerprints SET fingerprint = 'stale', form = 1 WHERE variant_id = 'var_1'").run();
    await store.close();
    const reopened = SqliteStore.open({ file });
    expect(await reopened.variants.inUnreleasedExam('kl-discrete', { p: [0.5, 0.5], q: [0.25, 0.75] })).toBe(true);
    // Variants stay frozen through all this.
    expect(() => reopened.db.prepare("UPDATE variants SET seed = 2 WHERE id = 'var_1'").run()).toThrow(/frozen/);
    await reopened.close();
  });
});
