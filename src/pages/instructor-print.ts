/**
 * /instructor/exams/<id>/print: a page of links to each form's answer sheet and answer key, and
 * the files themselves at /print/<letter>.pdf|.html|.tex and /print/key-<letter>.…, for instructor
 * keys only (instructorOnly: a student or an LTI launch key gets the 403 page, never a key).
 * PDFs come from one shared Chromium; without one, a PDF route answers 503 with the message that
 * says how to install it (the HTML and LaTeX still work).
 */
import { createHash } from 'node:crypto';
import type { Response, Router } from 'express';
import { getExam } from '../service/exams.js';
import { findChromium, NoChromiumError, SharedPrinter } from '../print/chromium.js';
import { documentPdf, documentTex, type PrintDocument } from '../print/documents.js';
import { paginateScript, printHtml } from '../print/html.js';
import { formLetter, formVersion, printForm } from '../print/model.js';
import type { Exam, Store } from '../store/types.js';
import type { PagesContext } from './context.js';
import { PageError } from './errors.js';
import { INSTRUCTOR_PATH, instructorOnly } from './instructor.js';
import { sendHtml } from './render.js';

const printer = new SharedPrinter();

/** Closes the shared browser (a server's shutdown, a test's end). */
export const closePrintBrowser = (): Promise<void> => printer.close();

const FILE = /^(key-)?([A-Za-z]{1,2})\.(pdf|html|tex)$/;

/**
 * The print HTML's own CSP: its one inline script by hash, its inline styles, fonts and images
 * from data: URLs only, nothing else (no network, no framing, no forms).
 */
function printCsp(): string {
  const hash = createHash('sha256').update(paginateScript(), 'utf8').digest('base64');
  return `default-src 'none'; script-src 'sha256-${hash}'; style-src 'unsafe-inline'; img-src data:; font-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`;
}

/** A download name from the title: letters, digits and dashes only. */
const fileStem = (exam: Exam): string => exam.title.replace(/[^A-Za-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 60) || 'exam';

async function examDocument(store: Store, id: string, letter: string, key: boolean): Promise<{ exam: Exam; doc: PrintDocument }> {
  const exam = await getExam(store, id);
  const version = formVersion(letter, exam.versions);
  const variants = await store.variants.listByExam(exam.id, version);
  return { exam, doc: { form: printForm(exam, variants, version), key } };
}

function sendFile(res: Response, type: string, name: string, body: Buffer | string, disposition: 'inline' | 'attachment'): void {
  res
    .status(200)
    .set('Cache-Control', 'no-store')
    .set('X-Content-Type-Options', 'nosniff')
    .set('Content-Disposition', `${disposition}; filename="${name}"`)
    .type(type)
    .end(body);
}

export function mountPrint(r: Router, ctx: PagesContext): void {
  const { store, base } = ctx;
  r.get(
    `${INSTRUCTOR_PATH}/exams/:id/print`,
    instructorOnly(ctx, async (req, res, who) => {
      const exam = await getExam(store, String(req.params.id));
      let noChromium: string | undefined;
      try {
        findChromium();
      } catch (e) {
        if (!(e instanceof NoChromiumError)) throw e;
        noChromium = e.message;
      }
      const variants = await store.variants.listByExam(exam.id);
      const forms = Array.from({ length: exam.versions }, (_, i) => ({
        letter: formLetter(i + 1),
        version: i + 1,
        items: variants.filter((v) => v.examVersion === i + 1).length,
        base: `${INSTRUCTOR_PATH}/exams/${encodeURIComponent(exam.id)}/print`,
      }));
      sendHtml(res, 200, 'instructor-print', { ...base(who, `Print ${exam.title} · Stepwise`), exam: { id: exam.id, title: exam.title }, unreleased: !exam.releasedAt, forms, noChromium });
    }),
  );
  r.get(
    `${INSTRUCTOR_PATH}/exams/:id/print/:file`,
    instructorOnly(ctx, async (req, res) => {
      const m = FILE.exec(String(req.params.file));
      if (!m) throw new PageError(404, 'not_found', 'No such print file: the files are <letter>.pdf, .html or .tex, and key-<letter>.… for answer keys.');
      const [, keyPart, letter, format] = m;
      const { exam, doc } = await examDocument(store, String(req.params.id), letter, keyPart !== undefined);
      const name = `${fileStem(exam)}-${doc.key ? 'key' : 'form'}-${doc.form.letter}.${format}`;
      if (format === 'tex') return sendFile(res, 'application/x-tex; charset=utf-8', name, documentTex(doc), 'attachment');
      if (format === 'html') {
        const html = await printHtml(doc.form, doc.key);
        res.set('Content-Security-Policy', printCsp()).set('X-Frame-Options', 'DENY').set('Referrer-Policy', 'no-referrer');
        return sendFile(res, 'text/html; charset=utf-8', name, html, 'inline');
      }
      let pdf: Buffer;
      try {
        pdf = (await printer.use((p) => documentPdf(p, doc))).pdf;
      } catch (e) {
        if (e instanceof NoChromiumError) throw new PageError(503, 'no_chromium', e.message);
        throw e;
      }
      sendFile(res, 'application/pdf', name, pdf, 'inline');
    }),
  );
}
