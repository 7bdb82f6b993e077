/**
 * A form or its answer key as one self-contained HTML file: Handlebars templates in
 * templates/print/ (escaping on; triple braces only for HTML this code made), prompts and worked
 * solutions typeset by the pages' own renderer (markdownToHtml: the same KaTeX), KaTeX's
 * stylesheet inlined with its fonts as data: URLs, the print stylesheet, the QR codes, and
 * paginate.js, which lays the blocks out on A4 page boxes. Nothing in the file reaches the
 * network, so the PDF Chromium prints from it is the same on any machine, offline.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type HandlebarsNs from 'handlebars';
import { texValue } from '../core/format.js';
import { TEMPLATES_DIR } from '../core/paths.js';
import type { Value } from '../core/values.js';
import { Lru } from '../core/lru.js';
import { FormulaCache, markdownToHtml } from '../render/html.js';
import { ecfRule, toleranceShort, type PrintForm, type PrintItem, type PrintStep } from './model.js';
import { qrDataUrl } from './qr.js';

export const PRINT_TEMPLATES_DIR = join(TEMPLATES_DIR, 'print');

type Template = HandlebarsNs.TemplateDelegate;
let compiled: Template | undefined;
let assets: { katexCss: string; printCss: string; paginateJs: string } | undefined;

function documentTemplate(): Template {
  if (compiled) return compiled;
  const h = (createRequire(import.meta.url)('handlebars') as typeof HandlebarsNs).create();
  for (const file of readdirSync(PRINT_TEMPLATES_DIR).filter((f) => f.startsWith('_') && f.endsWith('.hbs'))) {
    h.registerPartial(file.slice(1, -'.hbs'.length), readFileSync(join(PRINT_TEMPLATES_DIR, file), 'utf8'));
  }
  compiled = h.compile(readFileSync(join(PRINT_TEMPLATES_DIR, 'document.hbs'), 'utf8'), { strict: false, noEscape: false });
  return compiled;
}

/** KaTeX's stylesheet with each font as a WOFF2 data: URL (Chromium reads WOFF2; ~300 kB for all of them). */
export function katexCssInline(): string {
  const dist = dirname(createRequire(import.meta.url).resolve('katex'));
  const css = readFileSync(join(dist, 'katex.min.css'), 'utf8');
  const out = css.replace(/src:url\(fonts\/([\w-]+)\.woff2\) format\("woff2"\)[^;}]*/g, (_m, name: string) => {
    const font = readFileSync(join(dist, 'fonts', `${name}.woff2`)).toString('base64');
    return `src:url(data:font/woff2;base64,${font}) format("woff2")`;
  });
  if (/url\(fonts\//.test(out)) throw new Error('katex.min.css: a font reference the print stylesheet cannot inline');
  return out;
}

function printAssets() {
  assets ??= {
    katexCss: katexCssInline(),
    printCss: readFileSync(join(PRINT_TEMPLATES_DIR, 'print.css'), 'utf8'),
    paginateJs: readFileSync(join(PRINT_TEMPLATES_DIR, 'paginate.js'), 'utf8'),
  };
  return assets;
}

/** The inline script's text exactly as written into the file (for a server's CSP hash). */
export const paginateScript = (): string => printAssets().paginateJs;

/**
 * The CSP a server sends the print HTML with: its one inline script by hash, its inline styles,
 * fonts and images from data: URLs only, nothing else (no network, no framing, no forms).
 */
export function printHtmlCsp(): string {
  const hash = createHash('sha256').update(paginateScript(), 'utf8').digest('base64');
  return `default-src 'none'; script-src 'sha256-${hash}'; style-src 'unsafe-inline'; img-src data:; font-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`;
}

const formulas = new FormulaCache(4_000_000);
/** Typeset statements by source: a form and its key share them, and a reprint shares them all. */
const typeset = new Lru<string, string>(8_000_000, (h) => h.length);

/**
 * Typeset Markdown for paper: KaTeX's HTML without its MathML twin (a PDF is not read by a screen
 * reader, and the hidden MathML would come out a second time in text extracted from the PDF).
 */
async function paperHtml(markdown: string): Promise<string> {
  let html = typeset.get(markdown);
  if (html === undefined) {
    html = (await markdownToHtml(markdown, { formulas })).replace(/<span class="katex-mathml">[\s\S]*?<\/math><\/span>/g, '');
    typeset.set(markdown, html);
  }
  return html;
}

const valueHtml = (v: Value): Promise<string> => paperHtml(typeof v === 'string' ? v.replace(/[\\`*_[\]<>$]/g, '\\$&') : `$${texValue(v)}$`);

const stepNumber = (item: number, i: number): string => `${item}${String.fromCharCode(97 + (i % 26))}`;

function shapeText(s: PrintStep): string {
  if (s.kind === 'vector') return `A vector of ${s.cols}: one box per entry.`;
  if (s.kind === 'matrix') return `A ${s.rows} × ${s.cols} matrix: one box per entry.`;
  if (s.kind === 'label') return s.labels ? 'Tick one.' : 'A word or label.';
  return 'A number.';
}

/** An item's plots as data: URLs (the file stays self-contained; its CSP allows img-src data: only). */
const figures = (it: PrintItem) =>
  (it.images ?? []).map((im) => ({ src: `data:image/png;base64,${im.png.toString('base64')}`, caption: im.caption, width: im.width, height: im.height }));

/** The blocks' view of a form (what the answer sheet shows: never a value). */
async function formView(form: PrintForm) {
  return Promise.all(
    form.items.map(async (it) => ({
      n: it.n,
      title: it.title,
      marks: it.marks,
      marksWord: it.marks === 1 ? 'mark' : 'marks',
      toleranceNote: it.toleranceNote,
      statementHtml: await paperHtml(it.statement),
      figures: figures(it),
      steps: it.steps.map((s, i) => ({
        number: stepNumber(it.n, i),
        id: s.id,
        label: s.label,
        marks: s.marks,
        shapeText: shapeText(s),
        grid: s.kind === 'vector' || s.kind === 'matrix',
        vector: s.kind === 'vector',
        cols: s.cols,
        gridRows: Array.from({ length: s.rows }, () => Array.from({ length: s.cols }, () => 0)),
        labels: s.labels,
      })),
    })),
  );
}

async function keyView(form: PrintForm) {
  return Promise.all(
    form.items.map(async (it) => ({
      n: it.n,
      title: it.title,
      marks: it.marks,
      marksWord: it.marks === 1 ? 'mark' : 'marks',
      statementHtml: await paperHtml(it.statement),
      figures: figures(it),
      workedHtml: await paperHtml(it.workedMarkdown),
      steps: await Promise.all(
        it.steps.map(async (s, i) => ({
          number: stepNumber(it.n, i),
          id: s.id,
          label: s.label,
          marks: s.marks,
          valueHtml: await valueHtml(s.value),
          tolerance: toleranceShort(s.kind, s.tolerance),
          ecf: ecfRule(s, form.rules.ecfPenalty),
          misconceptions: await Promise.all(
            s.misconceptions.map(async (m) => ({ id: m.id, explanation: m.explanation, valueHtml: m.value === undefined ? '—' : await valueHtml(m.value) })),
          ),
        })),
      ),
    })),
  );
}

export function ecfText(penalty: number): string {
  return penalty > 0
    ? `Error carried forward: a step that is wrong but follows correctly from the student's own earlier values earns ${+(100 - penalty * 100).toPrecision(6)}% of its marks.`
    : "Error carried forward: a step that is wrong but follows correctly from the student's own earlier values earns full marks.";
}

export function blankText(policy: string): string {
  return policy === 'implied'
    ? 'Blank steps: a step left blank earns its marks when a later step that depends on it is correct (the student must have had its value).'
    : 'Blank steps: a step left blank earns nothing, whatever follows.';
}

/** The page header's fixed part ("Midterm · Form B", "Midterm · Form B · answer key"); paginate.js adds "· page n/m". */
export const pageHeader = (form: PrintForm, key: boolean): string => `${form.title} · Form ${form.letter}${key ? ' · answer key' : ''}`;

/** QR codes carried in the file: one per block is more pages than the layout can make, unless a block is split or shrunk. */
export const qrBound = (form: PrintForm): number => 2 + form.items.reduce((n, it) => n + it.steps.length + 3, 0);

/** The QR codes of pages `from`..`to` (1-based), as data: URLs. */
export function qrCodes(form: PrintForm, key: boolean, from: number, to: number): Promise<string[]> {
  return Promise.all(Array.from({ length: Math.max(0, to - from + 1) }, (_, i) => qrDataUrl({ examId: form.examId, form: form.letter, page: from + i, ...(key ? { key } : {}) })));
}

/**
 * The answer sheet (key = false) or the answer key of one form, as a self-contained HTML document.
 * `withQr`: carry QR codes for as many pages as the layout can make (a file to keep); false when
 * a printer hands in exactly the codes of the pages it laid out (a PDF: no code made for nothing).
 */
export async function printHtml(form: PrintForm, key: boolean, withQr = true): Promise<string> {
  const a = printAssets();
  const codes = withQr ? await qrCodes(form, key, 1, qrBound(form)) : [];
  return documentTemplate()({
    key,
    form,
    single: form.items.length === 1,
    docTitle: pageHeader(form, key),
    header: pageHeader(form, key),
    numberBoxes: Array.from({ length: 10 }, () => 0),
    items: key ? await keyView(form) : await formView(form),
    ecfText: ecfText(form.rules.ecfPenalty),
    blankText: blankText(form.rules.blankSteps),
    katexCss: a.katexCss,
    printCss: a.printCss,
    // JSON inside a script element: "<" never appears literally, so no "</script" can close it.
    qrJson: JSON.stringify(codes).replace(/</g, '\\u003c'),
    paginateJs: a.paginateJs,
  });
}
