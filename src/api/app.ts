/**
 * The HTTP service as an express 5 app, built without listening (tests call it on an ephemeral
 * port; src/server.ts listens). Security headers (helmet), body limits, rate limits per API
 * key, structured logs (pino) and problem+json errors apply to every route.
 */
import express, { type Express, type Request, type RequestHandler, type Response } from 'express';
import { rateLimit } from 'express-rate-limit';
import { addressKey } from './address.js';
import helmet from 'helmet';
import type { Logger } from 'pino';
import { pinoHttp } from 'pino-http';
import { cacheKeys } from '../store/cached-keys.js';
import { withArtefactAnswers } from '../service/artefact-answers.js';
import type { Store } from '../store/types.js';
import { authenticate } from './auth.js';
import { authFailures, TooManyFailures } from './auth-failures.js';
import type { Peers } from './peers.js';
import { StepwiseError } from '../core/errors.js';
import { assertJsonDepth } from '../core/json-depth.js';
import { publicOrigin } from './origin.js';
import { checkRequest, checkResponse } from './checks.js';
import { openApiDocument } from './openapi.js';
import { HttpError, problemHandler, sendProblem } from './problem.js';
import type { Caller, Ctx, RouteSpec } from './route.js';

interface Locals {
  caller?: Caller;
}
import { apiRoutes } from './routes/index.js';
import { isPagePath, pagesRouter } from '../pages/index.js';
import type { ArtefactPagesOptions } from '../pages/artefact.js';
import type { AttemptHook } from '../service/attempts.js';
import type { ReleaseHook } from '../service/exam-rules.js';
import { MAX_PAPER_CSV_BYTES } from '../service/paper-answers.js';

export const API_VERSION = '1.0.0';

export interface AppOptions {
  store: Store;
  /** pino logger; omit for silence (tests). */
  logger?: Logger;
  /** Requests per minute per API key (or per address without one); 0 turns limiting off. */
  rateLimitPerMinute?: number;
  /** Largest JSON body (express syntax, e.g. "1mb"). */
  jsonLimit?: string;
  /** Largest batch body. */
  batchLimit?: string;
  /** Check every JSON response against its schema (tests). */
  checkResponses?: boolean;
  /** Public base URL (LTI redirect and JWKS URLs); default: from the request's Host, if it is one of ours (origin.ts). */
  baseUrl?: string;
  /** Without baseUrl: the listen address and STEPWISE_ALLOWED_HOSTS, the Host names accepted for URLs. */
  listenHost?: string;
  allowedHosts?: readonly string[];
  /** Failed authentications per minute per address before 429 (default 20); 0 turns it off. */
  authFailuresPerMinute?: number;
  /** Extra routes (the LTI tool registers its own). */
  extraRoutes?: readonly RouteSpec[];
  /** Runs after each attempt is committed (LTI grade passback). */
  onAttempt?: AttemptHook;
  /** Runs after an exam is released (LTI: the exam totals held back while it was open). */
  onRelease?: ReleaseHook;
  /** The pages' artefact questions: which, and the job runner computing them (src/pages/artefact.ts). */
  artefactPages?: ArtefactPagesOptions;
  /** Sibling server processes sharing the rate-limit and failed-authentication counts (src/cluster.ts). */
  peers?: Peers;
}

export interface StepwiseApp {
  app: Express;
  routes: readonly RouteSpec[];
}

