/** LTI 1.3 launches against a simulated platform: verification, users, targets and grade passback. */
import { SqliteStore } from '../../src/store/sqlite/index.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { solveProblem } from '../../src/engine.js';
import { variantMaxScore } from '../../src/lti/targets.js';
import { startLti, type LtiHarness } from './harness.js';
import { C, makeKeys, ROLE, SCOPE_SCORE } from './platform.js';
import { ON_POSTGRES } from '../api/harness.js';

let h: LtiHarness;
beforeEach(async () => {
  h = await startLti();
});
afterEach(async () => {
  await h.close();
});

/** Correct answers for every step but the last, which is wrong. */
async function answersFor(key: string, variantId: string): Promise<Record<string, unknown>> {
  const v = await h.call('GET', `/api/v1/variants/${variantId}`, { key });
  expect(v.status).toBe(200);
  const steps = solveProblem(v.body.topic, v.body.params).steps.filter((s) => v.body.steps.includes(s.id));
  const answers: Record<string, unknown> = Object.fromEntries(steps.map((s) => [s.id, s.value]));
  answers[steps[steps.length - 1].id] = 12345;
  return answers;
}

describe('a full launch', () => {
  it('logs in, launches a topic, and posts the graded attempt to the line item', async () => {
    const r = await h.launch();
    expect(r.status, r.text).toBe(200);
    expect(r.body).toMatchObject({ role: 'student', target: { kind: 'topic', id: 'kl-discrete' }, lineItem: h.platform.lineItemUrl('li-1') });
    expect(r.body.prompt).toContain('KL');
    const { variantId, apiKey, userId } = r.body;

    // The launch made a Stepwise user for (iss, sub) and a practice variant of the topic.
    const user = await h.store.users.findByLti(h.platform.issuer, 'student-1');
    expect(user).toMatchObject({ id: userId, name: 'Ada Student', role: 'student' });
    const me = await h.call('GET', '/api/v1/users/me', { key: apiKey });
    expect(me.body.id).toBe(userId);
    const keys = await h.store.keys.list(userId);
    expect(keys).toHaveLength(1);
    expect(keys[0].label).toBe('LTI launch');
    const ttl = Date.parse(keys[0].expiresAt!) - Date.now();
    expect(ttl).toBeGreaterThan(119 * 60_000);
    expect(ttl).toBeLessThanOrEqual(120 * 60_000);

    const attempt = await h.call('POST', `/api/v1/variants/${variantId}/attempts`, { key: apiKey, body: { answers: await answersFor(apiKey, variantId) } });
    expect(attempt.status, attempt.text).toBe(201);
    expect(attempt.body.score).toBeGreaterThan(0);
    expect(attempt.body.score).toBeLessThan(attempt.body.maxScore);

    expect(h.platform.scores).toHaveLength(1);
    const s = h.platform.scores[0];
    expect(s.path).toBe('/lineitems/li-1/scores');
    expect(s.query).toBe('?course=1');
    expect(s.contentType).toBe('application/vnd.ims.lis.v1.score+json');
    expect(s.tokenValid).toBe(true);
    expect(s.body).toEqual({
      userId: 'student-1',
      scoreGiven: attempt.body.score,
      scoreMaximum: attempt.body.maxScore,
      activityProgress: 'Completed',
      gradingProgress: 'FullyGraded',
      timestamp: attempt.body.createdAt,
    });
    // The token came from a client_assertion the platform verified against the tool's JWKS.
    expect(h.platform.tokenRequests).toEqual([expect.objectContaining({ ok: true, scope: SCOPE_SCORE })]);
    expect(h.platform.tokenRequests[0].assertion).toMatchObject({ iss: h.platform.clientId, sub: h.platform.clientId, aud: h.platform.tokenUrl });

    const posts = await h.store.lti.scorePosts(attempt.body.id);
    expect(posts).toEqual([expect.objectContaining({ url: `${h.platform.url}/lineitems/li-1/scores?course=1`, status: 204, scoreGiven: attempt.body.score })]);
    expect(posts[0].error).toBeUndefined();
  });

  it('reuses the access token for the next score and launches the same user again', async () => {
    const first = await h.launch();
    const second = await h.launch();
    expect(second.status).toBe(200);
    expect(second.body.userId).toBe(first.body.userId);
    expect(second.body.variantId).not.toBe(first.body.variantId);
    for (const r of [first, second]) {
      const a = await h.call('POST', `/api/v1/variants/${r.body.variantId}/attempts`, { key: r.body.apiKey, body: { answers: {} } });
      expect(a.status).toBe(201);
    }
    expect(h.platform.scores.map((s) => s.body.scoreGiven)).toEqual([0, 0]);
    expect(h.platform.tokenRequests).toHaveLength(1);
  });

  it('answers with an HTML page showing the problem, everything escaped, and never the key in its text', async () => {
    const { idToken, state } = await h.login({ claims: (c) => ({ ...c, [C.resourceLink]: { id: 'rl-html', title: '<script>alert(1)</script>' } }) });
    const r = await h.postLaunch(idToken, state, 'text/html');
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/^text\/html/);
    const variant = /data-variant="([^"]+)"/.exec(r.text)?.[1];
    expect(variant).toMatch(/^var_/);
    const key = (await h.store.keys.list((await h.store.users.findByLti(h.platform.issuer, 'student-1'))!.id))[0];
    const visible = r.text.replace(/<script[\s\S]*?<\/script>/g, '');
    expect(visible).not.toContain(key.prefix);
    expect(r.text).not.toContain('id="api-key"');
    expect(r.text).toContain('<math'); // the prompt, typeset
    expect(r.text).not.toContain('<script>alert');
    const csp = r.headers.get('content-security-policy')!;
    expect(csp).toContain(`frame-ancestors 'self' ${h.platform.url}`);
    expect(csp).toMatch(/script-src 'nonce-/);
    expect(r.headers.get('x-frame-options')).toBeNull();
  });

  it('gives an exam target the student their exam version', async () => {
    const exam = await h.call('POST', '/api/v1/exams', {
      key: h.instructor,
      body: { title: 'Midterm', blueprint: [{ topic: 'kl-discrete', count: 2 }], versions: 2, seed: 11, feedback: 'full' },
    });
    expect(exam.status, exam.text).toBe(201);
    const examClaims = (sub: string) => (c: Record<string, unknown>) => ({ ...c, sub, [C.resourceLink]: { id: 'rl-exam' }, [C.custom]: { exam: exam.body.id } });
    const a = await h.launch({ claims: examClaims('student-a') });
    const b = await h.launch({ claims: examClaims('student-b') });
    for (const r of [a, b]) {
      expect(r.status, r.text).toBe(200);
      const mine = await h.call('GET', `/api/v1/exams/${exam.body.id}/my-version`, { key: r.body.apiKey });
      expect(r.body).toMatchObject({ examId: exam.body.id, examVersion: mine.body.version, target: { kind: 'exam', id: exam.body.id } });
      expect(r.body.variantIds).toEqual(mine.body.variants.map((v: { id: string }) => v.id));
      expect(r.body.variantId).toBe(r.body.variantIds[0]);
    }
    expect(new Set([a.body.examVersion, b.body.examVersion])).toEqual(new Set([1, 2])); // numbered from 1
    // A second launch keeps the version.
    const again = await h.launch({ claims: examClaims('student-a') });
    expect(again.body.examVersion).toBe(a.body.examVersion);

    // One item answered: the line item gets the exam total so far, out of the whole version.
    const item = a.body.variantIds[0];
    const att = await h.call('POST', `/api/v1/variants/${item}/attempts`, { key: a.body.apiKey, body: { answers: await answersFor(a.body.apiKey, item) } });
    expect(att.status).toBe(201);
    const other = await h.store.variants.get(a.body.variantIds[1]);
    const otherMax = variantMaxScore(other!);
    expect(h.platform.scores.map((s) => s.body)).toEqual([
      expect.objectContaining({ userId: 'student-a', scoreGiven: att.body.score, scoreMaximum: att.body.maxScore + otherMax, activityProgress: 'InProgress', gradingProgress: 'FullyGraded' }),
    ]);
  });

  it('shows a student no exam problem before the exam opens, and gives no version', async () => {
    const opensAt = new Date(Date.now() + 3_600_000).toISOString();
    const exam = await h.call('POST', '/api/v1/exams', {
      key: h.instructor,
      body: { title: 'Later', blueprint: [{ topic: 'kl-discrete', count: 1 }], versions: 2, seed: 5, opensAt },
    });
    expect(exam.status, exam.text).toBe(201);
    const r = await h.launch({ claims: (c) => ({ ...c, sub: 'early-bird', [C.resourceLink]: { id: 'rl-later' }, [C.custom]: { exam: exam.body.id } }) });
    expect(r.status, r.text).toBe(409);
    expect(r.body.code).toBe('exam_not_open');
    expect(r.text).not.toContain('variantIds');
    expect(await h.store.exams.assignments(exam.body.id)).toEqual([]);
  });

  it('takes difficulty from a custom parameter and keeps the target of a link launched before', async () => {
    const first = await h.launch({ claims: (c) => ({ ...c, [C.resourceLink]: { id: 'rl-keep' }, [C.custom]: { question: 'kl-discrete-bits' } }) });
    expect(first.status, first.text).toBe(200);
    const later = await h.launch({ claims: (c) => ({ ...c, [C.resourceLink]: { id: 'rl-keep' }, [C.custom]: undefined }) });
    expect(later.status, later.text).toBe(200);
    expect(later.body.target).toEqual({ kind: 'question', id: 'kl-discrete-bits' });
    const hard = await h.launch({ claims: (c) => ({ ...c, [C.custom]: { topic: 'kl-discrete', difficulty: 'hard' } }) });
    expect((await h.store.variants.get(hard.body.variantId))?.difficulty).toBe('hard');
  });
});

