/**
 * The pages' form parser (src/pages/form-body.ts) must read every body exactly as
 * express.urlencoded({ extended: false }) does — same object, same key order, same errors — while
 * taking its own fast path for plain forms. Both run side by side on a loopback server.
 */
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import express, { type NextFunction, type Request, type Response } from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formParser } from '../../src/pages/form-body.js';

const LIMIT = { limit: '1kb', parameterLimit: 20 };
let server: Server;
let url = '';

beforeAll(async () => {
  const app = express();
  const echo = (req: Request, res: Response) => {
    const b = req.body as Record<string, unknown> | undefined;
    res.json({ body: b === undefined ? 'undefined' : b, keys: b === undefined ? [] : Object.keys(b), proto: b === undefined ? null : Object.getPrototypeOf(b) === Object.prototype });
  };
  app.post('/reference', express.urlencoded({ extended: false, ...LIMIT }), echo);
  app.post('/pages', formParser(LIMIT), echo);
  app.use((err: { status?: number; type?: string; message: string; expose?: boolean }, _req: Request, res: Response, _next: NextFunction) => {
    res.status(err.status ?? 500).json({ error: err.message, type: err.type, expose: err.expose });
  });
  server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

async function both(body: string, type = 'application/x-www-form-urlencoded', headers: Record<string, string> = {}) {
  const send = async (path: string) => {
    const r = await fetch(url + path, { method: 'POST', headers: { 'content-type': type, ...headers }, body });
    return { status: r.status, json: (await r.json()) as unknown };
  };
  return { reference: await send('/reference'), pages: await send('/pages') };
}

describe('the pages form parser', () => {
  const bodies = [
    '',
    '_csrf=abc-DEF_123&answers%5BQ%5D%5B0%5D%5B1%5D=1.5&answers%5BQ%5D%5B1%5D%5B0%5D=-2e-3&action=submit',
    'answers[Q][0][0]=sqrt(2)%2F2&answers[Q][0][1]=e%5E-1&x=a+b+c&y=%E2%9C%93%20ok',
    'a=1&a=2', // repeated: an array
    'a[]=1&b=2', // "[]" key
    '[x]=1&[0]=2&%5Bz%5D=3', // keys qs unwraps
    '__proto__=1&constructor=2&toString=3&hasOwnProperty=4',
    'constructor=2&toString=3&hasOwnProperty=4&valueOf=',
    '=empty-key&&k&k2=&=',
    'bad=%E0%A4%A&pct=100%&plus=%2B1',
    'a=x%5D=y&b]=c&c=d]=e',
    '2=two&1=one&b=bee&0=zero&a=ay',
    'k=v=w&k2==',
    'ünï=çødé&%C3%BC=%C3%BC',
  ];
  for (const body of bodies) {
    it(`reads ${JSON.stringify(body).slice(0, 60)} as express.urlencoded does`, async () => {
      const { reference, pages } = await both(body);
      expect(reference.status).toBe(200);
      expect(pages).toEqual(reference);
    });
  }

  it('other content types and charsets, compressed bodies and no body at all: as express.urlencoded', async () => {
    for (const [type, headers] of [
      ['application/x-www-form-urlencoded; charset=ISO-8859-1', {}],
      ['application/x-www-form-urlencoded; charset=utf-16', {}],
      ['application/x-www-form-urlencoded; charset=UTF-8', {}],
      ['text/plain', {}],
      ['application/x-www-form-urlencoded', { 'content-encoding': 'identity' }],
    ] as const) {
      const { reference, pages } = await both('a=%E9t%E9&b=2', type, headers);
      expect(pages).toEqual(reference);
    }
  });

  it('too many fields and too large a body fail with the same status and type', async () => {
    const many = Array.from({ length: 21 }, (_, i) => `f${i}=1`).join('&');
    const r1 = await both(many);
    expect(r1.reference.status).toBe(413);
    expect(r1.pages).toEqual(r1.reference);
    const big = `a=${'x'.repeat(2000)}`;
    const r2 = await both(big);
    expect(r2.reference.status).toBe(413);
    expect(r2.pages).toEqual(r2.reference);
  });
});
