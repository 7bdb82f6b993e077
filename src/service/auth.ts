/**
 * Who an API key belongs to. The API reads the key from the Authorization header, the pages from
 * their session; both ask here, so a revoked or expired key is refused the same way everywhere.
 */
import { unauthorizedError } from '../core/errors.js';
import type { Store } from '../store/types.js';
import type { Caller } from './caller.js';

/** The caller holding `secret`; unauthorized when the key is unknown, revoked or expired. */
export async function callerForKey(store: Store, secret: string): Promise<Caller> {
  const found = await store.keys.authenticate(secret);
  if (!found) throw unauthorizedError('the API key is unknown, revoked or expired');
  return found;
}
