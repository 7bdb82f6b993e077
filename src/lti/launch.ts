/**
 * The launch endpoint (the OIDC redirect_uri): the platform form-posts id_token and state. The
 * state must be one we issued, unused and under 10 minutes old; the id_token must verify against
 * the platform's JWKS (signature, iss, aud, exp), carry the state's nonce, never seen before, name
 * a registered deployment, LTI 1.3.0 and a message type we handle.
 */
import type { Request } from 'express';
import { LtiError } from './errors.js';
import type { Ctx } from '../api/route.js';
import { checkStorageTarget, hasStateCookie, type Binding } from './binding.js';
import { CLAIM, LTI_VERSION, stringClaim, type Claims } from './claims.js';
import { originOf, wantsJson, type PageOptions } from './html.js';
import { formParam } from './login.js';
import { verifyIdToken, type JwksCache } from './verify.js';
import type { LtiPlatform } from './types.js';

/** How long a nonce is remembered past the token's own expiry (covers clock tolerance). */
const NONCE_GRACE_MS = 10 * 60_000;

export interface VerifiedLaunch {
  platform: LtiPlatform;
  claims: Claims;
  deploymentId: string;
  messageType: string;
  state: string;
  /**
   * How the state is bound to this browser: its login cookie came back, or (no cookie) the page
   * must find the state in the platform's storage frame `storageTarget` before it shows anything.
   */
  binding: Binding;
  storageTarget?: string;
}

export async function verifyLaunch(ctx: Ctx, jwks: JwksCache, req: Request): Promise<VerifiedLaunch> {
  const platformError = formParam(req, 'error');
  if (platformError !== undefined) {
    const description = formParam(req, 'error_description');
    throw new LtiError('platform_error', `the platform refused the login: ${platformError}${description ? ` (${description})` : ''}`, 'error');
  }
  const state = formParam(req, 'state');
  if (state === undefined) throw new LtiError('invalid_request', 'the launch needs the state from the login (form field state)', 'state');
  const idToken = formParam(req, 'id_token');
  if (idToken === undefined) throw new LtiError('invalid_request', 'the launch needs an id_token (form field id_token)', 'id_token');

  const cookie = hasStateCookie(req, ctx.baseUrl, state);
  const outcome = await ctx.store.lti.consumeLoginState(state);
  if (!outcome.ok) {
    const why = { unknown: 'is not one this tool issued', used: 'was used already (each login allows one launch)', expired: 'has expired (logins last 10 minutes)' }[outcome.reason];
    throw new LtiError('invalid_state', `the state ${why}; start the launch again from the platform`, 'state');
  }
  // The login must have started in this browser: its cookie, or else a page that checks the
  // platform's storage frame (HTML only: a JSON reply would hand over the session unchecked).
  const storageTarget = cookie ? undefined : (checkStorageTarget(formParam(req, 'lti_storage_target')) ?? outcome.state.storageTarget);
  if (!cookie && (!storageTarget || wantsJson(req))) {
    throw new LtiError(
      'login_not_bound',
      'this launch did not start in this browser (its login cookie is missing): start it again from the course; if it fails again, allow cookies for this site or open the activity in a new window',
      'state',
    );
  }
  const platform = await ctx.store.lti.getPlatform(outcome.state.platformId);
  if (!platform) throw new LtiError('unknown_platform', 'the platform this login started with is no longer registered', 'state');

  const claims = await verifyIdToken(jwks, platform, idToken);
  if (claims.nonce !== outcome.state.nonce) {
    throw new LtiError('invalid_nonce', 'the id_token nonce is not the one sent with this login', 'id_token');
  }
  const expiresAt = new Date(Math.max(Date.now(), (claims.exp ?? 0) * 1000) + NONCE_GRACE_MS).toISOString();
  if (!(await ctx.store.lti.useNonce(platform.id, String(claims.nonce), expiresAt))) {
    throw new LtiError('nonce_replayed', 'the id_token nonce was used before: a token is good for one launch', 'id_token');
  }

  const deploymentId = stringClaim(claims, CLAIM.deploymentId, 'deployment id');
  if (!platform.deploymentIds.includes(deploymentId)) {
    throw new LtiError('unknown_deployment', `deployment ${JSON.stringify(deploymentId)} is not registered for platform ${JSON.stringify(platform.name)}`, CLAIM.deploymentId);
  }
  const version = claims[CLAIM.version];
  if (version !== LTI_VERSION) {
    throw new LtiError('unsupported_version', `the LTI version must be ${LTI_VERSION}, got ${JSON.stringify(version)}`, CLAIM.version);
  }
  const messageType = stringClaim(claims, CLAIM.messageType, 'message type');
  return { platform, claims, deploymentId, messageType, state, binding: cookie ? 'cookie' : 'storage', ...(storageTarget ? { storageTarget } : {}) };
}

/** The storage gate a launch's page needs (none when its login cookie came back). */
export function pageGate(v: VerifiedLaunch): PageOptions['gate'] {
  if (v.binding === 'cookie') return undefined;
  const origin = originOf(v.platform.authLoginUrl);
  if (!v.storageTarget || !origin) throw new LtiError('login_not_bound', 'this launch did not start in this browser: start it again from the course', 'state');
  return { target: v.storageTarget, origin, state: v.state };
}
