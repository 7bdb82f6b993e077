/**
 * What one server process shares with its sibling processes when `stepwise serve` runs several
 * (STEPWISE_WORKERS, src/cluster.ts): request counts for the rate limits and failed
 * authentications. Absent in a single process, where the counts stay in memory as before. The
 * interface keeps src/api free of node:cluster; the implementation lives above the edges.
 */
import type { Store as RateLimitStore } from 'express-rate-limit';

export interface Peers {
  /** An express-rate-limit store whose counts are shared by every process; `prefix` keeps limiters apart. */
  rateLimitStore(prefix: string): RateLimitStore;
  /**
   * Joins a channel of failed authentications: `hear` is called with each address another process
   * counted; the function returned tells the other processes of one counted here.
   */
  relay(channel: string, hear: (address: string) => void): (address: string) => void;
}
