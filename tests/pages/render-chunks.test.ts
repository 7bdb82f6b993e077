/**
 * Pages splice trusted, pre-encoded HTML (HtmlChunk: typeset prompts, hints, solutions) into the
 * template's output as bytes. The page must read exactly as if the HTML had been a string.
 */
import { describe, expect, it } from 'vitest';
import { HtmlChunk, renderPage } from '../../src/pages/render.js';

const page = (data: Record<string, unknown>) => renderPage('error', { title: 'T', status: 400, code: 'bad_request', ...data }, 'nonce').toString('utf8');

describe('HtmlChunk in a rendered page', () => {
  it('splices the chunk’s bytes where the template puts the value, multi-byte characters intact', () => {
    const chunk = new HtmlChunk('<b>ré ✓ ∑</b>');
    const out = page({ message: chunk });
    expect(out).toContain('<p class="notice" role="alert"><b>ré ✓ ∑</b></p>');
    expect(out).not.toContain('\u0000');
    // The same page from a plain string differs only where a string is escaped.
    expect(page({ message: 'plain ✓' })).toContain('<p class="notice" role="alert">plain ✓</p>');
  });

  it('a value that imitates a mark is text, escaped as any other (no chunk appears for it)', () => {
    const out = page({ message: '\u0000abc:0\u0000 <i>' });
    expect(out).toContain('\u0000abc:0\u0000 &lt;i&gt;');
  });

  it('reads as its HTML outside a render', () => {
    expect(`${new HtmlChunk('<p>x</p>')}`).toBe('<p>x</p>');
  });
});
