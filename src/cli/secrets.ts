/**
 * `stepwise secrets rotate`, `stepwise db migrate` and `stepwise db backup <file>`: operator commands on the SQLite store
 * STEPWISE_DB names, or (rotate and migrate) on PostgreSQL when STEPWISE_DATABASE_URL is set; backup
 * is SQLite's (pg_dump is PostgreSQL's). Secret values and the URL's password are never printed.
 */
import { existsSync, rmSync, statSync } from 'node:fs';
import { resolve as resolvePath } from 'node:path';
import Database from 'better-sqlite3';
import type { Command } from 'commander';
import { StepwiseError } from '../core/errors.js';
import { dbFileFromEnv, migrate, openDatabase, openFile } from '../store/sqlite/db.js';
import { action, print } from './action.js';
import { rotateToolKeys } from '../store/sqlite/sealed-keys.js';
import { databaseUrlFromEnv, redactUrl } from '../store/open.js';
import { registerDbCopy } from './db-copy.js';

const MIN_SECRET_LENGTH = 32; // as `serve` (src/server.ts)

function secretVar(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const v = env[name];
  if (v === undefined || v === '') return undefined;
  if (v.length < MIN_SECRET_LENGTH) throw new StepwiseError('invalid_request', `${name} must be at least ${MIN_SECRET_LENGTH} characters long, got ${v.length}`, name);
  return v;
}

/**
 * Re-encrypts every secret sealed at rest from STEPWISE_SECRET (unset: they are plaintext now) to
 * STEPWISE_NEW_SECRET, in one transaction: on any failure nothing changes.
 */
export function rotateSecrets(env: NodeJS.ProcessEnv = process.env): { file: string; toolKeys: number } {
  sqliteOnly(env, 'rotateSecrets (use rotatePgSecrets)');
  const { oldSecret, newSecret } = rotationSecrets(env);
  const file = dbFileFromEnv(env);
  if (!existsSync(file)) throw new StepwiseError('not_found', `no database at ${file} (STEPWISE_DB)`, 'STEPWISE_DB');
  const db = openDatabase({ file });
  try {
    return { file, toolKeys: rotateToolKeys(db, oldSecret, newSecret) };
  } finally {
    db.close();
  }
}

/**
 * With STEPWISE_DATABASE_URL set, a function that works on the SQLite file would quietly work on
 * the wrong database: refused, naming what to do instead.
 */
function sqliteOnly(env: NodeJS.ProcessEnv, what: string): void {
  if (databaseUrlFromEnv(env) !== undefined) throw new StepwiseError('invalid_request', `${what} works on the SQLite file (STEPWISE_DB), but STEPWISE_DATABASE_URL is set`, 'STEPWISE_DATABASE_URL');
}

function rotationSecrets(env: NodeJS.ProcessEnv): { oldSecret: string | undefined; newSecret: string } {
  const oldSecret = secretVar(env, 'STEPWISE_SECRET');
  const newSecret = secretVar(env, 'STEPWISE_NEW_SECRET');
  if (newSecret === undefined) throw new StepwiseError('invalid_request', 'STEPWISE_NEW_SECRET must be set to the new secret (STEPWISE_SECRET: the current one)', 'STEPWISE_NEW_SECRET');
  if (newSecret === oldSecret) throw new StepwiseError('invalid_request', 'STEPWISE_NEW_SECRET is the same as STEPWISE_SECRET', 'STEPWISE_NEW_SECRET');
  return { oldSecret, newSecret };
}

/** `secrets rotate` on PostgreSQL (STEPWISE_DATABASE_URL): the same rules, one transaction. `file`: the URL, password masked. */
export async function rotatePgSecrets(env: NodeJS.ProcessEnv = process.env): Promise<{ file: string; toolKeys: number }> {
  const url = databaseUrlFromEnv(env);
  if (url === undefined) throw new StepwiseError('invalid_request', 'STEPWISE_DATABASE_URL is not set', 'STEPWISE_DATABASE_URL');
  const { oldSecret, newSecret } = rotationSecrets(env);
  const { migratePg, openPool } = await import('../store/pg/db.js');
  const { rotatePgToolKeys } = await import('../store/pg/sealed-keys.js');
  const pool = openPool({ url, max: 1 });
  try {
    await migratePg(pool);
    return { file: redactUrl(url), toolKeys: await rotatePgToolKeys(pool, oldSecret, newSecret) };
  } finally {
    await pool.end();
  }
}

export interface MigrateResult {
  file: string;
  applied: number[];
  version: number;
}

/** Applies the migrations the database at STEPWISE_DB lacks (made if absent, as `serve` would). */
export function migrateDb(env: NodeJS.ProcessEnv = process.env): MigrateResult {
  sqliteOnly(env, 'migrateDb (use migratePgDb)');
  const file = dbFileFromEnv(env);
  const db = openFile({ file });
  try {
    const applied = migrate(db);
    return { file, applied, version: db.pragma('user_version', { simple: true }) as number };
  } finally {
    db.close();
  }
}

