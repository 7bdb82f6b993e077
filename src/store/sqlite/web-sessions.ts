/** Web page sign-in sessions (LTI page sessions: migration 010), each user's web practice session and exam drafts (migration 009). */
import { randomBytes } from 'node:crypto';
import type { WebSessionRepo } from '../types.js';
import { hashSecret, now } from '../ids.js';
import type { Db } from './db.js';
import { toDraft, toWebSession, type DraftRow, type SessionJoinRow } from '../rows/web-sessions.js';

export function sqliteWebSessions(db: Db): WebSessionRepo {
  const insert = db.prepare('INSERT INTO web_sessions (token_hash, user_id, key_id, created_at, expires_at, frame_ancestors) VALUES (?, ?, ?, ?, ?, ?)');
  const sweep = db.prepare('DELETE FROM web_sessions WHERE expires_at <= ?');
  const remove = db.prepare('DELETE FROM web_sessions WHERE token_hash = ?');
  // The session, only while it and the key it was opened with are both active.
  const active = db.prepare<[string, string, string], SessionJoinRow>(
    `SELECT k.*, s.expires_at AS s_expires, s.frame_ancestors AS s_frames, u.name AS u_name, u.role AS u_role, u.lti_issuer AS u_iss, u.lti_subject AS u_sub, u.created_at AS u_created
       FROM web_sessions s JOIN api_keys k ON k.id = s.key_id JOIN users u ON u.id = s.user_id
      WHERE s.token_hash = ? AND s.expires_at > ? AND k.revoked_at IS NULL AND (k.expires_at IS NULL OR k.expires_at > ?)`,
  );
  const practiceOf = db.prepare<[string], { session_id: string }>('SELECT session_id FROM web_practice WHERE user_id = ?');
  const setPractice = db.prepare('INSERT INTO web_practice (user_id, session_id) VALUES (?, ?) ON CONFLICT (user_id) DO UPDATE SET session_id = excluded.session_id');
  const upsertDraft = db.prepare(
    'INSERT INTO exam_drafts (user_id, variant_id, fields, updated_at) VALUES (?, ?, ?, ?) ON CONFLICT (user_id, variant_id) DO UPDATE SET fields = excluded.fields, updated_at = excluded.updated_at',
  );
  const draftOf = db.prepare<[string, string], DraftRow>('SELECT fields, updated_at FROM exam_drafts WHERE user_id = ? AND variant_id = ?');
  return {
    async saveDraft(userId, variantId, fields) {
      const t = now();
      upsertDraft.run(userId, variantId, JSON.stringify(fields), t);
      return { updatedAt: t };
    },
    async draft(userId, variantId) {
      const r = draftOf.get(userId, variantId);
      return r && toDraft(r);
    },
    async create(input) {
      const token = randomBytes(32).toString('base64url');
      const t = now();
      sweep.run(t);
      insert.run(hashSecret(token), input.userId, input.keyId, t, input.expiresAt, input.frameAncestors ? JSON.stringify(input.frameAncestors) : null);
      return { token };
    },
    async authenticate(token) {
      const t = now();
      const r = active.get(hashSecret(token), t, t);
      return r && toWebSession(r);
    },
    async delete(token) {
      remove.run(hashSecret(token));
    },
    async practiceSession(userId) {
      return practiceOf.get(userId)?.session_id;
    },
    async setPracticeSession(userId, sessionId) {
      setPractice.run(userId, sessionId);
    },
  };
}
