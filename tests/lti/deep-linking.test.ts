/** Deep linking: the picker, the signed LtiDeepLinkingResponse, and a launch of the created link. */
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { formFields, startLti, type LtiHarness } from './harness.js';
import { C, ROLE } from './platform.js';

let h: LtiHarness;
beforeEach(async () => {
  h = await startLti();
});
afterEach(async () => {
  await h.close();
});

const deepLinkRequest = (h: LtiHarness, roles = [ROLE.instructor]) => ({
  claims: (c: Record<string, unknown>) => {
    const { [C.resourceLink]: _r, [C.custom]: _c, [C.ags]: _a, ...rest } = c;
    return {
      ...rest,
      sub: 'teacher-1',
      [C.messageType]: 'LtiDeepLinkingRequest',
      [C.roles]: roles,
      [C.dlSettings]: {
        deep_link_return_url: `${h.platform.url}/dl-return?x=1`,
        accept_types: ['ltiResourceLink'],
        accept_presentation_document_targets: ['iframe', 'window'],
        accept_multiple: false,
        data: 'opaque-platform-data',
      },
    };
  },
});

describe('deep linking', () => {
  it('lists topics, questions and exams, and signs the chosen topic as an ltiResourceLink', async () => {
    const exam = await h.call('POST', '/api/v1/exams', { key: h.instructor, body: { title: 'Final', blueprint: [{ topic: 'vae-sampling', count: 1 }], versions: 1, seed: 3 } });
    expect(exam.status).toBe(201);

    const picker = await h.launch(deepLinkRequest(h));
    expect(picker.status, picker.text).toBe(200);
    expect(picker.body.responseUrl).toBe(`${h.url}/lti/deep-link/response`);
    expect(picker.body.topics.map((t: { id: string }) => t.id)).toContain('self-attention');
    expect(picker.body.questions.map((q: { id: string }) => q.id)).toContain('kl-discrete-bits');
    // An exam not bound to this course is not offered; once bound (with its link code) it is.
    expect(picker.body.exams).toEqual([]);
    await h.store.lti.bindExamHome(exam.body.id, { platformId: h.platformId, contextId: 'course-1' });
    expect((await h.launch(deepLinkRequest(h))).body.exams).toEqual([{ id: exam.body.id, title: 'Final' }]);

    const r = await h.call('POST', '/lti/deep-link/response', { form: { context: picker.body.context, target: 'topic:self-attention' } });
    expect(r.status, r.text).toBe(200);
    expect(r.body.returnUrl).toBe(`${h.platform.url}/dl-return?x=1`);

    // The platform verifies the response against the tool's JWKS.
    const { payload, protectedHeader } = await jwtVerify(r.body.jwt, createRemoteJWKSet(new URL(`${h.url}/lti/jwks`)), {
      issuer: h.platform.clientId,
      audience: h.platform.issuer,
      algorithms: ['RS256'],
    });
    expect(protectedHeader.kid).toBeTruthy();
    expect(payload).toMatchObject({
      [C.messageType]: 'LtiDeepLinkingResponse',
      [C.version]: '1.3.0',
      [C.deploymentId]: h.platform.deploymentId,
      [C.dlData]: 'opaque-platform-data',
    });
    expect(typeof payload.nonce).toBe('string');
    const items = payload[C.dlContentItems] as Record<string, any>[];
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({
      type: 'ltiResourceLink',
      title: 'Self-attention with a residual connection',
      url: `${h.url}/lti/launch`,
      custom: { topic: 'self-attention' },
      lineItem: { label: 'Self-attention with a residual connection' },
    });
    expect(items[0].lineItem.scoreMaximum).toBeGreaterThan(0);

    // The platform makes the link; its launches carry the custom target back.
    const launch = await h.launch({ claims: (c) => ({ ...c, [C.resourceLink]: { id: 'rl-from-dl' }, [C.custom]: items[0].custom }) });
    expect(launch.status, launch.text).toBe(200);
    expect(launch.body.target).toEqual({ kind: 'topic', id: 'self-attention' });
  });

  it('adds an exam by its link code, with the version total as scoreMaximum, and a custom title', async () => {
    const exam = await h.call('POST', '/api/v1/exams', { key: h.instructor, body: { title: 'Quiz', blueprint: [{ topic: 'kl-discrete', count: 2 }], versions: 1, seed: 5 } });
    const picker = await h.launch(deepLinkRequest(h));
    const code = await h.linkCode(exam.body.id);
    const r = await h.call('POST', '/lti/deep-link/response', { form: { context: picker.body.context, target: 'topic:kl-discrete', code, title: 'Week 3 quiz' } });
    expect(r.status, r.text).toBe(200);
    // The code names the exam (it wins over the radio choice); the link's custom claim never carries it.
    expect(r.body.contentItems[0]).toMatchObject({ title: 'Week 3 quiz', custom: { exam: exam.body.id }, lineItem: { scoreMaximum: 6 } });
    expect(JSON.stringify(r.body)).not.toContain(code);
    expect(await h.store.lti.examHome(exam.body.id)).toEqual({ platformId: h.platformId, contextId: 'course-1' });
  });

  it('answers a browser with an auto-submitting form to the return URL', async () => {
    const { idToken, state } = await h.login(deepLinkRequest(h));
    const page = await h.postLaunch(idToken, state, 'text/html');
    expect(page.status).toBe(200);
    expect(page.text).toContain(`action="${h.url}/lti/deep-link/response"`);
    expect(page.text).toContain('value="topic:bayes-classification"');
    expect(page.text).toMatch(/<label>Exam link code <input type="text" name="code"/);
    const context = formFields(page.text).context;
    expect(context).toBeTruthy();

    const back = await h.call('POST', '/lti/deep-link/response', { form: { context, target: 'question:kl-discrete-bits' }, accept: 'text/html' });
    expect(back.status).toBe(200);
    expect(back.text).toContain(`action="${h.platform.url}/dl-return?x=1"`);
    const jwt = formFields(back.text).JWT;
    expect(jwt.split('.')).toHaveLength(3);
    expect(back.headers.get('content-security-policy')).toContain(`form-action 'self' ${h.platform.url}`);
  });

  it('refuses students (403), a forged or missing context (401/400), and a bad target (422/404)', async () => {
    const student = await h.launch(deepLinkRequest(h, [ROLE.learner]));
    expect(student.status).toBe(403);

    const picker = await h.launch(deepLinkRequest(h));
    const forged = await h.call('POST', '/lti/deep-link/response', { form: { context: h.platform.issuer, target: 'topic:kl-discrete' } });
    expect(forged.status).toBe(401);
    expect(forged.body.code).toBe('invalid_context');
    const signedByPlatform = await h.platform.sign({ platform: h.platformId, deployment: 'd', returnUrl: h.platform.url, aud: 'stepwise:lti-deep-linking' });
    expect((await h.call('POST', '/lti/deep-link/response', { form: { context: signedByPlatform, target: 'topic:kl-discrete' } })).status).toBe(401);
    expect((await h.call('POST', '/lti/deep-link/response', { form: { target: 'topic:kl-discrete' } })).status).toBe(400);
    const bad = await h.call('POST', '/lti/deep-link/response', { form: { context: picker.body.context, target: 'kl-discrete' } });
    expect(bad.status).toBe(422);
    const unknown = await h.call('POST', '/lti/deep-link/response', { form: { context: picker.body.context, target: 'topic:nope' } });
    expect(unknown.status).toBe(404);
  });

  it('refuses a request without a return URL or that does not accept resource links (422)', async () => {
    const noReturn = await h.launch({ claims: (c) => ({ ...deepLinkRequest(h).claims(c), [C.dlSettings]: { accept_types: ['ltiResourceLink'] } }) });
    expect(noReturn.status).toBe(422);
    const noLinks = await h.launch({
      claims: (c) => ({ ...deepLinkRequest(h).claims(c), [C.dlSettings]: { deep_link_return_url: `${h.platform.url}/r`, accept_types: ['file'] } }),
    });
    expect(noLinks.status).toBe(422);
    expect(noLinks.body.code).toBe('unsupported_content_type');
  });
});
