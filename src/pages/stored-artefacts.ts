/**
 * Artefact questions as jobs in the database (the store's `models`): a page queues (question,
 * seed), any model worker — `stepwise worker` on a GPU machine, or the one `stepwise serve` runs —
 * computes it and stores the view and pictures, and every server process reads them from the
 * database. The expected answer stays in the stored view; pages show it only after an answer.
 */
import type { ArtefactQuestion } from '../models/questions.js';
import { RETRY_FAILED_MS } from '../service/artefact-answers.js';
import type { ModelJob, Store } from '../store/types.js';
import { ArtefactsBusy, type ArtefactRunner, type ArtefactState, type ArtefactView } from './artefact-jobs.js';

// A failed job is shown as failed this long, then queued again on the next request.
export { RETRY_FAILED_MS };

export interface StoredArtefactOptions {
  /** Jobs that may wait in the queue (default 32). */
  queueLimit?: number;
  /** How often `wait` looks at the job, ms (default 200). */
  pollMs?: number;
}

function toState(j: ModelJob | undefined): ArtefactState {
  if (!j) return { state: 'absent' };
  switch (j.state) {
    case 'queued':
      return { state: 'queued', position: j.ahead ?? 0 };
    case 'running':
      return { state: 'running', fraction: j.fraction };
    case 'failed':
      return Date.now() - j.updatedAt < RETRY_FAILED_MS ? { state: 'failed' } : { state: 'absent' };
    case 'done':
      return { state: 'ready', view: JSON.parse(j.view ?? 'null') as ArtefactView };
  }
}

export class StoredArtefactJobs implements ArtefactRunner {
  constructor(
    private readonly store: Store,
    private readonly o: StoredArtefactOptions = {},
  ) {}

  async state(id: string, seed: number): Promise<ArtefactState> {
    return toState(await this.store.models.get(id, seed));
  }

  async request(q: ArtefactQuestion, seed: number): Promise<ArtefactState> {
    const j = await this.store.models.request(q.id, seed, this.o.queueLimit ?? 32, RETRY_FAILED_MS);
    if (j === 'full') throw new ArtefactsBusy(30);
    return toState(j);
  }

  async wait(id: string, seed: number, ms: number): Promise<void> {
    const until = Date.now() + ms;
    const poll = this.o.pollMs ?? 200;
    while (Date.now() < until) {
      const s = await this.state(id, seed);
      if (s.state !== 'queued' && s.state !== 'running') return;
      await new Promise((r) => setTimeout(r, Math.min(poll, Math.max(0, until - Date.now()))));
    }
  }

  file(hash: string): Promise<Buffer | undefined> {
    return this.store.models.file(hash);
  }

  close(): void {
    // Nothing held: the jobs live in the database.
  }
}
