/**
 * Assignment and Grade Services: an attempt at a launched variant has its score posted to the
 * launch's line item, by the outbox's workers (src/lti/outbox.ts), never inside the student's
 * request. An access token comes from the platform's token endpoint by client_credentials with a
 * client_assertion JWT signed by the tool key (RFC 7523), and is cached until shortly before it
 * expires. Every post is recorded; `deliver` reports how it went, for the outbox to retry or not.
 */
import type { Logger } from 'pino';
import type { ReleaseHook } from '../service/exam-rules.js';
import { studentExamResult } from '../service/exam-results.js';
import type { Attempt, Store, Variant } from '../store/types.js';
import { SCOPE_SCORE, SCORE_CONTENT_TYPE } from './claims.js';
import type { ToolKeyring } from './keys.js';
import type { LaunchForPassback, LtiPlatform } from './types.js';

/** Retries of a score the platform refused as not newer than the one it holds (Moodle: 409). */
const STALE_RETRIES = 3;
/** Line items × users whose last posted timestamp is remembered (the oldest are forgotten first). */
const MAX_REMEMBERED = 50_000;

/**
 * The timestamp to post: the attempt's own, but always in a later whole second than the last
 * one posted for the same line item and user. Moodle keeps a score only if its timestamp,
 * truncated to seconds, is later than the stored one (else 409): two attempts within a second
 * would lose the second, latest, score.
 */
export function nextTimestamp(attemptAt: string, lastPostedMs: number | undefined): number {
  const at = Date.parse(attemptAt);
  if (lastPostedMs === undefined) return at;
  return Math.max(at, (Math.floor(lastPostedMs / 1000) + 1) * 1000);
}

/** A token is refreshed this long before the platform says it expires. */
const TOKEN_MARGIN_MS = 30_000;
const ASSERTION_TTL_S = 5 * 60;

export interface AgsOptions {
  logger?: Logger;
  /** Timeout of each call to the platform (default 10 s). */
  timeoutMs?: number;
}

/** `<lineitem>/scores`, keeping the line item URL's query string. */
export function scoresUrl(lineItem: string): string {
  const u = new URL(lineItem);
  u.pathname = `${u.pathname.replace(/\/+$/, '')}/scores`;
  return u.href;
}

export interface ScoreBody {
  userId: string;
  scoreGiven: number;
  scoreMaximum: number;
  activityProgress: 'Completed' | 'InProgress';
  gradingProgress: 'FullyGraded';
  timestamp: string;
}

class PassbackError extends Error {
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
  }
}

async function responseText(res: globalThis.Response): Promise<string> {
  const text = await res.text().catch(() => '');
  return text.length > 300 ? `${text.slice(0, 300)}…` : text;
}

/** Access tokens per platform and scope, reused until shortly before they expire. */
export function tokenSource(keys: ToolKeyring, timeoutMs: number) {
  const cache = new Map<string, { token: string; until: number }>();
  const fetchToken = async (platform: LtiPlatform, scope: string): Promise<{ token: string; until: number }> => {
    const assertion = await keys.sign({ iss: platform.clientId, sub: platform.clientId, aud: platform.authTokenUrl }, ASSERTION_TTL_S);
    let res: globalThis.Response;
    try {
      res = await fetch(platform.authTokenUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body: new URLSearchParams({
          grant_type: 'client_credentials',
          client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
          client_assertion: assertion,
          scope,
        }),
        signal: AbortSignal.timeout(timeoutMs),
        redirect: 'error',
      });
    } catch (err) {
      throw new PassbackError(`token request to ${platform.authTokenUrl} failed: ${describe(err)}`);
    }
    // Token failures carry no status: the recorded status is the score endpoint's answer.
    if (!res.ok) throw new PassbackError(`token request to ${platform.authTokenUrl} answered ${res.status}: ${await responseText(res)}`);
    const body = (await res.json().catch(() => undefined)) as { access_token?: unknown; expires_in?: unknown } | undefined;
    if (typeof body?.access_token !== 'string' || body.access_token === '') throw new PassbackError(`the token endpoint ${platform.authTokenUrl} sent no access_token`);
    const seconds = typeof body.expires_in === 'number' && body.expires_in > 0 ? body.expires_in : 3600;
    return { token: body.access_token, until: Date.now() + seconds * 1000 - TOKEN_MARGIN_MS };
  };
  return {
    async token(platform: LtiPlatform, scope: string): Promise<string> {
      const key = `${platform.id} ${scope}`;
      const hit = cache.get(key);
      if (hit && hit.until > Date.now()) return hit.token;
      const fresh = await fetchToken(platform, scope);
      cache.set(key, fresh);
      return fresh.token;
    },
    forget(platform: LtiPlatform, scope: string): void {
      cache.delete(`${platform.id} ${scope}`);
    },
  };
}

