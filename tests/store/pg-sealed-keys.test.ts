/** The LTI tool key at rest on PostgreSQL (src/store/pg/sealed-keys.ts): sealed at open, refused without its secret, rotated all or nothing. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migratePg, openPool, type Pool } from '../../src/store/pg/db.js';
import { pgLti } from '../../src/store/pg/lti.js';
import { openPgToolKeys, rotatePgToolKeys } from '../../src/store/pg/sealed-keys.js';
import { SecretsLockedError, toolKeySealer } from '../../src/store/sqlite/sealed-keys.js';
import { freshDatabase, startPgServer, type PgServer } from '../pg-server.js';

const A = 'first secret of thirty-two chars or more, A';
const B = 'second secret of thirty-two chars or more, B';
const PRIVATE = { kty: 'RSA', d: 'very-private-exponent' };

let server: PgServer | undefined;
beforeAll(async () => {
  server = await startPgServer();
}, 60_000);
afterAll(() => server?.stop());

async function withPlaintextKey(): Promise<Pool[]> {
  const url = await freshDatabase(server!.url);
  const pools = [openPool({ url }), openPool({ url })];
  await migratePg(pools[0]!);
  await pgLti(pools[0]!).addToolKey({ kid: 'k1', privateJwk: PRIVATE, publicJwk: { kty: 'RSA', n: 'n' } });
  return pools;
}
const raw = async (pool: Pool): Promise<string> => (await pool.query('SELECT private_jwk FROM lti_tool_keys')).rows[0].private_jwk;

describe('PostgreSQL tool keys at rest', () => {
  it('seals an older plaintext key once, even when two nodes open at once, and refuses a missing or wrong secret', async (ctx) => {
    if (!server) return ctx.skip();
    const [p, q] = await withPlaintextKey();
    try {
      expect(await openPgToolKeys(p!, undefined)).toEqual({ sealed: 0, resealed: 0, plaintext: 1 });
      await Promise.all([p!.query('SELECT 1'), q!.query('SELECT 1')]); // connected, so the opens overlap
      const [x, y] = await Promise.all([openPgToolKeys(p!, A), openPgToolKeys(q!, A)]);
      expect(x.resealed + y.resealed).toBe(1);
      expect(x.sealed + y.sealed).toBe(1);
      const stored = await raw(p!);
      expect(stored).toMatch(/^v1:/);
      expect(stored).not.toContain('very-private');
      expect((await pgLti(q!, toolKeySealer(A)).toolKeys())[0]!.privateJwk).toEqual(PRIVATE);
      await expect(openPgToolKeys(p!, undefined)).rejects.toThrow(SecretsLockedError);
      await expect(openPgToolKeys(p!, undefined)).rejects.toThrow(/STEPWISE_SECRET is not set/);
      await expect(openPgToolKeys(p!, B)).rejects.toThrow(/does not open/);
      await expect(pgLti(p!).toolKeys()).rejects.toThrow(SecretsLockedError);
    } finally {
      await Promise.all([p!.end(), q!.end()]);
    }
  });

  it('rotates the key to a new secret, and changes nothing from a wrong one', async (ctx) => {
    if (!server) return ctx.skip();
    const [p, q] = await withPlaintextKey();
    try {
      await openPgToolKeys(p!, A);
      const before = await raw(p!);
      await expect(rotatePgToolKeys(p!, B, A)).rejects.toThrow(SecretsLockedError);
      expect(await raw(p!)).toBe(before);
      expect(await rotatePgToolKeys(p!, A, B)).toBe(1);
      expect(await openPgToolKeys(q!, B)).toEqual({ sealed: 1, resealed: 0, plaintext: 0 });
      await expect(openPgToolKeys(q!, A)).rejects.toThrow(/does not open/);
      expect((await pgLti(q!, toolKeySealer(B)).toolKeys())[0]!.privateJwk).toEqual(PRIVATE);
    } finally {
      await Promise.all([p!.end(), q!.end()]);
    }
  });
});
