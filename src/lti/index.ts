/**
 * The LTI 1.3 tool, as routes and an attempt hook for createApp:
 *
 *   GET  /lti/jwks                 the tool's public keys
 *   GET|POST /lti/login            OIDC login initiation → the platform's authorization endpoint
 *   POST /lti/launch               id_token + state: resource link launches and deep linking
 *   POST /lti/deep-link/response   the picked target → signed LtiDeepLinkingResponse
 *   /api/v1/lti/platforms, /api/v1/lti/config   registration and configuration (instructors)
 *
 * and grade passback: `onAttempt` and `onRelease` wake the outbox's worker (src/lti/outbox.ts),
 * which posts the scores of attempts at launched variants to their line items, off the request path.
 */
import type { Logger } from 'pino';
import { StepwiseError } from '../core/errors.js';
import { HttpError } from '../api/problem.js';
import { LtiError } from './errors.js';
import { json, type RouteSpec } from '../api/route.js';
import type { AttemptHook } from '../service/attempts.js';
import type { ReleaseHook } from '../service/exam-rules.js';
import type { Store } from '../store/types.js';
import { gradePassback } from './ags.js';
import { passbackOutbox, type Outbox, type OutboxOptions } from './outbox.js';
import { passbackRoutes } from './passback-routes.js';
import { katexAssetRoutes } from './assets.js';
import { clearStateCookie } from './binding.js';
import { canvasConfigRoute } from './canvas.js';
import { sendErrorPage, wantsPage } from './html.js';
import { DEEP_LINKING_REQUEST, RESOURCE_LINK_REQUEST } from './claims.js';
import { deepLinkingRequest, deepLinkResponseRoute } from './deep-linking.js';
import { toolKeyring } from './keys.js';
import { verifyLaunch } from './launch.js';
import { loginRoutes } from './login.js';
import { platformRoutes } from './platforms.js';
import { resourceLinkLaunch } from './resource-link.js';
import { sendLaunch } from './page.js';
import { jwksCache } from './verify.js';

export { toolConfig, registerPlatform, checkPlatform } from './platforms.js';
export { ensureToolKey } from './keys.js';
export { scoresUrl } from './ags.js';
export type * from './types.js';

export interface LtiToolOptions {
  /** Public base URL, as given to createApp; the routes read it from ctx.baseUrl, so the two must agree. */
  baseUrl?: string;
  logger?: Logger;
  /** Timeout of calls to platforms: JWKS, token, score posts (default 10 s; JWKS 5 s). */
  timeoutMs?: number;
  /** The passback worker's timing (retries, lease, polling). */
  outbox?: Omit<OutboxOptions, 'logger'>;
}

export interface LtiTool {
  routes: RouteSpec[];
  /** Wakes the passback worker: the attempt's job was written with it (a trigger). */
  onAttempt: AttemptHook;
  /** Queues each launched student's exam total once the exam is released. */
  onRelease: ReleaseHook;
  /** The passback worker: started with the server, stopped before the database closes. */
  outbox: Outbox;
}

/** The browser-facing routes answer a browser's errors with a page (problem+json for API clients). */
function errorsAsPages(route: RouteSpec): RouteSpec {
  return {
    ...route,
    handler: async (ctx, req, res) => {
      try {
        return await route.handler(ctx, req, res);
      } catch (err) {
        if ((err instanceof HttpError || err instanceof StepwiseError) && wantsPage(req) && !res.headersSent) {
          sendErrorPage(res, err);
          return undefined;
        }
        throw err;
      }
    },
  };
}

export function ltiTool(store: Store, options: LtiToolOptions = {}): LtiTool {
  const keys = toolKeyring(store);
  const jwks = jwksCache(Math.min(options.timeoutMs ?? 5000, 5000));

  const jwksRoute: RouteSpec = {
    method: 'get',
    path: '/lti/jwks',
    summary: "The tool's public keys (JWKS): platforms verify its client assertions and deep linking responses with them",
    tag: 'lti',
    access: 'public',
    responses: { 200: { description: 'the key set', schema: 'LtiJwks' } },
    handler: async (_ctx, _req, res) => {
      res.set('Cache-Control', 'public, max-age=300');
      return json(200, await keys.jwks());
    },
  };

  const launchRoute: RouteSpec = {
    method: 'post',
    path: '/lti/launch',
    summary: 'LTI 1.3 launch (OIDC redirect URI, form_post of id_token and state): the problem page, or the deep linking picker',
    tag: 'lti',
    access: 'public',
    body: { contentType: 'application/x-www-form-urlencoded' },
    responses: {
      200: {
        description: 'the question or exam page of the web pages, framed by the platform (HTML), or with Accept: application/json the variant and API key; deep linking: the picker',
        schema: 'LtiLaunchReply',
        also: ['text/html'],
      },
    },
    handler: async (ctx, req, res) => {
      const launch = await verifyLaunch(ctx, jwks, req);
      if (launch.binding === 'cookie') clearStateCookie(res, ctx.baseUrl, launch.state);
      if (launch.messageType === RESOURCE_LINK_REQUEST) {
        return sendLaunch(ctx, req, res, launch, await resourceLinkLaunch(ctx, launch));
      }
      if (launch.messageType === DEEP_LINKING_REQUEST) return deepLinkingRequest(ctx, keys, launch, req, res);
      throw new LtiError('unsupported_message_type', `message type ${JSON.stringify(launch.messageType)} is not handled; Stepwise takes ${RESOURCE_LINK_REQUEST} and ${DEEP_LINKING_REQUEST}`);
    },
  };

  const passback = gradePassback(store, keys, { ...(options.logger ? { logger: options.logger } : {}), ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}) });
  const outbox = passbackOutbox(store, passback, { ...options.outbox, ...(options.logger ? { logger: options.logger } : {}) });
  return {
    routes: [
      jwksRoute,
      ...[...loginRoutes(), launchRoute, deepLinkResponseRoute(keys)].map(errorsAsPages),
      ...platformRoutes(),
      ...passbackRoutes(outbox),
      ...katexAssetRoutes(),
      canvasConfigRoute(),
    ],
    onAttempt: async () => outbox.wake(),
    onRelease: async (exam) => {
      for (const a of await passback.releaseAttempts(exam)) await store.passback.enqueue(a.id);
      outbox.wake();
    },
    outbox,
  };
}
