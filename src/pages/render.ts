/**
 * The pages' Handlebars templates (templates/pages/*.hbs), compiled once on first use with HTML
 * escaping on (unlike the Markdown prompt templates): every value is escaped except what a
 * template marks with triple braces — only HTML this code made (KaTeX's output via
 * markdownToHtml). Each page gets its own Content-Security-Policy with a fresh script nonce.
 */
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { Response } from 'express';
import type HandlebarsNs from 'handlebars';
import { TEMPLATES_DIR } from '../core/paths.js';
import { pageCsp } from '../api/csp.js';
import { randomText } from '../core/random-pool.js';

export const PAGES_TEMPLATES_DIR = join(TEMPLATES_DIR, 'pages');
/** Where the pages' own stylesheet and script are served (src/pages/assets.ts). */
export const PAGE_ASSETS_PATH = '/pages/assets';

type Template = HandlebarsNs.TemplateDelegate;

/**
 * Only the built-in block helpers and the two registered here exist (knownHelpersOnly): a plain
 * {{name}} then compiles to a property read, where Handlebars would otherwise look each one up
 * as a helper first, on every render — a quarter of a page's rendering time.
 */
const COMPILE_OPTIONS = { strict: false, noEscape: false, knownHelpers: { eq: true, inc: true }, knownHelpersOnly: true } as const;
let compiled: Map<string, Template> | undefined;

function templates(): Map<string, Template> {
  if (compiled) return compiled;
  const h = (createRequire(import.meta.url)('handlebars') as typeof HandlebarsNs).create();
  h.registerHelper('eq', (a: unknown, b: unknown) => a === b);
  h.registerHelper('inc', (i: number) => i + 1);
  const out = new Map<string, Template>();
  for (const file of readdirSync(PAGES_TEMPLATES_DIR).filter((f) => f.endsWith('.hbs')).sort()) {
    const name = file.slice(0, -'.hbs'.length);
    const src = readFileSync(join(PAGES_TEMPLATES_DIR, file), 'utf8');
    // Partials compiled here with the same options (a string partial would be compiled at first use with Handlebars' defaults).
    if (name.startsWith('_')) h.registerPartial(name.slice(1), h.compile(src, COMPILE_OPTIONS));
    else out.set(name, h.compile(src, COMPILE_OPTIONS));
  }
  compiled = out;
  return out;
}

export interface PageData {
  title: string;
  /** The signed-in user, for the header (name only). */
  user?: { name: string };
  csrf?: string;
  /** Whether the page runs the client script (every page but the error pages). */
  script?: boolean;
  /** A page inside an LMS iframe (an LTI page session): who may frame it, and the launch's storage gate script, if any. */
  embed?: Embed;
  [k: string]: unknown;
}

export interface Embed {
  /** Origins that may frame the page (the platform's; src/lti/frames.ts). */
  frameAncestors: string[];
  /**
   * Script that shows the page (hidden until then) once the platform's storage holds the login's
   * state: a launch whose login cookie did not come back (src/lti/binding.ts). Our own code only.
   */
  gate?: string;
}

/**
 * Inside an LMS iframe: tell the platform the page's height (lti.frameResize, as Canvas, Moodle
 * and D2L take it) on load and whenever it changes, so the frame shows the page without its own
 * scroll bar. The height is no secret, so any parent may read it.
 */
const FRAME_RESIZE = `(() => {
  if (window.parent === window) return;
  let last = 0;
  const send = () => {
    const height = Math.ceil(document.documentElement.scrollHeight);
    if (height === last) return;
    last = height;
    window.parent.postMessage({ subject: 'lti.frameResize', height }, '*');
  };
  new ResizeObserver(send).observe(document.body);
  window.addEventListener('load', send);
  send();
})();`;

/** Inline script text: "</script" and "<!--" must not appear literally. */
const inline = (js: string) => js.replace(/<\/(script)/gi, '<\\/$1').replace(/<!--/g, '<\\!--');

/**
 * Trusted HTML this code made (typeset prompts, hints, solutions), kept encoded: the same prompt
 * serves a whole class, so a page splices its bytes in instead of re-encoding tens of kilobytes
 * of KaTeX per request (which was a third of a question page's CPU time). Inside a template it is
 * a triple-brace value; outside a render it reads as its HTML.
 */
export class HtmlChunk {
  readonly bytes: Buffer;
  constructor(readonly html: string) {
    this.bytes = Buffer.from(html, 'utf8');
  }
  toString(): string {
    if (!slots) return this.html;
    slots.push(this.bytes);
    return `${SLOT}${slots.length - 1}\u0000`;
  }
}

/**
 * A chunk's place in a template's output while it renders: a mark no escaped value can forge (a
 * secret of this process, never sent; a forged one could only repeat a chunk of the same page).
 */
const SLOT = `\u0000${randomBytes(12).toString('base64url')}:`;
const SLOT_BYTES = Buffer.from(SLOT, 'utf8');
let slots: Buffer[] | undefined;

/** The page as bytes, in parts: the template's own text encoded once, the chunks as they are (written with one writev, never copied into one buffer). */
export function renderParts(name: string, data: PageData, nonce: string): Buffer[] {
  const t = templates().get(name);
  if (!t) throw new Error(`no page template templates/pages/${name}.hbs`);
  const embedScript = data.embed ? inline(`${FRAME_RESIZE}\n${data.embed.gate ?? ''}`) : undefined;
  const own: Buffer[] = [];
  slots = own;
  let text: string;
  try {
    const body = t(data);
    text = templates().get('layout')!({ ...data, body, nonce, assets: PAGE_ASSETS_PATH, embedScript });
  } finally {
    slots = undefined;
  }
  // Encoded in one pass, then cut at the marks (a native byte search) into views of that one
  // buffer: no string slices, no second copy.
  const bytes = Buffer.from(text, 'utf8');
  if (own.length === 0) return [bytes];
  const parts: Buffer[] = [];
  let at = 0;
  for (let i = bytes.indexOf(SLOT_BYTES); i >= 0; i = bytes.indexOf(SLOT_BYTES, at)) {
    const from = i + SLOT_BYTES.length;
    const end = bytes.indexOf(0, from);
    const chunk = end < 0 ? undefined : own[Number(bytes.toString('latin1', from, end))];
    if (chunk === undefined) throw new Error('renderPage: a chunk mark with no chunk');
    parts.push(bytes.subarray(at, i), chunk);
    at = end + 1;
  }
  parts.push(bytes.subarray(at));
  return parts;
}

/** The page as one buffer (tests, and callers that need the whole page). */
export const renderPage = (name: string, data: PageData, nonce: string): Buffer => Buffer.concat(renderParts(name, data, nonce));

export function sendHtml(res: Response, status: number, name: string, data: PageData): void {
  const nonce = randomText(16, 'base64');
  const csp = pageCsp({ nonce, frameAncestors: data.embed ? data.embed.frameAncestors : 'none' });
  res
    .status(status)
    .set('Content-Security-Policy', csp)
    .set('Cache-Control', 'no-store')
    .set('Referrer-Policy', 'same-origin');
  if (data.embed) res.removeHeader('X-Frame-Options');
  else res.set('X-Frame-Options', 'DENY');
  // Not res.send: a page is never cached (no-store), so hashing every page for an ETag is waste.
  const parts = renderParts(name, data, nonce);
  res.type('text/html; charset=utf-8').set('Content-Length', String(parts.reduce((n, p) => n + p.length, 0)));
  if (res.req.method === 'HEAD') {
    res.end();
    return;
  }
  res.cork();
  for (const p of parts) res.write(p);
  res.end();
  res.uncork();
}

