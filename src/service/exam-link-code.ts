/**
 * An exam's LTI link code: the secret that lets an LMS course claim the exam as its home (the
 * course whose instructors get its results, versions, release and export). Derived, not stored:
 * HMAC-SHA256 under the server secret, so only the server and whoever an instructor key shows it
 * to can produce it; 128 bits, base64url (22 characters).
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { Exam, Store } from '../store/types.js';

/** The longest code read from a request (longer input is no code, and is not hashed). */
export const MAX_LINK_CODE_LENGTH = 200;

export function examLinkCode(secret: Uint8Array, examId: string): string {
  return createHmac('sha256', secret).update(JSON.stringify(['stepwise exam lti link', examId])).digest().subarray(0, 16).toString('base64url');
}

/** Compares in constant time: both sides are hashed to 32 bytes first, so the length of `given` leaks nothing either. */
function sameCode(expected: string, given: string): boolean {
  const a = createHash('sha256').update(expected).digest();
  const b = createHash('sha256').update(given).digest();
  return timingSafeEqual(a, b);
}

/** Whether `code` is the link code of exam `examId`. */
export async function linkCodeMatches(store: Store, examId: string, code: string): Promise<boolean> {
  if (code.length > MAX_LINK_CODE_LENGTH) return false;
  return sameCode(examLinkCode(await store.secrets.server(), examId), code.trim());
}

/** The exam whose link code `code` is, if any (every exam is compared, each in constant time). */
export async function examByLinkCode(store: Store, code: string): Promise<Exam | undefined> {
  if (code.length > MAX_LINK_CODE_LENGTH) return undefined;
  const secret = await store.secrets.server();
  const given = code.trim();
  let found: Exam | undefined;
  for (const e of await store.exams.list()) {
    if (sameCode(examLinkCode(secret, e.id), given) && !found) found = e;
  }
  return found;
}
