/**
 * The users and api_keys tables' rows (db/migrations; db/pg-migrations/001_schema.sql has the same
 * columns) and their mapping to and from User and ApiKey, for both backends.
 */
import type { ApiKey, KeyScope, Role, User, UserRepo } from '../types.js';
import { newId, now } from '../ids.js';
import { opt } from './fields.js';

export interface UserRow {
  id: string;
  name: string;
  role: Role;
  lti_issuer: string | null;
  lti_subject: string | null;
  created_at: string;
}

export interface ApiKeyRow {
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

/** A key row joined with its user's columns as u_name, u_role, u_iss, u_sub, u_created (authenticate, web sessions). */
export type KeyWithUser = ApiKeyRow & { u_name: string; u_role: Role; u_iss: string | null; u_sub: string | null; u_created: string };

export const toUser = (r: UserRow): User => ({
  id: r.id,
  name: r.name,
  role: r.role,
  ...opt('ltiIssuer', r.lti_issuer),
  ...opt('ltiSubject', r.lti_subject),
  createdAt: r.created_at,
});

export const toApiKey = (r: ApiKeyRow): ApiKey => ({
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

const toScope = (r: ApiKeyRow): KeyScope => ({
  resourceLink: r.scope_resource_link!,
  ...opt('contextId', r.scope_context),
  ...opt('examId', r.scope_exam),
});

/** The key and its user from one joined row. */
export const toCaller = (r: KeyWithUser): { key: ApiKey; user: User } => ({
  key: toApiKey(r),
  user: toUser({ id: r.user_id, name: r.u_name, role: r.u_role, lti_issuer: r.u_iss, lti_subject: r.u_sub, created_at: r.u_created }),
});

export const userRow = (input: Parameters<UserRepo['create']>[0]): UserRow => ({
  id: newId('usr'),
  name: input.name,
  role: input.role,
  lti_issuer: input.ltiIssuer ?? null,
  lti_subject: input.ltiSubject ?? null,
  created_at: now(),
});
