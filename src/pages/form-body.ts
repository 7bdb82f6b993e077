/**
 * The pages' form parser: exactly express.urlencoded({ extended: false }) — body-parser reads the
 * body (limits, errors as before) — with the parsing of the forms browsers send done here. qs (what
 * body-parser calls) builds and merges an object per field, and an answer grid posts a field per
 * cell: it was ~4% of the server's CPU per page view. A body this fast path cannot vouch for
 * (a repeated field, a key qs reads specially, another charset or encoding) goes to qs itself,
 * with body-parser's own options, so every body parses as it did (tests/pages/form-body.test.ts
 * compares the two on tricky bodies).
 */
import { createRequire } from 'node:module';
import express, { type Request, type RequestHandler } from 'express';

// body-parser's own qs and http-errors (resolved from body-parser, so the very modules it uses).
const fromBodyParser = createRequire(createRequire(import.meta.url).resolve('body-parser'));
const qs = fromBodyParser('qs') as { parse(str: string, opts: object): Record<string, unknown> };
const createError = fromBodyParser('http-errors') as (...args: unknown[]) => Error & { type?: string };

/** A plain form post as browsers send it (and fetch with URLSearchParams): UTF-8, not compressed. */
const PLAIN_FORM = /^application\/x-www-form-urlencoded(?:\s*;\s*charset=utf-8)?$/i;

export function formParser(opts: { limit: string; parameterLimit: number }): RequestHandler {
  const whole = express.urlencoded({ extended: false, limit: opts.limit, parameterLimit: opts.parameterLimit });
  const text = express.text({ type: 'application/x-www-form-urlencoded', limit: opts.limit, defaultCharset: 'utf-8' });
  return (req, res, next) => {
    const type = req.headers['content-type'];
    if (typeof type !== 'string' || !PLAIN_FORM.test(type) || req.headers['content-encoding'] !== undefined) return whole(req, res, next);
    text(req, res, (err?: unknown) => {
      if (err) return next(err);
      const r = req as Request & { body: unknown };
      if (typeof r.body === 'string') {
        try {
          r.body = parseForm(r.body, opts.parameterLimit);
        } catch (e) {
          // As body-parser's read() reports a parser's failure.
          const x = e as Error & { type?: string };
          return next(createError(400, x, { body: r.body, type: x.type || 'entity.parse.failed' }));
        }
      }
      next();
    });
  };
}

/** body-parser's urlencoded parse (extended: false) of a UTF-8 body: the field count check, then qs or the fast path. */
export function parseForm(body: string, parameterLimit: number): Record<string, unknown> {
  if (body.length === 0) return {};
  let count = 0;
  let i = -1;
  do {
    if (++count > parameterLimit) throw createError(413, 'too many parameters', { type: 'parameters.too.many' });
    i = body.indexOf('&', i + 1);
  } while (i !== -1);
  const fast = plainFields(body);
  if (fast) return fast;
  try {
    return qs.parse(body, { allowPrototypes: true, arrayLimit: count, depth: 0, charsetSentinel: undefined, interpretNumericEntities: undefined, charset: 'utf-8', parameterLimit, strictDepth: true });
  } catch (e) {
    if (e instanceof RangeError) throw createError(400, 'The input exceeded the depth', { type: 'querystring.parse.rangeError' });
    throw e;
  }
}

/**
 * What qs makes of a body (depth 0, as body-parser asks) when every field is a distinct, ordinary
 * key: qs's own steps — brackets unescaped first, split at the first "=" (or after "]="), "+" as a
 * space, percent-decoding that keeps a malformed escape as written — into one object. Undefined
 * when qs would do more: a repeated key (an array), a key ending in "[]", starting with "[", empty,
 * or "__proto__".
 */
function plainFields(body: string): Record<string, string> | undefined {
  const clean = body.replace(/%5B/gi, '[').replace(/%5D/gi, ']');
  const out: Record<string, string> = {};
  for (const part of clean.split('&')) {
    const bracketEquals = part.indexOf(']=');
    const pos = bracketEquals === -1 ? part.indexOf('=') : bracketEquals + 1;
    if (pos > 1 && part.charCodeAt(pos - 2) === 0x5b && part.charCodeAt(pos - 1) === 0x5d) return undefined; // "key[]="
    const key = decode(pos === -1 ? part : part.slice(0, pos));
    if (key === '' || key.charCodeAt(0) === 0x5b || key === '__proto__' || Object.hasOwn(out, key)) return undefined;
    out[key] = pos === -1 ? '' : decode(part.slice(pos + 1));
  }
  return out;
}

/** qs's UTF-8 decoder. */
function decode(s: string): string {
  if (s.indexOf('%') === -1) return s.indexOf('+') === -1 ? s : s.replace(/\+/g, ' ');
  const spaced = s.replace(/\+/g, ' ');
  try {
    return decodeURIComponent(spaced);
  } catch {
    return spaced;
  }
}
