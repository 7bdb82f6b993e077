/**
 * Markdown with TeX → HTML, the one renderer for every reader of a prompt: the API, the pages, the
 * LTI page, worked solutions and the LMS exports. Math ($…$ and $$…$$) is cut out before marked
 * runs, so Markdown never mangles TeX (`\\`, `_`, `*`, `|`), and is put back after, typeset as the
 * caller asks (`HtmlOptions.math`). Code spans and code blocks are copied verbatim ($ in them is not
 * math), `\$` is an escaped dollar, and HTML in the text is shown as text, never passed through.
 * marked and KaTeX load on first use (`markdownToHtml`), or are handed in by a caller that has them
 * loaded already (`markdownRenderer`: the exporters, which are themselves loaded on demand).
 */
import type { Marked as MarkedClass, Tokens } from 'marked';
import type KatexModule from 'katex';
import { Lru } from '../core/lru.js';

type Katex = typeof KatexModule;

export type MathOutput = 'katex' | 'mathml' | 'tex';

export interface HtmlOptions {
  /**
   * How math is written:
   * 'katex' (default): KaTeX's HTML plus MathML (screen readers read the MathML; the page needs
   *   KaTeX's stylesheet); TeX KaTeX cannot read is shown as KaTeX's red error span, TeX in its text.
   * 'mathml': MathML only, with the TeX kept as an annotation (QTI); TeX KaTeX cannot read stays
   *   TeX as in 'tex', for a MathJax-enabled player.
   * 'tex': TeX between \( … \) and \[ … \] for MathJax (Moodle's filter, GIFT).
   */
  math?: MathOutput;
  /** Well-formed XML: void elements self-closed, no align attributes (QTI item bodies). */
  xhtml?: boolean;
  /** Applied to the HTML outside math before the math goes back in (e.g. Moodle hiding braces). */
  text?: (html: string) => string;
  /**
   * Typeset formulas to reuse ('katex' output only): a caller that renders the same formulas again
   * and again (the pages: a step's formula in every variant's hint, a variant's prompt on every
   * view) keeps its own cache, so no other caller's input can probe it by timing.
   */
  formulas?: FormulaCache;
}

/** Typeset formulas by TeX, least recently used dropped first, bounded by the HTML's total length. */
export class FormulaCache extends Lru<string, string> {
  constructor(maxChars = 16_000_000) {
    super(maxChars, (html) => html.length);
  }
}

/** One formula of a source: its TeX as written (trimmed) and whether it is display math ($$…$$). */
export interface MathSpan {
  tex: string;
  display: boolean;
}

/** A renderer with its libraries loaded: synchronous. */
export type MarkdownRenderer = (source: string, opts?: HtmlOptions) => string;

export interface RendererLibraries {
  Marked: typeof MarkedClass;
  katex: Katex;
}

let loaded: Promise<MarkdownRenderer> | undefined;

/** The renderer, loading marked and KaTeX on first use. */
export function loadMarkdownRenderer(): Promise<MarkdownRenderer> {
  loaded ??= Promise.all([import('marked'), import('katex')]).then(([marked, katex]) => markdownRenderer({ Marked: marked.Marked, katex: katex.default }));
  return loaded;
}

/** Markdown with TeX as HTML (KaTeX HTML and MathML unless `opts.math` says otherwise). */
export async function markdownToHtml(markdown: string, opts: HtmlOptions = {}): Promise<string> {
  return (await loadMarkdownRenderer())(markdown, opts);
}

