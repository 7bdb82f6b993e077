/** Secrets at rest: the LTI tool key sealed under STEPWISE_SECRET, rotation, and the online backup. */
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { backupDb, migrateDb, rotateSecrets, tableCounts } from '../../src/cli/secrets.js';
import { ensureToolKey, toolKeyring } from '../../src/lti/keys.js';
import { isSealed, seal, sealingKey, unseal } from '../../src/store/sealed.js';
import { configFromEnv, startServer } from '../../src/server.js';
import { SqliteStore } from '../../src/store/sqlite/index.js';
import { SecretsLockedError } from '../../src/store/sqlite/sealed-keys.js';

const A = 'first secret of thirty-two chars or more, A';
const B = 'second secret of thirty-two chars or more, B';
const tempDir = () => mkdtempSync(join(tmpdir(), 'stepwise-atrest-'));
const rawKey = (file: string): string => {
  const db = new Database(file, { readonly: true });
  try {
    return (db.prepare('SELECT private_jwk FROM lti_tool_keys').get() as { private_jwk: string }).private_jwk;
  } finally {
    db.close();
  }
};
/** A database with one tool key, made under `secret` (undefined: as older versions, plaintext). */
async function withToolKey(secret?: string): Promise<{ file: string; privateJwk: Record<string, unknown>; kid: string }> {
  const file = join(tempDir(), 's.db');
  const store = SqliteStore.open({ file, ...(secret ? { secret } : {}) });
  const k = await ensureToolKey(store);
  await store.close();
  return { file, privateJwk: k.privateJwk, kid: k.kid };
}
const lockedMessage = (open: () => unknown): string => {
  try {
    open();
  } catch (e) {
    expect(e).toBeInstanceOf(SecretsLockedError);
    return (e as Error).message;
  }
  throw new Error('the store opened');
};

describe('sealing (AES-256-GCM under an HKDF key)', () => {
  it('round-trips, differs per call, and does not open under another key or row', () => {
    const k = sealingKey(A);
    expect(k.length).toBe(32);
    const one = seal(k, '{"d":"secret"}', 'row-1');
    const two = seal(k, '{"d":"secret"}', 'row-1');
    expect(one).toMatch(/^v1:[\w-]+:[\w-]+:[\w-]+$/);
    expect(one).not.toBe(two); // a fresh IV each time
    expect(one).not.toContain('secret');
    expect(unseal(k, one, 'row-1')).toBe('{"d":"secret"}');
    expect(() => unseal(sealingKey(B), one, 'row-1')).toThrow(/did not open/);
    expect(() => unseal(k, one, 'row-2')).toThrow(/did not open/);
    const flipped = one.slice(0, -2) + (one.endsWith('A') ? 'B' : 'A') + one.slice(-1);
    expect(() => unseal(k, flipped, 'row-1')).toThrow(/did not open/);
  });
});

