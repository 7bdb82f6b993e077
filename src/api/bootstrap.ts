/**
 * The first instructor key. STEPWISE_BOOTSTRAP_KEY (for automation) is installed if no key has
 * that secret yet; otherwise, when no active instructor key exists, one is generated and handed
 * back once for the caller to print. Only its hash is stored.
 */
import type { Store } from '../store/types.js';

export interface Bootstrap {
  /** The secret of a key created now, to show once; undefined when none was created. */
  created?: string;
  userId?: string;
}

export async function bootstrapInstructor(store: Store, secret?: string): Promise<Bootstrap> {
  if (secret !== undefined) {
    if (!/^\S{16,200}$/.test(secret)) throw new Error('STEPWISE_BOOTSTRAP_KEY must be 16 to 200 characters without spaces');
    if (await store.keys.authenticate(secret)) return {};
    const user = await store.users.create({ name: 'Instructor', role: 'instructor' });
    await store.keys.create({ userId: user.id, role: 'instructor', label: 'bootstrap (STEPWISE_BOOTSTRAP_KEY)', secret });
    return { userId: user.id };
  }
  if ((await store.keys.countActive('instructor')) > 0) return {};
  const user = await store.users.create({ name: 'Instructor', role: 'instructor' });
  const { secret: created } = await store.keys.create({ userId: user.id, role: 'instructor', label: 'first-run key' });
  return { created, userId: user.id };
}
