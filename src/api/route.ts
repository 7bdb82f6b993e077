/**
 * Routes are data: method, path, access, body schema, response schemas and a handler. The same
 * list wires express (auth, body checks, response checks) and builds the OpenAPI document, so the
 * documentation cannot drift from what the server checks.
 */
import type { Request, Response } from 'express';
import type { Logger } from 'pino';
import type { Caller } from '../service/caller.js';
import type { Store } from '../store/types.js';

export type { Caller } from '../service/caller.js';

export type Access = 'public' | 'any' | 'instructor';

export interface Ctx {
  store: Store;
  logger?: Logger;
  /** The authenticated caller; absent only on public routes. */
  caller?: Caller;
  /**
   * Public base URL of this service, e.g. https://stepwise.example.edu (LTI needs it): the
   * configured one, else the request's Host when it names this server; reading it for a foreign
   * Host throws 421 (see origin.ts).
   */
  readonly baseUrl: string;
}

export interface ResponseSpec {
  description: string;
  /** A schema ref name from schemas/ (src/api/schemas/index.ts), for JSON bodies. */
  schema?: string;
  /** Non-JSON bodies (CSV, zip, XML, JSON Lines). */
  contentType?: string;
  /** Other content types the same status may carry (chosen by a query parameter). */
  also?: string[];
}

export interface RouteSpec {
  method: 'get' | 'post' | 'delete';
  /** express path, e.g. /api/v1/variants/:id/attempts */
  path: string;
  summary: string;
  tag: string;
  access: Access;
  /** Request body: a schema name from REQUESTS (`optional`: the body may be left out), or a raw content type handled by the route. */
  body?: { schema: string; optional?: boolean } | { contentType: string };
  query?: Record<string, { description: string; enum?: readonly string[] }>;
  responses: Record<number, ResponseSpec>;
  /**
   * Returns `{ status, body }` for a JSON reply (checked against responses[status] in tests), or
   * undefined when it wrote the response itself (CSV, zip, redirects, HTML).
   */
  handler(ctx: Ctx, req: Request, res: Response): Promise<{ status: number; body: unknown } | undefined>;
}

export const json = (status: number, body: unknown) => ({ status, body });

/** The caller of an authenticated route (the router guarantees one). */
export function callerOf(ctx: Ctx): Caller {
  if (!ctx.caller) throw new Error('route declared public but reads the caller');
  return ctx.caller;
}

export function param(req: Request, name: string): string {
  const v = req.params[name];
  return typeof v === 'string' ? v : String(v);
}
