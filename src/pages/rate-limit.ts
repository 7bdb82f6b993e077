/** The pages' request limit: per session (per address before signing in), as the API's per-key limit. */
import type { Router } from 'express';
import { rateLimit } from 'express-rate-limit';
import { addressKey } from '../api/address.js';
import { isPagePath, type PagesContext } from './context.js';
import { PageError } from './errors.js';
import { csrfToken, embeddedToken, sessionToken } from './session.js';

export function mountRateLimit(r: Router, { o, form }: PagesContext): void {
  const perMinute = o.rateLimitPerMinute ?? 600;
  if (perMinute <= 0) return;
  const limiter = rateLimit({
    ...(o.peers ? { store: o.peers.rateLimitStore('pages') } : {}),
    windowMs: 60_000,
    limit: perMinute,
    standardHeaders: 'draft-7',
    legacyHeaders: false,
    // addressKey wraps ipKeyGenerator (cached); the library cannot see that and would warn.
    validate: { keyGeneratorIpFallback: false },
    // Per session, so a class behind one address is not one bucket; the token itself is not kept.
    keyGenerator: (req) => {
      // An LMS frame's posts carry their page token instead of a cookie (a class behind one school address).
      const t = sessionToken(req) ?? embeddedToken(req);
      return t ? `s:${csrfToken(t)}` : `ip:${addressKey(req.ip)}`;
    },
    handler: (_req, _res, next) => next(new PageError(429, 'rate_limited', `More than ${perMinute} requests a minute. Wait a minute and try again.`)),
  });
  // Form posts are parsed first (the same parser and limits as the routes'), so the limiter can key an LMS frame's posts by their token.
  r.use((req, res, next) => (isPagePath(req.path) && req.method === 'POST' ? form(req, res, next) : next()));
  r.use((req, res, next) => (isPagePath(req.path) ? limiter(req, res, next) : next()));
}