describe('the LTI tool key at rest', () => {
  it('is sealed when STEPWISE_SECRET is set and reads back the same key', async () => {
    const { file, privateJwk } = await withToolKey(A);
    const raw = rawKey(file);
    expect(isSealed(raw)).toBe(true);
    expect(raw).not.toContain(String(privateJwk.d));
    const store = SqliteStore.open({ file, secret: A });
    expect((await store.lti.toolKeys())[0]!.privateJwk).toEqual(privateJwk);
    expect(store.atRest).toEqual({ sealed: 1, resealed: 0, plaintext: 0 });
    await store.close();
  });

  it('a plaintext key from an older database is sealed at the first start with a secret', async () => {
    const { file, privateJwk } = await withToolKey(undefined);
    expect(JSON.parse(rawKey(file))).toEqual(privateJwk); // plaintext without a secret
    const store = SqliteStore.open({ file, secret: A });
    expect(store.atRest).toEqual({ sealed: 0, resealed: 1, plaintext: 0 });
    await store.close();
    expect(isSealed(rawKey(file))).toBe(true);
    const again = SqliteStore.open({ file, secret: A });
    expect((await again.lti.toolKeys())[0]!.privateJwk).toEqual(privateJwk);
    await again.close();
  });

  it('refuses to open with the secret missing or wrong, naming STEPWISE_SECRET and printing no secret', async () => {
    const { file } = await withToolKey(A);
    const missing = lockedMessage(() => SqliteStore.open({ file }));
    expect(missing).toMatch(/STEPWISE_SECRET is not set/);
    const wrong = lockedMessage(() => SqliteStore.open({ file, secret: B }));
    expect(wrong).toMatch(/STEPWISE_SECRET does not open/);
    for (const m of [missing, wrong]) for (const s of [A, B]) expect(m).not.toContain(s);
    expect(isSealed(rawKey(file))).toBe(true); // a refused start changed nothing
  });

  it('serve refuses to start without the secret, and starts with it', async () => {
    const { file } = await withToolKey(A);
    const env = { STEPWISE_DB: file, PORT: '0', HOST: '127.0.0.1', STEPWISE_LOG_LEVEL: 'silent' };
    await expect(startServer(configFromEnv(env), () => {})).rejects.toThrow(/STEPWISE_SECRET is not set/);
    const running = await startServer(configFromEnv({ ...env, STEPWISE_SECRET: A }), () => {});
    const jwks = (await (await fetch(`${running.url}/lti/jwks`)).json()) as { keys: { kid: string }[] };
    expect(jwks.keys).toHaveLength(1);
    await running.stop();
  });
});

describe('stepwise secrets rotate', () => {
  it('re-encrypts under the new secret, and the tool still signs with the same key', async () => {
    const { file, kid } = await withToolKey(A);
    const before = rawKey(file);
    expect(rotateSecrets({ STEPWISE_DB: file, STEPWISE_SECRET: A, STEPWISE_NEW_SECRET: B })).toEqual({ file, toolKeys: 1 });
    expect(rawKey(file)).not.toBe(before);
    expect(() => SqliteStore.open({ file, secret: A })).toThrow(SecretsLockedError);
    const store = SqliteStore.open({ file, secret: B });
    const keyring = toolKeyring(store);
    const token = await keyring.sign({ iss: 'tool', aud: 'platform' }, 60);
    expect(JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString()).kid).toBe(kid);
    expect((await keyring.verify(token, { issuer: 'tool', audience: 'platform' })).iss).toBe('tool');
    await store.close();
  });

  it('changes nothing when the old secret is wrong, and needs STEPWISE_NEW_SECRET', async () => {
    const { file } = await withToolKey(A);
    const before = rawKey(file);
    const C = 'a third secret, thirty-two characters long';
    expect(() => rotateSecrets({ STEPWISE_DB: file, STEPWISE_SECRET: B, STEPWISE_NEW_SECRET: C })).toThrow(/STEPWISE_SECRET does not open/);
    expect(() => rotateSecrets({ STEPWISE_DB: file, STEPWISE_NEW_SECRET: C })).toThrow(/STEPWISE_SECRET is not set/);
    expect(() => rotateSecrets({ STEPWISE_DB: file, STEPWISE_SECRET: A })).toThrow(/STEPWISE_NEW_SECRET must be set/);
    expect(rawKey(file)).toBe(before);
  });

  it('seals a plaintext deployment when STEPWISE_SECRET is unset', async () => {
    const { file, privateJwk } = await withToolKey(undefined);
    rotateSecrets({ STEPWISE_DB: file, STEPWISE_NEW_SECRET: B });
    expect(isSealed(rawKey(file))).toBe(true);
    const store = SqliteStore.open({ file, secret: B });
    expect((await store.lti.toolKeys())[0]!.privateJwk).toEqual(privateJwk);
    await store.close();
  });
});

