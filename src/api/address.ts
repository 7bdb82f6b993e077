/**
 * A client's address as the rate limits count it: express-rate-limit's ipKeyGenerator (IPv6 by its
 * /56 prefix). That parses the address into objects on every call — IPv4 arrives IPv4-mapped
 * (::ffff:a.b.c.d) — which cost about a fifth of a small request's CPU, so results are cached.
 */
import { ipKeyGenerator } from 'express-rate-limit';
import { Lru } from '../core/lru.js';

const keys = new Lru<string, string>(4096);

export function addressKey(ip: string | undefined): string {
  const raw = ip ?? '';
  let key = keys.get(raw);
  if (key === undefined) keys.set(raw, (key = ipKeyGenerator(raw)));
  return key;
}
