/**
 * What a browser in an LMS sees: the login bound to the browser that started it (cookie, or the
 * platform's postMessage storage), who may frame the pages, the landed page itself (no key in it,
 * KaTeX's own stylesheet and fonts; tests/lti/page.test.ts has its inputs and posts), HTML error
 * pages, and Canvas's JSON.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { getTopic } from '../../src/engine.js';
import { setStateCookie } from '../../src/lti/binding.js';
import { startLti, type LtiHarness } from './harness.js';
import { C } from './platform.js';

let h: LtiHarness;
beforeEach(async () => {
  h = await startLti();
});
afterEach(async () => {
  await h.close();
});

const withReturnUrl = (url: string) => (c: Record<string, unknown>) => ({ ...c, [`https://purl.imsglobal.org/spec/lti/claim/launch_presentation`]: { return_url: url, document_target: 'iframe' } });

describe('a login is bound to the browser that started it', () => {
  it('sets a short-lived HttpOnly cookie named after the state at /lti/login and clears it at the launch', async () => {
    const { state, cookie, init, idToken } = await h.login();
    const set = init.headers.getSetCookie();
    expect(set).toHaveLength(1);
    expect(set[0]).toMatch(new RegExp(`^lti_state_${state}=1; Path=/lti; Max-Age=600; HttpOnly; SameSite=Lax$`));
    expect(cookie).toBe(`lti_state_${state}=1`);
    const r = await h.postLaunch(idToken, state);
    expect(r.status, r.text).toBe(200);
    expect(r.headers.getSetCookie()).toEqual([`lti_state_${state}=; Path=/lti; Max-Age=0; HttpOnly; SameSite=Lax`]);
  });

  it('over https: __Host-, Secure, SameSite=None and Partitioned', () => {
    const headers: string[] = [];
    setStateCookie({ append: (_n: string, v: string) => headers.push(v) } as never, 'https://sw.example.edu', 'abc');
    expect(headers).toEqual(['__Host-lti_state_abc=1; Path=/; Max-Age=600; HttpOnly; Secure; SameSite=None; Partitioned']);
  });

  it('refuses a launch completed in another browser (no cookie, or that browser’s own cookie), as JSON and as a page', async () => {
    const victim = await h.login(); // the victim's browser has its own login cookie
    const attacker = await h.login(); // the attacker's id_token and state, from the attacker's browser
    const json = await h.postLaunch(attacker.idToken, attacker.state, 'application/json', { cookie: victim.cookie });
    expect(json.status).toBe(401);
    expect(json.body).toMatchObject({ code: 'login_not_bound' });
    const attacker2 = await h.login();
    const page = await h.postLaunch(attacker2.idToken, attacker2.state, 'text/html', {});
    expect(page.status).toBe(401);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(page.text).toContain('did not start in this browser');
    // Nothing was launched for the attacker's token in either browser.
    expect(await h.store.users.findByLti(h.platform.issuer, 'student-1')).toBeUndefined();
    // The victim's own launch still works.
    expect((await h.postLaunch(victim.idToken, victim.state)).status).toBe(200);
  });

  it('falls back to the platform’s postMessage storage: the login stores the state, the launch page checks it before showing anything', async () => {
    const { state, idToken, init } = await h.login({}, { lti_storage_target: '_parent' });
    expect(init.status).toBe(200);
    expect(init.text).toContain("'lti.put_data'");
    expect(init.text).toContain(JSON.stringify(`stepwise_state_${state}`));
    expect(init.text).toContain(JSON.stringify(h.platform.url)); // posted to the platform's origin only
    // The cookie was blocked: the page holds the session only behind the storage check.
    const page = await h.postLaunch(idToken, state, 'text/html', { form: { lti_storage_target: '_parent' } });
    expect(page.status, page.text).toBe(200);
    // The landed page is hidden until its script finds the state in the platform's storage.
    expect(page.text).toContain('<main id="main" tabindex="-1" hidden>');
    expect(page.text).toContain("'lti.get_data'");
    const script = /<script nonce="[^"]+">([\s\S]*)<\/script>/.exec(page.text)![1];
    expect(script).toContain(`r.value !== ${JSON.stringify(state)}`);
    expect(script.indexOf("ltiStorage('lti.get_data'")).toBeLessThan(script.indexOf('document.getElementById("main").hidden = false'));
    expect(script.indexOf(`r.value !== ${JSON.stringify(state)}`)).toBeLessThan(script.indexOf('document.getElementById("main").hidden = false'));
    // An API client cannot take that path: the check needs the page.
    const again = await h.login({}, { lti_storage_target: '_parent' });
    const json = await h.postLaunch(again.idToken, again.state, 'application/json', {});
    expect(json.status).toBe(401);
  });
});

describe('who may frame the pages', () => {
  it('by default the platform’s registered origins and the launch’s return URL (Canvas: the school host)', async () => {
    const { idToken, state } = await h.login({ claims: withReturnUrl('https://school.instructure.com/courses/7/modules') });
    const r = await h.postLaunch(idToken, state, 'text/html');
    expect(r.status, r.text).toBe(200);
    const csp = r.headers.get('content-security-policy')!;
    expect(csp).toContain(`frame-ancestors 'self' ${h.platform.url} https://school.instructure.com`);
  });

  it('configured frame origins replace the default, set by the API; a path is refused', async () => {
    const bad = await h.call('POST', `/api/v1/lti/platforms/${h.platformId}/frame-origins`, { key: h.instructor, body: { frameOrigins: ['https://school.instructure.com/x'] } });
    expect(bad.status).toBe(422);
    const set = await h.call('POST', `/api/v1/lti/platforms/${h.platformId}/frame-origins`, { key: h.instructor, body: { frameOrigins: ['https://school.instructure.com'] } });
    expect(set.status, set.text).toBe(200);
    expect(set.body.frameOrigins).toEqual(['https://school.instructure.com']);
    const { idToken, state } = await h.login();
    const r = await h.postLaunch(idToken, state, 'text/html');
    expect(r.headers.get('content-security-policy')).toMatch(/frame-ancestors 'self' https:\/\/school\.instructure\.com$/);
    const cleared = await h.call('POST', `/api/v1/lti/platforms/${h.platformId}/frame-origins`, { key: h.instructor, body: { frameOrigins: null } });
    expect(cleared.body.frameOrigins).toBeUndefined();
    expect((await h.call('POST', '/api/v1/lti/platforms/ltp_nope/frame-origins', { key: h.instructor, body: { frameOrigins: [] } })).status).toBe(404);
  });
});

describe('the landed page', () => {
  it('names each step by its label, keeps the key out of the page, and styles math with KaTeX’s own assets', async () => {
    const { idToken, state } = await h.login();
    const r = await h.postLaunch(idToken, state, 'text/html');
    expect(r.status).toBe(200);
    const variantId = /data-variant="([^"]+)"/.exec(r.text)![1];
    const variant = (await h.store.variants.get(variantId))!;
    const topic = getTopic(variant.topic);
    const text = r.text.replace(/&#x27;/g, "'").replace(/&#x3D;/g, '=').replace(/&amp;/g, '&');
    for (const step of variant.steps) {
      const label = topic.steps[step].label;
      expect(label).not.toBe(step);
      expect(text).toContain(`<span class="step-id">${step}</span>: ${label}`);
    }
    // The launch key is nowhere in the page, scripts included (the page holds a page token instead).
    const user = (await h.store.users.findByLti(h.platform.issuer, 'student-1'))!;
    const [key] = await h.store.keys.list(user.id);
    expect(r.text).not.toContain(key.prefix);
    expect(r.text).not.toMatch(/sw_[\w-]{10,}/);
    // KaTeX's HTML is shown (not hidden in favour of bare MathML), styled by its served stylesheet.
    expect(r.text).toContain('class="katex-html"');
    expect(r.text).not.toMatch(/\.katex-html\s*\{\s*display:\s*none/);
    expect(r.text).toContain('<link rel="stylesheet" href="/assets/katex/katex.min.css">');
    const csp = r.headers.get('content-security-policy')!;
    expect(csp).toContain("style-src 'self'");
    expect(csp).toContain("font-src 'self'");
  });

  it('an exam page names the exam and tells the student its rules before they submit (submissions, close, feedback)', async () => {
    const closesAt = '2099-06-01T12:00:00.000Z';
    const exam = await h.call('POST', '/api/v1/exams', {
      key: h.instructor,
      body: { title: 'Midterm <1>', blueprint: [{ topic: 'kl-discrete', count: 1, difficulty: 'easy' }], versions: 1, closesAt, feedback: 'status' },
    });
    expect(exam.status, exam.text).toBe(201);
    const { idToken, state } = await h.login({ claims: (c) => ({ ...c, [C.resourceLink]: { id: 'rl-mid' }, [C.custom]: { exam: exam.body.id } }) });
    const r = await h.postLaunch(idToken, state, 'text/html');
    expect(r.status, r.text).toBe(200);
    expect(r.text).toContain('<h1>Midterm &lt;1&gt;</h1>');
    // The exam page's own state and rules lines (src/pages/exam.ts).
    expect(r.text).toContain('<p>Open until 2099-06-01 12:00 UTC.</p>');
    const rules = /<p class="small">([^<]*submission[^<]*)<\/p>/.exec(r.text)?.[1]?.replace(/&#x27;/g, "'");
    expect(rules).toBe("1 submission per item; each step's status shown, scores at release");
  });

  it('serves KaTeX’s stylesheet and the fonts it names, and nothing else from the package', async () => {
    const css = await fetch(`${h.url}/assets/katex/katex.min.css`);
    expect(css.status).toBe(200);
    expect(css.headers.get('content-type')).toMatch(/^text\/css/);
    const text = await css.text();
    const font = /url\((fonts\/KaTeX_Main-Regular\.woff2)\)/.exec(text)![1];
    const f = await fetch(`${h.url}/assets/katex/${font}`);
    expect(f.status).toBe(200);
    expect(f.headers.get('content-type')).toBe('font/woff2');
    expect((await f.arrayBuffer()).byteLength).toBeGreaterThan(10_000);
    for (const path of ['/assets/katex/katex.js', '/assets/katex/..%2fpackage.json', '/assets/katex/fonts/..%2f..%2fpackage.json', '/assets/katex/fonts/KaTeX_Nope.woff2']) {
      expect((await fetch(h.url + path)).status, path).toBe(404);
    }
  });
});

describe('errors in a browser are pages', () => {
  it('answers a browser with an HTML error page, an API client with problem+json', async () => {
    const q = new URLSearchParams({ iss: 'https://unknown.example', login_hint: 'x', target_link_uri: `${h.url}/lti/launch` });
    const page = await h.call('GET', `/lti/login?${q}`, { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' });
    expect(page.status).toBe(404);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(page.text).toContain('no LTI platform is registered for issuer');
    expect(page.body).toBeUndefined(); // not JSON
    const api = await h.call('GET', `/lti/login?${q}`);
    expect(api.status).toBe(404);
    expect(api.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    const launch = await h.call('POST', '/lti/launch', { form: { state: 'nope', id_token: 'x' }, accept: 'text/html' });
    expect(launch.status).toBe(400);
    expect(launch.text).toContain('<h1>The activity could not open</h1>');
  });
});

describe('Canvas', () => {
  it('serves the developer key JSON with the tool URLs', async () => {
    const r = await h.call('GET', '/lti/canvas.json');
    expect(r.status, r.text).toBe(200);
    expect(r.body).toMatchObject({
      title: 'Stepwise',
      oidc_initiation_url: `${h.url}/lti/login`,
      target_link_uri: `${h.url}/lti/launch`,
      public_jwk_url: `${h.url}/lti/jwks`,
      scopes: [C.ags.replace('claim/endpoint', 'scope/score')],
    });
    expect(r.body.extensions[0]).toMatchObject({ platform: 'canvas.instructure.com', domain: new URL(h.url).host });
    expect(r.body.extensions[0].settings.placements.map((p: { placement: string }) => p.placement)).toContain('assignment_selection');
  });
});
