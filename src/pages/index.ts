/**
 * The student web pages on the API's express app: sign-in, home, the question page and the
 * preview endpoint. Every rule on who may see what is the service's (src/service); this file only
 * turns forms into service calls and results into pages.
 */
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import { rateLimit } from 'express-rate-limit';
import { addressKey } from '../api/address.js';
import type { Logger } from 'pino';
import { texValue } from '../core/format.js';
import { markdownToHtml } from '../render/html.js';
import { getTopic, listTopics, resolve } from '../engine.js';
import { assertCanSeeVariant, assertRevealed, isInstructor } from '../service/access.js';
import { attemptView, submitAttempt, type AttemptHook } from '../service/attempts.js';
import { nextVariant, sessionMastery, weakestTopic } from '../service/practice.js';
import { createVariant, getVariant } from '../service/variants.js';
import type { Caller } from '../service/caller.js';
import type { PracticeSession, Store, Variant } from '../store/types.js';
import { authFailures, TooManyFailures } from '../api/auth-failures.js';
import { artefactPages, type ArtefactPagesOptions } from './artefact.js';
import { answersOf, readEntry, readForm, stepShapes } from './answers-form.js';
import { pageAssetRoute } from './assets.js';
import { describeError, PageError } from './errors.js';
import { checkedState, questionView, recordHint, revealedHints, submittedState, type QuestionState } from './question.js';
import { postExamItem, sendExamPage } from './exam.js';
import { PAGE_ASSETS_PATH, sendHtml, type Embed } from './render.js';
import { checkCsrf, checkSameOrigin, clearSessionCookie, csrfToken, embeddedCaller, embeddedToken, isHttps, pageCaller, SESSION_TTL_MS, sessionToken, setSessionCookie } from './session.js';

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
}

/** A signed-in user; `embed`: an LTI page session inside the LMS's iframe, whose token is its `csrf`. */
type Signed = { caller: Caller; token: string; csrf: string; embed?: Embed };
type Handler = (req: Request, res: Response, who: Signed) => Promise<void>;

/** A path inside this site to return to after signing in (never another host). */
function safeNext(x: unknown): string {
  return typeof x === 'string' && /^\/(?![/\\])[\w\-./?=&%]*$/.test(x) && x.length < 300 ? x : '/';
}