export function createApp(options: AppOptions): StepwiseApp {
  const routes = [...apiRoutes(options.onAttempt, options.onRelease), ...(options.extraRoutes ?? [])];
  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple');
  app.use(helmet());
  if (options.logger?.isLevelEnabled('info')) {
    app.use(
      pinoHttp({
        logger: options.logger,
        quietReqLogger: true,
        // One short line per request; never the Authorization header (it holds the API key).
        serializers: {
          req: (req: { id: unknown; method: string; url: string }) => ({ id: req.id, method: req.method, url: req.url }),
          res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
        },
      }),
    );
  }

  // Per route: authenticate, then rate-limit by key (or by address on public routes), then parse
  // the body — so an unauthenticated client never gets a body parsed.
  const perMinute = options.rateLimitPerMinute ?? 600;
  // One bucket per limiter: /healthz has its own, so a client spending the public routes' budget
  // cannot make a load balancer see the service as down, and health probes spend none of it.
  const makeLimiter = (prefix: string): RequestHandler =>
    perMinute > 0
      ? rateLimit({
          ...(options.peers ? { store: options.peers.rateLimitStore(prefix) } : {}),
          windowMs: 60_000,
          limit: perMinute,
          standardHeaders: 'draft-7',
          legacyHeaders: false,
          // addressKey wraps ipKeyGenerator (cached); the library cannot see that and would warn.
          validate: { keyGeneratorIpFallback: false },
          keyGenerator: (req, res) => {
            const caller = (res.locals as Locals).caller;
            return caller ? `key:${caller.key.id}` : `ip:${addressKey(req.ip)}`;
          },
          handler: (req, res) =>
            sendProblem(res, 429, 'rate_limited', `more than ${perMinute} requests a minute; retry after the time in the RateLimit header`, undefined, req.originalUrl),
        })
      : (_req, _res, next) => next();
  const limiter = makeLimiter('api');
  const healthLimiter = makeLimiter('health');
  const failures = authFailures(options.authFailuresPerMinute ?? 20, { peers: options.peers, channel: 'api-auth' });
  const origin = publicOrigin({ baseUrl: options.baseUrl, listenHost: options.listenHost, allowedHosts: options.allowedHosts });
  // Any JSON body nested deeper than MAX_JSON_DEPTH is refused (422) before a handler sees it:
  // stored and echoed values are serialised recursively, and 100,000 levels overflow the stack.
  const depthGuard: RequestHandler = (req, _res, next) => {
    assertJsonDepth(req.body, 'body');
    next();
  };
  const parsers = {
    json: express.json({ limit: options.jsonLimit ?? '1mb' }),
    lines: express.text({ type: () => true, limit: options.batchLimit ?? '16mb' }),
    form: express.urlencoded({ extended: false, limit: '1mb' }),
    csv: express.text({ type: 'text/csv', limit: MAX_PAPER_CSV_BYTES }),
  };
  const store = withArtefactAnswers(cacheKeys(options.store));

  // The student web pages (src/pages): same store, same service rules. A page path goes to them
  // before the API's routes (none of which is a page path), so a page view does not walk past
  // every API route first; any other path reaches them after the API, as before.
  const pages = pagesRouter({ store, logger: options.logger, baseUrl: options.baseUrl, authFailuresPerMinute: options.authFailuresPerMinute, rateLimitPerMinute: perMinute, artefacts: options.artefactPages, peers: options.peers, ...(options.onAttempt ? { onAttempt: options.onAttempt } : {}), ...(options.onRelease ? { onRelease: options.onRelease } : {}) });
  app.use((req, res, next) => (isPagePath(req.path) ? pages(req, res, next) : next()));

  const openapi = openApiDocument(routes, API_VERSION);
  app.get('/api/v1/openapi.json', limiter, (_req, res) => {
    res.json(openapi);
  });

  for (const route of routes) {
    const auth: RequestHandler = async (req, res, next) => {
      if (route.access !== 'public') {
        const address = addressKey(req.ip); // IPv6: per /56, as the request limiter
        try {
          failures.check(address);
          (res.locals as Locals).caller = await authenticate(store, req, route);
        } catch (e) {
          if (e instanceof TooManyFailures) res.set('Retry-After', String(e.retryAfter));
          // A key that was sent and refused is a guess; a missing header is not counted.
          else if (e instanceof StepwiseError && e.code === 'unauthorized' && req.get('authorization') !== undefined) failures.fail(address);
          throw e;
        }
      }
      next();
    };
    const body: RequestHandler[] = !route.body
      ? [parsers.json, parsers.form, depthGuard]
      : 'schema' in route.body
        ? [parsers.json, depthGuard]
        : route.body.contentType === 'application/x-www-form-urlencoded'
          ? [parsers.form]
          : route.body.contentType === 'text/csv'
            ? [parsers.csv]
            : [parsers.lines];
    app[route.method](route.path, auth, route.path === '/healthz' ? healthLimiter : limiter, ...body, async (req: Request, res: Response) => {
      const ctx: Ctx = {
        store,
        logger: options.logger,
        // Read only by routes that build URLs: a foreign Host is refused there (421), not here.
        get baseUrl() {
          return origin(req);
        },
        caller: (res.locals as Locals).caller,
      };
      // An optional body may be left out: no content (many clients send a JSON content type anyway).
      const empty = (req.headers['content-length'] ?? '0') === '0' && req.headers['transfer-encoding'] === undefined;
      if (route.body && 'schema' in route.body && !(route.body.optional && empty)) {
        if (!req.is('application/json')) throw new HttpError(415, 'unsupported_media_type', 'send the body as application/json');
        checkRequest(route.body.schema, req.body);
      }
      const result = await route.handler(ctx, req, res);
      if (!result) return;
      const spec = route.responses[result.status];
      if (options.checkResponses) {
        if (!spec?.schema) throw new Error(`${route.method} ${route.path} answered ${result.status}, which it does not declare`);
        // Checked as the client receives it: JSON turns a masked −∞ into null.
        checkResponse(spec.schema, JSON.parse(JSON.stringify(result.body)), `${route.method.toUpperCase()} ${route.path}`);
      }
      res.status(result.status).json(result.body);
    });
  }

  app.use((req, res, next) => (isPagePath(req.path) ? next() : pages(req, res, next)));

  app.use((req, res) => sendProblem(res, 404, 'not_found', `no route ${req.method} ${req.path}`, undefined, req.originalUrl));
  app.use(problemHandler(options.logger));
  return { app, routes };
}
