/** Model runs as jobs in SQLite (db/migrations/015_model_jobs.sql). */
import type { ModelJob, ModelJobRepo } from '../types.js';
import { keepsModelJob, toModelJob, type ModelJobRow } from '../rows/jobs.js';
import { writeTransaction, type Db } from './db.js';

export function sqliteModelJobs(db: Db): ModelJobRepo {
  const byKey = db.prepare<[string, number], ModelJobRow>('SELECT * FROM model_jobs WHERE question_id = ? AND seed = ?');
  // Ahead of a queued job: the queued ones before it and the ones running now.
  const aheadOf = db.prepare<[number], { n: number }>("SELECT count(*) AS n FROM model_jobs WHERE (state = 'queued' AND created_at < ?) OR state = 'running'");
  const queuedN = db.prepare<[], { n: number }>("SELECT count(*) AS n FROM model_jobs WHERE state = 'queued'");
  const insert = db.prepare<[string, number, number, number]>("INSERT INTO model_jobs (question_id, seed, state, created_at, updated_at) VALUES (?, ?, 'queued', ?, ?)");
  const requeue = db.prepare<[number, number, string, number]>("UPDATE model_jobs SET state = 'queued', fraction = 0, worker = NULL, lease_until = NULL, created_at = ?, updated_at = ? WHERE question_id = ? AND seed = ?");
  const next = db.prepare<[number, string], ModelJobRow>(
    `SELECT * FROM model_jobs WHERE (state = 'queued' OR (state = 'running' AND lease_until <= ?))
        AND question_id IN (SELECT value FROM json_each(?)) ORDER BY created_at LIMIT 1`,
  );
  const take = db.prepare<[string, number, number, string, number]>("UPDATE model_jobs SET state = 'running', worker = ?, lease_until = ?, updated_at = ? WHERE question_id = ? AND seed = ?");
  const advance = db.prepare<[number, number, number, string, number, string]>(
    "UPDATE model_jobs SET fraction = ?, lease_until = ?, updated_at = ? WHERE question_id = ? AND seed = ? AND worker = ? AND state = 'running'",
  );
  const done = db.prepare<[string, number, string, number, string]>(
    "UPDATE model_jobs SET state = 'done', fraction = 1, view = ?, lease_until = NULL, updated_at = ? WHERE question_id = ? AND seed = ? AND worker = ?",
  );
  const failed = db.prepare<[number, string, number, string]>("UPDATE model_jobs SET state = 'failed', lease_until = NULL, updated_at = ? WHERE question_id = ? AND seed = ? AND worker = ?");
  const addFile = db.prepare<[string, Buffer, number]>('INSERT OR IGNORE INTO model_files (hash, png, created_at) VALUES (?, ?, ?)');
  const fileOf = db.prepare<[string], { png: Buffer }>('SELECT png FROM model_files WHERE hash = ?');

  const toJob = (r: ModelJobRow): ModelJob => toModelJob(r, r.state === 'queued' ? (aheadOf.get(r.created_at)?.n ?? 0) : undefined);

  const request = writeTransaction(db, (questionId: string, seed: number, queueLimit: number, retryAfter: number): ModelJobRow | 'full' => {
    const now = Date.now();
    const r = byKey.get(questionId, seed);
    if (r && keepsModelJob(r, now, retryAfter)) return r;
    if ((queuedN.get()?.n ?? 0) >= queueLimit) return 'full';
    if (r) requeue.run(now, now, questionId, seed);
    else insert.run(questionId, seed, now, now);
    return byKey.get(questionId, seed)!;
  });
  const claim = writeTransaction(db, (worker: string, now: number, leaseMs: number, ids: string): ModelJobRow | undefined => {
    const r = next.get(now, ids);
    if (!r) return undefined;
    take.run(worker, now + leaseMs, now, r.question_id, r.seed);
    return byKey.get(r.question_id, r.seed);
  });
  const finish = writeTransaction(db, (questionId: string, seed: number, worker: string, view: string, files: { hash: string; png: Buffer }[]): void => {
    const now = Date.now();
    for (const f of files) addFile.run(f.hash, f.png, now);
    done.run(view, now, questionId, seed, worker);
  });

  return {
    async get(questionId, seed) {
      const r = byKey.get(questionId, seed);
      return r ? toJob(r) : undefined;
    },
    async request(questionId, seed, queueLimit, retryFailedAfterMs) {
      const r = request(questionId, seed, queueLimit, retryFailedAfterMs);
      return r === 'full' ? 'full' : toJob(r);
    },
    async claim(worker, now, leaseMs, questionIds) {
      const r = claim(worker, now, leaseMs, JSON.stringify(questionIds));
      return r ? toJob(r) : undefined;
    },
    async progress(questionId, seed, worker, fraction, leaseUntil) {
      return advance.run(fraction, leaseUntil, Date.now(), questionId, seed, worker).changes > 0;
    },
    async finish(questionId, seed, worker, view, files) {
      finish(questionId, seed, worker, view, files);
    },
    async fail(questionId, seed, worker) {
      failed.run(Date.now(), questionId, seed, worker);
    },
    async file(hash) {
      return fileOf.get(hash)?.png;
    },
  };
}
