/**
 * The child process that computes artefact questions for the pages, off the server's event loop:
 * it trains (or reads from the cache) a question's runs and renders the student view. It answers
 * with the student's pictures (PNG) and captions, the prompt and letters, and the expected answer,
 * which the server keeps to itself; run names, cache paths and metrics never leave this process.
 * One job at a time: the parent sends the next only after the last answer.
 */
import { StepwiseError } from '../core/errors.js';
import type { ArtefactQuestion } from '../models/questions.js';
import { instructorView } from '../models/student.js';

export interface WorkerJob {
  id: number;
  question: ArtefactQuestion;
  seed: number;
}

export type WorkerMessage =
  | { type: 'progress'; id: number; fraction: number }
  | {
      type: 'done';
      id: number;
      view: { title?: string; prompt: string; letters: string[]; files: { caption: string; png: Uint8Array }[] };
      expected: number | string;
    }
  | { type: 'error'; id: number; code: string; message: string };

const send = (m: WorkerMessage) => process.send?.(m);

async function compute(job: WorkerJob): Promise<void> {
  const runs = job.question.runs.length;
  // Progress comes per run (done of total steps); a fall in `done` means the next run started.
  let run = 0;
  let last = -1;
  let sentAt = 0;
  const progress = (done: number, total: number) => {
    if (done < last) run++;
    last = done;
    const now = Date.now();
    if (now - sentAt < 200) return;
    sentAt = now;
    send({ type: 'progress', id: job.id, fraction: Math.min(1, (run + (total > 0 ? done / total : 0)) / runs) });
  };
  const v = await instructorView(job.question, job.seed, progress);
  const files = v.files.filter((f) => f.file.endsWith('.png')).map((f) => ({ caption: f.caption, png: f.content as Uint8Array }));
  send({ type: 'done', id: job.id, view: { ...(v.title ? { title: v.title } : {}), prompt: v.prompt, letters: v.letters, files }, expected: v.expected });
}

process.on('message', (job: WorkerJob) => {
  compute(job).catch((e: unknown) => {
    const code = e instanceof StepwiseError ? e.code : 'internal';
    send({ type: 'error', id: job.id, code, message: e instanceof Error ? e.message : String(e) });
  });
});
// The server went away: so does this process.
process.on('disconnect', () => process.exit(0));
