/**
 * The tool's small HTML pages: every value is escaped; the only unescaped HTML is the prompt
 * rendered by markdownToHtml. Each page carries its own Content-Security-Policy (a script nonce,
 * form targets, and the platform as the only frame ancestor), replacing helmet's default, which
 * forbids framing and cross-site form posts that LTI needs.
 */
import { randomBytes } from 'node:crypto';
import type { Request, Response } from 'express';

export function escapeHtml(s: unknown): string {
  return String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** Whether the client asked for JSON (Accept: application/json) rather than a page. */
export function wantsJson(req: Request): boolean {
  return req.accepts(['text/html', 'application/json']) === 'application/json';
}

export function originOf(url: string): string | undefined {
  try {
    const u = new URL(url);
    return u.protocol === 'https:' || u.protocol === 'http:' ? u.origin : undefined;
  } catch {
    return undefined;
  }
}

export interface PageOptions {
  title: string;
  body: string;
  /** Inline script (run with a CSP nonce). */
  script?: string;
  /** Origins that may frame the page (the platform). */
  frameAncestors?: string[];
  /** Origins forms may post to besides our own. */
  formAction?: string[];
}

export function sendPage(res: Response, status: number, p: PageOptions): void {
  const nonce = randomBytes(16).toString('base64');
  const origins = (xs: string[] | undefined) => [...new Set((xs ?? []).filter((x) => /^https?:\/\/[^\s;,']+$/.test(x)))].join(' ');
  const csp = [
    "default-src 'none'",
    "base-uri 'none'",
    "style-src 'unsafe-inline'",
    "img-src 'self' data:",
    "connect-src 'self'",
    `script-src 'nonce-${nonce}'`,
    `form-action 'self' ${origins(p.formAction)}`.trim(),
    `frame-ancestors 'self' ${origins(p.frameAncestors)}`.trim(),
  ].join('; ');
  res.removeHeader('X-Frame-Options');
  res
    .status(status)
    .set('Content-Security-Policy', csp)
    .set('Cache-Control', 'no-store')
    .type('text/html; charset=utf-8')
    .send(
      `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(p.title)}</title>
<style>
body { font: 16px/1.5 system-ui, sans-serif; max-width: 48rem; margin: 1.5rem auto; padding: 0 1rem; }
.katex-html { display: none; } /* the MathML half of KaTeX's output renders without its stylesheet */
label { display: block; margin: .5rem 0; } input[type=text] { width: 100%; font: inherit; }
code { word-break: break-all; } .item { border-top: 1px solid #ccc; padding-top: 1rem; margin-top: 1rem; }
</style>
</head>
<body>
${p.body}
${p.script ? `<script nonce="${nonce}">${p.script}</script>` : ''}
</body>
</html>
`,
    );
}
