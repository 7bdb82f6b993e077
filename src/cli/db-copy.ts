/**
 * `stepwise db copy --to postgres://…`: moves the SQLite store at STEPWISE_DB into an empty PostgreSQL
 * database (src/store/pg/copy.ts), then prints the row counts of every table as checked before the
 * commit. The URL's password is never printed (nor is it needed on the command line: without --to,
 * STEPWISE_DATABASE_URL; PGPASSWORD also works).
 */
import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { StepwiseError } from '../core/errors.js';
import { dbFileFromEnv } from '../store/sqlite/db.js';
import { copySqliteToPg, redactUrl, type CopyResult } from '../store/pg/copy.js';
import { action, print } from './action.js';

export interface DbCopyResult extends CopyResult {
  from: string;
  /** The target URL, its password replaced by ***. */
  to: string;
}

export async function copyDb(to: string | undefined, env: NodeJS.ProcessEnv = process.env): Promise<DbCopyResult> {
  const url = to ?? env.STEPWISE_DATABASE_URL;
  if (!url) throw new StepwiseError('invalid_request', 'name the PostgreSQL database: --to postgres://user@host/db, or STEPWISE_DATABASE_URL', 'to');
  if (!/^postgres(ql)?:\/\//.test(url)) throw new StepwiseError('invalid_request', `--to must be a postgres:// URL, got ${redactUrl(url).slice(0, 80)}`, 'to');
  const from = dbFileFromEnv(env);
  if (!existsSync(from)) throw new StepwiseError('not_found', `no database at ${from} (STEPWISE_DB)`, 'STEPWISE_DB');
  const r = await copySqliteToPg(from, url);
  return { from, to: redactUrl(url), ...r };
}

export function copyText(r: DbCopyResult): string {
  const rows = r.tables.map((t) => `  ${t.table.padEnd(28)} ${String(t.source).padStart(8)} ${String(t.target).padStart(8)}`);
  return [`copied ${r.from} into ${r.to}: ${r.rows} rows, counts checked`, `  ${'table'.padEnd(28)} ${'sqlite'.padStart(8)} ${'postgres'.padStart(8)}`, ...rows].join('\n');
}

/** Adds `copy` to the `db` command. */
export function registerDbCopy(db: Command): void {
  db.command('copy')
    .description('copy the SQLite store (STEPWISE_DB) into an empty PostgreSQL database in one transaction, checking every table\'s row count')
    .option('--to <url>', 'postgres://user@host:port/db (default: STEPWISE_DATABASE_URL; a password is best given as PGPASSWORD)')
    .option('--json', 'machine-readable output')
    .action(
      action(async (opts: { to?: string; json?: boolean }) => {
        const r = await copyDb(opts.to);
        print(!!opts.json, r, () => copyText(r));
      }),
    );
}
