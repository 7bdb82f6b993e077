/**
 * Model runs as jobs in PostgreSQL: the same behaviour as src/store/sqlite/model-jobs.ts.
 * - request: the queue bound is a check-then-insert, so requests take a transaction-scoped advisory
 *   lock (one at a time across nodes; they are short);
 * - claim: one UPDATE over a sub-select `FOR UPDATE SKIP LOCKED` (two workers never take the same
 *   job; a job claimed in between is re-checked and skipped), leased until now + leaseMs;
 * - progress, finish, fail: conditional on the worker holding the job;
 * - finish: the pictures (by hash, kept once) and the view in one transaction.
 */
import type { ModelJob, ModelJobRepo } from '../types.js';
import { keepsModelJob, toModelJob, type ModelJobRow } from '../rows/jobs.js';
import { sqlOf, transaction, type Pool, type Sql } from './db.js';

/** Our advisory lock id for the queue bound. */
const QUEUE_LOCK = 0x5374_6572;

const COLS = 'question_id, seed, state, fraction, view, worker, lease_until, created_at, updated_at';

export function pgModelJobs(pool: Pool): ModelJobRepo {
  const sql = sqlOf(pool);
  const byKey = async (q: Sql, questionId: string, seed: number): Promise<ModelJobRow | undefined> =>
    (await q.query<ModelJobRow>(`SELECT ${COLS} FROM model_jobs WHERE question_id = $1 AND seed = $2`, [questionId, seed]))[0];

  async function toJob(r: ModelJobRow): Promise<ModelJob> {
    // Ahead of a queued job: the queued ones before it and the ones running now.
    const ahead =
      r.state === 'queued'
        ? ((await sql.query<{ n: number }>("SELECT count(*) AS n FROM model_jobs WHERE (state = 'queued' AND created_at < $1) OR state = 'running'", [r.created_at]))[0]?.n ?? 0)
        : undefined;
    return toModelJob(r, ahead);
  }

  return {
    async get(questionId, seed) {
      const r = await byKey(sql, questionId, seed);
      return r ? toJob(r) : undefined;
    },
    async request(questionId, seed, queueLimit, retryAfter) {
      const r = await transaction(pool, async (tx): Promise<ModelJobRow | 'full'> => {
        await tx.query('SELECT pg_advisory_xact_lock($1)', [QUEUE_LOCK]);
        const now = Date.now();
        const r = await byKey(tx, questionId, seed);
        if (r && keepsModelJob(r, now, retryAfter)) return r;
        const [{ n } = { n: 0 }] = await tx.query<{ n: number }>("SELECT count(*) AS n FROM model_jobs WHERE state = 'queued'");
        if (n >= queueLimit) return 'full';
        if (r) {
          await tx.query(
            "UPDATE model_jobs SET state = 'queued', fraction = 0, worker = NULL, lease_until = NULL, created_at = $1, updated_at = $1 WHERE question_id = $2 AND seed = $3",
            [now, questionId, seed],
          );
        } else {
          await tx.query("INSERT INTO model_jobs (question_id, seed, state, created_at, updated_at) VALUES ($1, $2, 'queued', $3, $3)", [questionId, seed, now]);
        }
        return (await byKey(tx, questionId, seed))!;
      });
      return r === 'full' ? 'full' : toJob(r);
    },
    async claim(worker, now, leaseMs, questionIds) {
      const [r] = await sql.query<ModelJobRow>(
        `UPDATE model_jobs SET state = 'running', worker = $1, lease_until = $2, updated_at = $3
          WHERE (question_id, seed) IN (
            SELECT question_id, seed FROM model_jobs
             WHERE (state = 'queued' OR (state = 'running' AND lease_until <= $3)) AND question_id = ANY($4)
             ORDER BY created_at, question_id, seed LIMIT 1 FOR UPDATE SKIP LOCKED)
          RETURNING ${COLS}`,
        [worker, now + leaseMs, now, questionIds],
      );
      return r ? toJob(r) : undefined;
    },
    async progress(questionId, seed, worker, fraction, leaseUntil) {
      const rows = await sql.query(
        "UPDATE model_jobs SET fraction = $1, lease_until = $2, updated_at = $3 WHERE question_id = $4 AND seed = $5 AND worker = $6 AND state = 'running' RETURNING 1 AS ok",
        [fraction, leaseUntil, Date.now(), questionId, seed, worker],
      );
      return rows.length > 0;
    },
    async finish(questionId, seed, worker, view, files) {
      await transaction(pool, async (tx) => {
        const now = Date.now();
        // Content-addressed: a picture already stored (same hash) is kept as it is.
        for (const f of files) await tx.query('INSERT INTO model_files (hash, png, created_at) VALUES ($1, $2, $3) ON CONFLICT (hash) DO NOTHING', [f.hash, f.png, now]);
        await tx.query("UPDATE model_jobs SET state = 'done', fraction = 1, view = $1, lease_until = NULL, updated_at = $2 WHERE question_id = $3 AND seed = $4 AND worker = $5", [
          view,
          now,
          questionId,
          seed,
          worker,
        ]);
      });
    },
    async fail(questionId, seed, worker) {
      await sql.query("UPDATE model_jobs SET state = 'failed', lease_until = NULL, updated_at = $1 WHERE question_id = $2 AND seed = $3 AND worker = $4", [
        Date.now(),
        questionId,
        seed,
        worker,
      ]);
    },
    async file(hash) {
      return (await sql.query<{ png: Buffer }>('SELECT png FROM model_files WHERE hash = $1', [hash]))[0]?.png;
    },
  };
}
