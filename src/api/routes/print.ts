/**
 * Paper exams over the API: GET /api/v1/exams/{id}/print/{file}, the same files as the
 * instructor print page ("B.pdf", "key-B.pdf", "B.html", "B.tex", …), for full instructor keys
 * (an LTI launch key is refused: src/api/auth.ts). Without Chromium a PDF is 503 no_chromium with
 * the message that says how to install one.
 */
import { NoChromiumError } from '../../print/chromium.js';
import { printFile, type PrintFileReply } from '../../print/files.js';
import { HttpError } from '../problem.js';
import { param, type RouteSpec } from '../route.js';

export const printRoutes: RouteSpec[] = [
  {
    method: 'get',
    path: '/api/v1/exams/:id/print/:file',
    summary:
      "A paper exam file (instructors): a form's answer sheet <letter>.pdf|.html|.tex or its answer key key-<letter>.pdf|.html|.tex (forms A, B, C… are versions 1, 2, 3…); PDFs need Chromium on the server (503 no_chromium otherwise)",
    tag: 'exams',
    access: 'instructor',
    responses: {
      200: { description: 'the file', contentType: 'application/pdf', also: ['text/html', 'application/x-tex'] },
      503: { description: 'no Chromium on the server to print PDFs with (code no_chromium; the detail says how to install one)', contentType: 'application/problem+json' },
    },
    handler: async (ctx, req, res) => {
      let f: PrintFileReply;
      try {
        f = await printFile(ctx.store, param(req, 'id'), param(req, 'file'));
      } catch (e) {
        if (e instanceof NoChromiumError) throw new HttpError(503, 'no_chromium', e.message);
        throw e;
      }
      if (f.csp) res.set('Content-Security-Policy', f.csp);
      res.status(200).set('Cache-Control', 'no-store').set('Content-Disposition', `${f.disposition}; filename="${f.name}"`).type(f.contentType).end(f.body);
      return undefined;
    },
  },
];
