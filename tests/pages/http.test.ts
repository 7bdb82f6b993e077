/**
 * The web pages without JavaScript: sign-in (cookie, hashing, rotation), CSRF and origin checks,
 * the home page, the question page's inputs, and full-page form posts that check a step, refuse an
 * unreadable entry without grading it, and submit all with an early slip carried forward.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { builtInBank } from '../../src/bank/bank.js';
import { listTopics } from '../../src/engine.js';
import type { Harness } from '../api/harness.js';
import { client, gridFields, selfAttentionChain, signIn, startPages } from './harness.js';
import { ON_POSTGRES } from '../api/harness.js';

let h: Harness;
beforeEach(async () => {
  h = await startPages();
});
afterEach(async () => {
  await h.close();
});

const variantIdOf = (html: string) => /action="\/practice\/v\/([^"]+)"/.exec(html)![1];

describe('sign-in', () => {
  it.skipIf(ON_POSTGRES)('gives an httpOnly SameSite=Lax session cookie that is not the key, stores only its hash, and rotates it at each sign-in', async () => {
    const s = await h.student('Ada');
    const c = client(h);
    const login = await c.get('/login');
    expect(login.status).toBe(200);
    expect(login.headers.get('content-security-policy')).toMatch(/script-src 'nonce-[^']+'/);
    const r = await c.post('/login', { key: s.key, next: '/practice/kl-discrete' });
    expect(r.status).toBe(303);
    expect(r.headers.get('location')).toBe('/practice/kl-discrete');
    const set = r.headers.getSetCookie();
    expect(set).toHaveLength(1);
    expect(set[0]).toMatch(/^sw_session=[\w-]{40,}; Path=\/; Max-Age=28800; HttpOnly; SameSite=Lax$/);
    const first = c.cookie!;
    expect(first).not.toContain(s.key);
    const rows = h.store.db.prepare('SELECT token_hash FROM web_sessions').all() as { token_hash: string }[];
    expect(rows).toHaveLength(1);
    expect(rows[0].token_hash).not.toBe(first.split('=')[1]);
    expect((await c.get('/')).status).toBe(200);
    // Signing in again (same browser) issues a new token and ends the old one.
    await c.post('/login', { key: s.key });
    expect(c.cookie).not.toBe(first);
    const old = client(h);
    old.cookie = first;
    expect((await old.get('/')).status).toBe(303);
    expect((await c.get('/')).status).toBe(200);
  });

  it('over https (the public URL): a __Host- cookie with Secure, and the public origin is the one accepted', async () => {
    const https = await startPages({ baseUrl: 'https://sw.example.edu' });
    try {
      const s = await https.student();
      const c = client(https);
      const r = await c.post('/login', { key: s.key }, { origin: 'https://sw.example.edu' });
      expect(r.status).toBe(303);
      expect(r.headers.getSetCookie()[0]).toMatch(/^__Host-sw_session=[\w-]+; Path=\/; Max-Age=28800; HttpOnly; Secure; SameSite=Lax$/);
      const home = await c.get('/');
      expect(home.status).toBe(200);
      expect(home.headers.get('x-frame-options')).toBe('DENY');
      expect((await c.post('/logout', { _csrf: c.csrf(home.text) }, { origin: 'https://evil.example.edu' })).status).toBe(403);
    } finally {
      await https.close();
    }
  });

  it('refuses a wrong key without a cookie, a post from another site, and a post with no Origin or Referer', async () => {
    const s = await h.student();
    const c = client(h);
    const bad = await c.post('/login', { key: 'sw_nope' });
    expect(bad.status).toBe(401);
    expect(bad.text).toContain('unknown, revoked or expired');
    expect(bad.text).not.toContain('sw_nope');
    expect(bad.headers.getSetCookie()).toEqual([]);
    expect((await c.post('/login', { key: s.key }, { origin: 'https://evil.example' })).status).toBe(403);
    expect((await c.post('/login', { key: s.key }, { origin: null })).status).toBe(403);
    expect(c.cookie).toBeUndefined();
  });

  it('sends a signed-out browser to /login with where it was going; /logout ends the session', async () => {
    const s = await h.student();
    const anon = await client(h).get('/practice/kl-discrete?seed=3');
    expect(anon.status).toBe(303);
    expect(anon.headers.get('location')).toBe('/login?next=%2Fpractice%2Fkl-discrete%3Fseed%3D3');
    const c = await signIn(h, s.key);
    const home = await c.get('/');
    const token = c.cookie!;
    expect((await c.post('/logout', { _csrf: 'wrong' })).status).toBe(403);
    const out = await c.post('/logout', { _csrf: c.csrf(home.text) });
    expect(out.status).toBe(303);
    expect(c.cookie).toBeUndefined();
    const again = client(h);
    again.cookie = token;
    expect((await again.get('/')).status).toBe(303);
  });

  it('a revoked key ends its sessions', async () => {
    const s = await h.student();
    const c = await signIn(h, s.key);
    expect((await c.get('/')).status).toBe(200);
    const keys = await h.store.keys.list(s.id);
    await h.store.keys.revoke(keys[0].id);
    expect((await c.get('/')).status).toBe(303);
  });
});

describe('limits', () => {
  it('limits requests per minute per session (or address) with a 429 page', async () => {
    const limited = await startPages({ rateLimitPerMinute: 3 });
    try {
      const c = client(limited);
      for (let i = 0; i < 3; i++) expect((await c.get('/login')).status).toBe(200);
      const r = await c.get('/login');
      expect(r.status).toBe(429);
      expect(r.text).toContain('Wait a minute');
      // The API's own limit is separate.
      expect((await fetch(`${limited.url}/healthz`)).status).toBe(200);
    } finally {
      await limited.close();
    }
  });
});

describe('home', () => {
  it('lists every topic with a mastery meter, a weakest-topic button and recent attempts', async () => {
    const s = await h.student();
    const c = await signIn(h, s.key);
    const home = await c.get('/');
    expect(home.text).toContain('data-topic="self-attention"');
    expect(home.text).toMatch(/<meter [^>]*aria-label="Mastery of [^"]+"/);
    expect(home.text).toContain('No attempts yet');
    const next = await c.post('/practice/weakest', { _csrf: c.csrf(home.text) });
    expect(next.status).toBe(303);
    expect(next.headers.get('location')).toMatch(/^\/practice\/v\/var_/);
    const page = await c.get(next.headers.get('location')!);
    expect(page.status).toBe(200);
  });

  it('counts an attempt at a bank question towards its topic, and lists it under recent attempts', async () => {
    const s = await h.student();
    const c = await signIn(h, s.key);
    const page = await c.get('/practice/kl-discrete-bits');
    expect(page.status).toBe(200);
    const v = (await h.store.variants.get(variantIdOf(page.text)))!;
    expect(v.question).toBe('kl-discrete-bits');
    const field = /data-kind="scalar">[\s\S]*?name="(answers\[[^\]]+\])"/.exec(page.text)![1];
    const r = await c.post(`/practice/v/${v.id}`, { _csrf: c.csrf(page.text), action: 'submit', [field]: '0' });
    expect(r.status).toBe(200);
    const home = await c.get('/');
    expect(home.text).toMatch(/data-topic="kl-discrete">[\s\S]*?mastery over 1 question</);
    expect(home.text).toContain(`href="/practice/v/${v.id}"`);
  });
});

describe('the question page', () => {
  it('renders KaTeX (HTML and MathML) and one grid per matrix step with labelled cells', async () => {
    const s = await h.student();
    const c = await signIn(h, s.key);
    const page = await c.get('/practice/self-attention?seed=1');
    expect(page.status).toBe(200);
    expect(page.text).toContain('class="katex"');
    expect(page.text).toContain('<math');
    // X is 3 × 4 and W_Q 4 × 2 for seed 1 (see the prompt): Q is 3 × 2.
    expect(page.text).toContain('name="answers[Q][0][1]"');
    expect(page.text).toContain('aria-label="Q, row 1, column 2"');
    expect(page.text).toContain('name="answers[Q][2][1]"');
    expect(page.text).not.toContain('name="answers[Q][3][0]"');
    expect(page.text).toContain('<details class="hint">');
    // Q's hint: its formula and the given X and W_Q it reads, typeset (annotation = the TeX source);
    // the matrices themselves are in the prompt, not repeated in the hint.
    const qHint = /<summary>Hint for Q<\/summary>([\s\S]*?)<\/details>/.exec(page.text)![1];
    expect(qHint).toContain('<annotation encoding="application/x-tex">Q = X W_Q</annotation>');
    expect(qHint).toMatch(/Uses the given [\s\S]*<annotation encoding="application\/x-tex">X<\/annotation>[\s\S]*<annotation encoding="application\/x-tex">W_\{Q\}<\/annotation>[\s\S]*\(shown in the problem\)/);
    expect(qHint).not.toContain('bmatrix');
    // A new variant each visit without a seed.
    const a = variantIdOf((await c.get('/practice/kl-discrete')).text);
    const b = variantIdOf((await c.get('/practice/kl-discrete')).text);
    expect(a).not.toBe(b);
  });

  it('renders every topic and bank question (no 500 for any shape of params)', async () => {
    const s = await h.student();
    const c = await signIn(h, s.key);
    const refs = [...listTopics().map((t) => t.id), ...builtInBank().questions.keys()];
    for (const ref of refs) {
      const r = await c.get(`/practice/${ref}?seed=3`);
      expect(r.status, `${ref}: ${r.text.slice(0, 300)}`).toBe(200);
      expect(r.text).toContain('<details class="hint">');
    }
  }, 30_000);

  it('offers the allowed labels as a choice for a label step', async () => {
    const s = await h.student();
    const c = await signIn(h, s.key);
    const page = await c.get('/practice/bayes-classification?seed=2');
    expect(page.text).toMatch(/<select id="in-\d+" name="answers\[decision\]">/);
  });

  it('refuses an unknown topic and a bad seed with a page, not a 500', async () => {
    const s = await h.student();
    const c = await signIn(h, s.key);
    const unknown = await c.get('/practice/no-such-topic');
    expect(unknown.status).toBe(404);
    expect(unknown.text).toContain('neither a topic nor a question id');
    expect((await c.get('/practice/kl-discrete?seed=abc')).status).toBe(422);
  });

  it('refuses a seed that is an unreleased exam item, as the API does', async () => {
    const s = await h.student();
    const exam = await h.call('POST', '/api/v1/exams', { key: h.instructor, body: { title: 'Quiz', blueprint: [{ topic: 'kl-discrete', count: 1, difficulty: 'easy' }], versions: 1, seed: 7 } });
    expect(exam.status).toBe(201);
    const item = (await h.call('GET', `/api/v1/exams/${exam.body.id}/versions`, { key: h.instructor })).body[0].variants[0];
    const c = await signIn(h, s.key);
    const r = await c.get(`/practice/kl-discrete?seed=${item.seed}&difficulty=easy`);
    expect(r.status).toBe(403);
    expect(r.text).toContain('have not been released');
  });
});

describe('answering without JavaScript', () => {
  async function selfAttention(c: Awaited<ReturnType<typeof signIn>>) {
    // A non-causal problem (the hand-written chain below has no mask).
    for (let seed = 1; ; seed++) {
      const page = await c.get(`/practice/self-attention?seed=${seed}`);
      const id = variantIdOf(page.text);
      const v = (await h.store.variants.get(id))!;
      if (!(v.params as { causal?: boolean }).causal) return { page, v, csrf: c.csrf(page.text) };
    }
  }

  it('an unreadable entry is named and nothing is graded or stored', async () => {
    const s = await h.student();
    const c = await signIn(h, s.key);
    const { v, csrf } = await selfAttention(c);
    const chain = selfAttentionChain(v.params as never);
    const fields = { ...gridFields('Q', chain.Q), ...gridFields('K', chain.K) };
    fields['answers[K][1][0]'] = '2*/3';
    const before = await h.store.attempts.count();
    const r = await c.post(`/practice/v/${v.id}`, { _csrf: csrf, action: 'submit', ...fields });
    expect(r.status).toBe(422);
    expect(r.text).toMatch(/data-step="K" data-status="invalid"/);
    expect(r.text).toContain('cannot read');
    expect(r.text).toContain('Nothing was graded or recorded');
    expect(r.text).not.toContain('data-status="correct"');
    expect(await h.store.attempts.count()).toBe(before);
    // What was typed is kept for fixing.
    expect(r.text).toContain('value="2*/3"');
  });

  it('checks one step without storing, and submits all: an early slip in Q is carried through the later steps', async () => {
    const s = await h.student();
    const c = await signIn(h, s.key);
    const { v, csrf } = await selfAttention(c);
    const slip = selfAttentionChain(v.params as never, (q) => q.map((r, i) => r.map((x, j) => (i === 0 && j === 0 ? x + 1 : x))));
    const fields: Record<string, string> = {};
    for (const step of v.steps) Object.assign(fields, gridFields(step, slip[step as keyof typeof slip]));
    const before = await h.store.attempts.count();
    const check = await c.post(`/practice/v/${v.id}`, { _csrf: csrf, action: 'check:scores', ...fields });
    expect(check.status).toBe(200);
    expect(check.text).toMatch(/data-step="scores" data-status="carried"/);
    expect(check.text).toContain('follows from your own Q and K');
    expect(check.text).not.toMatch(/data-step="Q" data-status=/);
    expect(await h.store.attempts.count()).toBe(before);

    const r = await c.post(`/practice/v/${v.id}`, { _csrf: csrf, action: 'submit', ...fields });
    expect(r.status).toBe(200);
    expect(await h.store.attempts.count()).toBe(before + 1);
    expect(r.text).toMatch(/data-step="Q" data-status="(incorrect|partial)"/);
    for (const step of ['K', 'V']) expect(r.text).toMatch(new RegExp(`data-step="${step}" data-status="correct"`));
    for (const step of ['scores', 'scaled_scores', 'weights', 'attention_output', 'output']) {
      expect(r.text).toMatch(new RegExp(`data-step="${step}" data-status="carried"`));
    }
    // Q has one wrong cell of six: partial credit (5/6 of its mark), the seven other steps full marks.
    const q = /data-step="Q" data-status="partial">\s*<p>.*credit ([\d.]+)\/1</.exec(r.text);
    expect(q, 'Q is partial with a credit').not.toBeNull();
    expect(Number(q![1])).toBeCloseTo(5 / 6, 2);
    expect(r.text).toContain('Partly right');
    const total = /Total: <strong>([\d.]+)\/8<\/strong>/.exec(r.text);
    expect(Number(total![1])).toBeCloseTo(7 + 5 / 6, 2);
    expect(r.text).toContain('Worked solution');
    // Try again (same variant) and a new variant.
    expect(r.text).toContain(`href="/practice/v/${v.id}"`);
    expect(r.text).toContain('href="/practice/self-attention"');
  });

  it('refuses a form post without the CSRF token or from another site', async () => {
    const s = await h.student();
    const c = await signIn(h, s.key);
    const page = await c.get('/practice/kl-discrete?seed=5');
    const id = variantIdOf(page.text);
    expect((await c.post(`/practice/v/${id}`, { action: 'submit' })).status).toBe(403);
    expect((await c.post(`/practice/v/${id}`, { _csrf: c.csrf(page.text), action: 'submit' }, { origin: 'http://evil.example' })).status).toBe(403);
    expect(await h.store.attempts.count()).toBe(0);
  });

  it("a student cannot open another student's practice... variant of an unreleased exam", async () => {
    const s = await h.student();
    const exam = await h.call('POST', '/api/v1/exams', { key: h.instructor, body: { title: 'Quiz', blueprint: [{ topic: 'kl-discrete', count: 1, difficulty: 'easy' }], versions: 1, seed: 7 } });
    const item = (await h.call('GET', `/api/v1/exams/${exam.body.id}/versions`, { key: h.instructor })).body[0].variants[0];
    const c = await signIn(h, s.key);
    const r = await c.get(`/practice/v/${item.id}`);
    expect(r.status).toBe(403);
    expect(r.text).not.toContain('answers[');
  });
});

