/** Users and API keys in PostgreSQL: the same rows (../rows/users.ts) and answers as ../sqlite/users.ts. */
import type { KeyRepo, UserRepo } from '../types.js';
import { hashSecret, newId, newSecret, now } from '../ids.js';
import { toApiKey as toKey, toCaller, toUser, userRow, type ApiKeyRow, type KeyWithUser, type UserRow } from '../rows/users.js';
import { sqlOf, type Pool } from './db.js';

export const USER_COLUMNS = 'u.name AS u_name, u.role AS u_role, u.lti_issuer AS u_iss, u.lti_subject AS u_sub, u.created_at AS u_created';

const INSERT_USER = 'INSERT INTO users (id, name, role, lti_issuer, lti_subject, created_at, local_handle) VALUES ($1, $2, $3, $4, $5, $6, $7)';

export function pgUsers(pool: Pool): UserRepo {
  const sql = sqlOf(pool);
  const one = async (text: string, values: unknown[]) => {
    const [r] = await sql.query<UserRow>(text, values);
    return r && toUser(r);
  };
  return {
    async create(input) {
      const row = userRow(input);
      await sql.query(INSERT_USER, [row.id, row.name, row.role, row.lti_issuer, row.lti_subject, row.created_at, null]);
      return toUser(row);
    },
    get: (id) => one('SELECT * FROM users WHERE id = $1', [id]),
    findByLti: (issuer, subject) => one('SELECT * FROM users WHERE lti_issuer = $1 AND lti_subject = $2', [issuer, subject]),
    async findByName(name) {
      return (await sql.query<UserRow>('SELECT * FROM users WHERE name = $1 ORDER BY created_at, seq', [name])).map(toUser);
    },
    async local(handle, input) {
      // Check-then-insert made one statement: the unique index on local_handle decides between
      // nodes racing to make the same local user; the loser reads the winner's row.
      const made = await one(`${INSERT_USER} ON CONFLICT (local_handle) WHERE local_handle IS NOT NULL DO NOTHING RETURNING *`, [
        newId('usr'),
        input.name,
        input.role,
        null,
        null,
        now(),
        handle,
      ]);
      return made ?? (await one('SELECT * FROM users WHERE local_handle = $1', [handle]))!;
    },
  };
}

export function pgKeys(pool: Pool): KeyRepo {
  const sql = sqlOf(pool);
  const key = async (text: string, values: unknown[]) => {
    const [r] = await sql.query<ApiKeyRow>(text, values);
    return r && toKey(r);
  };
  return {
    async create(input) {
      const secret = input.secret ?? newSecret();
      const row: ApiKeyRow = {
        id: newId('key'),
        user_id: input.userId,
        role: input.role,
        label: input.label,
        prefix: secret.slice(0, 10),
        created_at: now(),
        expires_at: input.expiresAt ?? null,
        revoked_at: null,
        scope_resource_link: input.scope?.resourceLink ?? null,
        scope_context: input.scope?.contextId ?? null,
        scope_exam: input.scope?.examId ?? null,
      };
      await sql.query(
        `INSERT INTO api_keys (id, user_id, role, label, key_hash, prefix, created_at, expires_at, scope_resource_link, scope_context, scope_exam)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
        [row.id, row.user_id, row.role, row.label, hashSecret(secret), row.prefix, row.created_at, row.expires_at, row.scope_resource_link, row.scope_context, row.scope_exam],
      );
      return { key: toKey(row), secret };
    },
    async authenticate(secret) {
      // ISO times in UTC compare as text, as on SQLite.
      const [r] = await sql.query<KeyWithUser>(
        `SELECT k.*, ${USER_COLUMNS}
           FROM api_keys k JOIN users u ON u.id = k.user_id
          WHERE k.key_hash = $1 AND k.revoked_at IS NULL AND (k.expires_at IS NULL OR k.expires_at > $2)`,
        [hashSecret(secret), now()],
      );
      return r && toCaller(r);
    },
    findBySecret: (secret) => key('SELECT * FROM api_keys WHERE key_hash = $1', [hashSecret(secret)]),
    async list(userId) {
      return (await sql.query<ApiKeyRow>('SELECT * FROM api_keys WHERE user_id = $1 ORDER BY created_at, seq', [userId])).map(toKey);
    },
    async revoke(id) {
      // The first revocation's time stays; a second one changes nothing.
      await sql.query('UPDATE api_keys SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL', [now(), id]);
      return key('SELECT * FROM api_keys WHERE id = $1', [id]);
    },
    async countActive(role) {
      const [r] = await sql.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM api_keys WHERE role = $1 AND scope_resource_link IS NULL AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > $2)',
        [role, now()],
      );
      return r?.n ?? 0;
    },
  };
}
