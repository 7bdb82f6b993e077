/** Users, their API keys, and courses. */
import type { Role } from '../../store/types.js';
import { isInstructor } from '../../service/access.js';
import { forbidden, notFound } from '../problem.js';
import { callerOf, json, param, type RouteSpec } from '../route.js';

export const userRoutes: RouteSpec[] = [
  {
    method: 'post',
    path: '/api/v1/users',
    summary: 'Create a user with a first API key (instructors); the key is shown once',
    tag: 'users',
    access: 'instructor',
    body: { schema: 'NewUserRequest' },
    responses: { 201: { description: 'the user and the secret of their key', schema: 'NewUser' } },
    handler: async (ctx, req) => {
      const b = req.body as { name: string; role: Role };
      const user = await ctx.store.users.create({ name: b.name, role: b.role });
      const { key, secret } = await ctx.store.keys.create({ userId: user.id, role: b.role, label: 'first key' });
      return json(201, { id: user.id, name: user.name, role: user.role, createdAt: user.createdAt, apiKey: secret, key });
    },
  },
  {
    method: 'get',
    path: '/api/v1/users/me',
    summary: 'The caller',
    tag: 'users',
    access: 'any',
    responses: { 200: { description: 'the user behind the key', schema: 'User' } },
    handler: async (ctx) => json(200, publicUser(callerOf(ctx).user)),
  },
  {
    method: 'post',
    path: '/api/v1/users/:id/keys',
    summary: 'Issue another API key for a user (instructors); the secret is shown once',
    tag: 'users',
    access: 'instructor',
    body: { schema: 'NewKeyRequest' },
    responses: { 201: { description: 'the key and its secret', schema: 'NewKey' } },
    handler: async (ctx, req) => {
      const user = await ctx.store.users.get(param(req, 'id'));
      if (!user) throw notFound('user', param(req, 'id'));
      const { key, secret } = await ctx.store.keys.create({ userId: user.id, role: user.role, label: (req.body as { label: string }).label });
      return json(201, { key, apiKey: secret });
    },
  },
  {
    method: 'delete',
    path: '/api/v1/keys/:id',
    summary: 'Revoke an API key (instructors, or the key’s own user)',
    tag: 'users',
    access: 'any',
    responses: { 200: { description: 'the revoked key', schema: 'ApiKey' } },
    handler: async (ctx, req) => {
      const caller = callerOf(ctx);
      const keys = isInstructor(caller) ? undefined : await ctx.store.keys.list(caller.user.id);
      if (keys && !keys.some((k) => k.id === param(req, 'id'))) throw forbidden('students can revoke only their own keys');
      const key = await ctx.store.keys.revoke(param(req, 'id'));
      if (!key) throw notFound('API key', param(req, 'id'));
      return json(200, key);
    },
  },
  {
    method: 'post',
    path: '/api/v1/courses',
    summary: 'Create a course (instructors)',
    tag: 'courses',
    access: 'instructor',
    body: { schema: 'NewCourseRequest' },
    responses: { 201: { description: 'the course', schema: 'Course' } },
    handler: async (ctx, req) => json(201, await ctx.store.courses.create({ title: (req.body as { title: string }).title, createdBy: callerOf(ctx).user.id })),
  },
  {
    method: 'get',
    path: '/api/v1/courses',
    summary: 'List courses',
    tag: 'courses',
    access: 'any',
    responses: { 200: { description: 'the courses', schema: 'CourseList' } },
    handler: async (ctx) => json(200, await ctx.store.courses.list()),
  },
];

function publicUser(u: { id: string; name: string; role: Role; createdAt: string }) {
  return { id: u.id, name: u.name, role: u.role, createdAt: u.createdAt };
}
