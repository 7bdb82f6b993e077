/**
 * Where the runs of a question about model runs stand for a variant, for the pages and the API:
 * queued (how many jobs are ahead), running (how far), failed, or ready with the student's pictures.
 * Asking starts the job when there is none, under a bound on the queue (a full queue: `not_ready`,
 * HTTP 503 with Retry-After); a failed job is shown as failed for a minute, then queued again.
 */
import { StepwiseError } from '../core/errors.js';
import { rememberArtefactAnswer } from '../engine.js';
import type { ModelJob, Store, Variant } from '../store/types.js';
import { artefactJobOf, EXAM_QUEUE_LIMIT, PRACTICE_QUEUE_LIMIT, RETRY_FAILED_MS, storedView, type StoredArtefactView } from './artefact-answers.js';

export type RunsState =
  | { state: 'ready'; images: StoredArtefactView['images'] }
  /** `ahead`: jobs before it (0: it starts next). */
  | { state: 'queued'; ahead: number }
  | { state: 'running'; fraction: number }
  | { state: 'failed' };

function stateOf(j: ModelJob): RunsState | undefined {
  switch (j.state) {
    case 'queued':
      return { state: 'queued', ahead: j.ahead ?? 0 };
    case 'running':
      return { state: 'running', fraction: j.fraction };
    case 'failed':
      return Date.now() - j.updatedAt < RETRY_FAILED_MS ? { state: 'failed' } : undefined;
    case 'done': {
      const view = storedView(j)!;
      rememberArtefactAnswer(j.questionId, j.seed, view.expected);
      return { state: 'ready', images: view.images };
    }
  }
}

export interface RunsOptions {
  /** Practice jobs that may wait in the queue (default 32); an exam's items are never refused. */
  practiceQueueLimit?: number;
}

/** The runs' state for this variant, queueing them when there is no job (undefined: not a question about model runs). */
export async function artefactRuns(store: Store, v: Pick<Variant, 'topic' | 'params' | 'mode'>, o: RunsOptions = {}): Promise<RunsState | undefined> {
  const job = artefactJobOf(v);
  if (!job) return undefined;
  const known = await store.models.get(job.questionId, job.seed);
  const s = known && stateOf(known);
  if (s) return s;
  const limit = v.mode === 'practice' ? (o.practiceQueueLimit ?? PRACTICE_QUEUE_LIMIT) : EXAM_QUEUE_LIMIT;
  const j = await store.models.request(job.questionId, job.seed, limit, RETRY_FAILED_MS);
  if (j === 'full') throw new StepwiseError('not_ready', 'the server is computing other model runs and its queue is full; try again in a minute');
  return stateOf(j) ?? { state: 'queued', ahead: 0 };
}

/** The state after waiting up to `ms` for queued or running runs to end. */
export async function awaitArtefactRuns(store: Store, v: Pick<Variant, 'topic' | 'params' | 'mode'>, ms: number, o: RunsOptions & { pollMs?: number } = {}): Promise<RunsState | undefined> {
  const until = Date.now() + ms;
  let s = await artefactRuns(store, v, o);
  while (s && (s.state === 'queued' || s.state === 'running') && Date.now() < until) {
    await new Promise((r) => setTimeout(r, Math.min(o.pollMs ?? 200, Math.max(0, until - Date.now()))));
    s = await artefactRuns(store, v, o);
  }
  return s;
}