/** The renderer over libraries the caller has loaded. */
export function markdownRenderer({ Marked, katex }: RendererLibraries): MarkdownRenderer {
  const markdown = new Marked({
    gfm: true,
    breaks: false,
    // Prompts are Markdown, not HTML: a stray tag is shown as text, never passed through.
    renderer: {
      html: (token: Tokens.HTML | Tokens.Tag) => (token.block ? `<p>${escapeHtml(token.text.trim())}</p>\n` : escapeHtml(token.text)),
    },
  });
  const typeset = (m: MathSpan, mode: MathOutput): string => {
    if (mode === 'katex') {
      const html = katex.renderToString(m.tex, { displayMode: m.display, throwOnError: false, output: 'htmlAndMathml' });
      // TeX KaTeX cannot read comes back as a bare error span: display math stays a block.
      return m.display && html.startsWith('<span class="katex-error"') ? `<span class="katex-display">${html}</span>` : html;
    }
    if (mode === 'mathml') {
      try {
        const out = katex.renderToString(m.tex, { output: 'mathml', displayMode: m.display, throwOnError: true, strict: 'ignore' });
        const start = out.indexOf('<math');
        const end = out.lastIndexOf('</math>');
        if (start >= 0 && end > start) return out.slice(start, end + '</math>'.length);
      } catch {
        // TeX KaTeX cannot read stays TeX, for a MathJax-enabled player.
      }
    }
    const tex = escapeHtml(m.tex);
    return m.display ? `\\[ ${tex} \\]` : `\\( ${tex} \\)`;
  };
  return (source, opts = {}) => {
    const { md, token, math } = splitMath(source);
    // marked passes HTML named references (&nbsp;) through; XML knows none but its own five, and
    // every caller gets the same text, so they are shown as typed everywhere.
    let html = (markdown.parse(md, { async: false }) as string)
      .trim()
      .replace(/&(?!(?:amp|lt|gt|quot|apos);)([A-Za-z][A-Za-z0-9]*;)/g, '&amp;$1');
    if (opts.xhtml) html = toXhtml(html);
    if (opts.text) html = opts.text(html);
    const mode = opts.math ?? 'katex';
    const cache = mode === 'katex' ? opts.formulas : undefined;
    return html.replace(new RegExp(`${token}(\\d+)Z`, 'g'), (_m, i: string) => {
      const m = math[Number(i)];
      if (!cache) return typeset(m, mode);
      const key = `${m.display ? 'D' : 'I'}${m.tex}`;
      let out = cache.get(key);
      if (out === undefined) cache.set(key, (out = typeset(m, mode)));
      return out;
    });
  };
}

/** Plain text (a step label, a title) as HTML text. */
export function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/**
 * The formulas of a source, in order, as the renderer reads them (for callers that need the math
 * without the HTML, and for tests).
 */
export function mathSpans(source: string): MathSpan[] {
  return splitMath(source).math;
}

/**
 * Replaces each formula by a placeholder word Markdown leaves alone. Code spans and fenced code
 * blocks are copied verbatim ($ inside them is not math); `\$` stays an escaped dollar (marked
 * turns it into $). Inline math opens at a `$` before a non-space and closes at the next `$`, which
 * must follow a non-space and come before no digit, else the opening `$` is text ("$5 and $6");
 * no formula crosses a blank line. A formula
 * with nothing but spaces in it is no formula: it stays text as typed.
 */
export function splitMath(src: string): { md: string; token: string; math: MathSpan[] } {
  let token = 'STEPWISEMATH';
  while (src.includes(token)) token += 'X';
  const math: MathSpan[] = [];
  let out = '';
  let i = 0;
  let lineStart = true;
  const take = (from: number, to: number, tex: string, display: boolean): void => {
    if (tex.trim() === '') out += src.slice(from, to);
    else {
      out += `${token}${math.length}Z`;
      math.push({ tex: tex.trim(), display });
    }
    i = to;
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
        take(i, close + 2, src.slice(i + 2, close), true);
        continue;
      }
    } else if (c === '$' && src[i + 1] !== undefined && !/\s/.test(src[i + 1])) {
      const close = findInlineClosing(src, i + 1);
      if (close > 0) {
        take(i, close + 1, src.slice(i + 1, close), false);
        continue;
      }
    }
    out += c;
    i++;
  }
  return { md: out, token, math };
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

/**
 * Closing `$` of inline math: the next unescaped `$`, when it follows a non-space and no digit
 * follows it; otherwise the opening `$` is text ("$5 and $6" is text, and so is the $5 of "$5 and $x$").
 */
function findInlineClosing(src: string, from: number): number {
  const close = findClosing(src, '$', from);
  if (close < 0 || src[close + 1] === '$') return -1;
  return !/\s/.test(src[close - 1]) && !/\d/.test(src[close + 1] ?? '') ? close : -1;
}

/** marked's HTML as well-formed XML for a QTI item body. */
function toXhtml(html: string): string {
  return html
    .replace(/<input\b[^>]*>/g, '')
    .replace(/<(br|hr|img)\b([^>]*?)\s*\/?>/g, '<$1$2/>')
    .replace(/ align="(left|center|right)"/g, ' class="qti-align-$1"');
}
