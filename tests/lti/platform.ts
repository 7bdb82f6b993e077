/**
 * A simulated LTI 1.3 platform (LMS) on loopback: its own RS256 key pair and JWKS endpoint, an
 * OIDC authorization endpoint that checks the tool's redirect parameters and answers with a
 * form_post of a signed id_token, a token endpoint that verifies the tool's client_assertion
 * against the tool's JWKS, and line items that record the scores they receive.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRemoteJWKSet, exportJWK, generateKeyPair, jwtVerify, SignJWT, type CryptoKey, type JWK, type JWTPayload } from 'jose';

export const C = {
  messageType: 'https://purl.imsglobal.org/spec/lti/claim/message_type',
  version: 'https://purl.imsglobal.org/spec/lti/claim/version',
  deploymentId: 'https://purl.imsglobal.org/spec/lti/claim/deployment_id',
  targetLinkUri: 'https://purl.imsglobal.org/spec/lti/claim/target_link_uri',
  resourceLink: 'https://purl.imsglobal.org/spec/lti/claim/resource_link',
  roles: 'https://purl.imsglobal.org/spec/lti/claim/roles',
  context: 'https://purl.imsglobal.org/spec/lti/claim/context',
  custom: 'https://purl.imsglobal.org/spec/lti/claim/custom',
  ags: 'https://purl.imsglobal.org/spec/lti-ags/claim/endpoint',
  dlSettings: 'https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings',
  dlContentItems: 'https://purl.imsglobal.org/spec/lti-dl/claim/content_items',
  dlData: 'https://purl.imsglobal.org/spec/lti-dl/claim/data',
} as const;

export const ROLE = {
  learner: 'http://purl.imsglobal.org/vocab/lis/v2/membership#Learner',
  instructor: 'http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor',
  ta: 'http://purl.imsglobal.org/vocab/lis/v2/membership/Instructor#TeachingAssistant',
};

export const SCOPE_SCORE = 'https://purl.imsglobal.org/spec/lti-ags/scope/score';

export interface Keys {
  kid: string;
  privateKey: CryptoKey;
  publicJwk: JWK;
}

export async function makeKeys(kid = `k-${randomBytes(4).toString('hex')}`): Promise<Keys> {
  const { privateKey, publicKey } = await generateKeyPair('RS256');
  return { kid, privateKey, publicJwk: { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' } };
}

/** How the next id_token for a login hint is made. */
export interface PendingLaunch {
  /** Final claims from the defaults (which already hold the nonce the tool sent). */
  claims?: (c: Record<string, unknown>) => Record<string, unknown>;
  /** Sign with these keys instead of the platform's (a forged token). */
  signWith?: Keys;
}

export interface ReceivedScore {
  path: string;
  query: string;
  contentType: string | undefined;
  authorization: string | undefined;
  tokenValid: boolean;
  body: Record<string, any>;
  /** What the platform answered. */
  status: number;
}

