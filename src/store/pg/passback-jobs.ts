/**
 * The grade passback outbox in PostgreSQL: the same behaviour as src/store/sqlite/passback-jobs.ts.
 * Jobs are written by the attempts_passback_outbox trigger (db/pg-migrations/001_schema.sql; its
 * due time rounded down since 002) in the attempt's own transaction, or by `enqueue`. A claim is one UPDATE over a sub-select taken
 * `FOR UPDATE SKIP LOCKED`: two workers (any nodes) claiming at once lock disjoint rows, and a row
 * leased by a claim that committed in between is re-checked against the lease and skipped, so no job
 * is posted twice at once. Retries, backoff and the dead letter are the worker's (due times in, state out).
 */
import type { PassbackJob, PassbackJobRepo } from '../lti-types.js';
import { now as nowIso } from '../ids.js';
import { toPassbackJob, type PassbackJobRow } from '../rows/jobs.js';
import { sqlOf, type Pool } from './db.js';

const COLS = 'id, attempt_id, state, tries, due_at, lease_until, last_error, last_status, created_at, done_at';
const byDue = (a: PassbackJobRow, b: PassbackJobRow): number => a.due_at - b.due_at || a.id - b.id;

export function pgPassbackJobs(pool: Pool): PassbackJobRepo {
  const sql = sqlOf(pool);
  return {
    async enqueue(attemptId) {
      const [r] = await sql.query<PassbackJobRow>(`INSERT INTO lti_passback_jobs (attempt_id, due_at, created_at) VALUES ($1, $2, $3) RETURNING ${COLS}`, [attemptId, Date.now(), nowIso()]);
      return toPassbackJob(r!);
    },
    async claim(now, limit, leaseMs) {
      const rows = await sql.query<PassbackJobRow>(
        `UPDATE lti_passback_jobs SET lease_until = $2
          WHERE id IN (SELECT id FROM lti_passback_jobs
                        WHERE state = 'pending' AND due_at <= $1 AND (lease_until IS NULL OR lease_until <= $1)
                        ORDER BY due_at, id LIMIT $3 FOR UPDATE SKIP LOCKED)
          RETURNING ${COLS}`,
        [now, now + leaseMs, limit],
      );
      return rows.sort(byDue).map(toPassbackJob); // RETURNING keeps no order: due first, as SQLite
    },
    async done(id, status) {
      await sql.query("UPDATE lti_passback_jobs SET state = 'done', done_at = $1, last_status = $2, lease_until = NULL, tries = tries + 1 WHERE id = $3", [nowIso(), status ?? null, id]);
    },
    async failed(id, error, status, dueAt) {
      await sql.query(
        `UPDATE lti_passback_jobs SET last_error = $1, last_status = $2, state = CASE WHEN $3::bigint IS NULL THEN 'dead' ELSE 'pending' END,
                due_at = coalesce($3::bigint, due_at), lease_until = NULL, tries = tries + 1 WHERE id = $4`,
        // A backoff with jitter is fractional; the column is whole milliseconds (SQLite took the fraction).
        [error.slice(0, 1000), status ?? null, dueAt === undefined || dueAt === null ? null : Math.round(dueAt), id],
      );
    },
    async list(state, limit) {
      return (await sql.query<PassbackJobRow>(`SELECT ${COLS} FROM lti_passback_jobs WHERE state = $1 ORDER BY id DESC LIMIT $2`, [state, limit])).map(toPassbackJob);
    },
    async get(id) {
      const [r] = await sql.query<PassbackJobRow>(`SELECT ${COLS} FROM lti_passback_jobs WHERE id = $1`, [id]);
      return r ? toPassbackJob(r) : undefined;
    },
    async retry(id) {
      const [r] = await sql.query<PassbackJobRow>(
        `UPDATE lti_passback_jobs SET state = 'pending', due_at = $1, lease_until = NULL, tries = 0 WHERE id = $2 AND state != 'done' RETURNING ${COLS}`,
        [Date.now(), id],
      );
      return r ? toPassbackJob(r) : undefined;
    },
    async dueCount(now) {
      const [r] = await sql.query<{ n: number }>(
        `SELECT count(*) AS n FROM lti_passback_jobs WHERE state = 'pending' AND due_at <= $1 AND (lease_until IS NULL OR lease_until <= $1)`,
        [now],
      );
      return r?.n ?? 0;
    },
    async counts() {
      const out: Record<PassbackJob['state'], number> = { pending: 0, done: 0, dead: 0 };
      for (const r of await sql.query<{ state: PassbackJob['state']; n: number }>('SELECT state, count(*) AS n FROM lti_passback_jobs GROUP BY state')) out[r.state] = r.n;
      return out;
    },
  };
}
