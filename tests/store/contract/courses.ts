/** The courses and practice sessions contract (CourseRepo, SessionRepo): shapes, creation order (ties too), an idempotent roster. */
import { describe, expect, it } from 'vitest';
import type { MakeBackend } from './backends.js';
import { withBackend } from './harness.js';

export function coursesContract(name: string, make: MakeBackend): void {
  describe(`courses and practice sessions (${name})`, () => {
    it('courses read back as made and list in creation order, ties within a millisecond too', (ctx) =>
      withBackend(ctx, make, async ({ store }) => {
        const u = await store.users.create({ name: 'Lin', role: 'instructor' });
        expect(await store.courses.list()).toEqual([]);
        const made = [];
        for (let i = 0; i < 25; i++) made.push(await store.courses.create({ title: `Course ${i}`, createdBy: u.id }));
        expect(made[0]).toEqual({ id: expect.stringMatching(/^crs_/), title: 'Course 0', createdBy: u.id, createdAt: expect.any(String) });
        expect(await store.courses.get(made[3].id)).toEqual(made[3]);
        expect(await store.courses.get('crs_nope')).toBeUndefined();
        expect(await store.courses.list()).toEqual(made);
      }));

    it('a roster keeps the order added; adding again changes nothing', (ctx) =>
      withBackend(ctx, make, async ({ store, open }) => {
        const u = await store.users.create({ name: 'Lin', role: 'instructor' });
        const c = await store.courses.create({ title: 'KL', createdBy: u.id });
        const students = [];
        for (let i = 0; i < 20; i++) students.push((await store.users.create({ name: `S${i}`, role: 'student' })).id);
        for (const s of students) await store.courses.addMember(c.id, s);
        await store.courses.addMember(c.id, students[0]);
        // Added again through two stores at once: still one row each.
        const other = await open();
        await Promise.all(students.map((s, i) => (i % 2 ? store : other).courses.addMember(c.id, s)));
        expect(await store.courses.members(c.id)).toEqual(students);
        expect(await store.courses.members('crs_nope')).toEqual([]);
      }));

    it('practice sessions keep their topics and difficulty', (ctx) =>
      withBackend(ctx, make, async ({ store }) => {
        const u = await store.users.create({ name: 'Ada', role: 'student' });
        const s = await store.sessions.create({ userId: u.id, topics: ['kl-discrete', 'entropy'], difficulty: 'medium' });
        expect(s).toEqual({ id: expect.stringMatching(/^prs_/), userId: u.id, topics: ['kl-discrete', 'entropy'], difficulty: 'medium', createdAt: expect.any(String) });
        expect(await store.sessions.get(s.id)).toEqual(s);
        expect(await store.sessions.get('prs_nope')).toBeUndefined();
      }));
  });
}
