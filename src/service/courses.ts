/**
 * Courses and their rosters for the instructor pages: a course, its students (each made with a
 * first key, whose secret is returned once and never stored), their keys (never their secrets)
 * and revoking one. The API's user routes make users and keys the same way.
 */
import { notFoundError, StepwiseError } from '../core/errors.js';
import type { ApiKey, Course, Store, User } from '../store/types.js';

function checkText(x: unknown, field: string, max = 200): string {
  const s = typeof x === 'string' ? x.trim() : '';
  if (s.length === 0 || s.length > max) throw new StepwiseError('invalid_request', `${field} must be 1 to ${max} characters, got ${JSON.stringify(typeof x === 'string' ? x.slice(0, 40) : x)}`, field);
  return s;
}

export async function createCourse(store: Store, title: unknown, createdBy: string): Promise<Course> {
  return store.courses.create({ title: checkText(title, 'title'), createdBy });
}

export async function getCourse(store: Store, id: string): Promise<Course> {
  const c = await store.courses.get(id);
  if (!c) throw notFoundError('course', id);
  return c;
}

/** A new student on the course's roster with a first key: `secret` is shown to the instructor once. */
export async function addStudent(store: Store, courseId: string, name: unknown): Promise<{ user: User; key: ApiKey; secret: string }> {
  const course = await getCourse(store, courseId);
  const user = await store.users.create({ name: checkText(name, 'name'), role: 'student' });
  const { key, secret } = await store.keys.create({ userId: user.id, role: 'student', label: 'first key' });
  await store.courses.addMember(course.id, user.id);
  return { user, key, secret };
}

/** The course's students with their keys (prefix, label, dates; never a secret), LTI launch keys left out. */
export async function roster(store: Store, courseId: string): Promise<{ user: User; keys: ApiKey[] }[]> {
  const ids = await store.courses.members(courseId);
  const out: { user: User; keys: ApiKey[] }[] = [];
  for (const id of ids) {
    const user = await store.users.get(id);
    if (user) out.push({ user, keys: (await store.keys.list(id)).filter((k) => k.scope === undefined) });
  }
  return out;
}

/** Another key for a student on this course's roster (the secret, once). */
export async function issueKey(store: Store, courseId: string, userId: string, label: unknown): Promise<{ key: ApiKey; secret: string }> {
  if (!(await store.courses.members(courseId)).includes(userId)) throw notFoundError('student', userId);
  return store.keys.create({ userId, role: 'student', label: checkText(label ?? 'another key', 'label', 100) });
}

/** Revokes a key of a student on this course's roster (404 for any other key). */
export async function revokeStudentKey(store: Store, courseId: string, userId: string, keyId: string): Promise<ApiKey> {
  if (!(await store.courses.members(courseId)).includes(userId)) throw notFoundError('student', userId);
  if (!(await store.keys.list(userId)).some((k) => k.id === keyId)) throw notFoundError('API key', keyId);
  const key = await store.keys.revoke(keyId);
  if (!key) throw notFoundError('API key', keyId);
  return key;
}