describe('roles', () => {
  it('makes an instructor of an Instructor role, and posts no instructor grades', async () => {
    const r = await h.launch({ claims: (c) => ({ ...c, sub: 'teacher-1', name: 'Prof. T', [C.roles]: [ROLE.instructor] }) });
    expect(r.status, r.text).toBe(200);
    expect(r.body.role).toBe('instructor');
    expect(r.body.lineItem).toBeUndefined();
    expect(await h.store.users.findByLti(h.platform.issuer, 'teacher-1')).toMatchObject({ role: 'instructor', name: 'Prof. T' });
    // A launch key is scoped to its resource link: no server-wide instructor rights.
    expect((await h.call('GET', '/api/v1/lti/platforms', { key: r.body.apiKey })).status).toBe(403);
    const a = await h.call('POST', `/api/v1/variants/${r.body.variantId}/attempts`, { key: r.body.apiKey, body: { answers: {} } });
    expect(a.status).toBe(201);
    expect(h.platform.scores).toHaveLength(0);
  });

  it('makes a student of a Learner (and of a teaching assistant sub-role)', async () => {
    for (const [sub, roles] of [
      ['learner-2', [ROLE.learner]],
      ['ta-1', [ROLE.ta]],
      ['nobody-1', []],
    ] as const) {
      const r = await h.launch({ claims: (c) => ({ ...c, sub, [C.roles]: roles }) });
      expect(r.status, r.text).toBe(200);
      expect(r.body.role).toBe('student');
      expect((await h.store.users.findByLti(h.platform.issuer, sub))?.role).toBe('student');
      expect((await h.call('GET', '/api/v1/lti/platforms', { key: r.body.apiKey })).status).toBe(403);
    }
  });
});

