/**
 * What the LMS exporters share: a step's answer elements, numbers and tolerances written without
 * float noise, the statement's Markdown + TeX as HTML, and XML escaping. Moodle XML, QTI 3.0 and
 * GIFT each build their own syntax on top of these.
 */
import katex from 'katex';
import { Marked, type Tokens } from 'marked';
import { allowance, describeTolerance, type Tolerance } from '../core/tolerance.js';
import type { ExportItem, ExportStep } from './types.js';

// ---------------------------------------------------------------------------------------------
// Answer elements
// ---------------------------------------------------------------------------------------------

/** One answer box of a step: the whole value (scalar, label), one vector entry or one matrix cell. */
export interface AnswerElement {
  /** [] for a scalar or label, [i] for a vector entry, [row, col] for a matrix cell (0-based). */
  index: number[];
  /** The true value; −∞ is a masked entry. */
  truth: number | string;
  /** A masked entry (−∞): shown as given, not answered. */
  masked: boolean;
}

/** The printed form of a masked entry (Unicode minus sign and infinity). */
export const MASKED_TEXT = '\u2212\u221e';

/**
 * The step's answer elements in reading order (row by row). Throws when the expected value does
 * not have the step's kind, or holds NaN / +∞ / a −∞ outside a vector or matrix.
 */
export function stepElements(item: ExportItem, step: ExportStep): AnswerElement[] {
  const where = `item ${JSON.stringify(item.id)}, step ${JSON.stringify(step.id)}`;
  const v = step.expected;
  const num = (x: unknown, index: number[], maskable: boolean): AnswerElement => {
    if (typeof x !== 'number' || Number.isNaN(x) || x === Infinity || (x === -Infinity && !maskable)) {
      throw new TypeError(`${where}: expected a finite number${maskable ? ' or −∞' : ''} at [${index.join(', ')}], got ${String(x)}`);
    }
    return { index, truth: x, masked: x === -Infinity };
  };
  switch (step.kind) {
    case 'label':
      if (typeof v !== 'string' || v.trim() === '') throw new TypeError(`${where}: a label step needs a non-empty string`);
      return [{ index: [], truth: v, masked: false }];
    case 'scalar':
      return [num(v, [], false)];
    case 'vector':
      if (!Array.isArray(v) || v.some((x) => Array.isArray(x))) throw new TypeError(`${where}: a vector step needs an array of numbers`);
      return (v as number[]).map((x, i) => num(x, [i], true));
    case 'matrix': {
      if (!Array.isArray(v) || !v.every((r) => Array.isArray(r))) throw new TypeError(`${where}: a matrix step needs an array of rows`);
      const rows = v as number[][];
      if (rows.some((r) => r.length !== rows[0].length)) throw new TypeError(`${where}: a matrix step needs rows of equal length`);
      return rows.flatMap((r, i) => r.map((x, j) => num(x, [i, j], true)));
    }
    default:
      throw new TypeError(`${where}: unknown kind ${JSON.stringify(step.kind)}`);
  }
}

/** The elements a student answers (every element but the masked ones). */
export function answerable(elements: readonly AnswerElement[]): AnswerElement[] {
  return elements.filter((e) => !e.masked);
}

/** Checks a step's marks: a positive finite number (weights and shares are derived from it). */
export function checkMarks(item: ExportItem, step: ExportStep): number {
  if (typeof step.marks !== 'number' || !Number.isFinite(step.marks) || step.marks <= 0) {
    throw new RangeError(`item ${JSON.stringify(item.id)}, step ${JSON.stringify(step.id)}: marks must be a positive number, got ${String(step.marks)}`);
  }
  return step.marks;
}

/** "element 2", "row 1, column 3" (1-based), or "" for a scalar. */
export function positionText(e: AnswerElement): string {
  if (e.index.length === 1) return `element ${e.index[0] + 1}`;
  if (e.index.length === 2) return `row ${e.index[0] + 1}, column ${e.index[1] + 1}`;
  return '';
}

// ---------------------------------------------------------------------------------------------
// Numbers
// ---------------------------------------------------------------------------------------------

/** Significant digits of exported values: 0.30000000000000004 → 0.3, 1/3 → 0.3333333333. */
export const VALUE_DIGITS = 10;
/**
 * Decimal places exported values are also cut to: a true value below 5e-13 in size is rounding
 * noise of a difference that is exactly 0 (4.857e-17 from 0.1·0.2 − 0.2·0.1) and prints as 0.
 */
