/**
 * Secrets at rest: AES-256-GCM under a key derived from STEPWISE_SECRET (HKDF-SHA256 with a fixed
 * info string). A sealed value is `v1:<iv>:<tag>:<ciphertext>` (base64url), so plaintext written by
 * older versions is told apart and re-sealed, and a later format can take `v2:`. The additional data
 * names the row (e.g. the key id), so a sealed value copied onto another row does not open.
 */
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

const INFO = 'stepwise secrets at rest v1';
const PREFIX = 'v1:';

/** The 32-byte sealing key of a server secret. */
export function sealingKey(secret: string): Buffer {
  return Buffer.from(hkdfSync('sha256', Buffer.from(secret, 'utf8'), Buffer.alloc(0), INFO, 32));
}

export function isSealed(stored: string): boolean {
  return stored.startsWith(PREFIX);
}

export function seal(key: Buffer, plaintext: string, aad: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(aad, 'utf8'));
  const ct = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return PREFIX + [iv, cipher.getAuthTag(), ct].map((b) => b.toString('base64url')).join(':');
}

/** Thrown when a sealed value does not open: the key is missing or not the one it was sealed with. */
export class SealError extends Error {}

export function unseal(key: Buffer, stored: string, aad: string): string {
  const parts = stored.slice(PREFIX.length).split(':');
  if (!isSealed(stored) || parts.length !== 3) throw new SealError('not a v1 sealed value');
  const [iv, tag, ct] = parts.map((p) => Buffer.from(p, 'base64url')) as [Buffer, Buffer, Buffer];
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, iv);
    decipher.setAAD(Buffer.from(aad, 'utf8'));
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(ct), decipher.final()]).toString('utf8');
  } catch {
    throw new SealError('the sealed value did not open (wrong key or altered data)');
  }
}