function describe(err: unknown): string {
  if (err instanceof Error) {
    if (err.name === 'TimeoutError') return 'timed out';
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    return cause?.code ? `${err.message} (${cause.code})` : err.message;
  }
  return String(err);
}

/**
 * The score to post: the attempt's own for a practice variant; for an exam, the student's total
 * over their version as the exam's results count it (its `counts` rule; studentExamResult).
 * Undefined while an unreleased exam's feedback policy withholds scores (none, status): the LMS
 * gradebook would show the student what the attempt view hides, and with several attempts allowed
 * it would be a score oracle. The totals go to the LMS when the exam is released (onRelease).
 */
async function scoreFor(store: Store, attempt: Attempt, variant: Variant): Promise<Omit<ScoreBody, 'userId'> | undefined> {
  const exam = variant.mode === 'exam' && variant.examId ? await store.exams.get(variant.examId) : undefined;
  if (!exam || variant.examVersion === undefined) {
    return { scoreGiven: attempt.score, scoreMaximum: attempt.maxScore, activityProgress: 'Completed', gradingProgress: 'FullyGraded', timestamp: attempt.createdAt };
  }
  if (exam.releasedAt === undefined && exam.feedback !== 'full') return undefined;
  const r = await studentExamResult(store, exam, attempt.userId, variant.examVersion);
  return { scoreGiven: r.score ?? 0, scoreMaximum: r.maxScore, activityProgress: r.complete ? 'Completed' : 'InProgress', gradingProgress: 'FullyGraded', timestamp: attempt.createdAt };
}

/** How a passback went: posted (2xx), nothing to post (no line item, or a score held back), or failed. */
export type Delivery =
  | { kind: 'posted'; status: number }
  | { kind: 'nothing' }
  | { kind: 'failed'; error: string; status?: number };

export interface Passback {
  /** Posts an attempt's score (or its exam total, computed now) to the launch's line item, once. */
  deliver(attempt: Attempt, variant: Variant): Promise<Delivery>;
  /** The attempts whose scores an exam's release sends: each launched student's latest. */
  releaseAttempts: (exam: Parameters<ReleaseHook>[0]) => Promise<Attempt[]>;
}