describe('stepwise db backup', () => {
  it('copies one consistent state while a writer keeps committing, and refuses to overwrite without --force', async () => {
    const { file, privateJwk } = await withToolKey(A);
    const setup = new Database(file);
    setup.exec('CREATE TABLE pairs (n INTEGER NOT NULL); CREATE TABLE padding (t TEXT)');
    const pad = 'x'.repeat(500);
    setup.transaction(() => {
      for (let i = 0; i < 20_000; i++) setup.prepare('INSERT INTO padding (t) VALUES (?)').run(pad);
    })(); // ~10 MB, so the copy takes a while
    setup.close();
    // A writer in another thread commits pairs of rows (one transaction each) all through the backup.
    const writer = new Worker(
      `const { parentPort, workerData } = require('node:worker_threads');
       const Database = require(workerData.sqlite);
       const db = new Database(workerData.file);
       db.pragma('busy_timeout = 5000');
       const ins = db.prepare('INSERT INTO pairs (n) VALUES (?)');
       const pair = db.transaction((n) => { ins.run(n); ins.run(n); });
       let n = 0, stop = false;
       parentPort.on('message', () => { stop = true; });
       const loop = () => { for (let i = 0; i < 50; i++) pair(n++); if (stop) { db.close(); parentPort.postMessage(n); } else setImmediate(loop); };
       pair(n++); parentPort.postMessage('started'); loop();`,
      { eval: true, workerData: { file, sqlite: createRequire(import.meta.url).resolve('better-sqlite3') } },
    );
    const next = () => new Promise<unknown>((r) => writer.once('message', r));
    expect(await next()).toBe('started');
    const target = join(tempDir(), 'backup.db');
    const env = { STEPWISE_DB: file };
    const r = await backupDb(target, { env });
    const done = next();
    writer.postMessage('stop');
    const n = (await done) as number;
    await writer.terminate();
    expect(n).toBeGreaterThan(0);
    expect(r.bytes).toBeGreaterThan(10_000_000);
    expect(r.tables).toEqual(tableCounts(target));
    expect(r.tables.pairs! % 2).toBe(0); // never half a transaction
    expect(r.tables.pairs).toBeGreaterThan(0);
    expect(r.tables.pairs).toBeLessThan(n * 2); // the writer went on committing after the copy
    expect(r.tables.padding).toBe(20_000);
    expect(r.tables.lti_tool_keys).toBe(1);
    const copy = SqliteStore.open({ file: target, secret: A });
    expect((await copy.check()).ok).toBe(true);
    expect((await copy.lti.toolKeys())[0]!.privateJwk).toEqual(privateJwk);
    await copy.close();

    await expect(backupDb(target, { env })).rejects.toThrow(/exists: pass --force/);
    writeFileSync(target, 'not a database');
    const forced = await backupDb(target, { env, force: true });
    expect(forced.tables.pairs).toBe(n * 2); // the writer has stopped: everything is in
  });
});

describe('stepwise db migrate', () => {
  it('brings a database at an older version up to date, applying only what it lacks, and then nothing', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'stepwise-migrate-')), 'old.db');
    const old = new Database(file);
    old.pragma('journal_mode = WAL');
    // A database made by migrations 001–013 only (before the passback outbox and model jobs).
    const dir = join(import.meta.dirname, '..', '..', 'db', 'migrations');
    const files = readdirSync(dir).filter((f) => /^\d+_.*\.sql$/.test(f)).sort();
    for (const f of files.filter((f) => Number(f.slice(0, 3)) <= 13)) {
      old.exec(readFileSync(join(dir, f), 'utf8'));
      old.pragma(`user_version = ${Number(f.slice(0, 3))}`);
    }
    old.close();
    const latest = Math.max(...files.map((f) => Number(f.slice(0, 3))));
    const r = migrateDb({ STEPWISE_DB: file });
    expect(r.applied).toEqual(files.map((f) => Number(f.slice(0, 3))).filter((v) => v > 13));
    expect(r.version).toBe(latest);
    expect(Object.keys(tableCounts(file))).toEqual(expect.arrayContaining(['lti_passback_jobs', 'model_jobs', 'model_files']));
    expect(migrateDb({ STEPWISE_DB: file })).toEqual({ file, applied: [], version: latest });
  });
});
