/**
 * The pictures of a question about model runs, for its item on a practice or exam page. The runs
 * are a job in the database (src/pages/stored-artefacts.ts), computed by a model worker; a page
 * waits for it a moment, then shows how far it is instead. Pictures are served by content hash
 * (ARTEFACT_FILES_PATH); their alt text is the neutral caption ("Run A: …").
 */
import { artefactOf, rememberArtefactAnswer } from '../engine.js';
import { artefactJobOf, EXAM_QUEUE_LIMIT, PRACTICE_QUEUE_LIMIT } from '../service/artefact-answers.js';
import type { Store, Variant } from '../store/types.js';
import { ArtefactsBusy, type ArtefactState } from './artefact-jobs.js';
import { PageError } from './errors.js';
import { StoredArtefactJobs } from './stored-artefacts.js';

export const ARTEFACT_FILES_PATH = '/pages/artefact-files';

export type ArtefactFigures =
  | { ready: true; images: { src: string; alt: string; width: number; height: number }[] }
  | { ready: false; failed: boolean; percent: number; words: string };

export interface FigureOptions {
  /** Practice jobs that may wait in the queue (default 32); an exam's items were queued at its freeze. */
  queueLimit?: number;
  /** How long a page waits for the runs before showing progress, ms (default 1500). */
  waitMs?: number;
  /** How often the wait looks at the job, ms (default 200). */
  pollMs?: number;
}

/** `waitMs`: how long to wait for the runs this time (an exam page with several items does not). */
export type Figures = (v: Variant, waitMs?: number) => Promise<ArtefactFigures | undefined>;

function describe(s: ArtefactState): ArtefactFigures {
  if (s.state === 'ready') {
    return { ready: true, images: s.view.images.map((i) => ({ src: `${ARTEFACT_FILES_PATH}/${i.hash}.png`, alt: i.caption, width: i.width, height: i.height })) };
  }
  const percent = s.state === 'running' ? Math.round(s.fraction * 100) : 0;
  const words =
    s.state === 'failed'
      ? 'the runs could not be computed; they are tried again in a minute'
      : s.state === 'running'
        ? `computing, ${percent}% done`
        : s.state === 'queued' && s.position > 0
          ? `waiting for ${s.position === 1 ? 'one other question' : `${s.position} other questions`}`
          : 'starting';
  return { ready: false, failed: s.state === 'failed', percent, words };
}

const byStore = new WeakMap<Store, Figures>();

/** One figures function per store (the exam pages are handed the store alone). */
export function figuresFor(store: Store): Figures {
  let f = byStore.get(store);
  if (!f) byStore.set(store, (f = artefactFigures(store)));
  return f;
}

/** The figures of a variant (undefined for any other question), starting its runs when none are stored. */
export function artefactFigures(store: Store, o: FigureOptions = {}): Figures {
  const practice = new StoredArtefactJobs(store, { queueLimit: o.queueLimit ?? PRACTICE_QUEUE_LIMIT, ...(o.pollMs ? { pollMs: o.pollMs } : {}) });
  const exam = new StoredArtefactJobs(store, { queueLimit: EXAM_QUEUE_LIMIT, ...(o.pollMs ? { pollMs: o.pollMs } : {}) });
  return async (v, waitMs = o.waitMs ?? 1500) => {
    const job = artefactJobOf(v);
    const q = job && artefactOf(job.questionId);
    if (!job || !q) return undefined;
    const runner = v.mode === 'practice' ? practice : exam;
    let s: ArtefactState;
    try {
      s = await runner.request(q, job.seed);
    } catch (e) {
      if (!(e instanceof ArtefactsBusy)) throw e;
      throw new PageError(503, 'busy', 'The server is busy computing other model runs and its queue is full. Try again in a minute.');
    }
    if (s.state === 'queued' || s.state === 'running') {
      await runner.wait(q.id, job.seed, waitMs);
      s = await runner.state(q.id, job.seed);
    }
    if (s.state === 'ready') rememberArtefactAnswer(q.id, job.seed, s.view.expected);
    return describe(s);
  };
}
