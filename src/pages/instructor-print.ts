/**
 * /instructor/exams/<id>/print: a page of links to each form's answer sheet and answer key, and
 * the files themselves at /print/<letter>.pdf|.html|.tex and /print/key-<letter>.…, for instructor
 * keys only (instructorOnly: a student or an LTI launch key gets the 403 page, never a key).
 * PDFs come from one shared Chromium; without one, a PDF route answers 503 with the message that
 * says how to install it (the HTML and LaTeX still work).
 */
import type { Router } from 'express';
import { getExam } from '../service/exams.js';
import { findChromium, NoChromiumError } from '../print/chromium.js';
import { printFile, type PrintFileReply } from '../print/files.js';
import { formLetter } from '../print/model.js';
import type { PagesContext } from './context.js';
import { PageError } from './errors.js';
import { INSTRUCTOR_PATH, instructorOnly } from './instructor.js';
import { sendHtml } from './render.js';

export { closePrintBrowser } from '../print/shared.js';

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
      let f: PrintFileReply;
      try {
        f = await printFile(store, String(req.params.id), String(req.params.file));
      } catch (e) {
        if (e instanceof NoChromiumError) throw new PageError(503, 'no_chromium', e.message);
        throw e;
      }
      if (f.csp) res.set('Content-Security-Policy', f.csp).set('X-Frame-Options', 'DENY').set('Referrer-Policy', 'no-referrer');
      res
        .status(200)
        .set('Cache-Control', 'no-store')
        .set('X-Content-Type-Options', 'nosniff')
        .set('Content-Disposition', `${f.disposition}; filename="${f.name}"`)
        .type(f.contentType)
        .end(f.body);
    }),
  );
}
