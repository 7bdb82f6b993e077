/**
 * GET /api/v1/exams/{id}/print/{file}: instructors get the files; a student and an LTI launch key
 * (scoped to this very exam) get 403 and no key; a bad name is 404, a bad form 422; without Chromium
 * a PDF is 503 no_chromium with the install message, never a 500.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closePrintBrowser } from '../../src/print/shared.js';
import type { Exam } from '../../src/store/types.js';
import { startHarness, type Harness } from '../api/harness.js';
import { installed } from '../browser.js';
import { printFixture } from './fixture.js';

let h: Harness;
let exam: Exam;
const path = (file: string) => `/api/v1/exams/${exam.id}/print/${file}`;

beforeAll(async () => {
  h = await startHarness();
  const me = await h.store.keys.authenticate(h.instructor);
  ({ exam } = await printFixture(h.store, me!.user.id));
});
afterAll(async () => {
  await closePrintBrowser();
  await h.close();
});

describe('print files over the API', () => {
  it('serves LaTeX and HTML to an instructor', async () => {
    const tex = await h.call('GET', path('key-A.tex'), { key: h.instructor });
    expect(tex.status).toBe(200);
    expect(tex.headers.get('content-type')).toBe('application/x-tex; charset=utf-8');
    expect(tex.text).toContain('Form A: answer key');
    const html = await h.call('GET', path('C.html'), { key: h.instructor });
    expect(html.status).toBe(200);
    expect(html.headers.get('content-security-policy')).toMatch(/^default-src 'none'; script-src 'sha256-/);
    expect(html.text).toContain('data-header="Midterm · Form C"');
  });

  it.runIf(installed)('prints a PDF', async () => {
    const r = await fetch(h.url + path('B.pdf'), { headers: { authorization: `Bearer ${h.instructor}` } });
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('application/pdf');
    expect(Buffer.from(await r.arrayBuffer()).subarray(0, 5).toString('latin1')).toBe('%PDF-');
  });

  it('answers 503 no_chromium without Chromium', async () => {
    const before = process.env.STEPWISE_CHROMIUM;
    process.env.STEPWISE_CHROMIUM = '/nonexistent';
    try {
      await closePrintBrowser();
      const r = await h.call('GET', path('A.pdf'), { key: h.instructor });
      expect(r.status).toBe(503);
      expect(r.body.code).toBe('no_chromium');
      expect(r.body.detail).toContain('apt-get install chromium');
    } finally {
      if (before === undefined) delete process.env.STEPWISE_CHROMIUM;
      else process.env.STEPWISE_CHROMIUM = before;
    }
  });

  it('names a bad file (404) or form (422)', async () => {
    const f = await h.call('GET', path('A.docx'), { key: h.instructor });
    expect(f.status).toBe(404);
    expect(f.body.detail).toContain('no print file "A.docx"');
    const l = await h.call('GET', path('key-Q.tex'), { key: h.instructor });
    expect(l.status).toBe(422);
    expect(l.body.detail).toBe('no form "Q": this exam has 3 forms (A, B, C)');
  });

  it('takes the file names `stepwise exam print` writes (form-B.tex), and no other prefix', async () => {
    const r = await fetch(h.url + path('form-B.tex'), { headers: { authorization: `Bearer ${h.instructor}` } });
    expect(r.status).toBe(200);
    expect(await r.text()).toContain('\\documentclass');
    expect((await h.call('GET', path('form-key-B.tex'), { key: h.instructor })).status).toBe(404);
  });

  it('refuses students and LTI launch keys, even for this exam', async () => {
    const s = await h.student();
    const me = await h.store.keys.authenticate(h.instructor);
    // A launch key as an LTI launch makes one: scoped to a stored resource link and this exam.
    const platform = (await h.store.lti.createPlatform({
      name: 'LMS',
      issuer: 'https://lms.invalid',
      clientId: 'c1',
      authLoginUrl: 'https://lms.invalid/auth',
      authTokenUrl: 'https://lms.invalid/token',
      jwksUrl: 'https://lms.invalid/jwks',
      deploymentIds: ['d1'],
    }))!;
    const link = await h.store.lti.upsertResourceLink({ platformId: platform.id, deploymentId: 'd1', resourceLinkId: 'rl-1', contextId: 'course-1' });
    const launch = await h.store.keys.create({ userId: me!.user.id, role: 'instructor', label: 'launch', scope: { resourceLink: link.id, contextId: 'course-1', examId: exam.id } });
    for (const key of [s.key, launch.secret]) {
      for (const file of ['key-A.tex', 'key-A.html', 'A.tex']) {
        const r = await h.call('GET', path(file), { key });
        expect(r.status, file).toBe(403);
        expect(r.text).not.toContain('\\documentclass');
        expect(r.text).not.toContain('answer key');
      }
    }
  });
});
