/** Users and API keys in SQLite. */
import type { KeyRepo, Role, UserRepo } from '../types.js';
import { hashSecret, newId, newSecret, now } from '../ids.js';
import { toApiKey as toKey, toCaller, toUser, userRow, type ApiKeyRow, type KeyWithUser, type UserRow } from '../rows/users.js';
import { writeTransaction, type Db } from './db.js';

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
      const row = userRow(input);
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
  const active = db.prepare<[string, string], KeyWithUser>(
    `SELECT k.*, u.name AS u_name, u.role AS u_role, u.lti_issuer AS u_iss, u.lti_subject AS u_sub, u.created_at AS u_created
       FROM api_keys k JOIN users u ON u.id = k.user_id
      WHERE k.key_hash = ? AND k.revoked_at IS NULL AND (k.expires_at IS NULL OR k.expires_at > ?)`,
  );
  const byUser = db.prepare<[string], ApiKeyRow>('SELECT * FROM api_keys WHERE user_id = ? ORDER BY created_at');
  const byId = db.prepare<[string], ApiKeyRow>('SELECT * FROM api_keys WHERE id = ?');
  const byHash = db.prepare<[string], ApiKeyRow>('SELECT * FROM api_keys WHERE key_hash = ?');
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
      return r && toCaller(r);
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
