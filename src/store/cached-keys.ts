/**
 * API-key lookups cached in memory for one second: every request authenticates, and the lookup
 * (a hash and a join) was the costliest part of a small request; one lookup a second per key is
 * not. Revoking a key through this store clears the cache at once; a key revoked through another
 * server process (STEPWISE_WORKERS, or another node on the same database) stops working here within
 * the TTL. An expiring key is never cached past its expiry.
 */
import type { KeyRepo, Store } from './types.js';

/** How long a revocation made by another process may go unseen here. */
export const KEY_CACHE_TTL_MS = 1_000;
const MAX_ENTRIES = 10_000;

type Found = Awaited<ReturnType<KeyRepo['authenticate']>>;

export function cacheKeys<S extends Store>(store: S): S {
  const cache = new Map<string, { found: Found; until: number }>();
  const inner = store.keys;
  const keys: KeyRepo = {
    create: (input) => inner.create(input),
    list: (userId) => inner.list(userId),
    findBySecret: (secret) => inner.findBySecret(secret),
    countActive: (role) => inner.countActive(role),
    async authenticate(secret) {
      const now = Date.now();
      const hit = cache.get(secret);
      if (hit && hit.until > now) return hit.found;
      const found = await inner.authenticate(secret);
      if (found) {
        const expires = found.key.expiresAt ? Date.parse(found.key.expiresAt) : Infinity;
        if (cache.size >= MAX_ENTRIES) cache.clear();
        cache.set(secret, { found, until: Math.min(now + KEY_CACHE_TTL_MS, expires) });
      }
      return found;
    },
    async revoke(id) {
      const key = await inner.revoke(id);
      cache.clear();
      return key;
    },
  };
  // The same store with its own repositories and methods, except keys.
  return Object.assign(Object.create(Object.getPrototypeOf(store) as object) as S, store, { keys });
}
