/** Ids, secrets and timestamps for stored records. */
import { createHash, randomBytes } from 'node:crypto';
import { randomText } from '../core/random-pool.js';

/** "att_3k9…": a type prefix and 16 random bytes, base64url. */
export function newId(prefix: string): string {
  return `${prefix}_${randomText(16, 'base64url')}`;
}

/** An API key secret: "sw_" and 32 random bytes, base64url (256 bits). */
export function newSecret(): string {
  return `sw_${randomBytes(32).toString('base64url')}`;
}

/** Keys are stored as the SHA-256 of the secret: a stolen database gives no usable key. */
export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

export function now(): string {
  return new Date().toISOString();
}
