/**
 * The print page and files over HTTP: instructors get the page, the LaTeX, the self-contained HTML
 * (its own strict CSP) and the PDF; a student gets 403 for every one of them, keys included, and
 * never a value; without Chromium the PDF routes answer 503 with the message that says how to
 * install it, while HTML and LaTeX still work.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { closePrintBrowser } from '../../src/pages/instructor-print.js';
import { paginateScript } from '../../src/print/html.js';
import type { Exam, Variant } from '../../src/store/types.js';
import type { Harness } from '../api/harness.js';
import { signIn, startPages, type PageClient } from '../pages/harness.js';
import { installed } from '../browser.js';
import { klByHand, printFixture } from './fixture.js';

let h: Harness;
let teacher: PageClient;
let student: PageClient;
let exam: Exam;
let variants: Variant[];
const base = () => `/instructor/exams/${exam.id}/print`;

beforeAll(async () => {
  h = await startPages();
  const me = await h.store.keys.authenticate(h.instructor);
  ({ exam, variants } = await printFixture(h.store, me!.user.id));
  teacher = await signIn(h, h.instructor);
  student = await signIn(h, (await h.student('Sam')).key);
});
afterAll(async () => {
  await closePrintBrowser();
  await h.close();
});

describe('print page', () => {
  it('lists every form with its sheet and key files', async () => {
    const r = await teacher.get(base());
    expect(r.status).toBe(200);
    for (const l of ['A', 'B', 'C']) {
      expect(r.text).toContain(`data-form="${l}"`);
      for (const f of [`${l}.html`, `${l}.tex`, `key-${l}.html`, `key-${l}.tex`]) expect(r.text).toContain(`href="${base()}/${f}"`);
    }
  });

  it('serves the LaTeX as an attachment and the HTML under a CSP that allows only its own script', async () => {
    const tex = await teacher.get(`${base()}/key-B.tex`);
    expect(tex.status).toBe(200);
    expect(tex.headers.get('content-disposition')).toBe('attachment; filename="Midterm-key-B.tex"');
    expect(tex.text).toContain('\\documentclass[11pt,a4paper]{exam}');
    const html = await teacher.get(`${base()}/A.html`);
    expect(html.status).toBe(200);
    const hash = createHash('sha256').update(paginateScript()).digest('base64');
    expect(html.headers.get('content-security-policy')).toContain(`script-src 'sha256-${hash}'`);
    expect(html.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(html.text).toContain('<body data-header="Midterm · Form A">');
    // Fonts travel inside the file: no URL but data: ones.
    expect(html.text).not.toMatch(/url\((?!data:)/);
  });

  it.runIf(installed)('prints a PDF with the shared browser', async () => {
    const r = await fetch(h.url + `${base()}/key-C.pdf`, { headers: { cookie: teacher.cookie! } });
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('application/pdf');
    expect(Buffer.from(await r.arrayBuffer()).subarray(0, 5).toString('latin1')).toBe('%PDF-');
  });

  it('answers 503 naming how to install Chromium when there is none, and still serves HTML and LaTeX', async () => {
    const before = process.env.STEPWISE_CHROMIUM;
    process.env.STEPWISE_CHROMIUM = '/nonexistent/chromium';
    try {
      await closePrintBrowser();
      const r = await teacher.get(`${base()}/A.pdf`);
      expect(r.status).toBe(503);
      expect(r.text).toContain('apt-get install chromium');
      expect(r.text).toContain('STEPWISE_CHROMIUM&#x3D;/nonexistent/chromium is not an executable file');
      const page = await teacher.get(base());
      expect(page.status).toBe(200);
      expect(page.text).toContain('data-no-chromium');
      expect(page.text).not.toContain(`href="${base()}/A.pdf"`);
      expect((await teacher.get(`${base()}/A.html`)).status).toBe(200);
      expect((await teacher.get(`${base()}/A.tex`)).status).toBe(200);
    } finally {
      if (before === undefined) delete process.env.STEPWISE_CHROMIUM;
      else process.env.STEPWISE_CHROMIUM = before;
    }
  });

  it('names a bad file, form or exam (404, 422), never a 500', async () => {
    expect((await teacher.get(`${base()}/A.docx`)).status).toBe(404);
    const d = await teacher.get(`${base()}/D.tex`);
    expect(d.status).toBe(422);
    expect(d.text).toContain('no form &quot;D&quot;: this exam has 3 forms (A, B, C)');
    expect((await teacher.get('/instructor/exams/exm_nope/print/A.tex')).status).toBe(404);
  });
});

describe('students', () => {
  it('get 403 for the page and every file, keys included, and no value in the answer', async () => {
    const v = variants.find((x) => x.examVersion === 1 && x.examItem === 0)!;
    const p = v.params as { p: number[]; q: number[]; base?: string };
    const kl = klByHand(p.p, p.q, p.base).toFixed(4);
    for (const path of [base(), `${base()}/A.pdf`, `${base()}/key-A.pdf`, `${base()}/key-A.html`, `${base()}/key-A.tex`, `${base()}/A.html`]) {
      const r = await student.get(path);
      expect(r.status, path).toBe(403);
      expect(r.text).not.toContain(kl);
      expect(r.text).not.toContain('misconception:');
    }
  });
  it('and so does anyone not signed in (sent to sign in)', async () => {
    const r = await fetch(h.url + `${base()}/key-A.tex`, { redirect: 'manual' });
    expect([302, 303, 401]).toContain(r.status);
    expect(await r.text()).not.toContain('\\documentclass');
  });
});
