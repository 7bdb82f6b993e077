/**
 * The LTI repository's contract (store.lti), for every backend: what it stores and returns, and the
 * rules that must hold across nodes (a login state and a nonce used once, one platform per
 * issuer and client, one resource link per key, one exam home, one tool key).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { NewLtiPlatform } from '../../../src/store/lti-types.js';
import { addAttempt, addExam, addUser, addVariant, type LtiHarness, type MakeLtiHarness } from './lti-harness.js';

const platformInput = (issuer = 'https://lms.example', clientId = 'client-1'): NewLtiPlatform => ({
  name: 'Moodle',
  issuer,
  clientId,
  authLoginUrl: `${issuer}/auth`,
  authTokenUrl: `${issuer}/token`,
  jwksUrl: `${issuer}/jwks`,
  deploymentIds: ['d3', 'd1', 'd2'],
});

const inMs = (ms: number): string => new Date(Date.now() + ms).toISOString();

export function ltiContract(name: string, make: MakeLtiHarness, ready: () => boolean = () => true): void {
  describe(`LTI repository contract: ${name}`, () => {
    let h: LtiHarness;
    beforeEach(async (ctx) => {
      if (!ready()) return ctx.skip();
      h = await make();
    });
    afterEach(async () => h?.close());

    it('stores platforms with their deployments in the order given; one per (issuer, client id)', async () => {
      const p = (await h.lti.createPlatform({ ...platformInput(), frameOrigins: ['https://school.example'] }))!;
      expect(p).toMatchObject({ name: 'Moodle', issuer: 'https://lms.example', clientId: 'client-1', jwksUrl: 'https://lms.example/jwks', deploymentIds: ['d3', 'd1', 'd2'], frameOrigins: ['https://school.example'] });
      expect(p.id).toMatch(/^ltp_/);
      expect(await h.lti.createPlatform(platformInput())).toBeUndefined();
      const q = (await h.lti.createPlatform({ ...platformInput('https://lms.example', 'client-2'), deploymentIds: [] }))!;
      expect(q).not.toHaveProperty('frameOrigins');
      expect(q.deploymentIds).toEqual([]);
      const r = (await h.lti.createPlatform(platformInput('https://other.example', 'client-1')))!;
      expect(await h.lti.getPlatform(p.id)).toEqual(p);
      expect(await h.other.lti.getPlatform(p.id)).toEqual(p);
      expect(await h.lti.getPlatform('ltp_nope')).toBeUndefined();
      expect((await h.lti.findPlatforms('https://lms.example')).map((x) => x.id)).toEqual([p.id, q.id]);
      expect((await h.lti.findPlatforms('https://lms.example', 'client-2')).map((x) => x.id)).toEqual([q.id]);
      expect(await h.lti.findPlatforms('https://nobody.example')).toEqual([]);
      expect((await h.lti.listPlatforms()).map((x) => x.id)).toEqual([p.id, q.id, r.id]);
      expect(await h.lti.setFrameOrigins(p.id, ['https://a.example', 'https://b.example'])).toMatchObject({ id: p.id, frameOrigins: ['https://a.example', 'https://b.example'] });
      expect(await h.lti.setFrameOrigins(p.id, undefined)).not.toHaveProperty('frameOrigins');
      expect(await h.lti.setFrameOrigins('ltp_nope', ['https://a.example'])).toBeUndefined();
    });

    it('registers a platform once when two nodes register it at once', async () => {
      const outs = await Promise.all(Array.from({ length: 12 }, (_, i) => (i % 2 ? h.other : h).lti.createPlatform(platformInput())));
      expect(outs.filter((x) => x !== undefined)).toHaveLength(1);
      const all = await h.lti.listPlatforms();
      expect(all).toHaveLength(1);
      expect(all[0]!.deploymentIds).toEqual(['d3', 'd1', 'd2']);
    });

    it('consumes a login state once: then used; unknown and expired states refused', async () => {
      const p = (await h.lti.createPlatform(platformInput()))!;
      const s = await h.lti.createLoginState({ state: 'st-1', nonce: 'n-1', platformId: p.id, targetLinkUri: 'https://tool.example/lti/launch', storageTarget: '_parent', expiresAt: inMs(60_000) });
      expect(s).toMatchObject({ state: 'st-1', nonce: 'n-1', platformId: p.id, targetLinkUri: 'https://tool.example/lti/launch', storageTarget: '_parent' });
      expect(s).not.toHaveProperty('usedAt');
      const at = new Date().toISOString();
      const won = await h.lti.consumeLoginState('st-1', at);
      expect(won).toEqual({ ok: true, state: { ...s, usedAt: at } });
      expect(await h.other.lti.consumeLoginState('st-1')).toEqual({ ok: false, reason: 'used' });
      expect(await h.lti.consumeLoginState('st-none')).toEqual({ ok: false, reason: 'unknown' });
      const bare = await h.lti.createLoginState({ state: 'st-2', nonce: 'n-2', platformId: p.id, expiresAt: inMs(60_000) });
      expect(bare).not.toHaveProperty('targetLinkUri');
      expect(bare).not.toHaveProperty('storageTarget');
      expect(await h.lti.consumeLoginState('st-2', inMs(120_000))).toEqual({ ok: false, reason: 'expired' });
      expect(await h.lti.consumeLoginState('st-2')).toMatchObject({ ok: true });
    });

    it('sweeps login states a day past expiry on a later login', async () => {
      const p = (await h.lti.createPlatform(platformInput()))!;
      await h.lti.createLoginState({ state: 'old', nonce: 'n', platformId: p.id, expiresAt: inMs(-2 * 86_400_000) });
      expect(await h.lti.consumeLoginState('old')).toEqual({ ok: false, reason: 'expired' });
      await h.lti.createLoginState({ state: 'recent', nonce: 'n', platformId: p.id, expiresAt: inMs(-3_600_000) });
      expect(await h.lti.consumeLoginState('old')).toEqual({ ok: false, reason: 'unknown' });
      expect(await h.lti.consumeLoginState('recent')).toEqual({ ok: false, reason: 'expired' });
    });

    it('lets exactly one of many concurrent consumers through two nodes use a login state', async () => {
      const p = (await h.lti.createPlatform(platformInput()))!;
      for (let k = 0; k < 3; k++) {
        await h.lti.createLoginState({ state: `race-${k}`, nonce: 'n', platformId: p.id, expiresAt: inMs(60_000) });
        const outs = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? h.other : h).lti.consumeLoginState(`race-${k}`)));
        expect(outs.filter((o) => o.ok)).toHaveLength(1);
        expect(outs.filter((o) => !o.ok && o.reason === 'used')).toHaveLength(19);
      }
    });

    it('records a nonce once per platform; an expired one is swept and may come again', async () => {
      const p = (await h.lti.createPlatform(platformInput()))!;
      const q = (await h.lti.createPlatform(platformInput('https://other.example')))!;
      expect(await h.lti.useNonce(p.id, 'abc', inMs(60_000))).toBe(true);
      expect(await h.other.lti.useNonce(p.id, 'abc', inMs(60_000))).toBe(false);
      expect(await h.lti.useNonce(q.id, 'abc', inMs(60_000))).toBe(true);
      expect(await h.lti.useNonce(p.id, 'old', inMs(-1000))).toBe(true);
      expect(await h.lti.useNonce(p.id, 'old', inMs(60_000))).toBe(true);
      expect(await h.lti.useNonce(p.id, 'old', inMs(60_000))).toBe(false);
    });

    it('lets exactly one of many concurrent uses of a nonce through two nodes succeed', async () => {
      const p = (await h.lti.createPlatform(platformInput()))!;
      for (let k = 0; k < 3; k++) {
        const outs = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? h.other : h).lti.useNonce(p.id, `nonce-${k}`, inMs(60_000))));
        expect(outs.filter(Boolean)).toHaveLength(1);
      }
    });

    it('creates a resource link once and updates what a later launch gives; line items replace', async () => {
      const p = (await h.lti.createPlatform(platformInput()))!;
      const key = { platformId: p.id, deploymentId: 'd1', resourceLinkId: 'rl-1' };
      const a = await h.lti.upsertResourceLink({ ...key, contextId: 'c1', contextTitle: 'Deep learning', title: 'Week 1', target: { kind: 'topic', id: 'kl-discrete' } });
      expect(a).toMatchObject({ ...key, contextId: 'c1', contextTitle: 'Deep learning', title: 'Week 1', target: { kind: 'topic', id: 'kl-discrete' } });
      expect(a).not.toHaveProperty('lineItemUrl');
      expect(a.id).toMatch(/^ltl_/);
      const b = await h.other.lti.upsertResourceLink({ ...key, title: 'Week 1 (renamed)' });
      expect(b).toMatchObject({ id: a.id, contextId: 'c1', contextTitle: 'Deep learning', title: 'Week 1 (renamed)', target: { kind: 'topic', id: 'kl-discrete' }, createdAt: a.createdAt });
      expect(b.updatedAt >= a.updatedAt).toBe(true);
      const c = await h.lti.upsertResourceLink({ ...key, target: { kind: 'exam', id: 'ex-1' } });
      expect(c.target).toEqual({ kind: 'exam', id: 'ex-1' });
      await h.lti.setLineItem(a.id, 'https://lms.example/li/1');
      expect((await h.lti.upsertResourceLink(key)).lineItemUrl).toBe('https://lms.example/li/1');
      await h.lti.setLineItem(a.id, 'https://lms.example/li/2', 'https://lms.example/li');
      expect((await h.lti.upsertResourceLink(key)).lineItemUrl).toBe('https://lms.example/li/2');
      const other = await h.lti.upsertResourceLink({ ...key, resourceLinkId: 'rl-2' });
      expect(other.id).not.toBe(a.id);
      expect(other).not.toHaveProperty('target');
    });

    it('makes one resource link when two nodes see its first launch at once', async () => {
      const p = (await h.lti.createPlatform(platformInput()))!;
      const links = await Promise.all(
        Array.from({ length: 12 }, (_, i) => (i % 2 ? h.other : h).lti.upsertResourceLink({ platformId: p.id, deploymentId: 'd1', resourceLinkId: 'rl-race', title: `t${i}` })),
      );
      expect(new Set(links.map((l) => l.id)).size).toBe(1);
      expect(await h.sql("SELECT id FROM lti_resource_links WHERE resource_link_id = 'rl-race'")).toHaveLength(1);
    });

    it('binds an exam to its first course only, even when two nodes bind it at once', async () => {
      const p = (await h.lti.createPlatform(platformInput()))!;
      await addUser(h, 'teacher');
      await addExam(h, 'ex-1', 'teacher');
      await addExam(h, 'ex-2', 'teacher');
      expect(await h.lti.examHome('ex-1')).toBeUndefined();
      expect(await h.lti.bindExamHome('ex-1', { platformId: p.id, contextId: 'course-a' })).toEqual({ platformId: p.id, contextId: 'course-a' });
      expect(await h.other.lti.bindExamHome('ex-1', { platformId: p.id, contextId: 'course-b' })).toEqual({ platformId: p.id, contextId: 'course-a' });
      expect(await h.other.lti.examHome('ex-1')).toEqual({ platformId: p.id, contextId: 'course-a' });
      const homes = await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 ? h.other : h).lti.bindExamHome('ex-2', { platformId: p.id, contextId: `course-${i}` })));
      expect(new Set(homes.map((x) => x.contextId)).size).toBe(1);
    });

    it('finds the latest launch of a variant by a user with its platform and LTI subject', async () => {
      const p = (await h.lti.createPlatform(platformInput()))!;
      const link = await h.lti.upsertResourceLink({ platformId: p.id, deploymentId: 'd1', resourceLinkId: 'rl-1' });
      await addUser(h, 'u1', 'sub-1');
      await addUser(h, 'u2');
      await addVariant(h, 'v1', 'u1');
      const first = await h.lti.createLaunch({ userId: 'u1', resourceLink: link.id, variantId: 'v1', lineItemUrl: 'https://lms.example/li/1' });
      expect(first).toMatchObject({ userId: 'u1', resourceLink: link.id, variantId: 'v1', lineItemUrl: 'https://lms.example/li/1' });
      expect(first.id).toMatch(/^ltx_/);
      const second = await h.lti.createLaunch({ userId: 'u1', resourceLink: link.id, variantId: 'v1' });
      expect(second).not.toHaveProperty('lineItemUrl');
      expect(await h.other.lti.launchFor('v1', 'u1')).toEqual({ launch: second, platform: p, subject: 'sub-1' });
      await h.lti.createLaunch({ userId: 'u2', resourceLink: link.id, variantId: 'v1' });
      expect(await h.lti.launchFor('v1', 'u2')).toBeUndefined(); // no LTI subject: nothing to post to
      expect(await h.lti.launchFor('v-none', 'u1')).toBeUndefined();
    });

    it('records score posts, oldest first, of one attempt or all', async () => {
      await addUser(h, 'u1', 'sub-1');
      await addVariant(h, 'v1', 'u1');
      await addAttempt(h, 'a1', 'v1', 'u1');
      await addAttempt(h, 'a2', 'v1', 'u1');
      const x = await h.lti.recordScorePost({ attemptId: 'a1', url: 'https://lms.example/li/1/scores', scoreGiven: 1.5, scoreMaximum: 2, error: 'timed out' });
      const y = await h.lti.recordScorePost({ attemptId: 'a2', url: 'https://lms.example/li/1/scores', scoreGiven: 0.25, scoreMaximum: 2, status: 200 });
      const z = await h.other.lti.recordScorePost({ attemptId: 'a1', url: 'https://lms.example/li/1/scores', scoreGiven: 1.5, scoreMaximum: 2, status: 200 });
      expect(x).not.toHaveProperty('status');
      expect(x).not.toHaveProperty('launchId');
      expect(y).not.toHaveProperty('error');
      expect(await h.lti.scorePosts('a1')).toEqual([x, z]);
      expect(await h.lti.scorePosts()).toEqual([x, y, z]);
      expect(await h.lti.scorePosts('a-none')).toEqual([]);
    });

    it('keeps one tool key, even when two nodes add theirs at once', async () => {
      // Connections opened first (on PostgreSQL), so the adds below do run at once.
      expect(await Promise.all(Array.from({ length: 8 }, (_, i) => (i % 2 ? h.other : h).lti.toolKeys()))).toEqual(Array.from({ length: 8 }, () => []));
      const keys = await Promise.all(
        Array.from({ length: 8 }, (_, i) => (i % 2 ? h.other : h).lti.addToolKey({ kid: `kid-${i}`, privateJwk: { kty: 'RSA', d: `secret-${i}` }, publicJwk: { kty: 'RSA', n: `n-${i}` } })),
      );
      expect(new Set(keys.map((k) => k.kid)).size).toBe(1);
      const stored = await h.lti.toolKeys();
      expect(stored).toHaveLength(1);
      const i = Number(stored[0]!.kid.slice(4));
      expect(stored[0]).toEqual({ kid: `kid-${i}`, privateJwk: { kty: 'RSA', d: `secret-${i}` }, publicJwk: { kty: 'RSA', n: `n-${i}` }, createdAt: keys[0]!.createdAt });
      expect(await h.lti.addToolKey({ kid: 'late', privateJwk: {}, publicJwk: {} })).toEqual(stored[0]);
      // Without STEPWISE_SECRET the private key is plaintext at rest.
      const [row] = await h.sql('SELECT private_jwk FROM lti_tool_keys');
      expect(JSON.parse(String(row!.private_jwk))).toEqual({ kty: 'RSA', d: `secret-${i}` });
    });
  });

  describe(`LTI repository contract, sealed keys: ${name}`, () => {
    it('seals the tool private key at rest under the secret and opens it', async (ctx) => {
      if (!ready()) return ctx.skip();
      const h = await make({ secret: 's'.repeat(40) });
      try {
        await h.lti.addToolKey({ kid: 'k1', privateJwk: { kty: 'RSA', d: 'very-secret' }, publicJwk: { kty: 'RSA', n: 'n' } });
        const [row] = await h.sql('SELECT private_jwk FROM lti_tool_keys');
        expect(String(row!.private_jwk)).toMatch(/^v1:/);
        expect(String(row!.private_jwk)).not.toContain('very-secret');
        expect((await h.other.lti.toolKeys())[0]!.privateJwk).toEqual({ kty: 'RSA', d: 'very-secret' });
      } finally {
        await h.close();
      }
    });
  });
}
