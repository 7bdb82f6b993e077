/**
 * A model worker: claims artefact-question jobs from the database (src/pages/stored-artefacts.ts
 * queues them), computes each in a child process (ArtefactJobs: training never blocks this
 * process), reports progress while it runs (extending its lease), and stores the student view and
 * pictures where every API node reads them. `stepwise worker --labs gan,clip,tvlt` runs one on its
 * own (a GPU machine: the child picks its best backend); `stepwise serve` runs one beside the
 * server unless STEPWISE_MODEL_WORKER=external. Jobs of a worker that dies are taken over when its
 * lease runs out.
 *
 * Like src/server.ts this sits above the edges: it puts the store, the models and the runner together.
 */
import { hostname } from 'node:os';
import type { Logger } from 'pino';
import { listArtefacts } from './bank/artefact-item.js';
import type { ArtefactQuestion } from './models/questions.js';
import { ArtefactJobs, type ArtefactRunner } from './pages/artefact-jobs.js';
import type { Store } from './store/types.js';

export const LABS = ['gan', 'clip', 'tvlt'] as const;
export type LabName = (typeof LABS)[number];

export interface ModelWorkerOptions {
  /** The labs whose questions this worker computes (default all). */
  labs?: readonly LabName[];
  logger?: Logger;
  /** The questions (default: question-bank/artefacts and any registered beside them). */
  questions?: Map<string, ArtefactQuestion>;
  /** Computes one question (default: ArtefactJobs, a child process). */
  executor?: ArtefactRunner;
  /** How long a claim holds without progress, ms (default 60 s). */
  leaseMs?: number;
  /** How often the queue is looked at when idle, ms (default 1 s). */
  pollMs?: number;
  /** This worker's name in the jobs (default host:pid). */
  name?: string;
}

export interface ModelWorker {
  start(): void;
  /** Claims and computes one job; false when none was due. */
  once(): Promise<boolean>;
  stop(): Promise<void>;
}

/** `--labs gan,clip`: the lab names, checked. */
export function parseLabs(raw: string | undefined): LabName[] {
  if (raw === undefined || raw.trim() === '') return [...LABS];
  const out = raw.split(',').map((x) => x.trim().toLowerCase());
  for (const l of out) if (!(LABS as readonly string[]).includes(l)) throw new Error(`--labs takes ${LABS.join(', ')} (comma-separated); "${l}" is none of them`);
  return [...new Set(out)] as LabName[];
}

export function modelWorker(store: Store, o: ModelWorkerOptions = {}): ModelWorker {
  const labs = new Set(o.labs ?? LABS);
  const questions = o.questions ?? new Map(listArtefacts().map((q) => [q.id, q]));
  const ids = [...questions.values()].filter((q) => labs.has(q.lab)).map((q) => q.id);
  const executor = o.executor ?? new ArtefactJobs({ queueLimit: 1, ...(o.logger ? { logger: o.logger } : {}) });
  const leaseMs = o.leaseMs ?? 60_000;
  const pollMs = o.pollMs ?? 1_000;
  const name = o.name ?? `${hostname()}:${process.pid}`;
  let timer: NodeJS.Timeout | undefined;
  let busy: Promise<boolean> | undefined;
  let stopped = false;

  const compute = async (q: ArtefactQuestion, seed: number): Promise<void> => {
    let s = await executor.request(q, seed);
    while (!stopped && (s.state === 'queued' || s.state === 'running')) {
      await executor.wait(q.id, seed, 1_000);
      s = await executor.state(q.id, seed);
      const fraction = s.state === 'running' ? s.fraction : 0;
      if (!(await store.models.progress(q.id, seed, name, fraction, Date.now() + leaseMs))) return; // taken over
    }
    if (s.state === 'ready') {
      const files: { hash: string; png: Buffer }[] = [];
      for (const img of s.view.images) {
        const png = await executor.file(img.hash);
        if (png) files.push({ hash: img.hash, png });
      }
      await store.models.finish(q.id, seed, name, JSON.stringify(s.view), files);
      o.logger?.info({ question: q.id, seed }, 'model job done');
      return;
    }
    await store.models.fail(q.id, seed, name);
    o.logger?.error({ question: q.id, seed }, 'model job failed');
  };

  const once = async (): Promise<boolean> => {
    if (ids.length === 0) return false;
    const job = await store.models.claim(name, Date.now(), leaseMs, ids);
    if (!job) return false;
    const q = questions.get(job.questionId)!;
    try {
      await compute(q, job.seed);
    } catch (err) {
      o.logger?.error({ err, question: q.id, seed: job.seed }, 'model job failed');
      await store.models.fail(q.id, job.seed, name).catch(() => undefined);
    }
    return true;
  };

  const loop = (): void => {
    if (stopped || busy) return;
    busy = once().finally(() => {
      busy = undefined;
    });
    // Straight on to the next job while there are any; else the timer looks again.
    void busy.then((worked) => worked && loop(), () => undefined);
  };

  return {
    start() {
      stopped = false;
      timer ??= setInterval(loop, pollMs);
      timer.unref();
      loop();
    },
    once,
    async stop() {
      stopped = true;
      if (timer) clearInterval(timer);
      timer = undefined;
      await busy?.catch(() => undefined);
      executor.close();
    },
  };
}
