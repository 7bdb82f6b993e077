/** Bearer API keys: `Authorization: Bearer sw_…`; keys are looked up by their SHA-256. */
import type { Request } from 'express';
import { forbiddenError, unauthorizedError } from '../core/errors.js';
import { callerForKey } from '../service/auth.js';
import type { Store } from '../store/types.js';
import type { Caller, RouteSpec } from './route.js';

/**
 * The instructor routes an LTI launch key (an instructor's key scoped to one resource link) may
 * call, and only for the exam its link opens (`:id`): that exam's versions, results, statistics,
 * release, export and paper answers. Everything else instructor-only (users, keys, platforms, courses, creating or listing
 * exams) needs a key made through the API; on routes open to any caller a launch key is treated as
 * a student's, except for its own exam's variants (src/service/access.ts).
 */
const SCOPED_EXAM_ROUTES = new Set([
  'get /api/v1/exams/:id/versions',
  'get /api/v1/exams/:id/results',
  'get /api/v1/exams/:id/statistics',
  'post /api/v1/exams/:id/release',
  'get /api/v1/exams/:id/export',
  'post /api/v1/exams/:id/paper-answers',
]);

export async function authenticate(store: Store, req: Request, route: Pick<RouteSpec, 'access' | 'method' | 'path'>): Promise<Caller | undefined> {
  const { access } = route;
  if (access === 'public') return undefined;
  const header = req.get('authorization');
  const m = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
  if (!m) throw unauthorizedError('send an API key as "Authorization: Bearer <key>"');
  const found = await callerForKey(store, m[1]);
  if (access === 'instructor') {
    if (found.key.role !== 'instructor') throw forbiddenError('this needs an instructor key');
    const scope = found.key.scope;
    if (scope && !(SCOPED_EXAM_ROUTES.has(`${route.method} ${route.path}`) && scope.examId !== undefined && req.params.id === scope.examId)) {
      throw forbiddenError("an LTI launch key reaches only its own exam's versions, results, release, export and paper answers; this needs an instructor key made through the API");
    }
  }
  return found;
}
