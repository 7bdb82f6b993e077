/**
 * The tool's small HTML pages: every value is escaped; the only unescaped HTML is the prompt
 * rendered by markdownToHtml (KaTeX's HTML and MathML, styled by KaTeX's own stylesheet and fonts
 * served at /assets/katex). Each page carries its own Content-Security-Policy (a script nonce,
 * form targets, and the platform as the only frame ancestor), replacing helmet's default, which
 * forbids framing and cross-site form posts that LTI needs.
 */
import { randomBytes } from 'node:crypto';
import type { Request, Response } from 'express';
import { StepwiseError } from '../core/errors.js';
import { HttpError, statusOf } from '../api/problem.js';
import { pageCsp } from '../api/csp.js';
import { storageClientScript, storageKey } from './binding.js';

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
  /**
   * Show the page, and run its script, only once the platform's storage frame holds this login's
   * state (a launch whose login cookie did not come back; src/lti/binding.ts).
   */
  gate?: { target: string; origin: string; state: string };
  /** Any http(s) page may frame it (error pages: no controls to trick anyone into using). */
  anyFrame?: boolean;
}

export function sendPage(res: Response, status: number, p: PageOptions): void {
  const nonce = randomBytes(16).toString('base64');
  const csp = pageCsp({ nonce, formAction: p.formAction ?? [], frameAncestors: p.anyFrame ? 'any' : (p.frameAncestors ?? []) });
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
<link rel="stylesheet" href="../assets/katex/katex.min.css">
<style>
body { font: 16px/1.5 system-ui, sans-serif; max-width: 48rem; margin: 1.5rem auto; padding: 0 1rem; }
label { display: block; margin: .5rem 0; } input[type=text] { width: 100%; font: inherit; }
code { word-break: break-all; } .item { border-top: 1px solid #ccc; padding-top: 1rem; margin-top: 1rem; }
.feedback { margin: .5rem 0 0; padding-left: 1.2rem; } .error { color: #a00; }
</style>
</head>
<body>
${p.gate ? `<main id="page" hidden>
${p.body}
</main>
<p id="gate">Checking the sign-in…</p>` : p.body}
${p.script || p.gate ? `<script nonce="${nonce}">${pageScript(p)}</script>` : ''}
</body>
</html>
`,
    );
}

/** The page's script; behind the storage gate when there is one. */
function pageScript(p: PageOptions): string {
  // JSON in a script element: "</script>" and "<!--" must not appear literally.
  const body = (p.script ?? '').replace(/<\/(script)/gi, '<\\/$1');
  return p.gate ? gateScript(p.gate, 'page', body) : body;
}

/**
 * The storage gate: the element `pageId` (hidden) is shown, and `then` run, only once the
 * platform's storage frame holds this login's state; otherwise the element is removed and the
 * page says why. The page's text shows "Checking the sign-in…" in an element with id "gate".
 */
export function gateScript(gate: NonNullable<PageOptions['gate']>, pageId: string, then = ''): string {
  return `${storageClientScript(gate.target, gate.origin)}
ltiStorage('lti.get_data', { key: ${JSON.stringify(storageKey(gate.state))} }).then((r) => {
  const gate = document.getElementById('gate');
  if (!r || r.value !== ${JSON.stringify(gate.state)}) {
    document.getElementById(${JSON.stringify(pageId)}).remove();
    gate.className = 'error';
    gate.textContent = 'This launch did not start in this browser. Start it again from the course; if it fails again, allow cookies for this site or open the activity in a new window.';
    return;
  }
  gate.remove();
  document.getElementById(${JSON.stringify(pageId)}).hidden = false;
  ${then}
});`;
}

/** Whether an error on an /lti/* route should be answered with a page (a browser) rather than problem+json. */
export function wantsPage(req: Request): boolean {
  return req.accepts(['application/json', 'application/problem+json', 'text/html']) === 'text/html';
}

/** An error as a small HTML page for a person in a browser (the LMS frame), with the same status and detail as the problem document. */
export function sendErrorPage(res: Response, err: HttpError | StepwiseError): void {
  const status = err instanceof HttpError ? err.status : statusOf(err);
  const code = err instanceof HttpError ? err.code : err.code;
  sendPage(res, status, {
    title: 'Stepwise: the activity could not open',
    body: `<h1>The activity could not open</h1>
<p class="error">${escapeHtml(err.message)}</p>
<p><small>Error ${status} (${escapeHtml(code)}). If it persists, tell your instructor what you were doing and this code.</small></p>`,
    anyFrame: true,
  });
}
