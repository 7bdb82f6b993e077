/** The web pages over HTTP: a signed-in browser as cookies and form posts (no JavaScript). */
import { katexAssetRoutes } from '../../src/lti/assets.js';
import type { AppOptions } from '../../src/api/app.js';
import { startHarness, type Harness } from '../api/harness.js';

export interface PageClient {
  cookie?: string;
  get(path: string): Promise<PageResponse>;
  post(path: string, form: Record<string, string>, opts?: { origin?: string | null }): Promise<PageResponse>;
  /** The CSRF token in the last page fetched. */
  csrf(html: string): string;
}

export interface PageResponse {
  status: number;
  text: string;
  headers: Headers;
}

export async function startPages(options: Partial<AppOptions> = {}): Promise<Harness> {
  return startHarness({ extraRoutes: katexAssetRoutes(), authFailuresPerMinute: 0, ...options });
}

export function client(h: Harness): PageClient {
  const c: PageClient = {
    async get(path) {
      const r = await fetch(h.url + path, { redirect: 'manual', headers: c.cookie ? { cookie: c.cookie } : {} });
      return { status: r.status, text: await r.text(), headers: r.headers };
    },
    async post(path, form, opts = {}) {
      const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
      if (c.cookie) headers.cookie = c.cookie;
      const origin = opts.origin === undefined ? h.url : opts.origin;
      if (origin !== null) headers.origin = origin;
      const r = await fetch(h.url + path, { method: 'POST', redirect: 'manual', headers, body: new URLSearchParams(form).toString() });
      for (const set of r.headers.getSetCookie()) {
        const m = /^([^=]+)=([^;]*)/.exec(set)!;
        c.cookie = m[2] === '' ? undefined : `${m[1]}=${m[2]}`;
      }
      return { status: r.status, text: await r.text(), headers: r.headers };
    },
    csrf(html) {
      const m = /name="_csrf" value="([^"]+)"/.exec(html);
      if (!m) throw new Error('no CSRF token in the page');
      return m[1];
    },
  };
  return c;
}

export async function signIn(h: Harness, key: string): Promise<PageClient> {
  const c = client(h);
  const r = await c.post('/login', { key, next: '/' });
  if (r.status !== 303) throw new Error(`sign-in failed: ${r.status} ${r.text.slice(0, 200)}`);
  return c;
}

/** Small independent linear algebra for building answers in tests. */
export const matmul = (a: number[][], b: number[][]) => a.map((r) => b[0].map((_x, j) => r.reduce((t, x, k) => t + x * b[k][j], 0)));
export const transpose = (a: number[][]) => a[0].map((_x, j) => a.map((r) => r[j]));
export const softmaxRows = (a: number[][]) =>
  a.map((r) => {
    const m = Math.max(...r);
    const e = r.map((x) => Math.exp(x - m));
    const s = e.reduce((t, x) => t + x, 0);
    return e.map((x) => x / s);
  });

/** Self-attention with a residual, by hand: every step's value from the student's own Q (others true). */
export function selfAttentionChain(p: { X: number[][]; W_Q: number[][]; W_K: number[][]; W_V: number[][] }, slipQ?: (q: number[][]) => number[][]) {
  const trueQ = matmul(p.X, p.W_Q);
  const Q = slipQ ? slipQ(trueQ) : trueQ;
  const K = matmul(p.X, p.W_K);
  const V = matmul(p.X, p.W_V);
  const scores = matmul(Q, transpose(K));
  const dk = p.W_K[0].length;
  const scaled_scores = scores.map((r) => r.map((x) => x / Math.sqrt(dk)));
  const weights = softmaxRows(scaled_scores);
  const attention_output = matmul(weights, V);
  const output = p.X.map((r, i) => r.map((x, j) => x + attention_output[i][j]));
  return { Q, K, V, scores, scaled_scores, weights, attention_output, output };
}

/** A matrix as form fields answers[<step>][i][j], rounded as a student would write it. */
export function gridFields(step: string, m: number[][], digits = 6): Record<string, string> {
  const out: Record<string, string> = {};
  m.forEach((r, i) => r.forEach((x, j) => (out[`answers[${step}][${i}][${j}]`] = String(Number(x.toFixed(digits))))));
  return out;
}
