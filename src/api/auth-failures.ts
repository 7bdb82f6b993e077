/**
 * Failed authentication, counted per client address in fixed one-minute windows. Once an address
 * has failed `limit` times in a window, every request of it that needs a key is refused with 429
 * and Retry-After until the window ends, without looking the key up: guessing keys costs a minute
 * per `limit` guesses. Successful requests never count, so a busy client with a good key is never
 * slowed. (Behind a reverse proxy every client has the proxy's address; limit there too.) With
 * several server processes each failure is told to the others (`peers`), so an address's count is
 * the sum over the processes, whichever of them its requests reach.
 */
import type { Peers } from './peers.js';
import { HttpError } from './problem.js';

const WINDOW_MS = 60_000;
/** Addresses remembered at most; beyond it the oldest windows are dropped (memory stays bounded). */
const MAX_ADDRESSES = 100_000;

export interface AuthFailures {
  /** Throws 429 (with `retryAfter` seconds) while `address` is over the limit. */
  check(address: string): void;
  /** Counts one failed authentication of `address`. */
  fail(address: string): void;
}

export class TooManyFailures extends HttpError {
  constructor(readonly retryAfter: number, limit: number) {
    super(429, 'rate_limited', `more than ${limit} failed authentications a minute from this address; retry after ${retryAfter} s`);
  }
}

export interface AuthFailuresOptions {
  now?: () => number;
  /** Sibling processes to share the counts with, and the channel (one per counter). */
  peers?: Peers;
  channel?: string;
}

export function authFailures(limit: number, opts: AuthFailuresOptions = {}): AuthFailures {
  const now = opts.now ?? Date.now;
  const windows = new Map<string, { count: number; resetAt: number }>();
  const current = (address: string): { count: number; resetAt: number } | undefined => {
    const w = windows.get(address);
    if (w && w.resetAt <= now()) {
      windows.delete(address);
      return undefined;
    }
    return w;
  };
  const count = (address: string): void => {
    const w = current(address);
    if (w) {
      w.count++;
      return;
    }
    if (windows.size >= MAX_ADDRESSES) windows.delete(windows.keys().next().value as string);
    windows.set(address, { count: 1, resetAt: now() + WINDOW_MS });
  };
  const tell = opts.peers && limit > 0 ? opts.peers.relay(opts.channel ?? 'auth', count) : () => undefined;
  return {
    check(address) {
      if (limit <= 0) return;
      const w = current(address);
      if (w && w.count >= limit) throw new TooManyFailures(Math.max(1, Math.ceil((w.resetAt - now()) / 1000)), limit);
    },
    fail(address) {
      if (limit <= 0) return;
      count(address);
      tell(address);
    },
  };
}
