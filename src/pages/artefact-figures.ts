/**
 * The pictures of a question about model runs, for its item on a practice or exam page. The runs
 * are a job in the database (src/service/artefact-runs.ts), computed by a model worker; a page
 * waits for it a moment, then shows how far it is instead. Pictures are served by content hash
 * (ARTEFACT_FILES_PATH); their alt text is the neutral caption ("Run A: …").
 */
import { awaitArtefactRuns, type RunsState } from '../service/artefact-runs.js';
import type { Store, Variant } from '../store/types.js';

export const ARTEFACT_FILES_PATH = '/pages/artefact-files';

export type ArtefactFigures =
  | { ready: true; images: { src: string; alt: string; width: number; height: number }[] }
  | { ready: false; failed: boolean; percent: number; words: string };

export interface FigureOptions {
  /** Practice jobs that may wait in the queue (default 32); an exam's items were queued at its freeze. */
  queueLimit?: number;
  /** How long a practice page waits for the runs before showing progress, ms (default 1500). */
  waitMs?: number;
  /** How often the wait looks at the job, ms (default 200). */
  pollMs?: number;
}

/** `waitMs`: how long to wait for the runs this time (an exam page with several items does not). */
export type Figures = (v: Variant, waitMs?: number) => Promise<ArtefactFigures | undefined>;

function describe(s: RunsState): ArtefactFigures {
  if (s.state === 'ready') {
    return { ready: true, images: s.images.map((i) => ({ src: `${ARTEFACT_FILES_PATH}/${i.hash}.png`, alt: i.caption, width: i.width, height: i.height })) };
  }
  const percent = s.state === 'running' ? Math.round(s.fraction * 100) : 0;
  const words =
    s.state === 'failed'
      ? 'they could not be computed; they are tried again in a minute'
      : s.state === 'running'
        ? `computing, ${percent}% done`
        : s.ahead > 0
          ? `waiting for ${s.ahead === 1 ? 'one other question' : `${s.ahead} other questions`}`
          : 'starting';
  return { ready: false, failed: s.state === 'failed', percent, words };
}

/** The figures of a variant (undefined for any other question), starting its runs when none are stored. */
export function artefactFigures(store: Store, o: FigureOptions = {}): Figures {
  // A full queue is the service's not_ready: a 503 page with Retry-After (src/pages/index.ts).
  return async (v, waitMs = o.waitMs ?? 1500) => {
    const s = await awaitArtefactRuns(store, v, waitMs, { ...(o.queueLimit !== undefined ? { practiceQueueLimit: o.queueLimit } : {}), ...(o.pollMs ? { pollMs: o.pollMs } : {}) });
    return s && describe(s);
  };
}

const byStore = new WeakMap<Store, Figures>();

/** One figures function per store (the exam pages are handed the store alone). */
export function figuresFor(store: Store): Figures {
  let f = byStore.get(store);
  if (!f) byStore.set(store, (f = artefactFigures(store)));
  return f;
}
