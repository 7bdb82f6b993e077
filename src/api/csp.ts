/**
 * The Content-Security-Policy of every HTML page (the web pages and the LTI pages): nothing but
 * this site's own styles, fonts, images and fetches, scripts only with the page's nonce, forms
 * posting to this site (and the LMS where a page hands a response back), and framing only where
 * the page says (an LMS's origins, or nobody).
 */

/** http(s) origins only, each once: nothing that could break out of the header's syntax. */
export const cspOrigins = (xs: readonly string[] | undefined): string =>
  [...new Set((xs ?? []).filter((x) => /^https?:\/\/[^\s;,']+$/.test(x)))].join(' ');

export interface CspOptions {
  nonce: string;
  /** Origins forms may post to besides this site. */
  formAction?: readonly string[];
  /** Who may frame the page: origins besides this site, 'none', or any http(s) page. */
  frameAncestors: readonly string[] | 'none' | 'any';
}

export function pageCsp(o: CspOptions): string {
  const frames = o.frameAncestors === 'none' ? "'none'" : o.frameAncestors === 'any' ? 'https: http:' : `'self' ${cspOrigins(o.frameAncestors)}`.trim();
  return [
    "default-src 'none'",
    "base-uri 'none'",
    // KaTeX's HTML output positions glyphs with style attributes.
    "style-src 'self' 'unsafe-inline'",
    "font-src 'self'",
    "img-src 'self' data:",
    "connect-src 'self'",
    `script-src 'nonce-${o.nonce}'`,
    `form-action 'self' ${cspOrigins(o.formAction)}`.trim(),
    `frame-ancestors ${frames}`,
  ].join('; ');
}