export function gradePassback(store: Store, keys: ToolKeyring, options: AgsOptions = {}): Passback {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const tokens = tokenSource(keys, timeoutMs);

  const post = async (target: LaunchForPassback, url: string, body: ScoreBody, retry = true): Promise<number> => {
    const token = await tokens.token(target.platform, SCOPE_SCORE);
    let res: globalThis.Response;
    try {
      res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': SCORE_CONTENT_TYPE, authorization: `Bearer ${token}` },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(timeoutMs),
        redirect: 'error',
      });
    } catch (err) {
      throw new PassbackError(`score post to ${url} failed: ${describe(err)}`);
    }
    if (res.status === 401 && retry) {
      // The platform may have revoked the cached token early: one fresh token, one more try.
      await res.body?.cancel();
      tokens.forget(target.platform, SCOPE_SCORE);
      return post(target, url, body, false);
    }
    if (!res.ok) throw new PassbackError(`score post to ${url} answered ${res.status}: ${await responseText(res)}`, res.status);
    await res.body?.cancel();
    return res.status;
  };

  // Posts for one line item and user go one at a time, each with a later whole-second timestamp
  // than the last, so the latest score is the one the platform keeps.
  const queues = new Map<string, Promise<void>>();
  const lastPosted = new Map<string, number>();
  const serialised = (key: string, task: () => Promise<void>): Promise<void> => {
    const run = (queues.get(key) ?? Promise.resolve()).then(task);
    const settled = run.catch(() => undefined);
    queues.set(key, settled);
    void settled.then(() => {
      if (queues.get(key) === settled) queues.delete(key);
    });
    return run;
  };
  const remember = (key: string, ms: number) => {
    lastPosted.delete(key);
    lastPosted.set(key, ms);
    if (lastPosted.size > MAX_REMEMBERED) lastPosted.delete(lastPosted.keys().next().value!);
  };

  /** Posts, moving the timestamp on by a second while the platform answers 409 (it holds a score as new). */
  const postLatest = async (target: LaunchForPassback, url: string, key: string, body: ScoreBody): Promise<number> => {
    for (let retry = 0; ; retry++) {
      try {
        const status = await post(target, url, body);
        remember(key, Date.parse(body.timestamp));
        return status;
      } catch (err) {
        if (!(err instanceof PassbackError && err.status === 409) || retry >= STALE_RETRIES) throw err;
        body.timestamp = new Date(nextTimestamp(body.timestamp, Date.parse(body.timestamp))).toISOString();
      }
    }
  };

  const deliver = async (attempt: Attempt, variant: Variant): Promise<Delivery> => {
    const target = await store.lti.launchFor(variant.id, attempt.userId);
    if (!target?.launch.lineItemUrl) return { kind: 'nothing' };
    let url: string;
    try {
      url = scoresUrl(target.launch.lineItemUrl);
    } catch {
      url = target.launch.lineItemUrl;
    }
    const key = `${url} ${target.subject}`;
    let out: Delivery = { kind: 'nothing' };
    await serialised(key, async () => {
      out = await passback(attempt, variant, target, url, key);
    });
    return out;
  };

  const releaseAttempts = async (exam: Parameters<ReleaseHook>[0]): Promise<Attempt[]> => {
    // One post per student (an exam's items share its resource link, so one line item): from
    // their latest attempt, whose total is the whole version's by the counting rule.
    const latest = new Map<string, Attempt>();
    for (const a of await store.attempts.listByExam(exam.id)) {
      const seen = latest.get(a.userId);
      if (!seen || a.createdAt >= seen.createdAt) latest.set(a.userId, a);
    }
    const out: Attempt[] = [];
    for (const a of latest.values()) if (await store.lti.launchFor(a.variantId, a.userId)) out.push(a);
    return out;
  };
  return { deliver, releaseAttempts };

  async function passback(attempt: Attempt, variant: Variant, target: LaunchForPassback, url: string, key: string): Promise<Delivery> {
    // Computed in turn: an exam's total includes every attempt committed before this post.
    const score = await scoreFor(store, attempt, variant);
    if (!score) return { kind: 'nothing' }; // withheld until the exam is released
    const body: ScoreBody = { userId: target.subject, ...score, timestamp: new Date(nextTimestamp(score.timestamp, lastPosted.get(key))).toISOString() };
    const record = { attemptId: attempt.id, launchId: target.launch.id, url, scoreGiven: body.scoreGiven, scoreMaximum: body.scoreMaximum };
    try {
      const status = await postLatest(target, url, key, body);
      await store.lti.recordScorePost({ ...record, status });
      options.logger?.info({ attempt: attempt.id, url, status }, 'LTI score posted');
      return { kind: 'posted', status };
    } catch (err) {
      const e = err instanceof PassbackError ? err : new PassbackError(`score post to ${url} failed: ${describe(err)}`);
      options.logger?.warn({ attempt: attempt.id, url, status: e.status, err: e.message }, 'LTI score post failed');
      await store.lti
        .recordScorePost({ ...record, ...(e.status !== undefined ? { status: e.status } : {}), error: e.message })
        .catch((recordErr: unknown) => options.logger?.error({ err: recordErr, attempt: attempt.id }, 'could not record the failed LTI score post'));
      return { kind: 'failed', error: e.message, ...(e.status !== undefined ? { status: e.status } : {}) };
    }
  }
}
