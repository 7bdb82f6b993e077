/**
 * The job tables' rows, the grade passback outbox (lti_passback_jobs) and model runs (model_jobs),
 * and their mapping to PassbackJob and ModelJob, for both backends (db/pg-migrations/001_schema.sql
 * has SQLite's columns). Times the queues compare are epoch milliseconds.
 */
import type { PassbackJob } from '../lti-types.js';
import type { ModelJob } from '../types.js';

export interface PassbackJobRow {
  id: number;
  attempt_id: string;
  state: PassbackJob['state'];
  tries: number;
  due_at: number;
  lease_until: number | null;
  last_error: string | null;
  last_status: number | null;
  created_at: string;
  done_at: string | null;
}

export const toPassbackJob = (r: PassbackJobRow): PassbackJob => ({
  id: r.id,
  attemptId: r.attempt_id,
  state: r.state,
  tries: r.tries,
  dueAt: new Date(r.due_at).toISOString(),
  ...(r.last_error !== null ? { lastError: r.last_error } : {}),
  ...(r.last_status !== null ? { lastStatus: r.last_status } : {}),
  createdAt: r.created_at,
  ...(r.done_at !== null ? { doneAt: r.done_at } : {}),
});

export interface ModelJobRow {
  question_id: string;
  seed: number;
  state: ModelJob['state'];
  fraction: number;
  view: string | null;
  worker: string | null;
  lease_until: number | null;
  created_at: number;
  updated_at: number;
}

/** `ahead`: for a queued job, how many jobs are ahead of it (the backend counts them); else unused. */
export const toModelJob = (r: ModelJobRow, ahead: number | undefined): ModelJob => ({
  questionId: r.question_id,
  seed: r.seed,
  state: r.state,
  fraction: r.fraction,
  ...(r.view !== null ? { view: r.view } : {}),
  ...(r.state === 'queued' ? { ahead: ahead ?? 0 } : {}),
  updatedAt: r.updated_at,
});

/** Whether a request for a job that exists leaves it as it is: all but a failed one old enough to try again. */
export const keepsModelJob = (r: ModelJobRow, now: number, retryFailedAfterMs: number): boolean => !(r.state === 'failed' && now - r.updated_at >= retryFailedAfterMs);
