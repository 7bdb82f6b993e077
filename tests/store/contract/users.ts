/**
 * The users and API keys contract (UserRepo, KeyRepo), for every backend: shapes, ordering (ties
 * within one millisecond in creation order), key states (expired, revoked, scoped), and the rules
 * that hold across processes or nodes (a local user made once under a race; a revocation seen at
 * once through another store).
 */
import { describe, expect, it } from 'vitest';
import type { MakeBackend } from './backends.js';
import { ago, ahead, withBackend } from './harness.js';

export function usersContract(name: string, make: MakeBackend): void {
  describe(`users and keys (${name})`, () => {
    it('a user reads back as made; optional fields absent, not null; unknown ids give undefined', (ctx) =>
      withBackend(ctx, make, async ({ store }) => {
        const u = await store.users.create({ name: 'Ada', role: 'student' });
        expect(u).toEqual({ id: expect.stringMatching(/^usr_/), name: 'Ada', role: 'student', createdAt: expect.any(String) });
        expect(Object.keys(u).sort()).toEqual(['createdAt', 'id', 'name', 'role']);
        expect(await store.users.get(u.id)).toEqual(u);
        const l = await store.users.create({ name: 'Lin', role: 'instructor', ltiIssuer: 'https://lms.example', ltiSubject: 'sub-1' });
        expect(await store.users.findByLti('https://lms.example', 'sub-1')).toEqual(l);
        expect(await store.users.findByLti('https://lms.example', 'sub-2')).toBeUndefined();
        expect(await store.users.get('usr_nope')).toBeUndefined();
        // One LTI identity, one user.
        await expect(store.users.create({ name: 'Lin 2', role: 'student', ltiIssuer: 'https://lms.example', ltiSubject: 'sub-1' })).rejects.toThrow();
      }));

    it('findByName: every user of exactly that name, oldest first, ties in creation order', (ctx) =>
      withBackend(ctx, make, async ({ store }) => {
        const made: string[] = [];
        // Many in a row: several share a millisecond, and their order is still the creation order.
        for (let i = 0; i < 30; i++) made.push((await store.users.create({ name: 'Sam', role: 'student' })).id);
        await store.users.create({ name: 'sam', role: 'student' });
        expect((await store.users.findByName('Sam')).map((u) => u.id)).toEqual(made);
        expect(await store.users.findByName('Nobody')).toEqual([]);
      }));

    it('local(handle): one user per handle, even when twenty calls race through two stores', (ctx) =>
      withBackend(ctx, make, async ({ store, open }) => {
        const other = await open();
        const a = await store.users.local('cli', { name: 'Instructor', role: 'instructor' });
        expect(await store.users.local('cli', { name: 'Other name', role: 'student' })).toEqual(a);
        const raced = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? store : other).users.local('raced', { name: 'R', role: 'instructor' })));
        expect(new Set(raced.map((u) => u.id)).size).toBe(1);
        expect((await store.users.findByName('R')).length).toBe(1);
      }));

    it('a key authenticates by its secret only while active; its secret is never stored or returned again', (ctx) =>
      withBackend(ctx, make, async ({ store }) => {
        const u = await store.users.create({ name: 'Ada', role: 'student' });
        const { key, secret } = await store.keys.create({ userId: u.id, role: 'student', label: 'laptop' });
        expect(secret).toMatch(/^sw_[\w-]{43}$/);
        expect(key).toEqual({ id: expect.stringMatching(/^key_/), userId: u.id, role: 'student', label: 'laptop', prefix: secret.slice(0, 10), createdAt: expect.any(String) });
        expect(await store.keys.authenticate(secret)).toEqual({ key, user: u });
        expect(await store.keys.authenticate(`${secret}x`)).toBeUndefined();
        expect(JSON.stringify(await store.keys.list(u.id))).not.toContain(secret);
        // Supplied secret (the bootstrap key); a secret already in use is refused.
        const boot = await store.keys.create({ userId: u.id, role: 'student', label: 'boot', secret: 'bootstrap-secret-123456' });
        expect(boot.secret).toBe('bootstrap-secret-123456');
        expect((await store.keys.authenticate('bootstrap-secret-123456'))?.key.id).toBe(boot.key.id);
        await expect(store.keys.create({ userId: u.id, role: 'student', label: 'dup', secret: 'bootstrap-secret-123456' })).rejects.toThrow();
      }));

    it('expired and revoked keys stop authenticating; findBySecret still finds them; revoking twice keeps the first time', (ctx) =>
      withBackend(ctx, make, async ({ store }) => {
        const u = await store.users.create({ name: 'Ada', role: 'instructor' });
        const expired = await store.keys.create({ userId: u.id, role: 'instructor', label: 'old', expiresAt: ago(1000) });
        const later = await store.keys.create({ userId: u.id, role: 'instructor', label: 'later', expiresAt: ahead(3_600_000) });
        expect(await store.keys.authenticate(expired.secret)).toBeUndefined();
        expect((await store.keys.findBySecret(expired.secret))?.id).toBe(expired.key.id);
        expect((await store.keys.authenticate(later.secret))?.key.expiresAt).toBe(later.key.expiresAt);
        const revoked = await store.keys.revoke(later.key.id);
        expect(revoked).toEqual({ ...later.key, revokedAt: expect.any(String) });
        expect(await store.keys.authenticate(later.secret)).toBeUndefined();
        expect((await store.keys.findBySecret(later.secret))?.revokedAt).toBe(revoked!.revokedAt);
        await new Promise((r) => setTimeout(r, 5));
        expect((await store.keys.revoke(later.key.id))?.revokedAt).toBe(revoked!.revokedAt);
        expect(await store.keys.revoke('key_nope')).toBeUndefined();
      }));

    it('a revocation through one store is seen at once through another (another process or node)', (ctx) =>
      withBackend(ctx, make, async ({ store, open }) => {
        const other = await open();
        const u = await store.users.create({ name: 'Ada', role: 'student' });
        const { key, secret } = await store.keys.create({ userId: u.id, role: 'student', label: 'k' });
        expect((await other.keys.authenticate(secret))?.user.id).toBe(u.id);
        await store.keys.revoke(key.id);
        expect(await other.keys.authenticate(secret)).toBeUndefined();
      }));

    it('list: a user’s keys in creation order (ties too), scope round-trips; countActive counts unscoped active keys of a role', (ctx) =>
      withBackend(ctx, make, async ({ store, resourceLink }) => {
        const u = await store.users.create({ name: 'Ada', role: 'instructor' });
        const ids: string[] = [];
        for (let i = 0; i < 20; i++) ids.push((await store.keys.create({ userId: u.id, role: 'instructor', label: `k${i}` })).key.id);
        expect((await store.keys.list(u.id)).map((k) => k.id)).toEqual(ids);
        expect(await store.keys.countActive('instructor')).toBe(20);
        expect(await store.keys.countActive('student')).toBe(0);
        await store.keys.revoke(ids[0]);
        await store.keys.create({ userId: u.id, role: 'instructor', label: 'gone', expiresAt: ago(1) });
        const s = await store.users.create({ name: 'Stu', role: 'student' });
        await store.keys.create({ userId: s.id, role: 'student', label: 'stu' });
        expect(await store.keys.countActive('instructor')).toBe(19);
        expect(await store.keys.countActive('student')).toBe(1);
        // A launch key is scoped: its scope reads back, and it is not counted.
        const link = await resourceLink();
        const scoped = await store.keys.create({ userId: s.id, role: 'student', label: 'launch', scope: { resourceLink: link, contextId: 'ctx-1' } });
        expect(scoped.key.scope).toEqual({ resourceLink: link, contextId: 'ctx-1' });
        expect((await store.keys.authenticate(scoped.secret))?.key.scope).toEqual({ resourceLink: link, contextId: 'ctx-1' });
        const scopedExam = await store.keys.create({ userId: u.id, role: 'instructor', label: 'launch', scope: { resourceLink: link, examId: 'exm_1' } });
        expect((await store.keys.list(u.id)).at(-1)?.scope).toEqual({ resourceLink: link, examId: 'exm_1' });
        expect(scopedExam.key.scope).toEqual({ resourceLink: link, examId: 'exm_1' });
        expect(await store.keys.countActive('student')).toBe(1);
        expect(await store.keys.countActive('instructor')).toBe(19);
        expect(await store.keys.list('usr_nope')).toEqual([]);
      }));
  });
}
