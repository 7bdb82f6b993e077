/** The grade passback outbox in SQLite (db/migrations/014_lti_passback_outbox.sql). */
import type { PassbackJob, PassbackJobRepo } from '../lti-types.js';
import { now as nowIso } from '../ids.js';
import { toPassbackJob, type PassbackJobRow } from '../rows/jobs.js';
import { writeTransaction, type Db } from './db.js';

export function sqlitePassbackJobs(db: Db): PassbackJobRepo {
  const insert = db.prepare<[string, number, string], PassbackJobRow>('INSERT INTO lti_passback_jobs (attempt_id, due_at, created_at) VALUES (?, ?, ?) RETURNING *');
  const due = db.prepare<[number, number, number], PassbackJobRow>(
    `SELECT * FROM lti_passback_jobs WHERE state = 'pending' AND due_at <= ? AND (lease_until IS NULL OR lease_until <= ?) ORDER BY due_at, id LIMIT ?`,
  );
  const lease = db.prepare<[number, number]>('UPDATE lti_passback_jobs SET lease_until = ? WHERE id = ?');
  const markDone = db.prepare<[string, number | null, number]>("UPDATE lti_passback_jobs SET state = 'done', done_at = ?, last_status = ?, lease_until = NULL, tries = tries + 1 WHERE id = ?");
  const markFailed = db.prepare<[string, number | null, number | null, number | null, number]>(
    "UPDATE lti_passback_jobs SET last_error = ?, last_status = ?, state = CASE WHEN ? IS NULL THEN 'dead' ELSE 'pending' END, due_at = coalesce(?, due_at), lease_until = NULL, tries = tries + 1 WHERE id = ?",
  );
  const byState = db.prepare<[string, number], PassbackJobRow>('SELECT * FROM lti_passback_jobs WHERE state = ? ORDER BY id DESC LIMIT ?');
  const byId = db.prepare<[number], PassbackJobRow>('SELECT * FROM lti_passback_jobs WHERE id = ?');
  const again = db.prepare<[number, number], PassbackJobRow>("UPDATE lti_passback_jobs SET state = 'pending', due_at = ?, lease_until = NULL, tries = 0 WHERE id = ? AND state != 'done' RETURNING *");
  const counted = db.prepare<[], { state: PassbackJob['state']; n: number }>('SELECT state, count(*) AS n FROM lti_passback_jobs GROUP BY state');
  const dueN = db.prepare<[number, number], { n: number }>(
    `SELECT count(*) AS n FROM lti_passback_jobs WHERE state = 'pending' AND due_at <= ? AND (lease_until IS NULL OR lease_until <= ?)`,
  );
  const claim = writeTransaction(db, (now: number, limit: number, leaseMs: number): PassbackJobRow[] => {
    const rows = due.all(now, now, limit);
    for (const r of rows) lease.run(now + leaseMs, r.id);
    return rows;
  });
  return {
    async enqueue(attemptId) {
      return toPassbackJob(insert.get(attemptId, Date.now(), nowIso())!);
    },
    async claim(now, limit, leaseMs) {
      return claim(now, limit, leaseMs).map(toPassbackJob);
    },
    async done(id, status) {
      markDone.run(nowIso(), status ?? null, id);
    },
    async failed(id, error, status, dueAt) {
      markFailed.run(error.slice(0, 1000), status ?? null, dueAt ?? null, dueAt ?? null, id);
    },
    async list(state, limit) {
      return byState.all(state, limit).map(toPassbackJob);
    },
    async get(id) {
      const r = byId.get(id);
      return r ? toPassbackJob(r) : undefined;
    },
    async retry(id) {
      const r = again.get(Date.now(), id);
      return r ? toPassbackJob(r) : undefined;
    },
    async dueCount(now) {
      return dueN.get(now, now)?.n ?? 0;
    },
    async counts() {
      const out: Record<PassbackJob['state'], number> = { pending: 0, done: 0, dead: 0 };
      for (const r of counted.all()) out[r.state] = r.n;
      return out;
    },
  };
}