export function pagesRouter(o: PagesOptions): Router {
  const { store } = o;
  const r = express.Router();
  const form = express.urlencoded({ extended: false, limit: '256kb', parameterLimit: 2000 });
  const jsonBody = express.json({ limit: '64kb' });
  const failures = authFailures(o.authFailuresPerMinute ?? 20);

  const wrap =
    (fn: (req: Request, res: Response) => Promise<void>) =>
    (req: Request, res: Response, next: NextFunction): void => {
      fn(req, res).catch(next);
    };

  /** A page for a signed-in user; others go to the sign-in page (GET) or are refused (POST). */
  const signedIn = (fn: Handler, post = false) =>
    wrap(async (req, res) => {
      // A post from a page inside an LMS iframe carries its LTI page token (src/lti/page.ts).
      const embedded = post ? await embeddedCaller(store, req) : undefined;
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
        checkCsrf(req, found.token);
      }
      await fn(req, res, { ...found, csrf: csrfToken(found.token) });
    });

  const base = (who: Signed | undefined, title: string) => ({ title, script: true, ...(who ? { user: { name: who.caller.user.name }, csrf: who.csrf, ...(who.embed ? { embed: who.embed } : {}) } : {}) });

  /** Stores an attempt the service's way, then runs the attempt hook (passback: its failure is logged, never lost work). */
  const submit = async (caller: Caller, v: Variant, answers: Record<string, unknown>, hintsUsed: string[] = []) => {
    const attempt = await submitAttempt(store, caller, v, answers, hintsUsed);
    await o.onAttempt?.(attempt, v, caller).catch((err: unknown) => o.logger?.error({ err, attempt: attempt.id }, 'attempt hook failed'));
    return attempt;
  };

  r.get(`${PAGE_ASSETS_PATH}/:file`, pageAssetRoute);

  const perMinute = o.rateLimitPerMinute ?? 600;
  if (perMinute > 0) {
    const limiter = rateLimit({
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

  // Sign-in: the key is posted in the form body (never a URL), checked by the store, and a new
  // session token issued (any earlier one is ended first: no fixation).
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

  /** The user's web practice session over every topic (made on first use). */
  async function practiceSession(caller: Caller): Promise<PracticeSession> {
    const id = await store.webSessions.practiceSession(caller.user.id);
    const s = id ? await store.sessions.get(id) : undefined;
    if (s) return s;
    const made = await store.sessions.create({ userId: caller.user.id, topics: listTopics().map((t) => t.id), difficulty: 'medium' });
    await store.webSessions.setPracticeSession(caller.user.id, made.id);
    return made;
  }

  const artefacts = artefactPages({ ...o.artefacts, store, logger: o.logger });
  artefacts.mount(r, signedIn, form);

  r.get(
    '/',
    signedIn(async (_req, res, who) => {
      const s = await practiceSession(who.caller);
      const { mastery, variants } = await sessionMastery(store, s);
      const titles = new Map(listTopics().map((t) => [t.id, t.title]));
      const topics = mastery.map((m) => ({
        id: m.topic,
        title: titles.get(m.topic) ?? m.topic,
        attempts: m.attempts,
        percent: m.mastery === null ? undefined : Math.round(m.mastery * 100),
        value: m.mastery ?? 0,
      }));
      const byId = new Map(variants.map((v) => [v.id, v]));
      const attempts = (await store.attempts.listBySession(s.id))
        .slice(-10)
        .reverse()
        .map((a) => {
          const v = byId.get(a.variantId);
          return { variantId: a.variantId, topic: titles.get(v?.topic ?? '') ?? v?.topic, score: `${round(a.score)}/${round(a.maxScore)}`, at: a.createdAt.slice(0, 16).replace('T', ' ') };
        });
      sendHtml(res, 200, 'home', { ...base(who, 'Stepwise practice'), topics, attempts, weakest: titles.get(weakestTopic(mastery)), artefacts: artefacts.list() });
    }),
  );

  r.post(
    '/practice/weakest',
    form,
    signedIn(async (_req, res, who) => {
      const v = await nextVariant(store, await practiceSession(who.caller));
      res.redirect(303, `/practice/v/${encodeURIComponent(v.id)}`);
    }, true),
  );

  /** A practice variant the caller may see (the service's rules); the pages handle practice only. */
  async function practiceVariant(caller: Caller, id: string): Promise<Variant> {
    const v = await getVariant(store, id);
    await assertCanSeeVariant(store, caller, v);
    if (v.mode !== 'practice') throw new PageError(404, 'not_found', 'This is an exam variant; open it from its exam.');
    return v;
  }

  const showQuestion = async (res: Response, who: Signed, v: Variant, status = 200, state: QuestionState = {}) =>
    sendHtml(res, status, 'question', { ...base(who, `${getTopic(v.topic).title} · Stepwise`), item: await questionView(v, state) });

  r.get(
    '/practice/v/:id',
    signedIn(async (req, res, who) => {
      const v = await practiceVariant(who.caller, String(req.params.id));
      await showQuestion(res, who, v, 200, { hintsRevealed: await revealedHints(store, who.caller.user.id, v.id) });
    }),
  );

  r.get(
    '/practice/:ref',
    signedIn(async (req, res, who) => {
      const seedText = typeof req.query.seed === 'string' && req.query.seed !== '' ? req.query.seed : undefined;
      const seed = seedText === undefined ? undefined : /^\d{1,16}$/.test(seedText) ? Number(seedText) : NaN;
      const difficulty = typeof req.query.difficulty === 'string' && req.query.difficulty !== '' ? req.query.difficulty : undefined;
      const s = await practiceSession(who.caller);
      const ref = String(req.params.ref);
      const { topic } = resolve(ref); // unknown: 404 naming the topics
      // The API's own path: a seed landing on an unreleased exam item is refused (403).
      const v = await createVariant(store, {
        ref,
        ...(seed !== undefined ? { seed } : {}),
        ...(difficulty ? { difficulty } : {}),
        mode: 'practice',
        createdBy: who.caller.user.id,
        // A bank question counts towards its topic's mastery.
        sessionId: s.topics.includes(topic.id) ? s.id : undefined,
        allowExamItems: isInstructor(who.caller),
      });
      await showQuestion(res, who, v);
    }),
  );

  // Check a step or submit all. Unreadable entries are named and nothing is graded or stored.
  r.post(
    '/practice/v/:id',
    form,
    signedIn(async (req, res, who) => {
      const v = await practiceVariant(who.caller, String(req.params.id));
      const body = req.body as Record<string, unknown>;
      const entries = readForm(body, stepShapes(v));
      const action = typeof body.action === 'string' ? body.action : 'submit';
      let hintsRevealed = await revealedHints(store, who.caller.user.id, v.id);
      // Revealing a hint is recorded before it is shown: a question may charge for it (hintPenalty).
      if (action.startsWith('hint:')) {
        const step = action.slice('hint:'.length);
        if (!entries.has(step)) throw new PageError(422, 'invalid_request', 'That step is not part of this question.');
        hintsRevealed = await recordHint(store, who.caller.user.id, v.id, step);
        return showQuestion(res, who, v, 200, { entries, hintsRevealed });
      }
      // "Try again" inside an LMS iframe (no cookie, so no GET): the same variant, blank.
      if (action === 'again') return showQuestion(res, who, v);
      if (action.startsWith('check:')) {
        const step = action.slice('check:'.length);
        const e = entries.get(step);
        if (!e) throw new PageError(422, 'invalid_request', 'That step is not part of this question.');
        await assertRevealed(store, who.caller, v);
        if (e.problem || e.raw === undefined) {
          return showQuestion(res, who, v, 422, { entries, hintsRevealed, checked: step, notice: e.problem ? `${step} was not checked: it cannot be read.` : `${step} is empty: nothing to check.` });
        }
        return showQuestion(res, who, v, 200, checkedState(v, entries, step, answersOf(entries), hintsRevealed));
      }
      const bad = [...entries].filter(([, e]) => e.problem);
      if (bad.length > 0) {
        return showQuestion(res, who, v, 422, { entries, hintsRevealed, notice: `Nothing was graded or recorded: ${bad.map(([id]) => id).join(', ')} cannot be read. Fix ${bad.length === 1 ? 'it' : 'them'} and submit again.` });
      }
      const attempt = await submit(who.caller, v, answersOf(entries), [...hintsRevealed]);
      const view = await attemptView(store, who.caller, attempt, v);
      await showQuestion(res, who, v, 200, { ...(await submittedState(store, who.caller, v, view, entries)), hintsRevealed });
    }, true),
  );

  r.get(
    '/exams/:id',
    signedIn(async (req, res, who) => sendExamPage(res, store, who.caller, base(who, 'Exam · Stepwise'), String(req.params.id))),
  );
  r.post(
    '/exams/:id/items/:variant',
    form,
    signedIn(async (req, res, who) => postExamItem(req, res, store, who.caller, base(who, 'Exam · Stepwise'), submit), true),
  );

  // The live "interpreted as" preview: the grader's own reader on one entry, typeset; never graded
  // or stored. JSON, for the page's script (same-origin and CSRF checked like a form).
  r.post(
    '/pages/preview',
    jsonBody,
    wrap(async (req, res) => {
      const embedded = await embeddedCaller(store, req); // its token in X-CSRF-Token
      const found = embedded ?? (await pageCaller(store, req));
      if (!found) throw new PageError(401, 'unauthorized', 'not signed in');
      checkSameOrigin(req, o.baseUrl);
      const b = (req.body ?? {}) as { variant?: unknown; step?: unknown; answer?: unknown; _csrf?: unknown };
      req.body = { _csrf: req.get('x-csrf-token') };
      if (!embedded) checkCsrf(req, found.token);
      if (typeof b.variant !== 'string' || typeof b.step !== 'string') throw new PageError(422, 'invalid_request', 'send variant and step');
      const v = await getVariant(store, b.variant);
      await assertCanSeeVariant(store, found.caller, v);
      const shape = stepShapes(v).find((s) => s.id === b.step);
      if (!shape) throw new PageError(422, 'invalid_request', 'not a step of this variant');
      const read = readEntry(shape, b.answer);
      res.set('Cache-Control', 'no-store');
      if (!read.ok) {
        res.json({ ok: false, reason: read.reason });
        return;
      }
      const tex = texValue(read.value);
      res.json({ ok: true, tex, html: await markdownToHtml(`$$${tex}$$`) });
    }),
  );

  // Errors on these routes are pages (or JSON for the preview), never stack traces.
  r.use((err: unknown, req: Request, res: Response, next: NextFunction) => {
    if (!isPagePath(req.path)) return next(err);
    const d = describeError(err);
    if (err instanceof TooManyFailures) res.set('Retry-After', String(err.retryAfter));
    if (d.unexpected) o.logger?.error({ err, path: req.path }, 'page failed');
    if (req.path === '/pages/preview' || req.accepts(['text/html', 'application/json']) === 'application/json') {
      res.status(d.status).json({ ok: false, reason: d.message });
      return;
    }
    sendHtml(res, d.status, 'error', { title: 'Stepwise: this did not work', status: d.status, code: d.code, message: d.message });
  });
  return r;
}

const round = (x: number) => Math.round(x * 100) / 100;

export function isPagePath(path: string): boolean {
  return path === '/' || path === '/login' || path === '/logout' || path.startsWith('/practice/') || path.startsWith('/pages/') || path.startsWith('/exams/');
}
