/**
 * A statement's Markdown with TeX as HTML for the LMS exports: the one renderer (src/render/html.ts)
 * with marked and KaTeX imported here, so the exporters stay synchronous (they are loaded on demand
 * themselves). Moodle, QTI and GIFT add their own escaping on top.
 */
import katex from 'katex';
import { Marked } from 'marked';
import { markdownRenderer, type HtmlOptions } from '../render/html.js';

export { escapeHtml, type HtmlOptions } from '../render/html.js';

const render = markdownRenderer({ Marked, katex });

/**
 * The statement as HTML; the exporters pass `math`: 'tex' (Moodle, GIFT: TeX for MathJax) or
 * 'mathml' (QTI, with `xhtml`).
 */
export function markdownToHtml(source: string, opts: HtmlOptions & { math: 'tex' | 'mathml' }): string {
  return render(source, opts);
}
