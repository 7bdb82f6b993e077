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

const teacher = (examId: string) => (c: Record<string, unknown>) => ({
  ...c,
  sub: 'teacher-1',
  [C.roles]: [ROLE.instructor],
  [C.resourceLink]: { id: `rl-${examId}` },
  [C.context]: { id: 'course-9', title: 'DL 101' },
  [C.custom]: { exam: examId },
});

describe('an instructor’s launch key', () => {
  it('is scoped to its resource link, course and exam', async () => {
    const mine = await exam('Midterm');
    const r = await h.launch({ claims: teacher(mine) });
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
    const r = await h.launch({ claims: teacher(mine) });
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

describe('an exam belongs to the course that first links it', () => {
  it('an instructor linking it from another course opens it but gets no rights over it', async () => {
    const e = await exam('Midterm');
    const home = await h.launch({ claims: teacher(e) });
    expect((await h.call('GET', `/api/v1/exams/${e}/results`, { key: home.body.apiKey })).status).toBe(200);
    const elsewhere = await h.launch({
      claims: (c) => ({ ...teacher(e)(c), sub: 'teacher-9', [C.resourceLink]: { id: 'rl-foreign' }, [C.context]: { id: 'course-other' } }),
    });
    expect(elsewhere.status, elsewhere.text).toBe(200);
    expect((await h.call('GET', `/api/v1/exams/${e}/results`, { key: elsewhere.body.apiKey })).status).toBe(403);
    expect((await h.call('POST', `/api/v1/exams/${e}/release`, { key: elsewhere.body.apiKey })).status).toBe(403);
  });

  it('deep linking from another course neither lists nor links it', async () => {
    const e = await exam('Midterm');
    await h.launch({ claims: teacher(e) }); // course-9 links it first
    const picker = (course: string) => ({
      claims: (c: Record<string, unknown>) => {
        const { [C.resourceLink]: _r, [C.custom]: _c, [C.ags]: _a, ...rest } = c;
        return {
          ...rest,
          sub: 'teacher-9',
          [C.context]: { id: course },
          [C.messageType]: 'LtiDeepLinkingRequest',
          [C.roles]: [ROLE.instructor],
          [C.dlSettings]: { deep_link_return_url: `${h.platform.url}/dl-return`, accept_types: ['ltiResourceLink'] },
        };
      },
    });
    const other = await h.launch(picker('course-other'));
    expect(other.status, other.text).toBe(200);
    expect(other.body.exams).toEqual([]);
    const forced = await h.call('POST', '/lti/deep-link/response', { form: { context: other.body.context, target: `exam:${e}` } });
    expect(forced.status).toBe(403);
    const same = await h.launch(picker('course-9'));
    expect(same.body.exams.map((x: { id: string }) => x.id)).toEqual([e]);
    expect((await h.call('POST', '/lti/deep-link/response', { form: { context: same.body.context, target: `exam:${e}` } })).status).toBe(200);
  });
});
