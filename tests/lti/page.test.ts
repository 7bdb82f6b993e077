/**
 * A resource link launch in a browser lands on the web pages' own question or exam page inside the
 * LMS's iframe: no cookie, the session a short-lived page token in the forms' hidden `_csrf`
 * field; the answer post grades, and the score reaches the platform (AGS) by the exam's rules.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { getTopic, solveProblem } from '../../src/engine.js';
import { startLti, type LtiHarness } from './harness.js';
import { C, ROLE } from './platform.js';

let h: LtiHarness;
beforeEach(async () => {
  h = await startLti();
});
afterEach(async () => {
  await h.close();
});

const decode = (s: string) => s.replace(/&quot;/g, '"').replace(/&#x27;/g, "'").replace(/&#x3D;/g, '=').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
const tokenOf = (html: string) => decode(/<input type="hidden" name="_csrf" value="([^"]+)">/.exec(html)![1]);
/** A form post from a page of the tool inside the iframe: no cookie, Origin the tool's. */
const post = (path: string, form: Record<string, string>, origin: string | null = h.url) =>
  fetch(h.url + path, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html', ...(origin ? { origin } : {}) },
    body: new URLSearchParams(form).toString(),
  });
/** Each step's answer as the text box takes it; `wrong` steps get 9s in the step's shape. */
function answerFields(topic: string, params: unknown, steps: string[], wrong: string[] = []): Record<string, string> {
  const values = new Map(solveProblem(topic, params as never).steps.map((s) => [s.id, s.value]));
  const nine = (x: unknown): unknown => (Array.isArray(x) ? x.map(nine) : 9);
  return Object.fromEntries(steps.map((s) => [`answers[${s}]`, JSON.stringify(wrong.includes(s) ? nine(values.get(s)) : values.get(s))]));
}