export const VALUE_PLACES = 12;
/** Significant digits of exported tolerances (rounded up, so never narrower than Stepwise's). */
export const TOLERANCE_DIGITS = 12;

/**
 * A finite number as a plain decimal (no exponent, so every LMS number parser reads it) with at
 * most `VALUE_DIGITS` significant digits and `VALUE_PLACES` decimal places, nearest rounding;
 * −0 is "0".
 */
export function formatExportNumber(x: number): string {
  if (!Number.isFinite(x)) throw new RangeError(`cannot export the number ${x}`);
  if (Math.abs(x) < 0.5 * 10 ** -VALUE_PLACES) return '0';
  if (Math.abs(x) >= 1) return plainDecimal(Number(x.toPrecision(VALUE_DIGITS)));
  // Below 1, round once at whichever is coarser — 10 significant digits or 12 places — since
  // rounding to one and then the other can move a value across a tie twice.
  const places = Math.min(VALUE_PLACES, VALUE_DIGITS - 1 - Math.floor(Math.log10(Math.abs(x))));
  return plainDecimal(Number(x.toFixed(places)));
}

/**
 * An absolute tolerance as a plain decimal with at most `TOLERANCE_DIGITS` significant digits,
 * rounded up: binary noise is dropped first (0.0005000000000000001 → 0.0005), then any digit
 * beyond the 12th rounds the tolerance up, so the LMS accepts at least what Stepwise accepts.
 */
export function formatTolerance(a: number): string {
  if (!Number.isFinite(a) || a < 0) throw new RangeError(`cannot export the tolerance ${a}`);
  if (a === 0) return '0';
  const clean = Number(a.toPrecision(15));
  let r = Number(clean.toPrecision(TOLERANCE_DIGITS));
  if (r < clean) {
    const unit = 10 ** (Math.floor(Math.log10(clean)) - (TOLERANCE_DIGITS - 1));
    r = Number((r + unit).toPrecision(TOLERANCE_DIGITS));
  }
  return plainDecimal(r);
}

/** The absolute half-width accepted at this truth, formatted (see `formatTolerance`). */
export function toleranceAt(truth: number, tol: Tolerance): string {
  return formatTolerance(allowance(truth, tol));
}

/** A number written out without an exponent (String() switches to 1e-7 below 1e-6). */
export function plainDecimal(x: number): string {
  const s = String(x);
  if (!/e/i.test(s)) return s === '-0' ? '0' : s;
  const [mantissa, expText] = s.toLowerCase().split('e');
  const negative = mantissa.startsWith('-');
  const m = negative ? mantissa.slice(1) : mantissa;
  const dot = m.indexOf('.');
  const digits = m.replace('.', '');
  const point = (dot < 0 ? m.length : dot) + Number(expText);
  let out: string;
  if (point <= 0) out = `0.${'0'.repeat(-point)}${digits}`;
  else if (point >= digits.length) out = digits + '0'.repeat(point - digits.length);
  else out = `${digits.slice(0, point)}.${digits.slice(point)}`;
  return (negative ? '-' : '') + out;
}

/** "1 mark", "2 marks", "0.5 marks". */
export function marksText(marks: number): string {
  return `${formatExportNumber(marks)} mark${marks === 1 ? '' : 's'}`;
}

// ---------------------------------------------------------------------------------------------
// Tolerance instructions
// ---------------------------------------------------------------------------------------------

/**
 * The tolerance sentence shared by every step of the item ("Give each answer to 3 decimal
 * places."), or undefined when the steps' tolerances differ (each step then states its own).
 */
export function sharedInstruction(item: ExportItem): string | undefined {
  const numeric = item.steps.filter((s) => s.kind !== 'label');
  if (numeric.length === 0) return undefined;
  const keys = new Set(numeric.map((s) => toleranceKey(s.tolerance)));
  return keys.size === 1 ? describeTolerance(numeric[0].tolerance) : undefined;
}

/** The step's own tolerance sentence when the item has no shared one (labels have none). */
export function stepInstruction(item: ExportItem, step: ExportStep): string | undefined {
  if (step.kind === 'label' || sharedInstruction(item) !== undefined) return undefined;
  return describeTolerance(step.tolerance);
}

function toleranceKey(t: Tolerance): string {
  return JSON.stringify(Object.entries(t).sort(([a], [b]) => a.localeCompare(b)));
}

