/**
 * Sign-in for the web pages: a random session token in an httpOnly cookie (SameSite=Lax; Secure
 * and __Host- over https), only its hash stored (store.webSessions), a fresh token at every sign-in
 * (no fixation), and CSRF protection on every form post: a token derived from the session (HMAC,
 * so nothing more is stored) in a hidden field, plus an Origin (else Referer) check against the
 * request's own origin. Keys and tokens travel only in form bodies and cookies, never in URLs.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Request, Response } from 'express';
import type { Caller } from '../service/caller.js';
import type { Store } from '../store/types.js';
import { PageError } from './errors.js';

/** How long a sign-in lasts (and never past the key's own expiry: the store checks both). */
export const SESSION_TTL_MS = 8 * 60 * 60_000;

const COOKIE = 'sw_session';
const SECURE_COOKIE = '__Host-sw_session';

/** Whether the request came over https (directly, or as the configured public URL says). */
export function isHttps(req: Request, baseUrl?: string): boolean {
  return req.secure || (baseUrl?.startsWith('https://') ?? false);
}

function cookies(req: Request): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of (req.get('cookie') ?? '').split(';')) {
    const i = part.indexOf('=');
    if (i > 0) out.set(part.slice(0, i).trim(), part.slice(i + 1).trim());
  }
  return out;
}

export function sessionToken(req: Request): string | undefined {
  const c = cookies(req);
  const t = c.get(SECURE_COOKIE) ?? c.get(COOKIE);
  return t && /^[\w-]{20,100}$/.test(t) ? t : undefined;
}

export function setSessionCookie(res: Response, token: string, https: boolean): void {
  const age = Math.floor(SESSION_TTL_MS / 1000);
  res.append('Set-Cookie', https ? `${SECURE_COOKIE}=${token}; Path=/; Max-Age=${age}; HttpOnly; Secure; SameSite=Lax` : `${COOKIE}=${token}; Path=/; Max-Age=${age}; HttpOnly; SameSite=Lax`);
}

export function clearSessionCookie(res: Response, https: boolean): void {
  res.append('Set-Cookie', https ? `${SECURE_COOKIE}=; Path=/; Max-Age=0; HttpOnly; Secure; SameSite=Lax` : `${COOKIE}=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax`);
}

/** The per-session CSRF token: an HMAC of the session token, so it changes with every sign-in. */
export function csrfToken(sessionTokenValue: string): string {
  return createHmac('sha256', sessionTokenValue).update('stepwise csrf v1').digest('base64url');
}

/** `own`: the session's CSRF token when the caller has made it already. */
export function checkCsrf(req: Request, sessionTokenValue: string, own?: string): void {
  const sent = (req.body as Record<string, unknown> | undefined)?._csrf;
  const want = Buffer.from(own ?? csrfToken(sessionTokenValue));
  if (typeof sent !== 'string' || sent.length !== want.length || !timingSafeEqual(Buffer.from(sent), want)) {
    throw new PageError(403, 'csrf', 'This form has expired or did not come from this site. Go back, reload the page and send it again.');
  }
}

/**
 * A form post must come from a page of this site: its Origin (or, without one, its Referer) must
 * be the origin the request was sent to. Browsers send Origin on every cross-site POST; a post
 * with neither header is refused too (no browser form post lacks both).
 */
export function checkSameOrigin(req: Request, baseUrl?: string): void {
  const own = new Set<string>([`${req.protocol}://${req.get('host') ?? ''}`]);
  if (baseUrl) own.add(new URL(baseUrl).origin);
  if (isHttps(req, baseUrl)) own.add(`https://${req.get('host') ?? ''}`);
  const origin = req.get('origin');
  let from: string | undefined;
  if (origin && origin !== 'null') from = origin;
  else {
    try {
      from = new URL(req.get('referer') ?? '').origin;
    } catch {
      from = undefined;
    }
  }
  if (!from || !own.has(from)) throw new PageError(403, 'cross_site', 'This form was sent from another site, so it was refused. Open the page on this site and send it again.');
}

/** The signed-in caller of a request (its session cookie; never an LTI page session), or undefined. */
export async function pageCaller(store: Store, req: Request): Promise<{ caller: Caller; token: string } | undefined> {
  const token = sessionToken(req);
  if (!token) return undefined;
  const found = await store.webSessions.authenticate(token);
  return found && !found.frameAncestors ? { caller: found.caller, token } : undefined;
}

/** What could be an LTI page token in a request (not yet checked). */
export function embeddedToken(req: Request): string | undefined {
  const sent = (req.body as Record<string, unknown> | undefined)?._csrf ?? req.get('x-csrf-token');
  return typeof sent === 'string' && /^[\w-]{40,100}$/.test(sent) ? sent : undefined;
}

/**
 * The caller of a post from a page inside an LMS iframe (src/lti/page.ts), where third-party
 * cookies cannot be relied on: the launch's page token travels where a cookie session's CSRF token
 * does (the hidden `_csrf` field, or the X-CSRF-Token header of the page's own fetches). A token in
 * a body or header is no ambient authority (a cross-site page cannot know it), so it is its own
 * CSRF proof; the Origin check still applies. Only LTI page sessions are taken this way.
 */
export async function embeddedCaller(store: Store, req: Request): Promise<{ caller: Caller; token: string; frameAncestors: string[] } | undefined> {
  const sent = embeddedToken(req);
  if (!sent) return undefined;
  const found = await store.webSessions.authenticate(sent);
  return found?.frameAncestors ? { caller: found.caller, token: sent, frameAncestors: found.frameAncestors } : undefined;
}
