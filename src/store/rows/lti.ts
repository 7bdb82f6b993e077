/**
 * The LTI tables' rows (db/migrations/002_lti.sql; db/pg-migrations/001_schema.sql has the same
 * columns) and their mapping to and from the domain records, for both backends. The SQL stays with
 * each backend.
 */
import type { ExamHome, LoginState, LtiLaunch, LtiPlatform, LtiResourceLink, ScorePost, TargetKind, ToolKey } from '../lti-types.js';
import { newId, now } from '../ids.js';
import type { ToolKeySealer } from '../sqlite/sealed-keys.js';
import { json, opt } from './fields.js';

export interface PlatformRow {
  id: string;
  name: string;
  issuer: string;
  client_id: string;
  auth_login_url: string;
  auth_token_url: string;
  jwks_url: string;
  frame_origins: string | null;
  created_at: string;
}

export interface StateRow {
  state: string;
  nonce: string;
  platform_id: string;
  target_link_uri: string | null;
  storage_target: string | null;
  created_at: string;
  expires_at: string;
  used_at: string | null;
}

/** A resource link with its line item's URL (lti_line_items, joined). */
export interface LinkRow {
  id: string;
  platform_id: string;
  deployment_id: string;
  resource_link_id: string;
  context_id: string | null;
  context_title: string | null;
  title: string | null;
  target_kind: TargetKind | null;
  target_id: string | null;
  created_at: string;
  updated_at: string;
  lineitem_url: string | null;
}

export interface LaunchRow {
  id: string;
  user_id: string;
  resource_link: string;
  variant_id: string;
  lineitem_url: string | null;
  created_at: string;
}

export interface PostRow {
  id: string;
  attempt_id: string;
  launch_id: string | null;
  url: string;
  score_given: number;
  score_maximum: number;
  status: number | null;
  error: string | null;
  created_at: string;
}

export interface KeyRow {
  kid: string;
  private_jwk: string;
  public_jwk: string;
  created_at: string;
}

/** An exam's home (lti_exam_homes: the platform and course it was first launched from). */
export interface HomeRow {
  platform_id: string;
  context_id: string | null;
}

/** `deploymentIds`: the platform's rows in lti_deployments, in their order. */
export const toPlatform = (r: PlatformRow, deploymentIds: string[]): LtiPlatform => ({
  id: r.id,
  name: r.name,
  issuer: r.issuer,
  clientId: r.client_id,
  authLoginUrl: r.auth_login_url,
  authTokenUrl: r.auth_token_url,
  jwksUrl: r.jwks_url,
  deploymentIds,
  ...(r.frame_origins !== null ? { frameOrigins: json<string[]>(r.frame_origins) } : {}),
  createdAt: r.created_at,
});

export const toState = (r: StateRow): LoginState => ({
  state: r.state,
  nonce: r.nonce,
  platformId: r.platform_id,
  ...opt('targetLinkUri', r.target_link_uri),
  ...opt('storageTarget', r.storage_target),
  createdAt: r.created_at,
  expiresAt: r.expires_at,
  ...opt('usedAt', r.used_at),
});

export const toLink = (r: LinkRow): LtiResourceLink => ({
  id: r.id,
  platformId: r.platform_id,
  deploymentId: r.deployment_id,
  resourceLinkId: r.resource_link_id,
  ...opt('contextId', r.context_id),
  ...opt('contextTitle', r.context_title),
  ...opt('title', r.title),
  ...(r.target_kind && r.target_id ? { target: { kind: r.target_kind, id: r.target_id } } : {}),
  ...opt('lineItemUrl', r.lineitem_url),
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

export const toLaunch = (r: LaunchRow): LtiLaunch => ({
  id: r.id,
  userId: r.user_id,
  resourceLink: r.resource_link,
  variantId: r.variant_id,
  ...opt('lineItemUrl', r.lineitem_url),
  createdAt: r.created_at,
});

export const toPost = (r: PostRow): ScorePost => ({
  id: r.id,
  attemptId: r.attempt_id,
  ...opt('launchId', r.launch_id),
  url: r.url,
  scoreGiven: r.score_given,
  scoreMaximum: r.score_maximum,
  ...opt('status', r.status),
  ...opt('error', r.error),
  createdAt: r.created_at,
});

export const toExamHome = (r: HomeRow): ExamHome => ({ platformId: r.platform_id, ...opt('contextId', r.context_id) });

/** Reads a tool key row, opening its private key with `sealer`. */
export const toolKeyReader =
  (sealer: ToolKeySealer) =>
  (r: KeyRow): ToolKey => ({
    kid: r.kid,
    privateJwk: json<Record<string, unknown>>(sealer.fromStored(r.kid, r.private_jwk)),
    publicJwk: json<Record<string, unknown>>(r.public_jwk),
    createdAt: r.created_at,
  });

/** A new tool key's row, its private key sealed by `sealer`. */
export const toolKeyRow = (key: Omit<ToolKey, 'createdAt'>, sealer: ToolKeySealer): KeyRow => ({
  kid: key.kid,
  private_jwk: sealer.toStored(key.kid, JSON.stringify(key.privateJwk)),
  public_jwk: JSON.stringify(key.publicJwk),
  created_at: now(),
});

/** A new login state's row (unused). */
export const loginStateRow = (input: Omit<LoginState, 'createdAt' | 'usedAt'>): StateRow => ({
  state: input.state,
  nonce: input.nonce,
  platform_id: input.platformId,
  target_link_uri: input.targetLinkUri ?? null,
  storage_target: input.storageTarget ?? null,
  created_at: now(),
  expires_at: input.expiresAt,
  used_at: null,
});

export const launchRow = (input: Omit<LtiLaunch, 'id' | 'createdAt'>): LaunchRow => ({
  id: newId('ltx'),
  user_id: input.userId,
  resource_link: input.resourceLink,
  variant_id: input.variantId,
  lineitem_url: input.lineItemUrl ?? null,
  created_at: now(),
});

export const scorePostRow = (input: Omit<ScorePost, 'id' | 'createdAt'>): PostRow => ({
  id: newId('lsp'),
  attempt_id: input.attemptId,
  launch_id: input.launchId ?? null,
  url: input.url,
  score_given: input.scoreGiven,
  score_maximum: input.scoreMaximum,
  status: input.status ?? null,
  error: input.error ?? null,
  created_at: now(),
});
