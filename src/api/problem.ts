/**
 * Errors as application/problem+json (RFC 9457): status, a short title, a detail that names the
 * failing field, and Stepwise's stable `code`. Clients never see a stack trace.
 */
import type { NextFunction, Request, Response } from 'express';
import type { Logger } from 'pino';
import { forbiddenError, notFoundError, StepwiseError, type ErrorCode } from '../core/errors.js';

/**
 * An error only HTTP has words for (415 unsupported media type, 421 misdirected request) or a
 * protocol's own code (LTI's, in src/lti/errors.ts). Everything else is a StepwiseError, whose
 * status is looked up in STATUS_OF below.
 */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

// The service throws these as StepwiseErrors; routes use the same ones, so STATUS_OF below is the
// one place a code becomes an HTTP status.
export const notFound = notFoundError;
export const forbidden = forbiddenError;

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  409: 'Conflict',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  421: 'Misdirected Request',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
};

const STATUS_OF: Record<ErrorCode, number> = {
  unknown_topic: 404,
  unknown_question: 404,
  invalid_params: 422,
  invalid_answers: 422,
  invalid_request: 422,
  invalid_json: 400,
  too_large: 413,
  domain_error: 422,
  numeric_overflow: 422,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  exam_not_open: 409,
  exam_closed: 409,
  exam_released: 409,
  attempt_limit: 409,
  exam_open: 409,
  not_ready: 503,
  internal: 500,
};

/** The HTTP status of an engine error. */
export const statusOf = (err: StepwiseError): number => STATUS_OF[err.code];

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  field?: string;
  instance?: string;
}

export function sendProblem(res: Response, status: number, code: string, detail: string, field?: string, instance?: string): void {
  const body: Problem = { type: 'about:blank', title: TITLES[status] ?? 'Error', status, detail, code };
  if (field !== undefined) body.field = field;
  if (instance !== undefined) body.instance = instance;
  res.status(status).type('application/problem+json').send(JSON.stringify(body));
}

/** The last middleware: every error becomes a problem document; unexpected ones are logged, not shown. */
export function problemHandler(logger: Logger | undefined) {
  return (err: unknown, req: Request, res: Response, _next: NextFunction): void => {
    if (res.headersSent) {
      res.end();
      return;
    }
    if (err instanceof HttpError) return sendProblem(res, err.status, err.code, err.message, err.field, req.originalUrl);
    if (err instanceof StepwiseError) {
      // Model runs take tens of seconds: a client asks again then.
      if (err.code === 'not_ready') res.set('Retry-After', '30');
      return sendProblem(res, STATUS_OF[err.code], err.code, err.message, err.path, req.originalUrl);
    }
    // body-parser's errors carry a status and a type.
    const e = err as { status?: number; type?: string; message?: string };
    if (e.type === 'entity.too.large') return sendProblem(res, 413, 'too_large', `the request body is larger than the limit`, undefined, req.originalUrl);
    if (e.type === 'entity.parse.failed') return sendProblem(res, 400, 'invalid_json', `the request body is not valid JSON: ${e.message}`, undefined, req.originalUrl);
    if (typeof e.status === 'number' && e.status >= 400 && e.status < 500) {
      return sendProblem(res, e.status, 'bad_request', e.message ?? 'bad request', undefined, req.originalUrl);
    }
    logger?.error({ err }, 'unhandled error');
    sendProblem(res, 500, 'internal', 'internal error; it has been logged', undefined, req.originalUrl);
  };
}
