/**
 * Stepwise with the LTI tool on an ephemeral loopback port, a simulated platform registered with
 * it through the API, and the launch dance: tool /lti/login → 302 → platform /auth → form_post of
 * id_token and state → tool /lti/launch.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'vitest';
import { createApp } from '../../src/api/app.js';
import { bootstrapInstructor } from '../../src/api/bootstrap.js';
import { ltiTool, type LtiTool } from '../../src/lti/index.js';
import type { OutboxOptions } from '../../src/lti/outbox.js';
import { SqliteStore } from '../../src/store/sqlite/index.js';
import type { Store } from '../../src/store/types.js';
import { inject } from 'vitest';
import { PgStore } from '../../src/store/pg/index.js';
import { freshDatabase } from '../../bench/pg-cluster.js';
import { startPlatform, type PendingLaunch, type SimPlatform } from './platform.js';

export interface Reply {
  status: number;
  body: any;
  text: string;
  headers: Headers;
}

export interface LtiHarness {
  url: string;
  store: Store;
  instructor: string;
  platform: SimPlatform;
  platformId: string;
  /** Method and path of every request the tool received, in order (what a real browser fetched). */
  requests: string[];
  call(method: string, path: string, opts?: { key?: string; body?: unknown; form?: Record<string, string>; accept?: string; cookie?: string }): Promise<Reply>;
  /**
   * Login initiation and the platform's authorization: the id_token and state the platform
   * form-posts, and the cookies /lti/login set (the browser's jar, as a Cookie header).
   */
  login(p?: PendingLaunch, extra?: Record<string, string>): Promise<{ idToken: string; state: string; cookie: string; init: Reply }>;
  /**
   * Posts an id_token and state to /lti/launch (JSON unless accept says otherwise), from the
   * browser that started the login (its cookie) unless `from` gives another browser's cookies.
   */
  postLaunch(idToken: string, state: string, accept?: string, from?: { cookie?: string; form?: Record<string, string> }): Promise<Reply>;
  /** login + postLaunch. */
  launch(p?: PendingLaunch): Promise<Reply & { idToken: string; state: string }>;
  /** The exam's LTI link code, as its instructor reads it (GET /api/v1/exams/{id}, ltiLinkCode). */
  linkCode(examId: string): Promise<string>;
  /** Waits until the passback outbox has worked every job due now (scores are posted off the request path). */
  settled(): Promise<void>;
  /** The tool (its passback outbox). */
  lti: LtiTool;
  close(): Promise<void>;
}

async function reply(res: Response): Promise<Reply> {
  const text = await res.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  return { status: res.status, body, text, headers: res.headers };
}

/** The hidden inputs of the platform's auto-posting form. */
export function formFields(html: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) {
    out[m[1]] = m[2].replace(/&quot;/g, '"').replace(/&lt;/g, '<').replace(/&#39;/g, "'").replace(/&amp;/g, '&');
  }
  return out;
}

