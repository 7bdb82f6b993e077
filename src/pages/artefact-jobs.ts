/**
 * Artefact questions computed for the pages in a child process (src/pages/artefact-worker.ts), so
 * a 30-second training run never blocks the server's event loop. One run at a time, a bounded
 * queue (a full queue is refused with ArtefactsBusy, shown as 503), one job per (question, seed)
 * however often its page is polled. Finished views are kept in memory (least recently used first
 * out); their pictures are stored by the SHA-256 of their bytes, so their URLs are immutable.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Logger } from 'pino';
import { PACKAGE_ROOT } from '../core/paths.js';
import type { ArtefactQuestion } from '../models/questions.js';
import type { WorkerJob, WorkerMessage } from './artefact-worker.js';

export interface ArtefactImage {
  /** SHA-256 of the PNG, hex: its URL's name. */
  hash: string;
  /** The student view's neutral caption ("Run A: …"). */
  caption: string;
  width: number;
  height: number;
}

/** What the server knows of a computed question for a seed; `expected` never goes to a page before answering. */
export interface ArtefactView {
  id: string;
  seed: number;
  title?: string;
  prompt: string;
  letters: string[];
  images: ArtefactImage[];
  expected: number | string;
}

export type ArtefactState =
  | { state: 'ready'; view: ArtefactView }
  | { state: 'running'; fraction: number }
  /** `position`: how many jobs are ahead (0: it starts next). */
  | { state: 'queued'; position: number }
  | { state: 'failed' }
  | { state: 'absent' };

/** The queue is full: the page says so with a 503 and Retry-After. */
export class ArtefactsBusy extends Error {
  constructor(readonly retryAfter: number) {
    super('busy');
  }
}

/**
 * What the pages need of whoever computes artefact questions: ArtefactJobs (a child process of this
 * server, state in memory) or StoredArtefactJobs (jobs in the database, computed by any worker).
 */
export interface ArtefactRunner {
  /** Where the question stands for this seed, without starting anything. */
  state(id: string, seed: number): ArtefactState | Promise<ArtefactState>;
  /** The state, starting the job if there is none (ArtefactsBusy when the queue is full). */
  request(q: ArtefactQuestion, seed: number): ArtefactState | Promise<ArtefactState>;
  /** Resolves when the job for (id, seed) ends, or after `ms`. */
  wait(id: string, seed: number, ms: number): Promise<void>;
  /** A picture by its hash, or undefined. */
  file(hash: string): Buffer | undefined | Promise<Buffer | undefined>;
  close(): void;
}

export interface ArtefactJobsOptions {
  /** Jobs that may wait behind the running one (default 8). */
  queueLimit?: number;
  /** Finished views kept in memory (default 64). */
  keepViews?: number;
  logger?: Logger;
  /** The worker script (default: artefact-worker.js beside this file, or the built one when run from sources). */
  workerPath?: string;
}

interface Job {
  key: string;
  id: number;
  question: ArtefactQuestion;
  seed: number;
  fraction: number;
  waiters: (() => void)[];
}

const keyOf = (id: string, seed: number) => `${id}\0${seed}`;

/** The built worker: a child process runs plain JavaScript, also when the server runs from the TypeScript sources (tests). */
function defaultWorkerPath(): string {
  const here = fileURLToPath(import.meta.url);
  if (here.endsWith('.js')) return join(dirname(here), 'artefact-worker.js');
  return join(PACKAGE_ROOT, 'dist', 'src', 'pages', 'artefact-worker.js');
}

/** A PNG's size from its IHDR chunk (for the img's width and height). */
function pngSize(png: Uint8Array): { width: number; height: number } {
  const b = Buffer.from(png.buffer, png.byteOffset, png.byteLength);
  return b.length >= 24 ? { width: b.readUInt32BE(16), height: b.readUInt32BE(20) } : { width: 0, height: 0 };
}

export class ArtefactJobs implements ArtefactRunner {
  private readonly queueLimit: number;
  private readonly keepViews: number;
  private readonly views = new Map<string, ArtefactView>();
  private readonly files = new Map<string, Buffer>();
  private readonly failed = new Map<string, number>();
  private readonly queue: Job[] = [];
  private running: Job | undefined;
  private child: ChildProcess | undefined;
  private nextId = 1;
  private closed = false;

  constructor(private readonly o: ArtefactJobsOptions = {}) {
    this.queueLimit = o.queueLimit ?? 8;
    this.keepViews = o.keepViews ?? 64;
  }

  /** Where the question stands for this seed, without starting anything. */
  state(id: string, seed: number): ArtefactState {
    const key = keyOf(id, seed);
    const v = this.views.get(key);
    if (v) {
      // Recently used last, so eviction drops the oldest.
      this.views.delete(key);
      this.views.set(key, v);
      return { state: 'ready', view: v };
    }
    if (this.running?.key === key) return { state: 'running', fraction: this.running.fraction };
    const at = this.queue.findIndex((j) => j.key === key);
    if (at >= 0) return { state: 'queued', position: at + 1 };
    const failedAt = this.failed.get(key);
    // A failed job is shown as failed for a minute, then may be tried again.
    if (failedAt !== undefined && Date.now() - failedAt < 60_000) return { state: 'failed' };
    return { state: 'absent' };
  }

