/**
 * Printing an exam: for each chosen form its answer sheet and (optionally) its answer key, as
 * HTML, LaTeX and PDF. One Chromium prints the whole batch. Without a Chromium the HTML and LaTeX
 * are still made and the PDFs are reported missing with the NoChromiumError's message (what to
 * install), so an edge can write what it has and say why the rest is not there.
 */
import { getExam } from '../service/exams.js';
import type { Exam, Store, Variant } from '../store/types.js';
import { findChromium, NoChromiumError, PdfPrinter } from './chromium.js';
import { printHtml, qrBound, qrCodes } from './html.js';
import { formVersion, printForm, printForms, type PrintForm } from './model.js';
import { formTex, keyTex, texImageName } from './tex.js';
import { artefactMaterials, type ArtefactMaterials } from '../service/artefact-pictures.js';

export type PrintFormat = 'pdf' | 'html' | 'tex';
/** Besides the documents: the plots a LaTeX source includes, written beside it. */
export type PrintFileFormat = PrintFormat | 'png';

/** A print file's name as the server routes take it: "B.pdf", "key-B.tex" (key?, letter, format). */
/** A print file's name: "B.pdf", "key-B.html", or "form-B.tex" as `stepwise exam print` names its files. */
export const PRINT_FILE = /^(?:form-|(key-))?([A-Za-z]{1,2})\.(pdf|html|tex)$/;
export const PRINT_FORMATS: readonly PrintFormat[] = ['pdf', 'html', 'tex'];

export interface PrintDocument {
  form: PrintForm;
  key: boolean;
}

/** A document's file name without extension: "form-A", "key-A". */
export const documentName = (d: PrintDocument): string => `${d.key ? 'key' : 'form'}-${d.form.letter}`;

export interface PrintedFile {
  /** e.g. "form-A.pdf", "key-B.tex" */
  name: string;
  format: PrintFileFormat;
  bytes: Buffer;
  /** PDFs: how many pages. */
  pages?: number;
}

export interface PrintOptions {
  /** Form letters; all when absent. */
  forms?: readonly string[];
  formats: readonly PrintFormat[];
  /** Answer keys too (default true). */
  keys?: boolean;
  /** Called after each file is made (a progress bar). */
  onFile?: (f: PrintedFile, done: number, total: number) => void;
  env?: NodeJS.ProcessEnv;
  /** The pictures and answers of the exam's questions about model runs (`artefactMaterials`), needed when it has any. */
  materials?: ArtefactMaterials;
}

export interface PrintResult {
  files: PrintedFile[];
  /** Why no PDF was made (no Chromium: what to install), when PDFs were asked for. */
  pdfUnavailable?: string;
}

export function printDocuments(exam: Exam, variants: Variant[], forms?: readonly string[], keys = true, materials?: ArtefactMaterials): PrintDocument[] {
  return printForms(exam, variants, forms, materials).flatMap((form) => (keys ? [{ form, key: false }, { form, key: true }] : [{ form, key: false }]));
}

/** One document of a stored exam: form `letter`'s answer sheet or key (not_found / invalid_request errors name what is wrong). */
export async function examDocument(store: Store, examId: string, letter: string, key: boolean): Promise<{ exam: Exam; doc: PrintDocument }> {
  const exam = await getExam(store, examId);
  const version = formVersion(letter, exam.versions);
  const variants = await store.variants.listByExam(exam.id, version);
  return { exam, doc: { form: printForm(exam, variants, version, await artefactMaterials(store, variants)), key } };
}

/** A download name from the title (letters, digits and dashes only): "Midterm-key-B.pdf". */
export function printFileName(exam: Pick<Exam, 'title'>, d: PrintDocument, format: PrintFormat): string {
  const stem = exam.title.replace(/[^A-Za-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 60) || 'exam';
  return `${stem}-${documentName(d)}.${format}`;
}

/** The LaTeX source of one document. */
export const documentTex = (d: PrintDocument): string => (d.key ? keyTex(d.form) : formTex(d.form));

/**
 * The PDF of one document with a launched printer, from its HTML file (which carries QR codes)
 * or, by default, from HTML without codes: the printer hands in exactly one per page laid out.
 */
export async function documentPdf(printer: PdfPrinter, d: PrintDocument, file?: string): Promise<{ pdf: Buffer; pages: number }> {
  const html = file ?? (await printHtml(d.form, d.key, false));
  return printer.pdf(html, (from, to) => qrCodes(d.form, d.key, from, to), file === undefined ? 0 : qrBound(d.form));
}

/**
 * Every file asked for. Without a Chromium, PDFs are left out (pdfUnavailable says why) and the
 * HTML and LaTeX are made even when not asked for: what the instructor can print by other means.
 */
export async function printExam(exam: Exam, variants: Variant[], o: PrintOptions): Promise<PrintResult> {
  const docs = printDocuments(exam, variants, o.forms, o.keys ?? true, o.materials);
  const formats = new Set(o.formats);
  let pdfUnavailable: string | undefined;
  // The browser starts while the first documents are typeset (a launch takes a second or more).
  const launching = formats.has('pdf') ? PdfPrinter.launch(o.env) : undefined;
  launching?.catch(() => undefined);
  if (launching) {
    try {
      findChromium(o.env);
    } catch (e) {
      if (!(e instanceof NoChromiumError)) throw e;
      pdfUnavailable = e.message;
      formats.delete('pdf');
      formats.add('html');
      formats.add('tex');
    }
  }
  const printer = formats.has('pdf') ? launching : undefined;
  // The plots the LaTeX sources include, once per form (its answer sheet and key share them).
  const pictures = new Map<string, Buffer>();
  if (formats.has('tex')) {
    for (const d of docs) for (const it of d.form.items) (it.images ?? []).forEach((im, k) => pictures.set(texImageName(d.form, it, k), im.png));
  }
  const total = docs.length * formats.size + pictures.size;
  const files: PrintedFile[] = [];
  const add = (f: PrintedFile) => {
    files.push(f);
    o.onFile?.(f, files.length, total);
  };
  try {
    // Two documents at a time in the one browser: layout is single-threaded per page, and this
    // machine class has two cores.
    const queue = [...docs];
    const worker = async () => {
      for (let d = queue.shift(); d; d = queue.shift()) {
        const name = documentName(d);
        const html = formats.has('html') ? await printHtml(d.form, d.key) : undefined;
        if (formats.has('tex')) add({ name: `${name}.tex`, format: 'tex', bytes: Buffer.from(documentTex(d), 'utf8') });
        if (html !== undefined) add({ name: `${name}.html`, format: 'html', bytes: Buffer.from(html, 'utf8') });
        if (printer) {
          const { pdf, pages } = await documentPdf(await printer, d, html);
          add({ name: `${name}.pdf`, format: 'pdf', bytes: pdf, pages });
        }
      }
    };
    await Promise.all([worker(), worker()]);
    for (const [name, png] of pictures) add({ name, format: 'png', bytes: png });
  } finally {
    await (await launching?.catch(() => undefined))?.close();
  }
  const order = (f: PrintedFile) =>
    f.format === 'png' ? docs.length * 10 : docs.findIndex((d) => f.name.startsWith(`${documentName(d)}.`)) * 10 + PRINT_FORMATS.indexOf(f.format);
  files.sort((a, b) => order(a) - order(b));
  return pdfUnavailable === undefined ? { files } : { files, pdfUnavailable };
}
