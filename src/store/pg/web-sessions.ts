/** Web page sign-in sessions, each user's web practice session and exam drafts, in PostgreSQL (as ../sqlite/web-sessions.ts). */
import { randomBytes } from 'node:crypto';
import type { WebSessionRepo } from '../types.js';
import { hashSecret, now } from '../ids.js';
import { sqlOf, type Pool } from './db.js';
import { toDraft, toWebSession, type DraftRow, type SessionJoinRow } from '../rows/web-sessions.js';
import { USER_COLUMNS } from './users.js';

export function pgWebSessions(pool: Pool): WebSessionRepo {
  const sql = sqlOf(pool);
  return {
    async saveDraft(userId, variantId, fields) {
      const t = now();
      await sql.query(
        'INSERT INTO exam_drafts (user_id, variant_id, fields, updated_at) VALUES ($1, $2, $3, $4) ON CONFLICT (user_id, variant_id) DO UPDATE SET fields = excluded.fields, updated_at = excluded.updated_at',
        [userId, variantId, JSON.stringify(fields), t],
      );
      return { updatedAt: t };
    },
    async draft(userId, variantId) {
      const [r] = await sql.query<DraftRow>('SELECT fields, updated_at FROM exam_drafts WHERE user_id = $1 AND variant_id = $2', [userId, variantId]);
      return r && toDraft(r);
    },
    async create(input) {
      const token = randomBytes(32).toString('base64url');
      const t = now();
      await sql.query('DELETE FROM web_sessions WHERE expires_at <= $1', [t]);
      await sql.query('INSERT INTO web_sessions (token_hash, user_id, key_id, created_at, expires_at, frame_ancestors) VALUES ($1, $2, $3, $4, $5, $6)', [
        hashSecret(token),
        input.userId,
        input.keyId,
        t,
        input.expiresAt,
        input.frameAncestors ? JSON.stringify(input.frameAncestors) : null,
      ]);
      return { token };
    },
    async authenticate(token) {
      // The session, only while it and the key it was opened with are both active.
      const [r] = await sql.query<SessionJoinRow>(
        `SELECT k.*, s.expires_at AS s_expires, s.frame_ancestors AS s_frames, ${USER_COLUMNS}
           FROM web_sessions s JOIN api_keys k ON k.id = s.key_id JOIN users u ON u.id = s.user_id
          WHERE s.token_hash = $1 AND s.expires_at > $2 AND k.revoked_at IS NULL AND (k.expires_at IS NULL OR k.expires_at > $2)`,
        [hashSecret(token), now()],
      );
      return r && toWebSession(r);
    },
    async delete(token) {
      await sql.query('DELETE FROM web_sessions WHERE token_hash = $1', [hashSecret(token)]);
    },
    async practiceSession(userId) {
      const [r] = await sql.query<{ session_id: string }>('SELECT session_id FROM web_practice WHERE user_id = $1', [userId]);
      return r?.session_id;
    },
    async setPracticeSession(userId, sessionId) {
      await sql.query('INSERT INTO web_practice (user_id, session_id) VALUES ($1, $2) ON CONFLICT (user_id) DO UPDATE SET session_id = excluded.session_id', [userId, sessionId]);
    },
  };
}
