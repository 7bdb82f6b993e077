/**
 * Registering platforms (LMSs) — by the API or `stepwise lti register` — and the tool's own
 * configuration, the URLs an LMS administrator pastes into the LMS.
 */
import { StepwiseError } from '../core/errors.js';

import { json, param, type RouteSpec } from '../api/route.js';
import type { Store } from '../store/types.js';
import { SCOPE_SCORE } from './claims.js';
import { deepLinkResponseUrl } from './deep-linking.js';
import { checkFrameOrigins } from './frames.js';
import { launchUrl } from './login.js';
import type { LtiPlatform, NewLtiPlatform } from './types.js';

const URL_FIELDS = ['issuer', 'authLoginUrl', 'authTokenUrl', 'jwksUrl'] as const;

/** Checks a registration (the API's schema checks shapes too; the CLI relies on this). */
export function checkPlatform(input: NewLtiPlatform): NewLtiPlatform {
  const text = (field: keyof NewLtiPlatform, v: unknown, max: number): string => {
    if (typeof v !== 'string' || v.trim() === '' || v.length > max) throw new StepwiseError('invalid_request', `${field} must be a non-empty string of at most ${max} characters`, field);
    return v.trim();
  };
  const out: NewLtiPlatform = {
    name: text('name', input.name, 200),
    issuer: text('issuer', input.issuer, 500),
    clientId: text('clientId', input.clientId, 255),
    authLoginUrl: text('authLoginUrl', input.authLoginUrl, 2000),
    authTokenUrl: text('authTokenUrl', input.authTokenUrl, 2000),
    jwksUrl: text('jwksUrl', input.jwksUrl, 2000),
    deploymentIds: [],
  };
  for (const field of URL_FIELDS) {
    let u: URL | undefined;
    try {
      u = new URL(out[field]);
    } catch {
      u = undefined;
    }
    if (!u || (u.protocol !== 'https:' && u.protocol !== 'http:')) throw new StepwiseError('invalid_request', `${field} must be an absolute http(s) URL, got ${JSON.stringify(out[field])}`, field);
  }
  if (!Array.isArray(input.deploymentIds) || input.deploymentIds.length === 0) {
    throw new StepwiseError('invalid_request', 'give at least one deployment id (the LMS shows it when the tool is deployed)', 'deploymentIds');
  }
  out.deploymentIds = [...new Set(input.deploymentIds.map((d, i) => text(`deploymentIds[${i}]` as keyof NewLtiPlatform, d, 255)))];
  // An empty list means the default, as on the frame-origins route (it would otherwise forbid every frame).
  if (input.frameOrigins !== undefined && input.frameOrigins.length > 0) out.frameOrigins = checkFrameOrigins(input.frameOrigins);
  return out;
}

/** Registers a platform; undefined when its (issuer, clientId) is registered already. */
export async function registerPlatform(store: Store, input: NewLtiPlatform): Promise<LtiPlatform | undefined> {
  return store.lti.createPlatform(checkPlatform(input));
}

export interface ToolConfig {
  title: string;
  description: string;
  /** OIDC login initiation URL. */
  loginUrl: string;
  /** Target link URI / launch URL. */
  launchUrl: string;
  /** Redirect URIs to allow (the launch URL). */
  redirectUris: string[];
  /** Public keyset URL: the LMS verifies the tool's signatures with it. */
  jwksUrl: string;
  /** Where deep linking requests go (the same launch URL; the message type tells them apart). */
  deepLinkingUrl: string;
  /** Where the picker posts the instructor's choice (internal; no LMS setting). */
  deepLinkResponseUrl: string;
  scopes: string[];
  customParameters: string;
}

export function toolConfig(baseUrl: string): ToolConfig {
  const base = baseUrl.replace(/\/+$/, '');
  return {
    title: 'Stepwise',
    description: 'Exam practice and step-by-step grading with error carried forward.',
    loginUrl: `${base}/lti/login`,
    launchUrl: launchUrl(base),
    redirectUris: [launchUrl(base)],
    jwksUrl: `${base}/lti/jwks`,
    deepLinkingUrl: launchUrl(base),
    deepLinkResponseUrl: deepLinkResponseUrl(base),
    scopes: [SCOPE_SCORE],
    customParameters:
      'optional, one of: topic=<topic id> | question=<question id> | exam=<exam id> (deep linking sets it), and difficulty=easy|medium|hard; exam_code=<the exam\'s link code> binds the exam to the course (ltiLinkCode in GET /api/v1/exams/{id} with an instructor key)',
  };
}

export function platformRoutes(): RouteSpec[] {
  return [
    {
      method: 'post',
      path: '/api/v1/lti/platforms',
      summary: 'Register an LTI 1.3 platform (LMS) with its deployments (instructors)',
      tag: 'lti',
      access: 'instructor',
      body: { schema: 'NewLtiPlatformRequest' },
      responses: { 201: { description: 'the registered platform', schema: 'LtiPlatform' } },
      handler: async (ctx, req) => {
        const p = await registerPlatform(ctx.store, req.body as NewLtiPlatform);
        if (!p) {
          const b = req.body as NewLtiPlatform;
          throw new StepwiseError('conflict', `a platform with issuer ${JSON.stringify(b.issuer)} and client id ${JSON.stringify(b.clientId)} is registered already`, 'clientId');
        }
        return json(201, p);
      },
    },
    {
      method: 'get',
      path: '/api/v1/lti/platforms',
      summary: 'The registered LTI platforms (instructors)',
      tag: 'lti',
      access: 'instructor',
      responses: { 200: { description: 'the platforms', schema: 'LtiPlatformList' } },
      handler: async (ctx) => json(200, await ctx.store.lti.listPlatforms()),
    },
    {
      method: 'post',
      path: '/api/v1/lti/platforms/:id/frame-origins',
      summary: "Set the origins that may frame the tool for a platform, e.g. Canvas's https://<school>.instructure.com; an empty list or null goes back to the default (instructors)",
      tag: 'lti',
      access: 'instructor',
      body: { schema: 'FrameOriginsRequest' },
      responses: { 200: { description: 'the platform', schema: 'LtiPlatform' } },
      handler: async (ctx, req) => {
        const given = (req.body as { frameOrigins: string[] | null }).frameOrigins;
        const origins = given === null || given.length === 0 ? undefined : checkFrameOrigins(given);
        const p = await ctx.store.lti.setFrameOrigins(param(req, 'id'), origins);
        if (!p) throw new StepwiseError('not_found', `no LTI platform with id ${JSON.stringify(param(req, 'id'))}`);
        return json(200, p);
      },
    },
    {
      method: 'get',
      path: '/api/v1/lti/config',
      summary: "The tool's LTI configuration: the URLs an LMS administrator enters (instructors)",
      tag: 'lti',
      access: 'instructor',
      responses: { 200: { description: 'the configuration', schema: 'LtiConfig' } },
      handler: async (ctx) => json(200, toolConfig(ctx.baseUrl)),
    },
  ];
}
