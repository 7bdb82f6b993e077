/** The grade passback outbox in SQLite (db/migrations/014_lti_passback_outbox.sql). */
import type { PassbackJob, PassbackJobRepo } from '../lti-types.js';
import { now as nowIso } from '../ids.js';
import { writeTransaction, type Db } from './db.js';

interface Row {
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

const toJob = (r: Row): PassbackJob => ({
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

export function sqlitePassbackJobs(db: Db): PassbackJobRepo {
  const insert = db.prepare<[string, number, string], Row>('INSERT INTO lti_passback_jobs (attempt_id, due_at, created_at) VALUES (?, ?, ?) RETURNING *');
  const due = db.prepare<[number, number, number], Row>(
    `SELECT * FROM lti_passback_jobs WHERE state = 'pending' AND due_at <= ? AND (lease_until IS NULL OR lease_until <= ?) ORDER BY due_at, id LIMIT ?`,
  );
  const lease = db.prepare<[number, number]>('UPDATE lti_passback_jobs SET lease_until = ? WHERE id = ?');
  const markDone = db.prepare<[string, number | null, number]>("UPDATE lti_passback_jobs SET state = 'done', done_at = ?, last_status = ?, lease_until = NULL, tries = tries + 1 WHERE id = ?");
  const markFailed = db.prepare<[string, number | null, number | null, number | null, number]>(
    "UPDATE lti_passback_jobs SET last_error = ?, last_status = ?, state = CASE WHEN ? IS NULL THEN 'dead' ELSE 'pending' END, due_at = coalesce(?, due_at), lease_until = NULL, tries = tries + 1 WHERE id = ?",
  );
  const byState = db.prepare<[string, number], Row>('SELECT * FROM lti_passback_jobs WHERE state = ? ORDER BY id DESC LIMIT ?');
  const byId = db.prepare<[number], Row>('SELECT * FROM lti_passback_jobs WHERE id = ?');
  const again = db.prepare<[number, number], Row>("UPDATE lti_passback_jobs SET state = 'pending', due_at = ?, lease_until = NULL, tries = 0 WHERE id = ? AND state != 'done' RETURNING *");
  const counted = db.prepare<[], { state: PassbackJob['state']; n: number }>('SELECT state, count(*) AS n FROM lti_passback_jobs GROUP BY state');
  const dueN = db.prepare<[number, number], { n: number }>(
    `SELECT count(*) AS n FROM lti_passback_jobs WHERE state = 'pending' AND due_at <= ? AND (lease_until IS NULL OR lease_until <= ?)`,
  );
  const claim = writeTransaction(db, (now: number, limit: number, leaseMs: number): Row[] => {
    const rows = due.all(now, now, limit);
    for (const r of rows) lease.run(now + leaseMs, r.id);
    return rows;
  });
  return {
    async enqueue(attemptId) {
      return toJob(insert.get(attemptId, Date.now(), nowIso())!);
    },
    async claim(now, limit, leaseMs) {
      return claim(now, limit, leaseMs).map(toJob);
    },
    async done(id, status) {
      markDone.run(nowIso(), status ?? null, id);
    },
    async failed(id, error, status, dueAt) {
      markFailed.run(error.slice(0, 1000), status ?? null, dueAt ?? null, dueAt ?? null, id);
    },
    async list(state, limit) {
      return byState.all(state, limit).map(toJob);
    },
    async get(id) {
      const r = byId.get(id);
      return r ? toJob(r) : undefined;
    },
    async retry(id) {
      const r = again.get(Date.now(), id);
      return r ? toJob(r) : undefined;
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
