/**
 * The secrets contract: the server secret (STEPWISE_SECRET, else made once and kept, the same for
 * every store on the database even when they open at once) and the LTI tool keys at rest (sealed
 * under STEPWISE_SECRET; a start with sealed keys and a missing or wrong secret is refused).
 */
import { describe, expect, it } from 'vitest';
import { seal, sealingKey } from '../../../src/store/sealed.js';
import { SecretsLockedError } from '../../../src/store/sqlite/sealed-keys.js';
import type { MakeBackend } from './backends.js';
import { withBackend } from './harness.js';

const A = 'a'.repeat(40);
const B = 'b'.repeat(40);
const JWK = JSON.stringify({ kty: 'RSA', d: 'private-part' });

export function secretsContract(name: string, make: MakeBackend): void {
  describe(`secrets (${name})`, () => {
    it('the server secret: made once, 32 bytes, the same through every store, even opened at once', (ctx) =>
      withBackend(ctx, make, async ({ store, open }) => {
        const others = await Promise.all(Array.from({ length: 6 }, () => open()));
        const secrets = await Promise.all([store, ...others].map((s) => s.secrets.server()));
        expect(secrets[0].length).toBe(32);
        for (const s of secrets) expect(Buffer.from(s).equals(Buffer.from(secrets[0]))).toBe(true);
        // STEPWISE_SECRET takes its place, byte for byte.
        expect(Buffer.from(await (await open({ secret: A })).secrets.server()).toString('utf8')).toBe(A);
        expect(Buffer.from(await (await open()).secrets.server()).equals(Buffer.from(secrets[0]))).toBe(true);
      }));

    it('the first secret is made once even when several stores ask at once on a new database', async (ctx) => {
      // Each store asks as its first act; without one row deciding, they would answer differently.
      await withBackend(ctx, make, async ({ store, open }) => {
        const stores = [store, ...(await Promise.all(Array.from({ length: 7 }, () => open())))];
        const got = await Promise.all(stores.map((s) => s.secrets.server()));
        expect(new Set(got.map((g) => Buffer.from(g).toString('hex'))).size).toBe(1);
      });
    });

    it('tool keys: plaintext without a secret; sealed at the first open with one; then refused without it or with another', (ctx) =>
      withBackend(ctx, make, async ({ store, open, putToolKey, toolKeyAtRest }) => {
        expect(store.atRest).toEqual({ sealed: 0, resealed: 0, plaintext: 0 });
        await putToolKey('k1', JWK);
        expect((await open()).atRest).toEqual({ sealed: 0, resealed: 0, plaintext: 1 });
        expect(await toolKeyAtRest('k1')).toBe(JWK);
        expect((await open({ secret: A })).atRest).toEqual({ sealed: 0, resealed: 1, plaintext: 0 });
        const stored = await toolKeyAtRest('k1');
        expect(stored).toMatch(/^v1:/);
        expect(stored).not.toContain('private-part');
        expect((await open({ secret: A })).atRest).toEqual({ sealed: 1, resealed: 0, plaintext: 0 });
        const missing = open().then(
          () => undefined,
          (e: unknown) => e,
        );
        const wrong = open({ secret: B }).then(
          () => undefined,
          (e: unknown) => e,
        );
        for (const [e, text] of [
          [await missing, /STEPWISE_SECRET is not set/],
          [await wrong, /STEPWISE_SECRET does not open/],
        ] as const) {
          expect(e).toBeInstanceOf(SecretsLockedError);
          expect((e as Error).message).toMatch(text);
          expect((e as Error).message).not.toContain(B);
        }
        // The refused opens left the key as it was.
        expect(await toolKeyAtRest('k1')).toBe(stored);
      }));

    it('a key sealed for another row does not open here (the row is part of the seal)', (ctx) =>
      withBackend(ctx, make, async ({ open, putToolKey }) => {
        await putToolKey('k2', seal(sealingKey(A), JWK, 'lti_tool_keys:other'));
        await expect(open({ secret: A })).rejects.toThrow(/does not open/);
      }));

    it('two stores opening at once with the secret seal each plaintext key once', (ctx) =>
      withBackend(ctx, make, async ({ open, putToolKey, toolKeyAtRest }) => {
        for (const k of ['k1', 'k2', 'k3']) await putToolKey(k, JWK);
        const opened = await Promise.all(Array.from({ length: 4 }, () => open({ secret: A })));
        expect(opened.reduce((n, s) => n + s.atRest.resealed, 0)).toBe(3);
        expect(opened.reduce((n, s) => n + s.atRest.sealed + s.atRest.resealed, 0)).toBe(12);
        for (const k of ['k1', 'k2', 'k3']) expect(await toolKeyAtRest(k)).toMatch(/^v1:/);
      }));
  });
}
