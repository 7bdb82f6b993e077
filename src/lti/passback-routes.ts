/** Grade passback's jobs for instructors: what is waiting or dead, and retrying a dead one. */
import { json, param, type RouteSpec } from '../api/route.js';
import { passbackState, retryPassback } from '../service/passback.js';
import type { Outbox } from './outbox.js';

export function passbackRoutes(outbox: Outbox): RouteSpec[] {
  return [
    {
      method: 'get',
      path: '/api/v1/lti/passback',
      summary: 'Grade passback jobs by state (?state=dead by default; pending, done), newest first, with counts per state (instructors)',
      tag: 'lti',
      access: 'instructor',
      responses: { 200: { description: 'the jobs and the counts', schema: 'PassbackJobList' } },
      handler: async (ctx, req) => {
        const state = passbackState(req.query.state);
        return json(200, { counts: await ctx.store.passback.counts(), jobs: await ctx.store.passback.list(state, 500) });
      },
    },
    {
      method: 'post',
      path: '/api/v1/lti/passback/:id/retry',
      summary: 'Post a dead (or waiting) grade passback job again now, its tries reset (instructors)',
      tag: 'lti',
      access: 'instructor',
      responses: { 200: { description: 'the job, due now', schema: 'PassbackJob' } },
      handler: async (ctx, req) => {
        const job = await retryPassback(ctx.store, param(req, 'id'));
        outbox.wake();
        return json(200, job);
      },
    },
  ];
}
