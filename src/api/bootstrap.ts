/**
 * The first instructor key. STEPWISE_BOOTSTRAP_KEY (for automation) is installed if no key has
 * that secret yet; otherwise, when no active instructor key exists, one is generated and handed
 * back once for the caller to print. Only its hash is stored.
 *
 * A bootstrap key that was revoked (or expired) stays so: restarting with it set is not a way to
 * undo a revocation. The start goes on, the caller says why the key was not installed, and no user
 * is created for it.
 */
import type { Store } from '../store/types.js';

export interface Bootstrap {
  /** The secret of a key created now, to show once; undefined when none was created. */
  created?: string;
  userId?: string;
  /** Set when STEPWISE_BOOTSTRAP_KEY names a revoked or expired key: its id and state, to log. */
  revokedBootstrapKey?: string;
}

export async function bootstrapInstructor(store: Store, secret?: string): Promise<Bootstrap> {
  let revokedBootstrapKey: string | undefined;
  if (secret !== undefined) {
    if (!/^\S{16,200}$/.test(secret)) throw new Error('STEPWISE_BOOTSTRAP_KEY must be 16 to 200 characters without spaces');
    const existing = await store.keys.findBySecret(secret);
    if (!existing) {
      const user = await store.users.create({ name: 'Instructor', role: 'instructor' });
      await store.keys.create({ userId: user.id, role: 'instructor', label: 'bootstrap (STEPWISE_BOOTSTRAP_KEY)', secret });
      return { userId: user.id };
    }
    if (await store.keys.authenticate(secret)) return {};
    revokedBootstrapKey = existing.revokedAt
      ? `key ${existing.id}, revoked at ${existing.revokedAt}`
      : `key ${existing.id}, expired at ${existing.expiresAt ?? '?'}`;
  }
  // No usable bootstrap key: as on a first start, make a key if no instructor has an active one.
  const out: Bootstrap = revokedBootstrapKey ? { revokedBootstrapKey } : {};
  if ((await store.keys.countActive('instructor')) > 0) return out;
  const user = await store.users.create({ name: 'Instructor', role: 'instructor' });
  const { secret: created } = await store.keys.create({ userId: user.id, role: 'instructor', label: 'first-run key' });
  return { ...out, created, userId: user.id };
}