describe('the preview endpoint', () => {
  it('reads an entry with the grader’s reader and returns TeX and KaTeX HTML; says why when it cannot', async () => {
    const s = await h.student();
    const c = await signIn(h, s.key);
    const page = await c.get('/practice/kl-discrete?seed=5');
    const id = variantIdOf(page.text);
    const csrf = /name="csrf-token" content="([^"]+)"/.exec(page.text)![1];
    const post = (body: unknown, token = csrf) =>
      fetch(`${h.url}/pages/preview`, { method: 'POST', headers: { 'content-type': 'application/json', cookie: c.cookie!, origin: h.url, 'x-csrf-token': token }, body: JSON.stringify(body) });
    const v = (await h.store.variants.get(id))!;
    const scalar = v.steps.find((st) => !['p', 'q'].includes(st) && /kl|divergence/i.test(st)) ?? v.steps[v.steps.length - 1];
    const ok = await post({ variant: id, step: scalar, answer: 'sqrt(2)/2' });
    expect(ok.status).toBe(200);
    const j = (await ok.json()) as { ok: boolean; tex: string; html: string };
    expect(j.ok).toBe(true);
    expect(Number(j.tex)).toBeCloseTo(Math.SQRT1_2, 4);
    expect(j.html).toContain('class="katex"');
    const bad = (await (await post({ variant: id, step: scalar, answer: '1+' })).json()) as { ok: boolean; reason: string };
    expect(bad.ok).toBe(false);
    expect(bad.reason).toMatch(/cannot read/);
    expect((await post({ variant: id, step: scalar, answer: '1' }, 'wrong')).status).toBe(403);
    expect(await h.store.attempts.count()).toBe(0);
  });

  it('answers a malformed body or too many fields with the reason, not a 500', async () => {
    const s = await h.student();
    const c = await signIn(h, s.key);
    const page = await c.get('/practice/kl-discrete?seed=5');
    const csrf = /name="csrf-token" content="([^"]+)"/.exec(page.text)![1];
    const bad = await fetch(`${h.url}/pages/preview`, { method: 'POST', headers: { 'content-type': 'application/json', cookie: c.cookie!, origin: h.url, 'x-csrf-token': csrf }, body: '{"variant":' });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { ok: boolean }).ok).toBe(false);
    const many = Object.fromEntries(Array.from({ length: 2100 }, (_x, i) => [`f${i}`, '1']));
    const r = await c.post(`/practice/v/${variantIdOf(page.text)}`, { _csrf: c.csrf(page.text), ...many });
    expect(r.status).toBe(413);
    expect(r.text).toContain('too many parameters');
  });

  it('serves the pages’ stylesheet and script with cache headers', async () => {
    const css = await fetch(`${h.url}/pages/assets/pages.css`);
    expect(css.status).toBe(200);
    expect(css.headers.get('cache-control')).toBe('public, max-age=3600');
    expect(css.headers.get('content-type')).toMatch(/^text\/css/);
    expect((await fetch(`${h.url}/pages/assets/../package.json`)).status).toBe(404);
  });
});

