/**
 * The two backends the storage contracts run over. A factory makes a new, empty database and
 * returns its first store, `open` for more stores on the same database (another process or node:
 * its own connection or pool), and test hooks that read and write the LTI tool keys' stored form
 * directly (the secrets-at-rest rules are about what lies in the database). `make` returns
 * undefined when the backend is unavailable (no PostgreSQL installed): the test skips.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { SqliteStore } from '../../../src/store/sqlite/index.js';
import { PgStore } from '../../../src/store/pg/index.js';
import type { Store } from '../../../src/store/types.js';
import { freshDatabase, type PgServer } from '../../pg-server.js';

export type AnyStore = Store & { readonly atRest: { sealed: number; resealed: number; plaintext: number } };

export interface Backend {
  store: AnyStore;
  /** Another store on the same database (closed by `close`). */
  open(opts?: { secret?: string }): Promise<AnyStore>;
  /** Writes a tool key row with this stored private key (as an older version or another node left it). */
  putToolKey(kid: string, storedPrivateJwk: string): Promise<void>;
  /** A new LTI resource link's id (a platform and a link written directly), for scoped keys. */
  resourceLink(): Promise<string>;
  /** A new practice variant's id made by this user (a row written directly), for drafts. */
  variant(userId: string): Promise<string>;
  /** The stored private key of a tool key row. */
  toolKeyAtRest(kid: string): Promise<string | undefined>;
  close(): Promise<void>;
}

export type MakeBackend = (opts?: { secret?: string }) => Promise<Backend | undefined>;

const TOOL_KEY_SQL = 'INSERT INTO lti_tool_keys (kid, private_jwk, public_jwk, created_at) VALUES (?, ?, ?, ?)';
const PLATFORM_SQL =
  "INSERT INTO lti_platforms (id, name, issuer, client_id, auth_login_url, auth_token_url, jwks_url, created_at) VALUES (?, 'LMS', ?, 'client', 'https://lms.example/auth', 'https://lms.example/token', 'https://lms.example/jwks', ?)";
const LINK_SQL = "INSERT INTO lti_resource_links (id, platform_id, deployment_id, resource_link_id, created_at, updated_at) VALUES (?, ?, 'd1', ?, ?, ?)";
const VARIANT_SQL =
  "INSERT INTO variants (id, topic, seed, difficulty, params, steps, prompt, mode, created_by, created_at) VALUES (?, 'kl-discrete', 7, 'easy', '{}', '[]', 'p', 'practice', ?, ?)";
let links = 0;
let variants = 0;
const variantRow = (userId: string): unknown[] => [`var_${variants++}`, userId, new Date().toISOString()];
/** Rows for one platform and one resource link: [platform params, link params]. */
const linkRows = (): [unknown[], unknown[], string] => {
  const n = links++;
  const t = new Date().toISOString();
  return [[`plt_${n}`, `https://lms${n}.example`, t], [`rlk_${n}`, `plt_${n}`, `link-${n}`, t, t], `rlk_${n}`];
};
/** `?` placeholders as PostgreSQL's $1, $2, … */
const numbered = (sql: string): string => {
  let i = 0;
  return sql.replace(/\?/g, () => `$${++i}`);
};

/** SQLite on a temporary file (several stores can open it, as several processes do). */
export const sqliteBackend: MakeBackend = async (opts = {}) => {
  const dir = mkdtempSync(join(tmpdir(), 'stepwise-contract-'));
  const file = join(dir, 'store.db');
  const stores: AnyStore[] = [];
  const open = async (o: { secret?: string } = {}) => {
    const s = SqliteStore.open({ file, ...o });
    stores.push(s);
    return s;
  };
  const store = await open(opts);
  const raw = () => new Database(file);
  return {
    store,
    open,
    async putToolKey(kid, stored) {
      const db = raw();
      try {
        db.prepare(TOOL_KEY_SQL).run(kid, stored, '{}', new Date().toISOString());
      } finally {
        db.close();
      }
    },
    async resourceLink() {
      const [p, l, id] = linkRows();
      const db = raw();
      try {
        db.prepare(PLATFORM_SQL).run(...p);
        db.prepare(LINK_SQL).run(...l);
      } finally {
        db.close();
      }
      return id;
    },
    async variant(userId) {
      const row = variantRow(userId);
      const db = raw();
      try {
        db.prepare(VARIANT_SQL).run(...row);
      } finally {
        db.close();
      }
      return row[0] as string;
    },
    async toolKeyAtRest(kid) {
      const db = raw();
      try {
        return (db.prepare('SELECT private_jwk FROM lti_tool_keys WHERE kid = ?').get(kid) as { private_jwk: string } | undefined)?.private_jwk;
      } finally {
        db.close();
      }
    },
    async close() {
      for (const s of stores) await s.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
};

/** PostgreSQL: a fresh database on the test server for every backend made. */
export const pgBackend =
  (server: () => PgServer | undefined): MakeBackend =>
  async (opts = {}) => {
    const s = server();
    if (!s) return undefined;
    const url = await freshDatabase(s.url);
    const stores: AnyStore[] = [];
    const open = async (o: { secret?: string } = {}) => {
      const st = await PgStore.open({ url, max: 4, ...o });
      stores.push(st);
      return st;
    };
    const store = await open(opts);
    const client = async <T>(fn: (c: pg.Client) => Promise<T>): Promise<T> => {
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      try {
        return await fn(c);
      } finally {
        await c.end();
      }
    };
    return {
      store,
      open,
      putToolKey: (kid, stored) =>
        client(async (c) => {
          await c.query(numbered(TOOL_KEY_SQL), [kid, stored, '{}', new Date().toISOString()]);
        }),
      variant: (userId) =>
        client(async (c) => {
          const row = variantRow(userId);
          await c.query(numbered(VARIANT_SQL), row);
          return row[0] as string;
        }),
      resourceLink: () =>
        client(async (c) => {
          const [p, l, id] = linkRows();
          await c.query(numbered(PLATFORM_SQL), p);
          await c.query(numbered(LINK_SQL), l);
          return id;
        }),
      toolKeyAtRest: (kid) => client(async (c) => (await c.query<{ private_jwk: string }>('SELECT private_jwk FROM lti_tool_keys WHERE kid = $1', [kid])).rows[0]?.private_jwk),
      async close() {
        for (const st of stores) await st.close();
      },
    };
  };