describe('replays', () => {
  it('refuses the same state twice', async () => {
    const first = await h.launch();
    expect(first.status).toBe(200);
    const again = await h.postLaunch(first.idToken, first.state);
    expect(again.status).toBe(400);
    expect(again.body).toMatchObject({ code: 'invalid_state' });
    expect(again.body.detail).toMatch(/used already/);
  });

  it('refuses a replayed id_token with a fresh state: its nonce is not the new login’s', async () => {
    const first = await h.launch();
    expect(first.status).toBe(200);
    const { state } = await h.login();
    const replay = await h.postLaunch(first.idToken, state);
    expect(replay.status).toBe(401);
    expect(replay.body).toMatchObject({ code: 'invalid_nonce' });
  });

  it('refuses a nonce used before even under a state that carries it', async () => {
    const first = await h.launch();
    expect(first.status).toBe(200);
    const claims = JSON.parse(Buffer.from(first.idToken.split('.')[1], 'base64url').toString());
    await h.store.lti.createLoginState({ state: 'forged-state', nonce: claims.nonce, platformId: h.platformId, expiresAt: new Date(Date.now() + 60_000).toISOString() });
    const replay = await h.postLaunch(first.idToken, 'forged-state', 'application/json', { cookie: 'lti_state_forged-state=1' });
    expect(replay.status).toBe(401);
    expect(replay.body).toMatchObject({ code: 'nonce_replayed' });
    expect(await h.store.users.findByLti(h.platform.issuer, 'student-1')).toBeDefined();
    expect((await h.store.keys.list(first.body.userId)).length).toBe(1); // no key for the replay
  });
});