describe('the exam page', () => {
  async function exam(rules: Record<string, unknown> = {}) {
    const r = await h.call('POST', '/api/v1/exams', {
      key: h.instructor,
      body: { title: 'Quiz 1', blueprint: [{ topic: 'diffusion-step', count: 1, difficulty: 'easy' }, { topic: 'kl-discrete', count: 1, difficulty: 'easy' }], versions: 2, seed: 11, ...rules },
    });
    expect(r.status, r.text).toBe(201);
    return r.body.id as string;
  }

  it('keeps a draft on the server, submits an item under the exam rules, and shows no answers before release', async () => {
    const id = await exam();
    const s = await h.student();
    const c = await signIn(h, s.key);
    const page = await c.get(`/exams/${id}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('Quiz 1');
    const actions = [...page.text.matchAll(/action="(\/exams\/[^"]+\/items\/[^"]+)"/g)].map((m) => m[1]);
    expect(actions).toHaveLength(2);
    // Each item's own version variant; ids unique across the two items.
    const ids = [...page.text.matchAll(/ id="([^"]+)"/g)].map((m) => m[1]);
    expect(new Set(ids).size).toBe(ids.length);
    expect(page.text).not.toContain('Hint for');
    // A draft without JavaScript: "Save draft" posts and comes back; the value is restored.
    const csrf = c.csrf(page.text);
    const firstStep = /name="(answers\[[^\]]+\])"/.exec(page.text)![1];
    const saved = await c.post(actions[0], { _csrf: csrf, action: 'draft', [firstStep]: '0.123' });
    expect(saved.status).toBe(303);
    expect((await c.get(`/exams/${id}`)).text).toContain('value="0.123"');
    // The same as JSON (the page's autosave).
    const auto = await fetch(h.url + actions[0], { method: 'POST', headers: { cookie: c.cookie!, origin: h.url, accept: 'application/json', 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ _csrf: csrf, action: 'draft', [firstStep]: '0.456' }) });
    expect(auto.status).toBe(200);
    expect(((await auto.json()) as { ok: boolean }).ok).toBe(true);
    expect((await c.get(`/exams/${id}`)).text).toContain('value="0.456"');
    expect(await h.store.attempts.count()).toBe(0);
    // Submit: stored, a receipt (feedback none), no statuses, no solution.
    const sub = await c.post(actions[0], { _csrf: csrf, action: 'submit', [firstStep]: '0.456' });
    expect(sub.status).toBe(303);
    expect(await h.store.attempts.count()).toBe(1);
    const after = await c.get(`/exams/${id}`);
    expect(after.text).toContain('Your answers are recorded');
    expect(after.text).not.toMatch(/data-status="(correct|incorrect|carried|partial)"/);
    expect(after.text).not.toContain('Worked solution');
    // What was submitted stays in view, read-only now that the one submission is used.
    expect(after.text).toContain('value="0.456"');
    expect(after.text).toContain('You have used your submission for this item.');
    expect(after.text).toMatch(/<fieldset class="step" id="i1-step-[^"]+" data-step-input="[^"]+" data-kind="[a-z]+" disabled>/);
    // The attempt limit (1) is the service's: a second submission is refused, nothing stored.
    const again = await c.post(actions[0], { _csrf: csrf, action: 'submit', [firstStep]: '0.5' });
    expect(again.status).toBe(409);
    expect(await h.store.attempts.count()).toBe(1);
    // Released: statuses and the worked solution; no more forms.
    expect((await h.call('POST', `/api/v1/exams/${id}/release`, { key: h.instructor, body: { force: true } })).status).toBe(200);
    const released = await c.get(`/exams/${id}`);
    expect(released.text).toMatch(/data-status="(correct|incorrect|partial)"/);
    expect(released.text).toContain('Worked solution');
    expect(released.text).not.toContain('<form method="post" action="/exams/');
  });

  it('shows nothing of an exam before it opens, and refuses an item of another version', async () => {
    const id = await exam({ opensAt: new Date(Date.now() + 3_600_000).toISOString() });
    const s = await h.student();
    const c = await signIn(h, s.key);
    const r = await c.get(`/exams/${id}`);
    expect(r.status).toBe(409);
    expect(r.text).toContain('this exam opens at');
    expect(r.text).not.toContain('answers[');

    const open = await exam();
    const page = await c.get(`/exams/${open}`);
    const mine = [...page.text.matchAll(/items\/([^"]+)"/g)].map((m) => m[1]);
    const all = (await h.call('GET', `/api/v1/exams/${open}/versions`, { key: h.instructor })).body as { variants: { id: string }[] }[];
    const other = all.flatMap((x) => x.variants.map((v) => v.id)).find((x) => !mine.includes(x))!;
    const refused = await c.post(`/exams/${open}/items/${other}`, { _csrf: c.csrf(page.text), action: 'draft' });
    expect(refused.status).toBe(404);
  });
});
