/**
 * The grade passback outbox's worker, one per server process. A trigger writes a job in the same
 * transaction as each attempt at a launched variant (db/migrations/014); the worker claims due
 * jobs with a lease (so a job is worked by one process at a time, and a process that dies mid-post
 * leaves it to another once the lease runs out), posts, and marks the job done — or due again
 * after an exponential backoff with jitter (5 s, 10 s, … up to an hour) for a day, after which the
 * job is dead: listed for instructors, who can retry it. A retried post sends the latest score
 * again (a score post replaces the line item's score for the student; it never adds to it).
 *
 * The student's request only wakes the worker: it never waits for the LMS.
 */
import type { Logger } from 'pino';
import type { Store } from '../store/types.js';
import type { PassbackJob } from '../store/lti-types.js';
import type { Delivery, Passback } from './ags.js';

export interface OutboxOptions {
  logger?: Logger;
  /** How often due jobs are looked for when nothing wakes the worker (default 1 s). */
  pollMs?: number;
  /** How long a claimed job is held before another process may take it (default 2 min). */
  leaseMs?: number;
  /** The first retry's delay (default 5 s); each later one doubles, up to maxDelayMs (1 h). */
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** How long a job is retried before it is dead (default 24 h). */
  giveUpMs?: number;
  /** Jobs claimed at a time (default 32). */
  batch?: number;
  random?: () => number;
}

export interface Outbox {
  /** Looks for due jobs now (after an attempt, a release, a retry). */
  wake(): void;
  start(): void;
  /** Stops polling and waits for the jobs in hand. */
  stop(): Promise<void>;
  /** Works until no job is due now (tests, and a release that wants its posts sent). */
  drain(): Promise<void>;
}

/** A refusal no retry will change: 4xx except timeouts, conflicts (Moodle's timestamp rule) and rate limits. */
export const permanent = (status: number | undefined): boolean =>
  status !== undefined && status >= 400 && status < 500 && ![401, 408, 409, 425, 429].includes(status);

/** The delay before try `tries + 1`: base · 2^tries, capped, times a jitter factor in [0.5, 1). */
export function backoffMs(tries: number, o: { baseDelayMs: number; maxDelayMs: number; random: () => number }): number {
  return Math.min(o.maxDelayMs, o.baseDelayMs * 2 ** Math.min(tries, 30)) * (0.5 + o.random() / 2);
}

export function passbackOutbox(store: Store, passback: Passback, o: OutboxOptions = {}): Outbox {
  const pollMs = o.pollMs ?? 1_000;
  const leaseMs = o.leaseMs ?? 120_000;
  const delays = { baseDelayMs: o.baseDelayMs ?? 5_000, maxDelayMs: o.maxDelayMs ?? 3_600_000, random: o.random ?? Math.random };
  const giveUpMs = o.giveUpMs ?? 24 * 3_600_000;
  const batch = o.batch ?? 32;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let again = false;
  let stopped = false;

  const work = async (job: PassbackJob): Promise<void> => {
    let d: Delivery;
    try {
      const attempt = await store.attempts.get(job.attemptId);
      const variant = attempt ? await store.variants.get(attempt.variantId) : undefined;
      d = attempt && variant ? await passback.deliver(attempt, variant) : { kind: 'nothing' };
    } catch (err) {
      d = { kind: 'failed', error: err instanceof Error ? err.message : String(err) };
    }
    if (d.kind !== 'failed') {
      await store.passback.done(job.id, d.kind === 'posted' ? d.status : undefined);
      return;
    }
    const next = Date.now() + backoffMs(job.tries, delays);
    const dead = permanent(d.status) || next - Date.parse(job.createdAt) > giveUpMs;
    await store.passback.failed(job.id, d.error, d.status, dead ? undefined : next);
    o.logger?.[dead ? 'error' : 'warn']({ job: job.id, attempt: job.attemptId, tries: job.tries + 1, status: d.status, err: d.error }, dead ? 'LTI score post given up (dead letter)' : 'LTI score post will be retried');
  };

  const round = async (): Promise<void> => {
    do {
      again = false;
      const jobs = await store.passback.claim(Date.now(), batch, leaseMs);
      await Promise.all(jobs.map(work));
      if (jobs.length === batch) again = true;
    } while (again && !stopped);
  };

  const tick = (): Promise<void> => {
    if (running) {
      again = true;
      return running;
    }
    running = round()
      .catch((err: unknown) => o.logger?.error({ err }, 'LTI passback worker failed a round'))
      .finally(() => {
        running = undefined;
      });
    return running;
  };

  return {
    wake() {
      if (!stopped) setImmediate(() => void tick());
    },
    start() {
      stopped = false;
      timer ??= setInterval(() => void tick(), pollMs);
      timer.unref();
      void tick();
    },
    async stop() {
      stopped = true;
      if (timer) clearInterval(timer);
      timer = undefined;
      await running;
    },
    async drain() {
      // A round may end while a wake-up's round is still to come: look again until nothing is due.
      do await tick();
      while (running || (await store.passback.dueCount(Date.now())) > 0);
    },
  };
}