export interface SimPlatform {
  url: string;
  issuer: string;
  clientId: string;
  deploymentId: string;
  authUrl: string;
  tokenUrl: string;
  jwksUrl: string;
  keys: Keys;
  /** The tool's URLs, set by the test once the tool listens. */
  tool: { launchUrl: string; jwksUrl: string };
  /** Registers what the next login with this hint gets; returns the login_hint. */
  prepare(p?: PendingLaunch): string;
  /** The default claims of a student's resource link launch (before `prepare`'s changes). */
  baseClaims(nonce: string): Record<string, unknown>;
  lineItemUrl(id: string): string;
  scores: ReceivedScore[];
  tokenRequests: { ok: boolean; error?: string; assertion?: JWTPayload; scope?: string }[];
  authErrors: string[];
  /** The status the score endpoint answers with (default 204). */
  scoreStatus: number;
  /** How long the score endpoint takes to answer, ms (default 0): a slow LMS. */
  scoreDelayMs: number;
  /** When set, the score endpoint holds each post until this settles: an LMS that has not answered yet, however loaded the machine. */
  scoreGate?: Promise<void>;
  /**
   * Moodle's rule: a score whose timestamp, truncated to whole seconds, is not later than the one
   * stored for the line item and user is refused with 409 and not kept.
   */
  moodleTimestamps: boolean;
  /** The score each (line item, user) holds: the last one kept. */
  gradebook: Map<string, Record<string, any>>;
  sign(claims: JWTPayload, keys?: Keys): Promise<string>;
  close(): Promise<void>;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

const escapeAttr = (s: string) => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');

/**
 * A course page of the platform framing the tool's login URL, with client-side postMessage storage
 * in the parent window (`lti_storage_target=_parent`): put_data / get_data, namespaced by the
 * sender's origin, as the 1EdTech spec asks (for checks in a real browser). It takes lti.frameResize
 * as an LMS does: sets the frame's height, and keeps the messages in `window.frameResizes`.
 */
export function coursePage(toolLoginUrl: string, forget = false, width = 860): string {
  return `<!doctype html><meta charset="utf-8"><title>Course</title><h1>Course page</h1>
<iframe name="tool" title="Stepwise activity" src="${escapeAttr(toolLoginUrl)}" width="${width}" height="900"></iframe>
<script>
const store = new Map();
window.frameResizes = [];
addEventListener('message', (ev) => {
  const d = ev.data || {};
  if (d.subject === 'lti.frameResize' && Number.isFinite(d.height)) {
    window.frameResizes.push({ origin: ev.origin, height: d.height });
    document.querySelector('iframe[name=tool]').height = String(d.height);
  }
  const reply = (m) => ev.source.postMessage({ subject: d.subject + '.response', message_id: d.message_id, key: d.key, ...m }, ev.origin);
  if (d.subject === 'lti.put_data') { if (!${forget}) store.set(ev.origin + ' ' + d.key, d.value); reply({ value: d.value }); }
  if (d.subject === 'lti.get_data') {
    const v = store.get(ev.origin + ' ' + d.key);
    reply(v === undefined ? { error: { code: 'bad_request', message: 'no value for this key' } } : { value: v });
  }
});
</script>`;
}

export async function startPlatform(options: { host?: 'localhost' } = {}): Promise<SimPlatform> {
  const keys = await makeKeys('platform-key-1');
  const pending = new Map<string, PendingLaunch>();
  const tokens = new Set<string>();
  let toolJwks: ReturnType<typeof createRemoteJWKSet> | undefined;
  let toolJwksUrl = '';
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  // Listening on loopback either way; `localhost` makes the platform another site than a tool on 127.0.0.1.
  const url = `http://${options.host ?? '127.0.0.1'}:${(server.address() as AddressInfo).port}`;

  const p: SimPlatform = {
    url,
    issuer: url,
    clientId: 'stepwise-client-1',
    deploymentId: 'deployment-1',
    authUrl: `${url}/auth`,
    tokenUrl: `${url}/token`,
    jwksUrl: `${url}/jwks`,
    keys,
    tool: { launchUrl: '', jwksUrl: '' },
    scores: [],
    tokenRequests: [],
    authErrors: [],
    scoreStatus: 204,
    moodleTimestamps: false,
    scoreDelayMs: 0,
    gradebook: new Map(),
    prepare(launch = {}) {
      const hint = `user-${randomBytes(6).toString('hex')}`;
      pending.set(hint, launch);
      return hint;
    },
    baseClaims(nonce) {
      return {
        iss: url,
        aud: p.clientId,
        sub: 'student-1',
        nonce,
        name: 'Ada Student',
        [C.messageType]: 'LtiResourceLinkRequest',
        [C.version]: '1.3.0',
        [C.deploymentId]: p.deploymentId,
        [C.targetLinkUri]: p.tool.launchUrl,
        [C.resourceLink]: { id: 'rl-1', title: 'KL divergence practice' },
        [C.roles]: [ROLE.learner],
        [C.context]: { id: 'course-1', title: 'Deep Learning 101' },
        [C.custom]: { topic: 'kl-discrete' },
        [C.ags]: { scope: [SCOPE_SCORE, 'https://purl.imsglobal.org/spec/lti-ags/scope/lineitem.readonly'], lineitem: p.lineItemUrl('li-1'), lineitems: `${url}/lineitems?course=1` },
      };
    },
    lineItemUrl: (id) => `${url}/lineitems/${id}?course=1`,
    async sign(claims, k = keys) {
      const jwt = new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: k.kid, typ: 'JWT' });
      if (claims.iat === undefined) jwt.setIssuedAt();
      if (claims.exp === undefined) jwt.setExpirationTime('5m');
      return jwt.sign(k.privateKey);
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };

