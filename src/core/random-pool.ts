/**
 * Random bytes for ids and page nonces, drawn from a pool the CSPRNG refills 4 KiB at a time: one
 * call into OpenSSL per 256 ids instead of one per id (randomBytes per id was ~2% of a page
 * view's CPU). Every byte is handed out once, so the ids are exactly as unpredictable as before.
 */
import { randomFillSync } from 'node:crypto';

const POOL = Buffer.alloc(4096);
let at = POOL.length;

/** `n` fresh random bytes (n ≤ 4096), as a new string in `encoding`. */
export function randomText(n: number, encoding: 'base64' | 'base64url'): string {
  if (!Number.isInteger(n) || n < 1 || n > POOL.length) throw new RangeError(`randomText: n must be an integer from 1 to ${POOL.length}, not ${n}`);
  if (at + n > POOL.length) {
    randomFillSync(POOL);
    at = 0;
  }
  const text = POOL.toString(encoding, at, at + n);
  // Spent bytes are wiped, so nothing read from the pool later can repeat them.
  POOL.fill(0, at, at + n);
  at += n;
  return text;
}
