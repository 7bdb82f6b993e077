/** What an LTI launch key may do: scoped to its resource link, course and exam, never server-wide. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startLti, type LtiHarness } from './harness.js';
import { C, ROLE } from './platform.js';

let h: LtiHarness;
beforeEach(async () => {
  h = await startLti();
});
afterEach(async () => {
  await h.close();
});

async function exam(title: string): Promise<string> {
  const r = await h.call('POST', '/api/v1/exams', { key: h.instructor, body: { title, blueprint: [{ topic: 'kl-discrete', count: 1 }], versions: 2, seed: 5 } });
  expect(r.status, r.text).toBe(201);
  return r.body.id;
}

/** An instructor's launch of the exam from course-9; `code` (the exam's link code) binds it there. */
const teacher = (examId: string, code?: string) => (c: Record<string, unknown>) => ({
  ...c,
  sub: 'teacher-1',
  [C.roles]: [ROLE.instructor],
  [C.resourceLink]: { id: `rl-${examId}` },
  [C.context]: { id: 'course-9', title: 'DL 101' },
  [C.custom]: { exam: examId, ...(code ? { exam_code: code } : {}) },
});

describe('an instructor’s launch key', () => {
  it('is scoped to its resource link, course and exam', async () => {
    const mine = await exam('Midterm');
    const r = await h.launch({ claims: teacher(mine, await h.linkCode(mine)) });
    expect(r.status, r.text).toBe(200);
    const user = (await h.store.users.findByLti(h.platform.issuer, 'teacher-1'))!;
    const [key] = await h.store.keys.list(user.id);
    expect(key.scope).toMatchObject({ contextId: 'course-9', examId: mine });
    expect(key.scope!.resourceLink).toMatch(/\S/);
    // It is no instructor for the bootstrap's "is there an instructor key?" question.
    expect(await h.store.keys.countActive('instructor')).toBe(1);
  });

  it('reads, exports and releases its own exam, and nothing server-wide', async () => {
    const mine = await exam('Midterm');
    const other = await exam('Other course final');
    const r = await h.launch({ claims: teacher(mine, await h.linkCode(mine)) });
    const key = r.body.apiKey as string;
    const ok = async (method: string, path: string, body?: unknown) => {
      const res = await h.call(method, path, { key, ...(body !== undefined ? { body } : {}) });
      expect(res.status, `${method} ${path}: ${res.text}`).toBeLessThan(300);
      return res;
    };
    const refused = async (method: string, path: string, body?: unknown) => {
      const res = await h.call(method, path, { key, ...(body !== undefined ? { body } : {}) });
      expect(res.status, `${method} ${path}`).toBe(403);
    };
    await ok('GET', `/api/v1/exams/${mine}/results`);
    await ok('GET', `/api/v1/exams/${mine}/versions`);
    // Its own exam's variants count as an instructor's (the items of every version).
    const anyItem = (await h.store.variants.listByExam(mine))[0];
    await ok('GET', `/api/v1/variants/${anyItem.id}`);
    await refused('GET', `/api/v1/exams/${other}/results`);
    await refused('GET', `/api/v1/exams/${other}/versions`);
    await refused('POST', `/api/v1/exams/${other}/release`);
    await refused('GET', '/api/v1/exams');
    await refused('POST', '/api/v1/exams', { title: 'x', blueprint: [{ topic: 'kl-discrete', count: 1 }], versions: 1 });
    await refused('POST', '/api/v1/users', { name: 'Mallory', role: 'instructor' });
    const me = await h.call('GET', '/api/v1/users/me', { key });
    await refused('POST', `/api/v1/users/${me.body.id}/keys`, { label: 'permanent' });
    await refused('GET', '/api/v1/lti/platforms');
    await refused('POST', '/api/v1/lti/platforms', {
      name: 'x',
      issuer: 'https://x.example',
      clientId: 'c',
      authLoginUrl: 'https://x.example/a',
      authTokenUrl: 'https://x.example/t',
      jwksUrl: 'https://x.example/j',
      deploymentIds: ['d'],
    });
    await refused('POST', '/api/v1/courses', { title: 'x' });
    // On routes open to anyone it is a student's key for other exams' variants.
    const otherItem = (await h.store.variants.listByExam(other))[0];
    await refused('GET', `/api/v1/variants/${otherItem.id}`);
    await ok('POST', `/api/v1/exams/${mine}/release`, { force: true });
    // A permanent instructor key is made by an existing instructor only.
    const made = await h.call('POST', `/api/v1/users/${me.body.id}/keys`, { key: h.instructor, body: { label: 'permanent' } });
    expect(made.status).toBe(201);
    expect(made.body.key.scope).toBeUndefined();
    expect((await h.call('GET', '/api/v1/exams', { key: made.body.apiKey })).status).toBe(200);
  });

  it('of a topic link reaches no exam at all', async () => {
    const e = await exam('Midterm');
    const r = await h.launch({ claims: (c) => ({ ...c, sub: 'teacher-2', [C.roles]: [ROLE.instructor] }) });
    expect(r.status).toBe(200);
    expect((await h.call('GET', `/api/v1/exams/${e}/results`, { key: r.body.apiKey })).status).toBe(403);
  });
});