describe('id_token verification', () => {
  it('rejects a token signed by another key, with the platform’s kid or an unknown one (401)', async () => {
    for (const kid of ['platform-key-1', 'forger-key']) {
      const r = await h.launch({ signWith: await makeKeys(kid) });
      expect(r.status, r.text).toBe(401);
      expect(r.body).toMatchObject({ code: 'invalid_signature', field: 'id_token' });
      expect(r.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(r.text).not.toMatch(/at .*\.ts:\d+/); // no stack
    }
    expect(await h.store.users.findByLti(h.platform.issuer, 'student-1')).toBeUndefined();
  });

  it('rejects the wrong audience, the wrong issuer and an expired token (401)', async () => {
    const cases: [string, (c: Record<string, unknown>) => Record<string, unknown>][] = [
      ['invalid_audience', (c) => ({ ...c, aud: 'someone-else' })],
      ['invalid_audience', (c) => ({ ...c, aud: [h.platform.clientId, 'other'], azp: 'other' })],
      ['invalid_issuer', (c) => ({ ...c, iss: 'https://evil.example' })],
      ['token_expired', (c) => ({ ...c, iat: Math.floor(Date.now() / 1000) - 600, exp: Math.floor(Date.now() / 1000) - 60 })],
    ];
    for (const [code, claims] of cases) {
      const r = await h.launch({ claims });
      expect(r.status, `${code}: ${r.text}`).toBe(401);
      expect(r.body.code).toBe(code);
    }
  });

  it('rejects a missing or malformed id_token and a missing state (400)', async () => {
    const { state } = await h.login();
    const noToken = await h.call('POST', '/lti/launch', { form: { state } });
    expect(noToken.status).toBe(400);
    expect(noToken.body).toMatchObject({ code: 'invalid_request', field: 'id_token' });
    const { state: s2 } = await h.login();
    const junk = await h.postLaunch('not-a-jwt', s2);
    expect(junk.status).toBe(400);
    expect(junk.body).toMatchObject({ code: 'invalid_id_token' });
    const noState = await h.call('POST', '/lti/launch', { form: { id_token: 'x.y.z' } });
    expect(noState.status).toBe(400);
    expect(noState.body.field).toBe('state');
  });

  it.skipIf(ON_POSTGRES)('rejects an unknown or expired state (400)', async () => {
    const { idToken } = await h.login();
    const unknown = await h.postLaunch(idToken, 'never-issued');
    expect(unknown.status).toBe(400);
    expect(unknown.body.detail).toMatch(/not one this tool issued/);

    const { idToken: t2, state } = await h.login();
    (h.store as SqliteStore).db.prepare('UPDATE lti_login_states SET expires_at = ? WHERE state = ?').run(new Date(Date.now() - 1000).toISOString(), state);
    const expired = await h.postLaunch(t2, state);
    expect(expired.status).toBe(400);
    expect(expired.body).toMatchObject({ code: 'invalid_state' });
    expect(expired.body.detail).toMatch(/expired/);
  });

  it('rejects an unregistered deployment (403), another LTI version or message type (422)', async () => {
    const dep = await h.launch({ claims: (c) => ({ ...c, [C.deploymentId]: 'deployment-x' }) });
    expect(dep.status).toBe(403);
    expect(dep.body).toMatchObject({ code: 'unknown_deployment' });
    const ver = await h.launch({ claims: (c) => ({ ...c, [C.version]: '1.1' }) });
    expect(ver.status).toBe(422);
    expect(ver.body.code).toBe('unsupported_version');
    const type = await h.launch({ claims: (c) => ({ ...c, [C.messageType]: 'LtiSubmissionReviewRequest' }) });
    expect(type.status).toBe(422);
    expect(type.body.code).toBe('unsupported_message_type');
  });

  it('rejects launches without a target (422) or with an unknown one (404)', async () => {
    const none = await h.launch({ claims: (c) => ({ ...c, [C.resourceLink]: { id: 'rl-empty' }, [C.custom]: {} }) });
    expect(none.status).toBe(422);
    expect(none.body.code).toBe('no_target');
    const unknown = await h.launch({ claims: (c) => ({ ...c, [C.custom]: { exam: 'exm_nope' } }) });
    expect(unknown.status).toBe(404);
    const noLink = await h.launch({ claims: (c) => ({ ...c, [C.resourceLink]: undefined }) });
    expect(noLink.status).toBe(422);
  });
});

describe('login initiation', () => {
  it('redirects with every OIDC parameter the platform checks', async () => {
    const q = new URLSearchParams({ iss: h.platform.issuer, login_hint: 'hint-1', target_link_uri: `${h.url}/lti/launch`, lti_message_hint: 'mh' });
    const r = await h.call('POST', '/lti/login', { form: Object.fromEntries(q), accept: 'text/html' });
    expect(r.status).toBe(302);
    const to = new URL(r.headers.get('location')!);
    expect(Object.fromEntries(to.searchParams)).toMatchObject({
      scope: 'openid',
      response_type: 'id_token',
      response_mode: 'form_post',
      prompt: 'none',
      client_id: h.platform.clientId,
      redirect_uri: `${h.url}/lti/launch`,
      login_hint: 'hint-1',
      lti_message_hint: 'mh',
    });
    expect(to.searchParams.get('state')).toHaveLength(43);
    expect(to.searchParams.get('nonce')).toHaveLength(43);
    expect(h.platform.authErrors).toEqual([]);
  });

  it('answers 404 for an unknown platform and 400 for missing parameters', async () => {
    const unknown = await h.call('GET', `/lti/login?iss=${encodeURIComponent('https://other.example')}&login_hint=a&target_link_uri=${encodeURIComponent(h.url)}`);
    expect(unknown.status).toBe(404);
    expect(unknown.body.code).toBe('unknown_platform');
    const missing = await h.call('GET', `/lti/login?iss=${encodeURIComponent(h.platform.issuer)}`);
    expect(missing.status).toBe(400);
    expect(missing.body.field).toBe('login_hint');
    const dep = await h.call('GET', `/lti/login?${new URLSearchParams({ iss: h.platform.issuer, login_hint: 'a', target_link_uri: h.url, lti_deployment_id: 'nope' })}`);
    expect(dep.status).toBe(403);
  });
});

describe('grade passback failures', () => {
  it('keeps the attempt (201) when the platform is down, and records the failure', async () => {
    const r = await h.launch();
    expect(r.status).toBe(200);
    await h.platform.close();
    const attempt = await h.call('POST', `/api/v1/variants/${r.body.variantId}/attempts`, { key: r.body.apiKey, body: { answers: {} } });
    expect(attempt.status).toBe(201);
    expect(await h.store.attempts.get(attempt.body.id)).toBeDefined();
    const posts = await h.store.lti.scorePosts(attempt.body.id);
    expect(posts).toHaveLength(1);
    expect(posts[0].status).toBeUndefined();
    expect(posts[0].error).toMatch(/token request to .* failed/);
  });

  it('records the status when the line item refuses the score', async () => {
    const r = await h.launch();
    h.platform.scoreStatus = 500;
    const attempt = await h.call('POST', `/api/v1/variants/${r.body.variantId}/attempts`, { key: r.body.apiKey, body: { answers: {} } });
    expect(attempt.status).toBe(201);
    const [post] = await h.store.lti.scorePosts(attempt.body.id);
    expect(post).toMatchObject({ status: 500 });
    expect(post.error).toMatch(/answered 500/);
  });

  it('posts nothing for a launch without the AGS score scope', async () => {
    const r = await h.launch({ claims: (c) => ({ ...c, [C.resourceLink]: { id: 'rl-no-ags' }, [C.ags]: undefined }) });
    expect(r.body.lineItem).toBeUndefined();
    const attempt = await h.call('POST', `/api/v1/variants/${r.body.variantId}/attempts`, { key: r.body.apiKey, body: { answers: {} } });
    expect(attempt.status).toBe(201);
    expect(h.platform.scores).toHaveLength(0);
    expect(await h.store.lti.scorePosts()).toHaveLength(0);
  });
});
