/** The web_sessions and exam_drafts tables' rows and their mapping, for both backends (db/migrations/009, 010). */
import type { ApiKey, User } from '../types.js';
import { json } from './fields.js';
import { toCaller, type KeyWithUser } from './users.js';

/** A session joined with its key and user; the session's columns as s_expires and s_frames. */
export type SessionJoinRow = KeyWithUser & { s_expires: string; s_frames: string | null };

export const toWebSession = (r: SessionJoinRow): { caller: { user: User; key: ApiKey }; expiresAt: string; frameAncestors?: string[] } => ({
  expiresAt: r.s_expires,
  ...(r.s_frames !== null ? { frameAncestors: json<string[]>(r.s_frames) } : {}),
  caller: toCaller(r),
});

export interface DraftRow {
  fields: string;
  updated_at: string;
}

export const toDraft = (r: DraftRow): { fields: Record<string, string>; updatedAt: string } => ({ fields: json<Record<string, string>>(r.fields), updatedAt: r.updated_at });
