/**
 * The student web pages on the API's express app: sign-in, home, the question page and the
 * preview endpoint. Every rule on who may see what is the service's (src/service); these files
 * only turn forms into service calls and results into pages. This one assembles the router:
 * the routes live in sign-in.ts, practice.ts, exam-routes.ts, preview.ts and artefact.ts, and
 * what they share (store, parsers, signed-in wrapper, submit with the attempt hook) in context.ts.
 */
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import { TooManyFailures } from '../api/auth-failures.js';
import { artefactPages } from './artefact.js';
import { pageAssetRoute } from './assets.js';
import { isPagePath, pagesContext, type PagesOptions } from './context.js';
import { describeError } from './errors.js';
import { mountExamRoutes } from './exam-routes.js';
import { mountInstructor } from './instructor.js';
import { mountPractice } from './practice.js';
import { mountPreview } from './preview.js';
import { mountRateLimit } from './rate-limit.js';
import { PAGE_ASSETS_PATH, sendHtml } from './render.js';
import { mountSignIn } from './sign-in.js';

export { isPagePath, type PagesOptions };

export function pagesRouter(o: PagesOptions): Router {
  const ctx = pagesContext(o);
  const r = express.Router();
  r.get(`${PAGE_ASSETS_PATH}/:file`, pageAssetRoute);
  mountRateLimit(r, ctx);
  mountSignIn(r, ctx);
  const artefacts = artefactPages({ store: o.store });
  artefacts.mount(r, ctx.signedIn, ctx.form);
  mountPractice(r, ctx, () => artefacts.list());
  mountExamRoutes(r, ctx);
  mountPreview(r, ctx);
  mountInstructor(r, ctx);

  // Errors on these routes are pages (or JSON for the preview), never stack traces.
  r.use((err: unknown, req: Request, res: Response, next: NextFunction) => {
    if (!isPagePath(req.path)) return next(err);
    const d = describeError(err);
    if (err instanceof TooManyFailures) res.set('Retry-After', String(err.retryAfter));
    // Model runs still computing, or their queue full: ask again in half a minute.
    if (d.code === 'not_ready') res.set('Retry-After', '30');
    if (d.unexpected) o.logger?.error({ err, path: req.path }, 'page failed');
    if (req.path === '/pages/preview' || req.accepts(['text/html', 'application/json']) === 'application/json') {
      res.status(d.status).json({ ok: false, reason: d.message });
      return;
    }
    sendHtml(res, d.status, 'error', { title: 'Stepwise: this did not work', status: d.status, code: d.code, message: d.message });
  });
  return r;
}
