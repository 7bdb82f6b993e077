/** Every route of the API, in the order the OpenAPI document lists them. */
import type { AttemptHook } from '../../service/attempts.js';
import type { ReleaseHook } from '../../service/exam-rules.js';
import { json, type RouteSpec } from '../route.js';
import { examRoutes } from './exams.js';
import { paperAnswerRoutes } from './paper-answers.js';
import { practiceRoutes } from './practice.js';
import { statisticsRoutes } from './statistics.js';
import { printRoutes } from './print.js';
import { topicRoutes } from './topics.js';
import { userRoutes } from './users.js';
import { variantRoutes } from './variants.js';

const health: RouteSpec = {
  method: 'get',
  path: '/healthz',
  summary: 'Liveness and database health',
  tag: 'health',
  access: 'public',
  responses: { 200: { description: 'healthy', schema: 'Health' }, 503: { description: 'the database check failed', schema: 'Health' } },
  handler: async (ctx) => {
    const db = await ctx.store.check();
    return json(db.ok ? 200 : 503, { status: db.ok ? 'ok' : 'degraded', database: db.detail });
  },
};

export function apiRoutes(onAttempt?: AttemptHook, onRelease?: ReleaseHook): RouteSpec[] {
  return [health, ...topicRoutes, ...variantRoutes(onAttempt), ...userRoutes, ...practiceRoutes, ...examRoutes(onRelease), ...paperAnswerRoutes, ...statisticsRoutes, ...printRoutes];
}
