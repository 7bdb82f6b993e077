/**
 * A statement's Markdown with TeX as HTML for the LMS exports: math is cut out before marked runs
 * and put back after, as TeX for MathJax (Moodle) or as MathML with the TeX kept (QTI).
 */
import katex from 'katex';
import { Marked, type Tokens } from 'marked';

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
