/**
 * Sign-in and sign-out pages: the key is posted in the form body (never a URL), checked by the
 * store, and a new session token issued (any earlier one is ended first: no fixation).
 */
import type { Router } from 'express';
import { addressKey } from '../api/address.js';
import { authFailures } from '../api/auth-failures.js';
import { safeNext, type PagesContext } from './context.js';
import { sendHtml } from './render.js';
import { checkSameOrigin, clearSessionCookie, isHttps, SESSION_TTL_MS, sessionToken, setSessionCookie } from './session.js';

export function mountSignIn(r: Router, { o, store, form, wrap, signedIn, base }: PagesContext): void {
  const failures = authFailures(o.authFailuresPerMinute ?? 20, { peers: o.peers, channel: 'sign-in' });
  r.get(
    '/login',
    wrap(async (req, res) => {
      sendHtml(res, 200, 'login', { ...base(undefined, 'Sign in · Stepwise'), next: safeNext(req.query.next) });
    }),
  );
  r.post(
    '/login',
    form,
    wrap(async (req, res) => {
      checkSameOrigin(req, o.baseUrl);
      const address = addressKey(req.ip);
      if (o.authFailuresPerMinute !== 0) failures.check(address);
      const body = req.body as Record<string, unknown>;
      const next = safeNext(body.next);
      const key = typeof body.key === 'string' ? body.key.trim() : '';
      const found = key.length > 0 && key.length < 200 ? await store.keys.authenticate(key) : undefined;
      if (!found) {
        if (key !== '' && o.authFailuresPerMinute !== 0) failures.fail(address);
        sendHtml(res, 401, 'login', { ...base(undefined, 'Sign in · Stepwise'), next, error: key === '' ? 'Enter your API key.' : 'That key is unknown, revoked or expired.' });
        return;
      }
      const old = sessionToken(req);
      if (old) await store.webSessions.delete(old);
      const until = Math.min(Date.now() + SESSION_TTL_MS, found.key.expiresAt ? Date.parse(found.key.expiresAt) : Infinity);
      const { token } = await store.webSessions.create({ userId: found.user.id, keyId: found.key.id, expiresAt: new Date(until).toISOString() });
      setSessionCookie(res, token, isHttps(req, o.baseUrl));
      o.logger?.info({ user: found.user.id }, 'web sign-in');
      res.redirect(303, next);
    }),
  );
  r.post(
    '/logout',
    form,
    signedIn(async (req, res, who) => {
      await store.webSessions.delete(who.token);
      clearSessionCookie(res, isHttps(req, o.baseUrl));
      res.redirect(303, '/login');
    }, true),
  );
}
