/**
 * Errors of the web pages as a person reads them: the engine's StepwiseError (the service's one
 * vocabulary) gets its usual status, and PageError covers what only pages refuse (CSRF, sign-in).
 */
import { StepwiseError } from '../core/errors.js';
import { statusOf } from '../api/problem.js';

export class PageError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** Status, code and a message safe to show; anything unexpected is an internal error (logged, not shown). */
export function describeError(e: unknown): { status: number; code: string; message: string; unexpected: boolean } {
  if (e instanceof PageError) return { status: e.status, code: e.code, message: e.message, unexpected: false };
  if (e instanceof StepwiseError) return { status: statusOf(e), code: e.code, message: e.message, unexpected: e.code === 'internal' };
  // The API's own HTTP errors (a status and a code) keep theirs, as do body-parser's (a body too
  // large, too many fields, malformed JSON: `expose` marks their messages as safe to show).
  const h = e as { status?: unknown; code?: unknown; expose?: unknown; type?: unknown };
  if (e instanceof Error && typeof h.status === 'number' && h.status >= 400 && h.status < 500 && (typeof h.code === 'string' || h.expose === true)) {
    const code = typeof h.code === 'string' ? h.code : typeof h.type === 'string' ? h.type.replace(/\./g, '_') : 'bad_request';
    return { status: h.status, code, message: e.message, unexpected: false };
  }
  return { status: 500, code: 'internal', message: 'Something went wrong on the server. Try again; if it keeps happening, tell your instructor.', unexpected: true };
}
