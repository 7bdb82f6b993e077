/** Practice sessions: the next variant goes to the student's weakest topic. */
import { checkDifficulty } from '../../engine.js';
import { isInstructor } from '../../service/access.js';
import { checkSessionTopics, nextVariant, sessionMastery } from '../../service/practice.js';
import type { PracticeSession, Store } from '../../store/types.js';
import type { Caller } from '../route.js';
import { forbidden, notFound } from '../problem.js';
import { callerOf, json, param, type RouteSpec } from '../route.js';

async function sessionFor(store: Store, caller: Caller, id: string): Promise<PracticeSession> {
  const s = await store.sessions.get(id);
  if (!s) throw notFound('practice session', id);
  if (!isInstructor(caller) && s.userId !== caller.user.id) throw forbidden('students can use only their own practice sessions');
  return s;
}

async function sessionView(store: Store, s: PracticeSession) {
  const { mastery, variants } = await sessionMastery(store, s);
  return { ...s, mastery, variants: variants.map((v) => v.id) };
}

export const practiceRoutes: RouteSpec[] = [
  {
    method: 'post',
    path: '/api/v1/practice-sessions',
    summary: 'Start a practice session over some topics (default: all) at a difficulty',
    tag: 'practice',
    access: 'any',
    body: { schema: 'NewSessionRequest' },
    responses: { 201: { description: 'the session', schema: 'PracticeSession' } },
    handler: async (ctx, req) => {
      const b = req.body as { topics?: string[]; difficulty?: string };
      const s = await ctx.store.sessions.create({
        userId: callerOf(ctx).user.id,
        topics: checkSessionTopics(b.topics),
        difficulty: checkDifficulty(b.difficulty, 'body.difficulty'),
      });
      return json(201, await sessionView(ctx.store, s));
    },
  },
  {
    method: 'get',
    path: '/api/v1/practice-sessions/:id',
    summary: 'A session with its variants and mastery per topic',
    tag: 'practice',
    access: 'any',
    responses: { 200: { description: 'the session', schema: 'PracticeSession' } },
    handler: async (ctx, req) => json(200, await sessionView(ctx.store, await sessionFor(ctx.store, callerOf(ctx), param(req, 'id')))),
  },
  {
    method: 'post',
    path: '/api/v1/practice-sessions/:id/next',
    summary: 'A fresh variant for the weakest topic of the session',
    tag: 'practice',
    access: 'any',
    responses: { 201: { description: 'the variant', schema: 'Variant' } },
    handler: async (ctx, req) => json(201, await nextVariant(ctx.store, await sessionFor(ctx.store, callerOf(ctx), param(req, 'id')))),
  },
];