// ---------------------------------------------------------------------------------------------
// Markdown + TeX → HTML
// ---------------------------------------------------------------------------------------------

export interface HtmlOptions {
  /**
   * 'tex': math stays TeX between \( … \) and \[ … \] for MathJax (Moodle's filter);
   * 'mathml': math becomes MathML (KaTeX), keeping the TeX as an annotation (QTI).
   */
  math: 'tex' | 'mathml';
  /** Well-formed XML: void elements self-closed, no align attributes (QTI item bodies). */
  xhtml?: boolean;
  /** Applied to the HTML outside math before the math goes back in (e.g. hiding braces). */
  text?: (html: string) => string;
}

interface MathSegment {
  tex: string;
  display: boolean;
}

const markdown = new Marked({
  gfm: true,
  breaks: false,
  // Statements are Markdown, not HTML: a stray tag is shown as text, never passed through.
  renderer: {
    html: (token: Tokens.HTML | Tokens.Tag) => (token.block ? `<p>${escapeHtml(token.text.trim())}</p>\n` : escapeHtml(token.text)),
  },
});

/**
 * The statement's Markdown as HTML. Math ($…$ and $$…$$) is cut out before Markdown sees it (so
 * `\\`, `_`, `*` and `|` in TeX are not read as Markdown) and put back afterwards, as TeX with
 * \( \) / \[ \] delimiters or as MathML. Named references other than XML's own five (`&nbsp;`)
 * are shown as typed, so the HTML is well-formed XML.
 */
export function markdownToHtml(source: string, opts: HtmlOptions): string {
  const { text, math } = protectMath(source);
  // marked passes HTML named references (&nbsp;) through; XML knows none but its own five.
  let html = (markdown.parse(text.md, { async: false }) as string)
    .trim()
    .replace(/&(?!(?:amp|lt|gt|quot|apos);)([A-Za-z][A-Za-z0-9]*;)/g, '&amp;$1');
  if (opts.xhtml) html = toXhtml(html);
  if (opts.text) html = opts.text(html);
  return html.replace(new RegExp(`${text.token}(\\d+)Z`, 'g'), (_m, i: string) => renderMath(math[Number(i)], opts.math));
}

/** Plain text (a step label, a title) as HTML text. */
export function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function renderMath(m: MathSegment, mode: 'tex' | 'mathml'): string {
  if (mode === 'mathml') {
    try {
      const out = katex.renderToString(m.tex.trim(), { output: 'mathml', displayMode: m.display, throwOnError: true, strict: 'ignore' });
      const start = out.indexOf('<math');
      const end = out.lastIndexOf('</math>');
      if (start >= 0 && end > start) return out.slice(start, end + '</math>'.length);
    } catch {
      // TeX KaTeX cannot read stays TeX, for a MathJax-enabled player.
    }
  }
  const tex = escapeHtml(m.tex.trim());
  return m.display ? `\\[ ${tex} \\]` : `\\( ${tex} \\)`;
}

/**
 * Replaces each math segment by a placeholder word Markdown leaves alone. Code spans and fenced
 * code blocks are copied verbatim ($ inside them is not math); `\$` stays an escaped dollar.
 */
function protectMath(src: string): { text: { md: string; token: string }; math: MathSegment[] } {
  let token = 'STEPWISEMATH';
  while (src.includes(token)) token += 'X';
  const math: MathSegment[] = [];
  let out = '';
  let i = 0;
  let lineStart = true;
  const push = (tex: string, display: boolean): void => {
    out += `${token}${math.length}Z`;
    math.push({ tex, display });
  };
  while (i < src.length) {
    const c = src[i];
    if (lineStart) {
      const fence = /^ {0,3}(`{3,}|~{3,})[^\n]*(\n|$)/.exec(src.slice(i));
      if (fence) {
        const close = new RegExp(`\\n {0,3}${fence[1][0] === '`' ? '`' : '~'}{${fence[1].length},}[ \\t]*(?=\\n|$)`, 'g');
        close.lastIndex = i + fence[0].length - 1;
        const m = close.exec(src);
        const end = m ? m.index + m[0].length : src.length;
        out += src.slice(i, end);
        i = end;
        lineStart = false;
        continue;
      }
    }
    lineStart = c === '\n';
    if (c === '\\' && i + 1 < src.length) {
      out += src.slice(i, i + 2);
      i += 2;
      continue;
    }
    if (c === '`') {
      const run = /^`+/.exec(src.slice(i))![0];
      const close = src.indexOf(run, i + run.length);
      if (close > 0 && !(src[close + run.length] === '`')) {
        out += src.slice(i, close + run.length);
        i = close + run.length;
      } else {
        out += run;
        i += run.length;
      }
      continue;
    }
    if (c === '$' && src[i + 1] === '$') {
      const close = findClosing(src, '$$', i + 2);
      if (close > 0) {
        push(src.slice(i + 2, close), true);
        i = close + 2;
        continue;
      }
    } else if (c === '$' && src[i + 1] !== undefined && !/\s/.test(src[i + 1])) {
      const close = findInlineClosing(src, i + 1);
      if (close > 0) {
        push(src.slice(i + 1, close), false);
        i = close + 1;
        continue;
      }
    }
    out += c;
    i++;
  }
  return { text: { md: out, token }, math };
}