describe('a launch lands on the question page', () => {
  it('with labelled inputs and a hidden page token (no cookie, no key); the answer post grades and the score reaches the platform', async () => {
    const { idToken, state } = await h.login();
    const r = await h.postLaunch(idToken, state, 'text/html');
    expect(r.status, r.text).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/^text\/html/);
    // Framed by the platform only; no session cookie (only the login's state cookie is cleared).
    expect(r.headers.get('content-security-policy')).toMatch(new RegExp(`frame-ancestors 'self' ${h.platform.url}(;|$)`));
    expect(r.headers.get('x-frame-options')).toBeNull();
    expect(r.headers.getSetCookie().every((c) => c.startsWith(`lti_state_${state}=;`))).toBe(true);
    const variantId = /<form method="post" action="\/practice\/v\/([^"]+)" class="answers"/.exec(r.text)![1];
    const v = (await h.store.variants.get(variantId))!;
    const topic = getTopic(v.topic);
    expect(r.text).toContain(`<h1>${topic.title}</h1>`);
    // Each step: its label in the fieldset's legend, and an input labelled for it.
    for (const step of v.steps) {
      expect(decode(r.text)).toContain(`<span class="step-id">${step}</span>: ${topic.steps[step].label}`);
      const labelled = new RegExp(`<label for="([^"]+)">Your answer for ${step}</label>\\s*<input type="text" id="\\1" name="answers\\[${step}\\]"`).test(r.text);
      const cells = new RegExp(`name="answers\\[${step}\\]\\[0\\]" [^>]*aria-label="${step}, entry 1"`).test(r.text);
      expect(labelled || cells, step).toBe(true);
    }
    // The page token: hidden, a fresh random value, not the launch key, in no visible text or URL.
    const token = tokenOf(r.text);
    expect(token).toMatch(/^[\w-]{43}$/);
    const user = (await h.store.users.findByLti(h.platform.issuer, 'student-1'))!;
    const [key] = await h.store.keys.list(user.id);
    expect(r.text).not.toContain(key.prefix);
    expect(r.text).not.toMatch(/sw_[\w-]{10,}/);
    const visible = r.text.replace(/<script[\s\S]*?<\/script>/g, '').replace(/<[^>]*>/g, ' ');
    expect(visible).not.toContain(token);
    expect(r.text).not.toMatch(new RegExp(`(href|action|src)="[^"]*${token}`));
    // The token is no cookie: a browser presenting it as one is not signed in.
    const asCookie = await fetch(`${h.url}/`, { redirect: 'manual', headers: { cookie: `sw_session=${token}` } });
    expect(asCookie.status).toBe(303);
    expect(asCookie.headers.get('location')).toMatch(/^\/login/);

    // Answer in the iframe: every step right but the last.
    const last = v.steps[v.steps.length - 1];
    const answered = await post(`/practice/v/${variantId}`, { _csrf: token, action: 'submit', ...answerFields(v.topic, v.params, v.steps, [last]) });
    const page = await answered.text();
    expect(answered.status, page).toBe(200);
    expect(answered.headers.get('content-security-policy')).toMatch(new RegExp(`frame-ancestors 'self' ${h.platform.url}(;|$)`));
    for (const step of v.steps.slice(0, -1)) expect(page, step).toMatch(new RegExp(`data-step="${step}" data-status="correct"`));
    expect(page).toMatch(new RegExp(`data-step="${last}" data-status="incorrect"`));
    expect(tokenOf(page)).toBe(token); // the next post carries it again
    const [attempt] = await h.store.attempts.listByVariant(variantId);
    expect(attempt.maxScore).toBe(v.steps.length);
    expect(attempt.score).toBeCloseTo(v.steps.length - 1, 9);
    expect(page).toContain(`data-total="${v.steps.length - 1}/${v.steps.length}"`);
    // The score went back through AGS to the launch's line item (posted by the outbox's worker).
    await h.settled();
    expect(h.platform.scores).toHaveLength(1);
    expect(h.platform.scores[0]).toMatchObject({ path: '/lineitems/li-1/scores', query: '?course=1', tokenValid: true });
    expect(h.platform.scores[0].body).toMatchObject({ userId: 'student-1', scoreMaximum: v.steps.length, activityProgress: 'Completed', gradingProgress: 'FullyGraded' });
    expect(h.platform.scores[0].body.scoreGiven).toBeCloseTo(v.steps.length - 1, 9);

    // "Try again" posts the token too: the same variant, blank.
    const again = await post(`/practice/v/${variantId}`, { _csrf: token, action: 'again' });
    const againText = await again.text();
    expect(again.status).toBe(200);
    expect(againText).not.toContain('data-status=');
    expect(await h.store.attempts.listByVariant(variantId)).toHaveLength(1);
  });

  it('refuses a post without the token, from another site, or with a token of a cookie session', async () => {
    const { idToken, state } = await h.login();
    const r = await h.postLaunch(idToken, state, 'text/html');
    const variantId = /action="\/practice\/v\/([^"]+)"/.exec(r.text)![1];
    const token = tokenOf(r.text);
    const v = (await h.store.variants.get(variantId))!;
    const fields = answerFields(v.topic, v.params, v.steps);
    expect((await post(`/practice/v/${variantId}`, { action: 'submit', ...fields })).status).toBe(401);
    expect((await post(`/practice/v/${variantId}`, { _csrf: 'x'.repeat(43), action: 'submit', ...fields })).status).toBe(401);
    expect((await post(`/practice/v/${variantId}`, { _csrf: token, action: 'submit', ...fields }, 'https://evil.example')).status).toBe(403);
    expect((await post(`/practice/v/${variantId}`, { _csrf: token, action: 'submit', ...fields }, null)).status).toBe(403);
    expect(await h.store.attempts.listByVariant(variantId)).toEqual([]);
    expect(h.platform.scores).toEqual([]);
    // A cookie session's token in the body opens nothing either (the pages' own sign-in).
    const user = (await h.store.users.findByLti(h.platform.issuer, 'student-1'))!;
    const { key } = await h.store.keys.create({ userId: user.id, role: 'student', label: 'web' });
    const { token: cookieToken } = await h.store.webSessions.create({ userId: user.id, keyId: key.id, expiresAt: new Date(Date.now() + 60_000).toISOString() });
    expect((await post(`/practice/v/${variantId}`, { _csrf: cookieToken, action: 'submit', ...fields })).status).toBe(401);
  });
});