/** `db migrate` on PostgreSQL: applies what the database lacks (under the migrations' advisory lock). `file`: the URL, password masked. */
export async function migratePgDb(env: NodeJS.ProcessEnv = process.env): Promise<MigrateResult> {
  const url = databaseUrlFromEnv(env);
  if (url === undefined) throw new StepwiseError('invalid_request', 'STEPWISE_DATABASE_URL is not set', 'STEPWISE_DATABASE_URL');
  const { migratePg, openPool } = await import('../store/pg/db.js');
  const pool = openPool({ url, max: 1 });
  try {
    const applied = await migratePg(pool);
    const version = (await pool.query<{ v: number | null }>('SELECT max(version) AS v FROM schema_migrations')).rows[0]?.v ?? 0;
    return { file: redactUrl(url), applied, version };
  } finally {
    await pool.end();
  }
}

export interface BackupResult {
  file: string;
  bytes: number;
  tables: Record<string, number>;
}

/** Row counts of every table of a database file (opened read-only). */
export function tableCounts(file: string): Record<string, number> {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const names = db.prepare<[], { name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").all();
    return Object.fromEntries(names.map(({ name }) => [name, (db.prepare(`SELECT count(*) AS n FROM "${name.replaceAll('"', '""')}"`).get() as { n: number }).n]));
  } finally {
    db.close();
  }
}

/**
 * A consistent online backup of the store (SQLite's backup API, copying one committed state while
 * the server keeps writing). Refuses to overwrite unless
 * `force`. The copy holds the tool key as sealed as the store does, and the generated server secret
 * when STEPWISE_SECRET is unset: keep it as safe as the database.
 */
export async function backupDb(target: string, opts: { force?: boolean; env?: NodeJS.ProcessEnv } = {}): Promise<BackupResult> {
  if (databaseUrlFromEnv(opts.env ?? process.env) !== undefined) {
    throw new StepwiseError(
      'invalid_request',
      'stepwise db backup copies the SQLite store, but STEPWISE_DATABASE_URL is set: back PostgreSQL up with pg_dump -Fc "$STEPWISE_DATABASE_URL" -f stepwise.dump',
      'STEPWISE_DATABASE_URL',
    );
  }
  const source = dbFileFromEnv(opts.env ?? process.env);
  const file = resolvePath(target);
  if (file === source) throw new StepwiseError('invalid_request', `the backup file is the database itself (${file})`, 'file');
  if (!existsSync(source)) throw new StepwiseError('not_found', `no database at ${source} (STEPWISE_DB)`, 'STEPWISE_DB');
  if (existsSync(file) && !opts.force) throw new StepwiseError('conflict', `${file} exists: pass --force to overwrite it`, 'file');
  // An old backup (and any journal of it) goes first: the backup API writes into an existing database.
  for (const f of [file, `${file}-wal`, `${file}-shm`, `${file}-journal`]) rmSync(f, { force: true });
  const db = new Database(source, { fileMustExist: true });
  try {
    db.pragma('busy_timeout = 5000');
    // All pages in one step, under one read snapshot (WAL: the server's writes go on meanwhile). Small
    // steps would restart at every write made through another connection, never finishing when busy.
    await db.backup(file, { progress: () => 0x7fffffff });
  } finally {
    db.close();
  }
  return { file, bytes: statSync(file).size, tables: tableCounts(file) };
}

export function backupText(r: BackupResult): string {
  const rows = Object.entries(r.tables).map(([t, n]) => `  ${t.padEnd(28)} ${n}`);
  return [`backup written: ${r.file} (${r.bytes} bytes)`, ...rows].join('\n');
}

/** Adds `secrets rotate` and `db backup` to the program. */
export function registerSecrets(program: Command): void {
  program
    .command('secrets')
    .description('secrets at rest (the LTI tool private key, sealed under STEPWISE_SECRET)')
    .command('rotate')
    .description('re-encrypt every secret at rest from STEPWISE_SECRET to STEPWISE_NEW_SECRET, in one transaction (stop the servers first, restart them with the new secret)')
    .option('--json', 'machine-readable output')
    .action(
      action(async (opts: { json?: boolean }) => {
        const r = databaseUrlFromEnv() !== undefined ? await rotatePgSecrets() : rotateSecrets();
        print(!!opts.json, r, () => `re-encrypted ${r.toolKeys} tool key(s) in ${r.file} under STEPWISE_NEW_SECRET: restart with it as STEPWISE_SECRET`);
      }),
    );
  const db = program.command('db').description('the store: SQLite (STEPWISE_DB), or PostgreSQL (STEPWISE_DATABASE_URL) for migrate');
  db.command('migrate')
    .description('apply the numbered migrations the database lacks (the servers also do at start); safe while servers run')
    .option('--json', 'machine-readable output')
    .action(
      action(async (opts: { json?: boolean }) => {
        const r = databaseUrlFromEnv() !== undefined ? await migratePgDb() : migrateDb();
        print(!!opts.json, r, () => (r.applied.length === 0 ? `${r.file} is at version ${r.version}: nothing to apply` : `${r.file}: applied ${r.applied.join(', ')}; now at version ${r.version}`));
      }),
    );
  db.command('backup')
    .description('a consistent online backup of the SQLite store into <file> (safe while the server runs; PostgreSQL: pg_dump)')
    .argument('<file>', 'the backup file to write')
    .option('--force', 'overwrite <file> if it exists')
    .option('--json', 'machine-readable output')
    .action(
      action(async (file: string, opts: { force?: boolean; json?: boolean }) => {
        const r = await backupDb(file, { force: !!opts.force });
        print(!!opts.json, r, () => backupText(r));
      }),
    );
  registerDbCopy(db);
}