/** The index of the next unescaped `delim` from `from`, not across a blank line, or −1. */
function findClosing(src: string, delim: string, from: number): number {
  for (let j = from; j < src.length; j++) {
    if (src[j] === '\\') {
      j++;
      continue;
    }
    if (src[j] === '\n' && /^\n[ \t]*(\n|$)/.test(src.slice(j, j + 64))) return -1;
    if (src.startsWith(delim, j)) return j;
  }
  return -1;
}

/** Closing `$` of inline math: not after whitespace, not before a digit (so "$5 and $6" is text). */
function findInlineClosing(src: string, from: number): number {
  let j = from;
  for (;;) {
    const close = findClosing(src, '$', j);
    if (close < 0) return -1;
    if (src[close + 1] === '$') return -1;
    if (!/\s/.test(src[close - 1]) && !/\d/.test(src[close + 1] ?? '')) return close;
    j = close + 1;
  }
}

/** marked's HTML as well-formed XML for a QTI item body. */
function toXhtml(html: string): string {
  return html
    .replace(/<input\b[^>]*>/g, '')
    .replace(/<(br|hr|img)\b([^>]*?)\s*\/?>/g, '<$1$2/>')
    .replace(/ align="(left|center|right)"/g, ' class="qti-align-$1"');
}

// ---------------------------------------------------------------------------------------------
// XML
// ---------------------------------------------------------------------------------------------

/** Drops characters XML 1.0 cannot hold (C0 controls but tab/newline/CR, lone surrogates, U+FFFE/F). */
export function xmlSafe(s: string): string {
  return s.replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '');
}

/** Text content or attribute value, escaped for XML. */
export function escapeXml(s: string): string {
  return xmlSafe(s)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;')
    .replace(/\r/g, '&#13;');
}

/** A CDATA section holding `s` exactly; a `]]>` inside is split across two sections. */
export function cdata(s: string): string {
  return `<![CDATA[${xmlSafe(s).replace(/]]>/g, ']]]]><![CDATA[>')}]]>`;
}

// ---------------------------------------------------------------------------------------------
// Moodle (shared by Moodle XML and GIFT)
// ---------------------------------------------------------------------------------------------

/** The quiz title as a Moodle category path: "$course$/top/<title>", a `/` in the title doubled. */
export function moodleCategoryPath(title: string): string {
  const name = title.replace(/[\r\n]+/g, ' ').trim().replace(/\//g, '//') || 'Stepwise';
  return `$course$/top/${name}`;
}

/** A step's answer boxes laid out as HTML: a one-row table for a vector, a grid for a matrix, else a paragraph. */
export function answerLayout(kind: ExportStep['kind'], elements: readonly AnswerElement[], cell: (e: AnswerElement) => string, indent = ''): string {
  if (kind === 'vector') return `${indent}<table class="stepwise-answer"><tbody><tr>${elements.map((e) => `<td>${cell(e)}</td>`).join('')}</tr></tbody></table>`;
  if (kind === 'matrix') {
    const rows: AnswerElement[][] = [];
    for (const e of elements) (rows[e.index[0]] ??= []).push(e);
    return `${indent}<table class="stepwise-answer"><tbody>${rows.map((r) => `<tr>${r.map((e) => `<td>${cell(e)}</td>`).join('')}</tr>`).join('')}</tbody></table>`;
  }
  return `${indent}<p>${cell(elements[0])}</p>`;
}
