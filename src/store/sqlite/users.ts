/** Users and API keys in SQLite. */
import type { ApiKey, KeyRepo, KeyScope, Role, User, UserRepo } from '../types.js';
import { hashSecret, newId, newSecret, now } from '../ids.js';
import { writeTransaction, type Db } from './db.js';
import { opt } from '../rows/fields.js';

interface UserRow {
  id: string;
  name: string;
  role: Role;
  lti_issuer: string | null;
  lti_subject: string | null;
  created_at: string;
}

export interface KeyRow {
  id: string;
  user_id: string;
  role: Role;
  label: string;
  prefix: string;
  created_at: string;
  expires_at: string | null;
  revoked_at: string | null;
  scope_resource_link: string | null;
  scope_context: string | null;
  scope_exam: string | null;
}

export const toUser = (r: UserRow): User => ({
  id: r.id,
  name: r.name,
  role: r.role,
  ...opt('ltiIssuer', r.lti_issuer),
  ...opt('ltiSubject', r.lti_subject),
  createdAt: r.created_at,
});

export const toKey = (r: KeyRow): ApiKey => ({
  id: r.id,
  userId: r.user_id,
  role: r.role,
  label: r.label,
  prefix: r.prefix,
  createdAt: r.created_at,
  ...opt('expiresAt', r.expires_at),
  ...opt('revokedAt', r.revoked_at),
  ...(r.scope_resource_link !== null ? { scope: toScope(r) } : {}),
});

const toScope = (r: KeyRow): KeyScope => ({
  resourceLink: r.scope_resource_link!,
  ...opt('contextId', r.scope_context),
  ...opt('examId', r.scope_exam),
});

export function sqliteUsers(db: Db): UserRepo {
  const insert = db.prepare(
    'INSERT INTO users (id, name, role, lti_issuer, lti_subject, created_at) VALUES (@id, @name, @role, @lti_issuer, @lti_subject, @created_at)',
  );
  const byId = db.prepare<[string], UserRow>('SELECT * FROM users WHERE id = ?');
  const byLti = db.prepare<[string, string], UserRow>('SELECT * FROM users WHERE lti_issuer = ? AND lti_subject = ?');
  const byName = db.prepare<[string], UserRow>('SELECT * FROM users WHERE name = ? ORDER BY created_at, rowid');
  const byHandle = db.prepare<[string], UserRow>('SELECT * FROM users WHERE local_handle = ?');
  const setHandle = db.prepare('UPDATE users SET local_handle = ? WHERE id = ?');
  const local = writeTransaction(db, (handle: string, name: string, role: Role): UserRow => {
    const found = byHandle.get(handle);
    if (found) return found;
    const row: UserRow = { id: newId('usr'), name, role, lti_issuer: null, lti_subject: null, created_at: now() };
    insert.run(row);
    setHandle.run(handle, row.id);
    return row;
  });
  return {
    async create(input) {
      const row: UserRow = {
        id: newId('usr'),
        name: input.name,
        role: input.role,
        lti_issuer: input.ltiIssuer ?? null,
        lti_subject: input.ltiSubject ?? null,
        created_at: now(),
      };
      insert.run(row);
      return toUser(row);
    },
    async get(id) {
      const r = byId.get(id);
      return r && toUser(r);
    },
    async findByLti(issuer, subject) {
      const r = byLti.get(issuer, subject);
      return r && toUser(r);
    },
    async findByName(name) {
      return byName.all(name).map(toUser);
    },
    async local(handle, input) {
      return toUser(local(handle, input.name, input.role));
    },
  };
}

export function sqliteKeys(db: Db): KeyRepo {
  const insert = db.prepare(
    `INSERT INTO api_keys (id, user_id, role, label, key_hash, prefix, created_at, expires_at, scope_resource_link, scope_context, scope_exam)
     VALUES (@id, @user_id, @role, @label, @key_hash, @prefix, @created_at, @expires_at, @scope_resource_link, @scope_context, @scope_exam)`,
  );
  const active = db.prepare<[string, string], KeyRow & { u_name: string; u_role: Role; u_iss: string | null; u_sub: string | null; u_created: string }>(
    `SELECT k.*, u.name AS u_name, u.role AS u_role, u.lti_issuer AS u_iss, u.lti_subject AS u_sub, u.created_at AS u_created
       FROM api_keys k JOIN users u ON u.id = k.user_id
      WHERE k.key_hash = ? AND k.revoked_at IS NULL AND (k.expires_at IS NULL OR k.expires_at > ?)`,
  );
  const byUser = db.prepare<[string], KeyRow>('SELECT * FROM api_keys WHERE user_id = ? ORDER BY created_at');
  const byId = db.prepare<[string], KeyRow>('SELECT * FROM api_keys WHERE id = ?');
  const byHash = db.prepare<[string], KeyRow>('SELECT * FROM api_keys WHERE key_hash = ?');
  const revoke = db.prepare('UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL');
  const countActive = db.prepare<[string, string], { n: number }>(
    'SELECT count(*) AS n FROM api_keys WHERE role = ? AND scope_resource_link IS NULL AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > ?)',
  );
  return {
    async create(input) {
      const secret = input.secret ?? newSecret();
      const row = {
        id: newId('key'),
        user_id: input.userId,
        role: input.role,
        label: input.label,
        key_hash: hashSecret(secret),
        prefix: secret.slice(0, 10),
        created_at: now(),
        expires_at: input.expiresAt ?? null,
        scope_resource_link: input.scope?.resourceLink ?? null,
        scope_context: input.scope?.contextId ?? null,
        scope_exam: input.scope?.examId ?? null,
      };
      insert.run(row);
      return { key: toKey({ ...row, revoked_at: null }), secret };
    },
    async authenticate(secret) {
      const r = active.get(hashSecret(secret), now());
      if (!r) return undefined;
      return {
        key: toKey(r),
        user: toUser({ id: r.user_id, name: r.u_name, role: r.u_role, lti_issuer: r.u_iss, lti_subject: r.u_sub, created_at: r.u_created }),
      };
    },
    async findBySecret(secret) {
      const r = byHash.get(hashSecret(secret));
      return r && toKey(r);
    },
    async list(userId) {
      return byUser.all(userId).map(toKey);
    },
    async revoke(id) {
      revoke.run(now(), id);
      const r = byId.get(id);
      return r && toKey(r);
    },
    async countActive(role) {
      return countActive.get(role, now())?.n ?? 0;
    },
  };
}