  const handle = async (req: IncomingMessage): Promise<{ status: number; type?: string; body: string }> => {
    const u = new URL(req.url ?? '/', url);
    if (req.method === 'GET' && u.pathname === '/course') return { status: 200, type: 'text/html', body: coursePage(u.searchParams.get('tool') ?? '', u.searchParams.has('forget'), Number(u.searchParams.get('width') ?? 860) || 860) };
    if (req.method === 'GET' && u.pathname === '/jwks') return { status: 200, type: 'application/json', body: JSON.stringify({ keys: [keys.publicJwk] }) };

    if (req.method === 'GET' && u.pathname === '/auth') {
      const q = Object.fromEntries(u.searchParams);
      const expect: Record<string, string> = {
        scope: 'openid',
        response_type: 'id_token',
        response_mode: 'form_post',
        prompt: 'none',
        client_id: p.clientId,
        redirect_uri: p.tool.launchUrl,
      };
      const wrong = Object.entries(expect).filter(([k, v]) => q[k] !== v).map(([k, v]) => `${k} must be ${v}, got ${q[k]}`);
      if (!q.state) wrong.push('state missing');
      if (!q.nonce) wrong.push('nonce missing');
      const launch = q.login_hint ? pending.get(q.login_hint) : undefined;
      if (!launch) wrong.push(`unknown login_hint ${q.login_hint}`);
      if (wrong.length > 0) {
        p.authErrors.push(...wrong);
        return { status: 400, type: 'text/plain', body: wrong.join('; ') };
      }
      const claims = (launch!.claims ?? ((c) => c))(p.baseClaims(q.nonce));
      const idToken = await p.sign(claims, launch!.signWith ?? keys);
      const body = `<!doctype html><form method="post" action="${escapeAttr(q.redirect_uri)}">
<input type="hidden" name="id_token" value="${escapeAttr(idToken)}">
<input type="hidden" name="state" value="${escapeAttr(q.state)}">
<noscript><button type="submit">Continue</button></noscript>
</form><script>document.forms[0].submit()</script>`;
      return { status: 200, type: 'text/html', body };
    }

    if (req.method === 'POST' && u.pathname === '/token') {
      const form = new URLSearchParams(await readBody(req));
      const fail = (error: string) => {
        p.tokenRequests.push({ ok: false, error });
        return { status: 401, type: 'application/json', body: JSON.stringify({ error: 'invalid_client', error_description: error }) };
      };
      if (form.get('grant_type') !== 'client_credentials') return fail('grant_type');
      if (form.get('client_assertion_type') !== 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer') return fail('client_assertion_type');
      if (toolJwksUrl !== p.tool.jwksUrl) {
        toolJwksUrl = p.tool.jwksUrl;
        toolJwks = createRemoteJWKSet(new URL(toolJwksUrl));
      }
      try {
        const { payload } = await jwtVerify(form.get('client_assertion') ?? '', toolJwks!, {
          issuer: p.clientId,
          subject: p.clientId,
          audience: p.tokenUrl,
          algorithms: ['RS256'],
          requiredClaims: ['exp', 'iat', 'jti'],
        });
        if ((payload.exp ?? 0) - (payload.iat ?? 0) > 3600) return fail('assertion lives too long');
        const token = randomBytes(16).toString('hex');
        tokens.add(token);
        p.tokenRequests.push({ ok: true, assertion: payload, scope: form.get('scope') ?? undefined });
        return { status: 200, type: 'application/json', body: JSON.stringify({ access_token: token, token_type: 'Bearer', expires_in: 3600, scope: form.get('scope') }) };
      } catch (err) {
        return fail(`client_assertion: ${(err as Error).message}`);
      }
    }

    const m = /^\/lineitems\/([^/]+)\/scores$/.exec(u.pathname);
    if (req.method === 'POST' && m) {
      const auth = req.headers.authorization;
      const token = /^Bearer (\S+)$/.exec(auth ?? '')?.[1];
      const tokenValid = token !== undefined && tokens.has(token);
      const text = await readBody(req);
      const body = JSON.parse(text) as Record<string, any>;
      const received: ReceivedScore = { path: u.pathname, query: u.search, contentType: req.headers['content-type'], authorization: auth, tokenValid, body, status: 0 };
      p.scores.push(received);
      const answer = (status: number, text = '') => {
        received.status = status;
        return { status, body: text };
      };
      if (p.scoreDelayMs > 0) await new Promise((r) => setTimeout(r, p.scoreDelayMs));
      if (p.scoreGate) await p.scoreGate;
      if (!tokenValid) return answer(401, 'bad token');
      if (p.scoreStatus >= 300) return answer(p.scoreStatus);
      const slot = `${u.pathname} ${body.userId}`;
      const held = p.gradebook.get(slot);
      if (p.moodleTimestamps && held && Math.floor(Date.parse(body.timestamp) / 1000) <= Math.floor(Date.parse(held.timestamp) / 1000)) {
        return answer(409, 'the score is not newer than the one stored');
      }
      p.gradebook.set(slot, body);
      return answer(p.scoreStatus);
    }
    return { status: 404, type: 'text/plain', body: `no ${req.method} ${u.pathname}` };
  };

  server.on('request', (req, res) => {
    handle(req).then(
      (r) => {
        res.statusCode = r.status;
        if (r.type) res.setHeader('content-type', r.type);
        res.end(r.status === 204 ? undefined : r.body);
      },
      (err: unknown) => {
        res.statusCode = 500;
        res.end(String(err));
      },
    );
  });
  return p;
}