describe('an exam launch lands on the exam page', () => {
  it('shows the student’s version; a submit stays in the frame; the score is withheld until release, then posted', async () => {
    const exam = await h.call('POST', '/api/v1/exams', {
      key: h.instructor,
      body: { title: 'Midterm <1>', blueprint: [{ topic: 'kl-discrete', count: 2, difficulty: 'easy' }], versions: 1, feedback: 'status' },
    });
    expect(exam.status, exam.text).toBe(201);
    const { idToken, state } = await h.login({ claims: (c) => ({ ...c, [C.resourceLink]: { id: 'rl-mid' }, [C.custom]: { exam: exam.body.id } }) });
    const r = await h.postLaunch(idToken, state, 'text/html');
    expect(r.status, r.text).toBe(200);
    expect(r.text).toContain('<h1>Midterm &lt;1&gt;</h1>');
    expect(r.headers.get('content-security-policy')).toMatch(new RegExp(`frame-ancestors 'self' ${h.platform.url}(;|$)`));
    const items = await h.store.variants.listByExam(exam.body.id, 1);
    expect(items).toHaveLength(2);
    for (const [i, v] of items.entries()) {
      expect(r.text).toContain(`<h2 id="item-${i + 1}-h">Item ${i + 1}: ${getTopic(v.topic).title}</h2>`);
      expect(r.text).toContain(`action="/exams/${exam.body.id}/items/${v.id}"`);
    }
    const token = tokenOf(r.text);

    // A draft and then a submit, in the frame: the exam page comes back (no redirect to a GET the frame could not make).
    const fields = answerFields(items[0].topic, items[0].params, items[0].steps);
    const draft = await post(`/exams/${exam.body.id}/items/${items[0].id}`, { _csrf: token, action: 'draft', ...fields });
    expect(draft.status).toBe(200);
    expect(await draft.text()).toContain('Draft saved at');
    const sent = await post(`/exams/${exam.body.id}/items/${items[0].id}`, { _csrf: token, action: 'submit', ...fields });
    const page = await sent.text();
    expect(sent.status, page).toBe(200);
    expect(page).toContain('<h1>Midterm &lt;1&gt;</h1>');
    for (const step of items[0].steps) expect(page).toMatch(new RegExp(`data-step="${step}" data-status="correct"`));
    expect(page).not.toContain('data-total="3/3"'); // status feedback: no score before release
    expect(await h.store.attempts.listByVariant(items[0].id)).toHaveLength(1);
    expect(h.platform.scores).toEqual([]); // withheld while the feedback policy hides it
    const released = await h.call('POST', `/api/v1/exams/${exam.body.id}/release`, { key: h.instructor, body: { force: true } });
    expect(released.status, released.text).toBe(200);
    expect(h.platform.scores.map((s) => [s.body.userId, s.body.scoreGiven, s.body.scoreMaximum])).toEqual([['student-1', 3, 6]]);
  });
});

describe('an instructor’s exam launch', () => {
  it('lands on the exam page (version 1) without taking a place in the students’ rotation', async () => {
    const exam = await h.call('POST', '/api/v1/exams', { key: h.instructor, body: { title: 'Rotation', blueprint: [{ topic: 'kl-discrete', count: 1 }], versions: 2, seed: 5 } });
    expect(exam.status, exam.text).toBe(201);
    const code = await h.linkCode(exam.body.id);
    const teacher = await h.login({ claims: (c) => ({ ...c, sub: 'teacher-1', [C.roles]: [ROLE.instructor], [C.resourceLink]: { id: 'rl-rot' }, [C.custom]: { exam: exam.body.id, exam_code: code } }) });
    const page = await h.postLaunch(teacher.idToken, teacher.state, 'text/html');
    expect(page.status, page.text).toBe(200);
    const [v1] = await h.store.variants.listByExam(exam.body.id, 1);
    expect(page.text).toContain(`action="/exams/${exam.body.id}/items/${v1.id}"`);
    const user = (await h.store.users.findByLti(h.platform.issuer, 'teacher-1'))!;
    expect(await h.store.exams.assignment(exam.body.id, user.id)).toBeUndefined();
    // The first student still gets version 1 of the rotation.
    const student = await h.launch({ claims: (c) => ({ ...c, sub: 'student-r', [C.resourceLink]: { id: 'rl-rot' }, [C.custom]: { exam: exam.body.id } }) });
    expect(student.body.examVersion).toBe(1);
  });
});

describe('the pages’ rate limit inside an LMS', () => {
  it('counts each launch’s page token as its own session, not the school’s one address', async () => {
    await h.close();
    h = await startLti({ rateLimitPerMinute: 8 });
    const landed = [];
    for (const sub of ['student-a', 'student-b']) {
      const { idToken, state } = await h.login({ claims: (c) => ({ ...c, sub }) });
      const r = await h.postLaunch(idToken, state, 'text/html');
      expect(r.status, r.text).toBe(200);
      landed.push({ token: tokenOf(r.text), variantId: /action="\/practice\/v\/([^"]+)"/.exec(r.text)![1] });
    }
    const [a, b] = landed;
    const again = (x: { token: string; variantId: string }) => post(`/practice/v/${x.variantId}`, { _csrf: x.token, action: 'again' });
    for (let i = 0; i < 8; i++) expect((await again(a)).status, `post ${i + 1}`).toBe(200);
    expect((await again(a)).status).toBe(429);
    expect((await again(b)).status).toBe(200); // another student from the same address is not held back
  });
});
