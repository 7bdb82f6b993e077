/**
 * The web sessions contract (WebSessionRepo): a session lives while it and its key are active,
 * LTI page sessions carry their frame origins, and each user's practice session and exam drafts
 * are one row each, replaced in place.
 */
import { describe, expect, it } from 'vitest';
import type { MakeBackend } from './backends.js';
import { ago, ahead, withBackend } from './harness.js';

export function webSessionsContract(name: string, make: MakeBackend): void {
  describe(`web sessions (${name})`, () => {
    it('a session authenticates its caller until it expires, its key is revoked, or it is deleted', (ctx) =>
      withBackend(ctx, make, async ({ store, open }) => {
        const u = await store.users.create({ name: 'Ada', role: 'student' });
        const { key } = await store.keys.create({ userId: u.id, role: 'student', label: 'web' });
        const expiresAt = ahead(3_600_000);
        const { token } = await store.webSessions.create({ userId: u.id, keyId: key.id, expiresAt });
        expect(token).toMatch(/^[\w-]{43}$/);
        const found = await store.webSessions.authenticate(token);
        expect(found).toEqual({ expiresAt, caller: { key, user: u } });
        expect(found && 'frameAncestors' in found).toBe(false);
        // Through another store too (another node): nothing about it is in memory.
        expect((await (await open()).webSessions.authenticate(token))?.caller.user.id).toBe(u.id);
        expect(await store.webSessions.authenticate(`${token}x`)).toBeUndefined();

        const lti = await store.webSessions.create({ userId: u.id, keyId: key.id, expiresAt, frameAncestors: ['https://lms.example'] });
        expect((await store.webSessions.authenticate(lti.token))?.frameAncestors).toEqual(['https://lms.example']);

        await store.webSessions.delete(token);
        expect(await store.webSessions.authenticate(token)).toBeUndefined();
        expect(await store.webSessions.authenticate(lti.token)).toBeDefined();

        const stale = await store.webSessions.create({ userId: u.id, keyId: key.id, expiresAt: ago(1) });
        expect(await store.webSessions.authenticate(stale.token)).toBeUndefined();

        await store.keys.revoke(key.id);
        expect(await store.webSessions.authenticate(lti.token)).toBeUndefined();
      }));

    it('a session opened with an expiring key ends when the key expires', (ctx) =>
      withBackend(ctx, make, async ({ store }) => {
        const u = await store.users.create({ name: 'Ada', role: 'student' });
        // 1.5 s: long enough that a loaded machine authenticates before the key expires.
        const { key } = await store.keys.create({ userId: u.id, role: 'student', label: 'short', expiresAt: ahead(1_500) });
        const { token } = await store.webSessions.create({ userId: u.id, keyId: key.id, expiresAt: ahead(3_600_000) });
        expect(await store.webSessions.authenticate(token)).toBeDefined();
        await new Promise((r) => setTimeout(r, 1_600));
        expect(await store.webSessions.authenticate(token)).toBeUndefined();
      }));

    it('practice session and drafts: one per user (and item), replaced in place', (ctx) =>
      withBackend(ctx, make, async ({ store, variant }) => {
        const u = await store.users.create({ name: 'Ada', role: 'student' });
        expect(await store.webSessions.practiceSession(u.id)).toBeUndefined();
        const s1 = await store.sessions.create({ userId: u.id, topics: ['kl-discrete'], difficulty: 'easy' });
        const s2 = await store.sessions.create({ userId: u.id, topics: ['entropy'], difficulty: 'hard' });
        await store.webSessions.setPracticeSession(u.id, s1.id);
        await store.webSessions.setPracticeSession(u.id, s2.id);
        expect(await store.webSessions.practiceSession(u.id)).toBe(s2.id);

        const v = await variant(u.id);
        expect(await store.webSessions.draft(u.id, v)).toBeUndefined();
        const first = await store.webSessions.saveDraft(u.id, v, { 'step-1': '0.5', note: 'ünïcode ✓' });
        expect(await store.webSessions.draft(u.id, v)).toEqual({ fields: { 'step-1': '0.5', note: 'ünïcode ✓' }, updatedAt: first.updatedAt });
        await new Promise((r) => setTimeout(r, 3));
        const second = await store.webSessions.saveDraft(u.id, v, { 'step-1': '0.25' });
        expect(second.updatedAt > first.updatedAt).toBe(true);
        expect(await store.webSessions.draft(u.id, v)).toEqual({ fields: { 'step-1': '0.25' }, updatedAt: second.updatedAt });
        const other = await store.users.create({ name: 'Bo', role: 'student' });
        expect(await store.webSessions.draft(other.id, v)).toBeUndefined();
      }));
  });
}
