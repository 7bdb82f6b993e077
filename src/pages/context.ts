/**
 * What every page route shares: the store, the body parsers, the signed-in wrapper, the page
 * base and the submit helper that runs the attempt hook. Made once per router (src/pages/index.ts).
 */
import express, { type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import type { Logger } from 'pino';
import { submitAttempt, type AttemptHook } from '../service/attempts.js';
import type { Caller } from '../service/caller.js';
import type { Attempt, Store, Variant } from '../store/types.js';
import type { ReleaseHook } from '../service/exam-rules.js';
import type { Peers } from '../api/peers.js';
import type { ArtefactPagesOptions } from './artefact.js';
import { artefactFigures, figuresFor, type Figures } from './artefact-figures.js';
import { PageError } from './errors.js';
import { formParser } from './form-body.js';
import type { Embed } from './render.js';
import { checkCsrf, checkSameOrigin, csrfToken, embeddedCaller, pageCaller, sessionToken } from './session.js';

export interface PagesOptions {
  store: Store;
  logger?: Logger;
  baseUrl?: string;
  /** Failed sign-ins per minute per address before 429 (default 20; 0: off). */
  authFailuresPerMinute?: number;
  /** Requests per minute per session (per address before signing in), as the API's per-key limit; 0: off. */
  rateLimitPerMinute?: number;
  /** Artefact questions (src/pages/artefact.ts): the questions and job runner to use. */
  artefacts?: ArtefactPagesOptions;
  /** Runs after an attempt is stored (LTI grade passback), as on the API's attempts route. */
  onAttempt?: AttemptHook;
  /** Runs after an exam is released from the instructor pages (LTI: the held-back totals), as on the API's release route. */
  onRelease?: ReleaseHook;
  /** Sibling server processes sharing the rate-limit and failed-sign-in counts. */
  peers?: Peers;
}

/** A signed-in user; `embed`: an LTI page session inside the LMS's iframe, whose token is its `csrf`. */
export type Signed = { caller: Caller; token: string; csrf: string; embed?: Embed };
export type Handler = (req: Request, res: Response, who: Signed) => Promise<void>;
type Route = (req: Request, res: Response, next: NextFunction) => void;

/** What every page route module is given (made by pagesContext). */
export interface PagesContext {
  o: PagesOptions;
  store: Store;
  /** The form parser: the same parser and limits for every page's posts and the rate limiter. */
  form: RequestHandler;
  jsonBody: RequestHandler;
  wrap: (fn: (req: Request, res: Response) => Promise<void>) => Route;
  signedIn: (fn: Handler, post?: boolean) => Route;
  base: (who: Signed | undefined, title: string) => PageBase;
  submit: (caller: Caller, v: Variant, answers: Record<string, unknown>, hintsUsed?: string[]) => Promise<Attempt>;
  /** A question about model runs: its pictures, starting its runs (artefact-figures.ts). */
  figures: Figures;
  /** Seconds between a practice page's reloads while its runs compute. */
  refreshSeconds: number;
}

/** The fields every page's layout takes. */
export type PageBase = {
  title: string;
  script: boolean;
  user?: { name: string };
  csrf?: string;
  embed?: Embed;
};

/** A path inside this site to return to after signing in (never another host). */
export function safeNext(x: unknown): string {
  return typeof x === 'string' && /^\/(?![/\\])[\w\-./?=&%]*$/.test(x) && x.length < 300 ? x : '/';
}

export function isPagePath(path: string): boolean {
  return path === '/' || path === '/login' || path === '/logout' || path.startsWith('/practice/') || path.startsWith('/pages/') || path.startsWith('/exams/') || path === '/instructor' || path.startsWith('/instructor/');
}

export function pagesContext(o: PagesOptions): PagesContext {
  const { store } = o;
  const form: RequestHandler = formParser({ limit: '256kb', parameterLimit: 2000 });
  const jsonBody: RequestHandler = express.json({ limit: '64kb' });

  /** An async route whose failures go to the router's error handler. */
  const wrap =
    (fn: (req: Request, res: Response) => Promise<void>) =>
    (req: Request, res: Response, next: NextFunction): void => {
      fn(req, res).catch(next);
    };

  /** A page for a signed-in user; others go to the sign-in page (GET) or are refused (POST). */
  const signedIn = (fn: Handler, post = false) =>
    wrap(async (req, res) => {
      // The cookie session's CSRF token (an HMAC of the cookie), made once per request.
      const cookie = sessionToken(req);
      const ownCsrf = cookie === undefined ? undefined : csrfToken(cookie);
      // A post from a page inside an LMS iframe carries its LTI page token (src/lti/page.ts). A
      // field that is this cookie's own CSRF token is no page token, so the store is not asked
      // for one: one session lookup per post, not two.
      const sentOwn = ownCsrf !== undefined && (req.body as Record<string, unknown> | undefined)?._csrf === ownCsrf;
      const embedded = post && !sentOwn ? await embeddedCaller(store, req) : undefined;
      if (embedded) {
        checkSameOrigin(req, o.baseUrl);
        await fn(req, res, { caller: embedded.caller, token: embedded.token, csrf: embedded.token, embed: { frameAncestors: embedded.frameAncestors } });
        return;
      }
      const found = await pageCaller(store, req);
      if (!found) {
        if (post) throw new PageError(401, 'unauthorized', 'You are not signed in (or your sign-in expired). Sign in and try again.');
        res.redirect(303, `/login?next=${encodeURIComponent(safeNext(req.originalUrl))}`);
        return;
      }
      if (post) {
        checkSameOrigin(req, o.baseUrl);
        checkCsrf(req, found.token, ownCsrf);
      }
      // found.token is the cookie's (pageCaller reads the same cookie).
      await fn(req, res, { ...found, csrf: ownCsrf ?? csrfToken(found.token) });
    });

  /** The fields every page's layout takes. */
  const base = (who: Signed | undefined, title: string): PageBase => ({ title, script: true, ...(who ? { user: { name: who.caller.user.name }, csrf: who.csrf, ...(who.embed ? { embed: who.embed } : {}) } : {}) });

  /** Stores an attempt the service's way, then runs the attempt hook (passback: its failure is logged, never lost work). */
  const submit = async (caller: Caller, v: Variant, answers: Record<string, unknown>, hintsUsed: string[] = []) => {
    const attempt = await submitAttempt(store, caller, v, answers, hintsUsed);
    await o.onAttempt?.(attempt, v, caller).catch((err: unknown) => o.logger?.error({ err, attempt: attempt.id }, 'attempt hook failed'));
    return attempt;
  };

  const figures = o.artefacts ? artefactFigures(store, o.artefacts) : figuresFor(store);
  return { o, store, form, jsonBody, wrap, signedIn, base, submit, figures, refreshSeconds: o.artefacts?.refreshSeconds ?? 2 };
}
