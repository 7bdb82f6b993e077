/**
 * OIDC third-party login initiation (LTI 1.3 core §5.1.1): the platform sends iss, login_hint and
 * target_link_uri (GET or form POST); we remember a fresh state and nonce for 10 minutes and send
 * the browser to the platform's authorization endpoint, which answers with a form_post of the
 * id_token to our launch URL.
 */
import { randomBytes } from 'node:crypto';
import type { Request } from 'express';
import { LtiError } from './errors.js';
import type { RouteSpec } from '../api/route.js';
import type { Store } from '../store/types.js';
import { checkStorageTarget, setStateCookie, storageClientScript, storageKey } from './binding.js';
import { escapeHtml, originOf, sendPage } from './html.js';
import type { LtiPlatform } from './types.js';

export const STATE_TTL_MS = 10 * 60_000;

export const launchUrl = (baseUrl: string): string => `${baseUrl}/lti/launch`;

/** A request parameter: from the form body of a POST, from the query of a GET. */
export function formParam(req: Request, name: string): string | undefined {
  const source: unknown = req.method === 'POST' ? req.body : req.query;
  const v = typeof source === 'object' && source !== null ? (source as Record<string, unknown>)[name] : undefined;
  if (v === undefined || v === '') return undefined;
  if (typeof v !== 'string') throw new LtiError('invalid_request', `the parameter ${name} must be given once, as a string`, name);
  if (v.length > 4096) throw new LtiError('invalid_request', `the parameter ${name} is too long`, name);
  return v;
}

export function requiredParam(req: Request, name: string): string {
  const v = formParam(req, name);
  if (v === undefined) throw new LtiError('invalid_request', `the parameter ${name} is required`, name);
  return v;
}

/** The platform an issuer (and client_id, when sent) names; 404 / 400 when none or several. */
export async function platformFor(store: Store, issuer: string, clientId: string | undefined): Promise<LtiPlatform> {
  const found = await store.lti.findPlatforms(issuer, clientId);
  if (found.length === 0) {
    const what = clientId === undefined ? `issuer ${JSON.stringify(issuer)}` : `issuer ${JSON.stringify(issuer)} with client_id ${JSON.stringify(clientId)}`;
    throw new LtiError('unknown_platform', `no LTI platform is registered for ${what}`, clientId === undefined ? 'iss' : 'client_id');
  }
  if (found.length > 1) throw new LtiError('ambiguous_platform', `several registrations share issuer ${JSON.stringify(issuer)}; send client_id`, 'client_id');
  return found[0];
}

export interface Login {
  /** The platform's authorization endpoint with our parameters. */
  authUrl: string;
  state: string;
  platform: LtiPlatform;
  /** The platform frame to keep the state in, when the platform offers postMessage storage. */
  storageTarget?: string;
}

export async function initiateLogin(store: Store, baseUrl: string, req: Request): Promise<Login> {
  const iss = requiredParam(req, 'iss');
  const loginHint = requiredParam(req, 'login_hint');
  const targetLinkUri = requiredParam(req, 'target_link_uri');
  const messageHint = formParam(req, 'lti_message_hint');
  const clientId = formParam(req, 'client_id');
  const deploymentId = formParam(req, 'lti_deployment_id');
  const storageTarget = checkStorageTarget(formParam(req, 'lti_storage_target'));
  try {
    new URL(targetLinkUri);
  } catch {
    throw new LtiError('invalid_request', 'target_link_uri must be an absolute URL', 'target_link_uri');
  }
  const platform = await platformFor(store, iss, clientId);
  if (deploymentId !== undefined && !platform.deploymentIds.includes(deploymentId)) {
    throw new LtiError('unknown_deployment', `deployment ${JSON.stringify(deploymentId)} is not registered for platform ${JSON.stringify(platform.name)}`, 'lti_deployment_id');
  }
  const state = randomBytes(32).toString('base64url');
  const nonce = randomBytes(32).toString('base64url');
  await store.lti.createLoginState({
    state,
    nonce,
    platformId: platform.id,
    targetLinkUri,
    ...(storageTarget ? { storageTarget } : {}),
    expiresAt: new Date(Date.now() + STATE_TTL_MS).toISOString(),
  });

  const auth = new URL(platform.authLoginUrl);
  const params: Record<string, string | undefined> = {
    scope: 'openid',
    response_type: 'id_token',
    response_mode: 'form_post',
    prompt: 'none',
    client_id: platform.clientId,
    redirect_uri: launchUrl(baseUrl),
    login_hint: loginHint,
    lti_message_hint: messageHint,
    state,
    nonce,
  };
  for (const [k, v] of Object.entries(params)) if (v !== undefined) auth.searchParams.set(k, v);
  return { authUrl: auth.href, state, platform, ...(storageTarget ? { storageTarget } : {}) };
}

export function loginRoutes(): RouteSpec[] {
  const route = (method: 'get' | 'post'): RouteSpec => ({
    method,
    path: '/lti/login',
    summary: `LTI 1.3 OIDC login initiation (${method === 'get' ? 'query parameters' : 'form post'}): redirects to the platform's authorization endpoint`,
    tag: 'lti',
    access: 'public',
    ...(method === 'post' ? { body: { contentType: 'application/x-www-form-urlencoded' } } : {}),
    query: {
      lti_storage_target: { description: 'the platform frame for client-side postMessage storage (used where the browser blocks our cookie)' },
      iss: { description: "the platform's issuer" },
      login_hint: { description: 'opaque, passed back to the platform' },
      target_link_uri: { description: 'where the launch is meant to go' },
      lti_message_hint: { description: 'opaque, passed back to the platform' },
      client_id: { description: 'our client id at the platform (needed when an issuer has several registrations)' },
      lti_deployment_id: { description: 'the deployment the launch is for' },
    },
    responses: {
      200: { description: 'with lti_storage_target: a page that stores the state in the platform frame, then goes on to the authorization endpoint', contentType: 'text/html' },
      302: { description: "to the platform's authorization endpoint, with state and nonce" },
    },
    handler: async (ctx, req, res) => {
      const login = await initiateLogin(ctx.store, ctx.baseUrl, req);
      setStateCookie(res, ctx.baseUrl, login.state);
      const platformOrigin = originOf(login.platform.authLoginUrl);
      if (!login.storageTarget || !platformOrigin) {
        res.set('Cache-Control', 'no-store').redirect(302, login.authUrl);
        return undefined;
      }
      // Stored in the platform's frame as well, for browsers that drop the cookie; on to the
      // platform when stored (or when the frame does not answer: the cookie may still do).
      sendPage(res, 200, {
        title: 'Signing in…',
        body: `<p>Signing in… <a id="go" href="${escapeHtml(login.authUrl)}">Continue</a></p>`,
        script: `${storageClientScript(login.storageTarget, platformOrigin)}
ltiStorage('lti.put_data', { key: ${JSON.stringify(storageKey(login.state))}, value: ${JSON.stringify(login.state)} })
  .then(() => { window.location.href = document.getElementById('go').href; });`,
        // No controls to trick anyone into using; the LMS may frame it from any of its hosts.
        anyFrame: true,
      });
      return undefined;
    },
  });
  return [route('get'), route('post')];
}
