/**
 * Moving a SQLite store into PostgreSQL (`stepwise db copy`): every table, row for row, in one
 * PostgreSQL transaction, parents before children (foreign keys), from one read snapshot of the
 * SQLite file (a server may keep writing to it; what it writes after the snapshot is not copied).
 * Identity columns keep their values (OVERRIDING SYSTEM VALUE), and their sequences continue after
 * the largest. Before COMMIT the row counts of every table are compared with the source's: any
 * difference rolls everything back. Only an empty target is filled.
 */
import Database from 'better-sqlite3';
import { existsSync, readdirSync } from 'node:fs';
import { StepwiseError } from '../../core/errors.js';
import { MIGRATIONS_DIR } from '../sqlite/db.js';
import { migratePg, openPool, transaction, type Sql } from './db.js';

export interface TableCopy {
  table: string;
  source: number;
  target: number;
}

export interface CopyResult {
  tables: TableCopy[];
  rows: number;
}

/** Rows per INSERT: well under PostgreSQL's 65,535 parameters a statement, and about 8 MB of values (pictures). */
const MAX_PARAMS = 30_000;
const MAX_BYTES = 8 * 1024 * 1024;
const sizeOf = (v: unknown): number => (Buffer.isBuffer(v) ? v.length : typeof v === 'string' ? v.length * 3 : 8);

const quote = (name: string): string => `"${name.replaceAll('"', '""')}"`;

/** The newest SQLite migration this version knows: the source must be at it. */
function latestSqliteVersion(): number {
  return Math.max(0, ...readdirSync(MIGRATIONS_DIR).map((f) => Number(/^(\d+)_[\w-]+\.sql$/.exec(f)?.[1] ?? 0)));
}

/**
 * Tables in an order where each comes after those it references. One order beyond the foreign keys:
 * attempts before lti_launches, so PostgreSQL's outbox trigger (a passback job for an attempt at a
 * launched variant) finds no launch while attempts are copied; the source's own jobs are copied as
 * they are (a second job per attempt would also show as a count difference and roll back).
 */
export function copyOrder(tables: string[], refs: Map<string, Set<string>>): string[] {
  const deps = new Map(tables.map((t) => [t, new Set([...(refs.get(t) ?? [])].filter((r) => r !== t && tables.includes(r)))]));
  if (deps.has('lti_launches') && deps.has('attempts')) deps.get('lti_launches')!.add('attempts');
  const out: string[] = [];
  const left = new Set(tables);
  while (left.size > 0) {
    const ready = [...left].filter((t) => [...deps.get(t)!].every((d) => !left.has(d))).sort();
    if (ready.length === 0) throw new StepwiseError('internal', `the tables' foreign keys form a cycle: ${[...left].join(', ')}`);
    for (const t of ready) {
      out.push(t);
      left.delete(t);
    }
  }
  return out;
}

/** The URL with its password (if any) replaced by ***, for messages. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    if (u.searchParams.has('password')) u.searchParams.set('password', '***');
    return u.toString().replace('password=%2A%2A%2A', 'password=***');
  } catch {
    return url.replace(/\/\/([^:/@]*):[^@]*@/, '//$1:***@');
  }
}

const safeDecode = (s: string): string => {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
};

/** An error's message with the password of `url` (raw or percent-encoded) taken out. */
function withoutPassword(e: unknown, url: string): unknown {
  let password = '';
  try {
    const u = new URL(url);
    password = u.password || (u.searchParams.get('password') ?? '');
  } catch {
    /* not a URL: nothing to hide that we can find */
  }
  if (!password || !(e instanceof Error)) return e;
  const forms = [password, safeDecode(password), encodeURIComponent(password)].filter((p) => p !== '');
  const clean = (s: string) => forms.reduce((acc, p) => acc.split(p).join('***'), s);
  if (!forms.some((p) => e.message.includes(p))) return e;
  return e instanceof StepwiseError ? new StepwiseError(e.code, clean(e.message), e.path) : new Error(clean(e.message));
}

/** Errors of reaching the server or signing in: the operator's to fix (wrong host, password, database). */
const UNREACHABLE = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', '28P01', '28000', '3D000']);

export async function copySqliteToPg(sqliteFile: string, pgUrl: string): Promise<CopyResult> {
  try {
    return await copy(sqliteFile, pgUrl);
  } catch (e) {
    const code = (e as { code?: unknown }).code;
    if (!(e instanceof StepwiseError) && typeof code === 'string' && UNREACHABLE.has(code)) {
      throw withoutPassword(new StepwiseError('invalid_request', `cannot use the PostgreSQL database at ${redactUrl(pgUrl)}: ${(e as Error).message}`, 'to'), pgUrl);
    }
    throw withoutPassword(e, pgUrl);
  }
}