export async function startLti(
  options: { timeoutMs?: number; platformHost?: 'localhost'; rateLimitPerMinute?: number; outbox?: OutboxOptions; manualPassback?: boolean; /** Another store (PostgreSQL: tests/lti/outbox-pg.test.ts); default in-memory SQLite. */ store?: () => Promise<Store> } = {},
): Promise<LtiHarness> {
  const platform = await startPlatform(options.platformHost ? { host: options.platformHost } : {});
  const pgServer = inject('pgUrl'); // as tests/api/harness.ts
  const store = options.store ? await options.store() : pgServer ? await PgStore.open({ url: await freshDatabase(pgServer), max: 4 }) : SqliteStore.open({ file: ':memory:' });
  const { created } = await bootstrapInstructor(store);
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const lti = ltiTool(store, { baseUrl: url, ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}), outbox: { pollMs: 50, ...options.outbox } });
  if (!options.manualPassback) lti.outbox.start();
  const { app } = createApp({ store, checkResponses: true, rateLimitPerMinute: options.rateLimitPerMinute ?? 0, baseUrl: url, extraRoutes: lti.routes, onAttempt: lti.onAttempt, onRelease: lti.onRelease });
  const requests: string[] = [];
  server.on('request', (req) => requests.push(`${req.method} ${req.url}`));
  server.on('request', app);
  platform.tool = { launchUrl: `${url}/lti/launch`, jwksUrl: `${url}/lti/jwks` };

  const call: LtiHarness['call'] = async (method, path, opts = {}) => {
    const headers: Record<string, string> = { accept: opts.accept ?? 'application/json' };
    if (opts.key) headers.authorization = `Bearer ${opts.key}`;
    if (opts.cookie) headers.cookie = opts.cookie;
    let body: string | undefined;
    if (opts.form) {
      body = new URLSearchParams(opts.form).toString();
      headers['content-type'] = 'application/x-www-form-urlencoded';
    } else if (opts.body !== undefined) {
      body = JSON.stringify(opts.body);
      headers['content-type'] = 'application/json';
    }
    const r = reply(await fetch(url + path, { method, headers, body, redirect: 'manual' }));
    // Scores are posted in the background; these tests read the platform right after a call, so a
    // call returns once what it queued is posted (tests/lti/outbox.test.ts checks the request alone).
    if (method !== 'GET' && !options.manualPassback) await lti.outbox.drain();
    return r;
  };

  const registered = await call('POST', '/api/v1/lti/platforms', {
    key: created!,
    body: {
      name: 'Simulated LMS',
      issuer: platform.issuer,
      clientId: platform.clientId,
      authLoginUrl: platform.authUrl,
      authTokenUrl: platform.tokenUrl,
      jwksUrl: platform.jwksUrl,
      deploymentIds: [platform.deploymentId],
    },
  });
  if (registered.status !== 201) throw new Error(`could not register the platform: ${registered.text}`);

  // The cookie jar of the one browser the tests launch from, by state: name=value pairs.
  const jar = new Map<string, string>();
  const h: LtiHarness = {
    url,
    store,
    instructor: created!,
    platform,
    platformId: registered.body.id,
    requests,
    call,
    async login(p = {}, extra = {}) {
      const q = new URLSearchParams({
        iss: platform.issuer,
        login_hint: platform.prepare(p),
        target_link_uri: `${url}/lti/launch`,
        lti_message_hint: 'message-hint-1',
        client_id: platform.clientId,
        lti_deployment_id: platform.deploymentId,
        ...extra,
      });
      const init = await call('GET', `/lti/login?${q}`, { accept: 'text/html' });
      expect([200, 302], init.text).toContain(init.status);
      const cookie = init.headers
        .getSetCookie()
        .map((c) => c.split(';')[0])
        .join('; ');
      const location = init.status === 302 ? init.headers.get('location')! : /id="go" href="([^"]+)"/.exec(init.text)![1].replace(/&amp;/g, "&");
      expect(location.startsWith(platform.authUrl)).toBe(true);
      const auth = await fetch(location);
      const html = await auth.text();
      expect(auth.status, html).toBe(200);
      const fields = formFields(html);
      expect(fields.id_token).toBeTruthy();
      jar.set(fields.state, cookie);
      return { idToken: fields.id_token, state: fields.state, cookie, init };
    },
    postLaunch(idToken, state, accept = 'application/json', from) {
      const cookie = from ? from.cookie : jar.get(state);
      return call('POST', '/lti/launch', { form: { id_token: idToken, state, ...from?.form }, accept, ...(cookie ? { cookie } : {}) });
    },
    async launch(p = {}) {
      const { idToken, state } = await h.login(p);
      return { ...(await h.postLaunch(idToken, state)), idToken, state };
    },
    async linkCode(examId) {
      const r = await call('GET', `/api/v1/exams/${examId}`, { key: created! });
      expect(r.status, r.text).toBe(200);
      expect(r.body.ltiLinkCode).toMatch(/^[A-Za-z0-9_-]{22}$/);
      return r.body.ltiLinkCode as string;
    },
    settled: () => lti.outbox.drain(),
    lti,
    async close() {
      await lti.outbox.stop();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await platform.close().catch(() => undefined);
      await store.close();
    },
  };
  return h;
}
