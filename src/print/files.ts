/**
 * One print file of a stored exam by its name ("B.pdf", "key-B.html", "A.tex"), ready to send:
 * what the instructor print page and the API both serve. PDFs come from the shared browser; a
 * NoChromiumError (no Chromium: the message says how to install one) is for the edge to turn
 * into a 503.
 */
import { StepwiseError } from '../core/errors.js';
import type { Store } from '../store/types.js';
import { documentPdf, documentTex, examDocument, PRINT_FILE, printFileName, type PrintFormat } from './documents.js';
import { printHtml, printHtmlCsp } from './html.js';
import { sharedPrinter } from './shared.js';

export interface PrintFileReply {
  /** The download name, e.g. "Midterm-key-B.pdf". */
  name: string;
  contentType: string;
  body: Buffer;
  disposition: 'inline' | 'attachment';
  /** The HTML's own Content-Security-Policy. */
  csp?: string;
}

export async function printFile(store: Store, examId: string, file: string): Promise<PrintFileReply> {
  const m = PRINT_FILE.exec(file);
  if (!m) throw new StepwiseError('not_found', `no print file ${JSON.stringify(file)}: the files are <form letter>.pdf, .html or .tex (or form-<form letter>.…, as stepwise exam print names them), and key-<form letter>.… for answer keys`, 'file');
  const [, keyPart, letter, ext] = m;
  const format = ext as PrintFormat;
  const { exam, doc } = await examDocument(store, examId, letter, keyPart !== undefined);
  const name = printFileName(exam, doc, format);
  if (format === 'tex') return { name, contentType: 'application/x-tex; charset=utf-8', body: Buffer.from(documentTex(doc), 'utf8'), disposition: 'attachment' };
  if (format === 'html') return { name, contentType: 'text/html; charset=utf-8', body: Buffer.from(await printHtml(doc.form, doc.key), 'utf8'), disposition: 'inline', csp: printHtmlCsp() };
  const { pdf } = await sharedPrinter.use((p) => documentPdf(p, doc));
  return { name, contentType: 'application/pdf', body: pdf, disposition: 'inline' };
}
