/** Grade passback's jobs for instructors: what is waiting or dead, and retrying a dead one. */
import { StepwiseError } from '../core/errors.js';
import { json, param, type RouteSpec } from '../api/route.js';
import type { Outbox } from './outbox.js';

const STATES = ['pending', 'dead', 'done'] as const;

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
        const raw = req.query.state ?? 'dead';
        const state = STATES.find((s) => s === raw);
        if (!state) throw new StepwiseError('invalid_request', `state must be one of ${STATES.join(', ')}, got ${JSON.stringify(raw)}`, 'query.state');
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
        const raw = param(req, 'id');
        const id = /^\d{1,15}$/.test(raw) ? Number(raw) : NaN;
        const job = Number.isSafeInteger(id) ? await ctx.store.passback.retry(id) : undefined;
        if (!job) {
          const known = Number.isSafeInteger(id) ? await ctx.store.passback.get(id) : undefined;
          if (known) throw new StepwiseError('conflict', `passback job ${raw} was posted already (${known.doneAt ?? ''}); nothing to retry`);
          throw new StepwiseError('not_found', `no passback job with id ${JSON.stringify(raw)}`);
        }
        outbox.wake();
        return json(200, job);
      },
    },
  ];
}
