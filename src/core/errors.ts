/**
 * One error type for everything a caller can get wrong, from the engine and the service alike.
 * `code` is stable (the CLI, batch replies, the API, the pages and LTI map it: the HTTP status of
 * each code is set in one table, src/api/problem.ts); `path` names the failing field, e.g.
 * "params.W_K[2]". Nothing below the edges throws HTTP errors.
 */
export type ErrorCode =
  | 'unknown_topic'
  | 'unknown_question'
  | 'invalid_params'
  | 'invalid_answers'
  | 'invalid_request'
  | 'invalid_json'
  | 'too_large'
  | 'domain_error'
  | 'numeric_overflow'
  // Who may do what (HTTP 401, 403, 404, 409 at the express edge: src/api/problem.ts).
  | 'unauthorized'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  // Exam rules (HTTP 409): the attempt or release is refused, nothing stored changes.
  | 'exam_not_open'
  | 'exam_closed'
  | 'exam_released'
  | 'attempt_limit'
  | 'exam_open'
  // Not wrong, not yet: a question's model runs are still being computed (HTTP 503, Retry-After).
  | 'not_ready'
  | 'internal';

export class StepwiseError extends Error {
  override readonly name = 'StepwiseError';
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly path?: string,
  ) {
    super(message);
  }

  toJSON(): { code: ErrorCode; message: string; path?: string } {
    return this.path === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, path: this.path };
  }
}

/** Any thrown value as a client-safe error: StepwiseErrors keep their code, anything else is internal. */
export function asStepwiseError(e: unknown): StepwiseError {
  if (e instanceof StepwiseError) return e;
  const msg = e instanceof Error ? e.message : String(e);
  return new StepwiseError('internal', `internal error: ${msg}`);
}

/** No credentials, or credentials that are unknown, revoked or expired. */
export const unauthorizedError = (message: string): StepwiseError => new StepwiseError('unauthorized', message);

/** The caller may not have this (wrong role, not theirs, or it would reveal an unreleased exam). */
export const forbiddenError = (message: string): StepwiseError => new StepwiseError('forbidden', message);

/** No stored thing of this kind with this id. */
export const notFoundError = (what: string, id: string): StepwiseError => new StepwiseError('not_found', `no ${what} with id ${JSON.stringify(id)}`);

/** It would clash with what is stored already (a duplicate registration, say). */
export const conflictError = (message: string, path?: string): StepwiseError => new StepwiseError('conflict', message, path);
