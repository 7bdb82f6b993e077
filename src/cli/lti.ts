/**
 * `stepwise lti register` and `stepwise lti config`: platform registration and the tool's
 * configuration, against the database `serve` uses (STEPWISE_DATABASE_URL, else STEPWISE_DB, default db/stepwise.db).
 */
import { StepwiseError } from '../core/errors.js';
import { ensureToolKey, registerPlatform, toolConfig, type LtiPlatform } from '../lti/index.js';
import type { NewLtiPlatform } from '../lti/types.js';
import type { Store } from '../store/types.js';
import { withExamStore } from './exam.js';

/** The platform as commander hands it over: --deployment-id repeats into deploymentId. */
export type RegisterOptions = Omit<NewLtiPlatform, 'deploymentIds' | 'frameOrigins'> & { deploymentId: string[]; frameOrigin?: string[] };

/** As `serve` opens it: STEPWISE_SECRET seals the tool key at rest, so it is passed here too. */
const withStore = <T>(body: (store: Store) => Promise<T>): Promise<T> => withExamStore(body);

export async function register(opts: RegisterOptions): Promise<LtiPlatform> {
  return withStore(async (store) => {
    const p = await registerPlatform(store, {
      name: opts.name,
      issuer: opts.issuer,
      clientId: opts.clientId,
      authLoginUrl: opts.authLoginUrl,
      authTokenUrl: opts.authTokenUrl,
      jwksUrl: opts.jwksUrl,
      deploymentIds: opts.deploymentId,
      ...(opts.frameOrigin ? { frameOrigins: opts.frameOrigin } : {}),
    });
    if (!p) throw new StepwiseError('invalid_request', `a platform with issuer ${JSON.stringify(opts.issuer)} and client id ${JSON.stringify(opts.clientId)} is registered already`, 'client-id');
    return p;
  });
}

export function platformText(p: LtiPlatform): string {
  return [
    `registered ${p.name} (${p.id})`,
    `  issuer          ${p.issuer}`,
    `  client id       ${p.clientId}`,
    `  auth login URL  ${p.authLoginUrl}`,
    `  auth token URL  ${p.authTokenUrl}`,
    `  JWKS URL        ${p.jwksUrl}`,
    `  deployments     ${p.deploymentIds.join(', ')}`,
    `  frame origins   ${p.frameOrigins ? p.frameOrigins.join(' ') : '(default: the origins of the URLs above and of the launch return URL)'}`,
  ].join('\n');
}

/** The base URL `lti config` uses: --base-url, else STEPWISE_BASE_URL, else http://localhost:$PORT (as `serve` listens). */
export function configBaseUrl(baseUrl: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  return (baseUrl ?? env.STEPWISE_BASE_URL ?? `http://localhost:${env.PORT || '3000'}`).replace(/\/+$/, '');
}

/** The tool's configuration, and its public key (made now if there is none; some LMSs take the key itself). */
export async function config(baseUrl: string | undefined) {
  const base = configBaseUrl(baseUrl);
  try {
    const u = new URL(base);
    if (u.protocol !== 'https:' && u.protocol !== 'http:') throw new Error();
  } catch {
    throw new StepwiseError('invalid_request', `--base-url must be an absolute http(s) URL, got ${JSON.stringify(base)}`, 'base-url');
  }
  const key = await withStore((store) => ensureToolKey(store));
  return { ...toolConfig(base), publicJwk: key.publicJwk };
}

export function configText(c: Awaited<ReturnType<typeof config>>): string {
  return [
    'Stepwise LTI 1.3 tool — enter these in the LMS:',
    `  OIDC login URL         ${c.loginUrl}`,
    `  Target link / launch   ${c.launchUrl}`,
    `  Redirect URIs          ${c.redirectUris.join(' ')}`,
    `  Public keyset (JWKS)   ${c.jwksUrl}`,
    `  Deep linking URL       ${c.deepLinkingUrl}`,
    `  Scopes                 ${c.scopes.join(' ')}`,
    `  Custom parameters      ${c.customParameters}`,
    `  Public key (JWK)       ${JSON.stringify(c.publicJwk)}`,
    `  Canvas (JSON config)   ${c.launchUrl.replace(/\/launch$/, '/canvas.json')}`,
  ].join('\n');
}