  /** The state, starting the job if there is none (ArtefactsBusy when the queue is full). */
  request(q: ArtefactQuestion, seed: number): ArtefactState {
    const s = this.state(q.id, seed);
    if (s.state !== 'absent') return s;
    if (this.closed) throw new Error('artefact jobs are closed');
    if (this.running && this.queue.length >= this.queueLimit) throw new ArtefactsBusy(30);
    this.failed.delete(keyOf(q.id, seed));
    this.queue.push({ key: keyOf(q.id, seed), id: this.nextId++, question: q, seed, fraction: 0, waiters: [] });
    this.pump();
    return this.state(q.id, seed);
  }

  /** Resolves when the job for (id, seed) ends, or after `ms`. */
  wait(id: string, seed: number, ms: number): Promise<void> {
    const key = keyOf(id, seed);
    const job = this.running?.key === key ? this.running : this.queue.find((j) => j.key === key);
    if (!job || ms <= 0) return Promise.resolve();
    return new Promise((resolve) => {
      const t = setTimeout(resolve, ms);
      job.waiters.push(() => {
        clearTimeout(t);
        resolve();
      });
    });
  }

  /** A picture by its hash, or undefined. */
  file(hash: string): Buffer | undefined {
    return this.files.get(hash);
  }

  /** Ends the worker; running and queued jobs are dropped. */
  close(): void {
    this.closed = true;
    this.queue.length = 0;
    this.child?.kill();
    this.child = undefined;
  }

  private worker(): ChildProcess {
    if (this.child && this.child.connected) return this.child;
    const path = this.o.workerPath ?? defaultWorkerPath();
    if (!existsSync(path)) throw new Error(`the artefact worker ${path} is missing: run npm run build`);
    const child = fork(path, [], { serialization: 'advanced', stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
    child.stderr?.on('data', (d: Buffer) => this.o.logger?.warn({ worker: String(d).slice(0, 2000) }, 'artefact worker stderr'));
    child.on('message', (m: WorkerMessage) => this.onMessage(m));
    child.on('exit', (code, signal) => {
      if (this.child === child) this.child = undefined;
      const job = this.running;
      if (job && !this.closed) {
        this.o.logger?.error({ code, signal, question: job.question.id }, 'artefact worker exited during a job');
        this.finish(job, undefined);
      }
    });
    // The server's own sockets keep it alive; the worker alone must not.
    child.unref();
    child.channel?.unref();
    this.child = child;
    return child;
  }

  private pump(): void {
    if (this.running || this.closed) return;
    const job = this.queue.shift();
    if (!job) return;
    this.running = job;
    try {
      const msg: WorkerJob = { id: job.id, question: job.question, seed: job.seed };
      this.worker().send(msg);
    } catch (e) {
      this.o.logger?.error({ err: e, question: job.question.id }, 'artefact worker could not start');
      this.finish(job, undefined);
    }
  }

  private onMessage(m: WorkerMessage): void {
    const job = this.running;
    if (!job || job.id !== m.id) return;
    if (m.type === 'progress') {
      job.fraction = m.fraction;
      return;
    }
    if (m.type === 'error') {
      // The message may name runs or cache folders: it goes to the log, never to a page.
      this.o.logger?.error({ question: job.question.id, seed: job.seed, code: m.code, message: m.message }, 'artefact question failed');
      this.finish(job, undefined);
      return;
    }
    const images = m.view.files.map((f) => {
      const png = Buffer.from(f.png);
      const hash = createHash('sha256').update(png).digest('hex');
      this.files.set(hash, png);
      return { hash, caption: f.caption, ...pngSize(png) };
    });
    this.finish(job, { id: job.question.id, seed: job.seed, ...(m.view.title ? { title: m.view.title } : {}), prompt: m.view.prompt, letters: m.view.letters, images, expected: m.expected });
  }

  private finish(job: Job, view: ArtefactView | undefined): void {
    if (view) {
      this.views.set(job.key, view);
      while (this.views.size > this.keepViews) this.forget(this.views.keys().next().value as string);
    } else this.failed.set(job.key, Date.now());
    if (this.running === job) this.running = undefined;
    for (const w of job.waiters) w();
    this.pump();
  }

  /** Drops a view and the pictures no other kept view shows. */
  private forget(key: string): void {
    const v = this.views.get(key);
    this.views.delete(key);
    if (!v) return;
    const used = new Set([...this.views.values()].flatMap((x) => x.images.map((i) => i.hash)));
    for (const i of v.images) if (!used.has(i.hash)) this.files.delete(i.hash);
  }
}