/** A deep linking request from `course` by teacher-9. */
const picker = (course: string, sub = 'teacher-9') => ({
  claims: (c: Record<string, unknown>) => {
    const { [C.resourceLink]: _r, [C.custom]: _c, [C.ags]: _a, ...rest } = c;
    return {
      ...rest,
      sub,
      [C.context]: { id: course },
      [C.messageType]: 'LtiDeepLinkingRequest',
      [C.roles]: [ROLE.instructor],
      [C.dlSettings]: { deep_link_return_url: `${h.platform.url}/dl-return`, accept_types: ['ltiResourceLink'] },
    };
  },
});

/** An instructor (teacher-9) of a sandbox course launching the exam by custom parameters. */
const sandbox = (examId: string, custom: Record<string, string> = {}) => (c: Record<string, unknown>) => ({
  ...teacher(examId)(c),
  sub: 'teacher-9',
  [C.resourceLink]: { id: 'rl-sandbox' },
  [C.context]: { id: 'course-sandbox' },
  [C.custom]: { exam: examId, ...custom },
});

const pick = (context: string, form: Record<string, string>) => h.call('POST', '/lti/deep-link/response', { form: { context, ...form } });

describe('an exam belongs to the course bound with its link code', () => {
  it('a sandbox-course instructor cannot claim a fresh exam by custom parameter: refused, no key over it, no problem shown', async () => {
    const e = await exam('Midterm');
    const items = await h.store.variants.listByExam(e);
    const bare = await h.launch({ claims: sandbox(e) });
    expect(bare.status, bare.text).toBe(403);
    expect(bare.body.code).toBe('exam_not_bound');
    expect(bare.body.detail).toMatch(/link code/);
    expect(bare.body.detail).toMatch(/exam_code/);
    expect(bare.text).not.toContain('apiKey');
    const wrong = await h.launch({ claims: sandbox(e, { exam_code: 'A'.repeat(22) }) });
    expect(wrong.status).toBe(403);
    expect(wrong.body.code).toBe('invalid_link_code');
    // Another exam's code is no code for this one.
    const otherCode = await h.linkCode(await exam('Other'));
    expect((await h.launch({ claims: sandbox(e, { exam_code: otherCode }) })).body.code).toBe('invalid_link_code');
    expect(await h.store.lti.examHome(e)).toBeUndefined();
    // No launch key was made for the sandbox instructor, and nothing of the exam went out.
    const user = await h.store.users.findByLti(h.platform.issuer, 'teacher-9');
    expect(user).toBeDefined();
    expect(await h.store.keys.list(user!.id)).toEqual([]);

    // A browser gets an HTML page saying how to bind, with none of the exam's problems.
    const { idToken, state } = await h.login({ claims: sandbox(e) });
    const page = await h.postLaunch(idToken, state, 'text/html');
    expect(page.status).toBe(403);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    expect(page.text).toMatch(/link code/);
    for (const v of items) {
      expect(page.text).not.toContain(v.id);
      expect(page.text).not.toContain(v.prompt.slice(0, 40));
    }
    expect(page.text).not.toMatch(/<form class="answers"/);
  });

  it('a sandbox-course instructor cannot claim it by deep linking without the code', async () => {
    const e = await exam('Midterm');
    const p = await h.launch(picker('course-sandbox'));
    expect(p.status, p.text).toBe(200);
    expect(p.body.exams).toEqual([]);
    const forced = await pick(p.body.context, { target: `exam:${e}` });
    expect(forced.status).toBe(403);
    expect(forced.body.code).toBe('exam_not_bound');
    const guessed = await pick(p.body.context, { target: `exam:${e}`, code: 'not-the-code' });
    expect(guessed.status).toBe(403);
    expect(guessed.body.code).toBe('invalid_link_code');
    // A code over the length limit is no code either (and no 500).
    expect((await pick(p.body.context, { code: 'x'.repeat(4000) })).status).toBe(403);
    expect(await h.store.lti.examHome(e)).toBeUndefined();
  });

  it('with the code, the real course binds it, and a second course can neither rebind it nor open it as an instructor', async () => {
    const e = await exam('Midterm');
    const code = await h.linkCode(e);
    const home = await h.launch({ claims: teacher(e, code) });
    expect(home.status, home.text).toBe(200);
    expect(await h.store.lti.examHome(e)).toEqual({ platformId: h.platformId, contextId: 'course-9' });
    expect((await h.call('GET', `/api/v1/exams/${e}/results`, { key: home.body.apiKey })).status).toBe(200);
    // Later launches from the home course need no code.
    const again = await h.launch({ claims: (c) => ({ ...teacher(e)(c), [C.resourceLink]: { id: 'rl-second-link' } }) });
    expect(again.status, again.text).toBe(200);
    expect((await h.call('GET', `/api/v1/exams/${e}/versions`, { key: again.body.apiKey })).status).toBe(200);

    // The code, leaked, does not move the exam: by custom parameter or deep linking.
    const rebind = await h.launch({ claims: sandbox(e, { exam_code: code }) });
    expect(rebind.status).toBe(403);
    expect(rebind.body.code).toBe('exam_bound_elsewhere');
    const p = await h.launch(picker('course-sandbox'));
    const byDl = await pick(p.body.context, { code });
    expect(byDl.status).toBe(403);
    expect(byDl.body.code).toBe('exam_bound_elsewhere');
    expect((await pick(p.body.context, { target: `exam:${e}` })).status).toBe(403);
    const elsewhere = await h.launch({ claims: sandbox(e) });
    expect(elsewhere.status).toBe(403);
    expect(await h.store.lti.examHome(e)).toEqual({ platformId: h.platformId, contextId: 'course-9' });

  });

  it('deep linking with the code binds the exam to the picking course, which then lists it', async () => {
    const e = await exam('Midterm');
    const p = await h.launch(picker('course-9'));
    expect(p.body.exams).toEqual([]);
    const r = await pick(p.body.context, { code: await h.linkCode(e) });
    expect(r.status, r.text).toBe(200);
    expect(r.body.contentItems[0].custom).toEqual({ exam: e });
    expect(await h.store.lti.examHome(e)).toEqual({ platformId: h.platformId, contextId: 'course-9' });
    const again = await h.launch(picker('course-9'));
    expect(again.body.exams).toEqual([{ id: e, title: 'Midterm' }]);
    expect((await pick(again.body.context, { target: `exam:${e}` })).status).toBe(200);
    // The link's launches give the instructor their key over it.
    const launch = await h.launch({ claims: teacher(e) });
    expect(launch.status, launch.text).toBe(200);
    expect((await h.call('GET', `/api/v1/exams/${e}/results`, { key: launch.body.apiKey })).status).toBe(200);
  });

  it('the picker never lists other courses’ or unbound exams', async () => {
    const ours = await exam('Ours');
    const theirs = await exam('Theirs');
    await exam('Unbound');
    expect((await h.launch({ claims: teacher(ours, await h.linkCode(ours)) })).status).toBe(200);
    const other = await h.launch({ claims: (c) => ({ ...sandbox(theirs, { exam_code: '' })(c), [C.context]: { id: 'course-other' } }) });
    expect(other.status).toBe(403); // unbound: the instructor of course-other cannot open it without its code
    const code = await h.linkCode(theirs);
    expect((await h.launch({ claims: (c) => ({ ...sandbox(theirs, { exam_code: code })(c), [C.context]: { id: 'course-other' } }) })).status).toBe(200);
    const ids = async (course: string) => ((await h.launch(picker(course))).body.exams as { id: string }[]).map((x) => x.id);
    expect(await ids('course-9')).toEqual([ours]);
    expect(await ids('course-other')).toEqual([theirs]);
    expect(await ids('course-sandbox')).toEqual([]);
  });

  it('students get their version from any link naming the exam, and never see its code', async () => {
    const e = await exam('Midterm');
    const code = await h.linkCode(e);
    // A student launch from a course the exam is not bound to: their version, nothing more.
    const student = await h.launch({ claims: (c) => ({ ...c, sub: 'student-7', [C.resourceLink]: { id: 'rl-s' }, [C.context]: { id: 'course-sandbox' }, [C.custom]: { exam: e } }) });
    expect(student.status, student.text).toBe(200);
    expect(student.body.examVersion).toBeGreaterThanOrEqual(1);
    expect(await h.store.lti.examHome(e)).toBeUndefined();
    const key = student.body.apiKey as string;
    expect(student.text).not.toContain(code);
    const mine = await h.call('GET', `/api/v1/exams/${e}/my-version`, { key });
    expect(mine.status).toBe(200);
    expect(mine.text).not.toContain(code);
    const got = await h.call('GET', `/api/v1/exams/${e}`, { key });
    expect(got.status).toBe(200);
    expect(got.body.ltiLinkCode).toBeUndefined();
    expect(got.text).not.toContain(code);
    // Its HTML page neither.
    const { idToken, state } = await h.login({ claims: (c) => ({ ...c, sub: 'student-7', [C.resourceLink]: { id: 'rl-s' }, [C.custom]: { exam: e } }) });
    const page = await h.postLaunch(idToken, state, 'text/html');
    expect(page.status).toBe(200);
    expect(page.text).not.toContain(code);
    // A student of the home course, where the administrator set exam_code, does not see it either (it binds the exam).
    const bound = await h.launch({ claims: (c) => ({ ...c, sub: 'student-8', [C.resourceLink]: { id: 'rl-t' }, [C.context]: { id: 'course-9' }, [C.custom]: { exam: e, exam_code: code } }) });
    expect(bound.status, bound.text).toBe(200);
    expect(bound.text).not.toContain(code);
    expect(await h.store.lti.examHome(e)).toEqual({ platformId: h.platformId, contextId: 'course-9' });
  });

  it('an instructor’s launch key of the home course does not see the code either', async () => {
    const e = await exam('Midterm');
    const code = await h.linkCode(e);
    const r = await h.launch({ claims: teacher(e, code) });
    expect(r.text).not.toContain(code);
    const key = r.body.apiKey as string;
    const got = await h.call('GET', `/api/v1/exams/${e}`, { key });
    expect(got.status).toBe(200);
    expect(got.body.manifest).toBeDefined(); // the instructor's view of its own exam…
    expect(got.body.ltiLinkCode).toBeUndefined(); // …without the code that would bind it elsewhere
    const released = await h.call('POST', `/api/v1/exams/${e}/release`, { key, body: { force: true } });
    expect(released.status).toBe(200);
    expect(released.text).not.toContain(code);
    // The full instructor key sees the same code every time (derived, not random).
    expect(await h.linkCode(e)).toBe(code);
  });
});