async function copy(sqliteFile: string, pgUrl: string): Promise<CopyResult> {
  if (!existsSync(sqliteFile)) throw new StepwiseError('not_found', `no SQLite store at ${sqliteFile} (STEPWISE_DB)`, 'STEPWISE_DB');
  const src = new Database(sqliteFile, { readonly: true, fileMustExist: true });
  const pool = openPool({ url: pgUrl, max: 2 });
  try {
    src.pragma('busy_timeout = 5000');
    const version = src.pragma('user_version', { simple: true }) as number;
    const latest = latestSqliteVersion();
    if (version !== latest) {
      throw new StepwiseError(
        'invalid_request',
        version < latest
          ? `the SQLite store is at migration ${version}, this version copies from ${latest}: run \`stepwise db migrate\` on it first`
          : `the SQLite store is at migration ${version}, newer than this version of stepwise knows (${latest}): copy with the newer version`,
        'STEPWISE_DB',
      );
    }
    await migratePg(pool);

    // One read snapshot of the source for every table and count.
    src.exec('BEGIN');
    const tables = src.prepare<[], { name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").all().map((r) => r.name);
    const refs = new Map(tables.map((t) => [t, new Set(src.prepare<[], { table: string }>(`SELECT "table" FROM pragma_foreign_key_list('${t.replaceAll("'", "''")}')`).all().map((r) => r.table))]));
    const order = copyOrder(tables, refs);
    const columnsOf = (t: string) => src.prepare<[], { name: string }>(`SELECT name FROM pragma_table_info('${t.replaceAll("'", "''")}') ORDER BY cid`).all().map((c) => c.name);
    const sourceCounts = new Map(order.map((t) => [t, (src.prepare(`SELECT count(*) AS n FROM ${quote(t)}`).get() as { n: number }).n]));

    const result = await transaction(pool, async (sql) => {
      const target = await targetColumns(sql);
      for (const t of order) {
        const have = target.get(t);
        if (!have) throw new StepwiseError('invalid_request', `the PostgreSQL database has no table ${t}: it is not a stepwise database at the schema of this version`, 'to');
        const missing = columnsOf(t).filter((c) => !have.columns.has(c));
        if (missing.length > 0) throw new StepwiseError('invalid_request', `the PostgreSQL table ${t} lacks column(s) ${missing.join(', ')}`, 'to');
      }
      const filled: string[] = [];
      for (const t of target.keys()) {
        const [r] = await sql.query<{ any: boolean }>(`SELECT EXISTS (SELECT 1 FROM ${quote(t)}) AS any`);
        if (r?.any) filled.push(t);
      }
      if (filled.length > 0) {
        throw new StepwiseError('conflict', `the PostgreSQL database is not empty (rows in ${filled.join(', ')}): db copy only fills an empty, migrated database`, 'to');
      }

      for (const t of order) {
        const cols = columnsOf(t);
        const identity = cols.filter((c) => target.get(t)!.identity.has(c));
        const head = `INSERT INTO ${quote(t)} (${cols.map(quote).join(', ')})${identity.length > 0 ? ' OVERRIDING SYSTEM VALUE' : ''} VALUES `;
        const perInsert = Math.max(1, Math.floor(MAX_PARAMS / cols.length));
        // Integers as BigInt (nothing rounded); rowid order is insertion order (PostgreSQL's seq columns follow it).
        const rows = src.prepare(`SELECT ${cols.map(quote).join(', ')} FROM ${quote(t)} ORDER BY rowid`).safeIntegers(true).raw(true).iterate() as IterableIterator<unknown[]>;
        let batch: unknown[][] = [];
        let bytes = 0;
        const flush = async () => {
          if (batch.length === 0) return;
          const values = batch.flat();
          const tuples = batch.map((_, i) => `(${cols.map((__, j) => `$${i * cols.length + j + 1}`).join(', ')})`);
          await sql.query(head + tuples.join(', '), values);
          batch = [];
          bytes = 0;
        };
        for (const row of rows) {
          batch.push(row);
          bytes += row.reduce<number>((n, v) => n + sizeOf(v), 0);
          if (batch.length >= perInsert || bytes >= MAX_BYTES) await flush();
        }
        await flush();
        for (const c of identity) {
          await sql.query(`SELECT setval(pg_get_serial_sequence($1, $2), coalesce((SELECT max(${quote(c)}) FROM ${quote(t)}), 0) + 1, false)`, [t, c]);
        }
      }

      const copied: TableCopy[] = [];
      for (const t of order) {
        const [r] = await sql.query<{ n: number }>(`SELECT count(*) AS n FROM ${quote(t)}`);
        copied.push({ table: t, source: sourceCounts.get(t)!, target: r?.n ?? 0 });
      }
      const off = copied.filter((c) => c.source !== c.target);
      if (off.length > 0) {
        throw new StepwiseError('internal', `row counts differ after the copy, so nothing was committed: ${off.map((c) => `${c.table} ${c.source} in SQLite, ${c.target} in PostgreSQL`).join('; ')}`);
      }
      return copied;
    });
    return { tables: result, rows: result.reduce((n, c) => n + c.target, 0) };
  } finally {
    if (src.inTransaction) src.exec('COMMIT');
    src.close();
    await pool.end();
  }
}

/** The target's tables (public schema, but the migrations' own) with their columns and identity columns. */
async function targetColumns(sql: Sql): Promise<Map<string, { columns: Set<string>; identity: Set<string> }>> {
  const rows = await sql.query<{ table_name: string; column_name: string; is_identity: string }>(
    `SELECT c.table_name, c.column_name, c.is_identity FROM information_schema.columns c
       JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name
      WHERE c.table_schema = 'public' AND t.table_type = 'BASE TABLE' AND c.table_name <> 'schema_migrations'`,
  );
  const out = new Map<string, { columns: Set<string>; identity: Set<string> }>();
  for (const r of rows) {
    const t = out.get(r.table_name) ?? { columns: new Set<string>(), identity: new Set<string>() };
    t.columns.add(r.column_name);
    if (r.is_identity === 'YES') t.identity.add(r.column_name);
    out.set(r.table_name, t);
  }
  return out;
}
