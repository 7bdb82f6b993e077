/**
 * Artefact questions (GAN, CLIP, TVLT) on the web pages: `/practice/artefact/{id}?seed=` shows the
 * runs' pictures under neutral letters (the student view of src/models/student.ts: its captions are
 * the alt text), a form with the choice or number to answer, and feedback read from the runs
 * (`checkAnswer`). A question whose runs are not ready is computed in the worker process
 * (artefact-jobs.ts) while the page shows progress and reloads itself (a Refresh header, which
 * works with JavaScript off). Pictures are served by content hash, immutable. The server keeps the
 * expected answer; a page shows it only after the student answered.
 *
 * Answers are not stored: the store's attempts are graded step results of engine variants (a topic,
 * steps, a GradeResult), which an artefact question has none of.
 */
import type { NextFunction, Request, RequestHandler, Response, Router } from 'express';
import type { Logger } from 'pino';
import { StepwiseError } from '../core/errors.js';
import { checkSeed } from '../generators/generate.js';
import { checkAnswer, loadArtefactQuestions, type ArtefactQuestion } from '../models/questions.js';
import { markdownToHtml } from '../render/html.js';
import type { Caller } from '../service/caller.js';
import type { Store } from '../store/types.js';
import { ArtefactJobs, ArtefactsBusy, type ArtefactRunner, type ArtefactState, type ArtefactView } from './artefact-jobs.js';
import { PageError } from './errors.js';
import { sendHtml, type PageData } from './render.js';
import { pageCaller } from './session.js';

export interface ArtefactPagesOptions {
  /** The questions offered (default: question-bank/artefacts). */
  questions?: Map<string, ArtefactQuestion>;
  /** The job runner (default: a child process of this server; the server passes StoredArtefactJobs, tests their own). */
  jobs?: ArtefactRunner;
  /** How long a page request waits for a job before showing progress, ms (default 1500). */
  waitMs?: number;
  /** Seconds between a progress page's reloads (default 2). */
  refreshSeconds?: number;
}

type Who = { caller: Caller; token: string; csrf: string };
type SignedIn = (fn: (req: Request, res: Response, who: Who) => Promise<void>, post?: boolean) => RequestHandler;

export const ARTEFACT_FILES_PATH = '/pages/artefact-files';

const ICON = { correct: '✓', incorrect: '✗', invalid: '⚠' } as const;

/** Numbers as students type them: "0.75", ".75", "0,75" (a decimal comma), "7.5e-1". */
export function readNumber(text: string): number | undefined {
  const t = text.trim().replace(/^([+-]?\d*),(\d+)$/, '$1.$2');
  if (!/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(t)) return undefined;
  const x = Number(t);
  return Number.isFinite(x) ? x : undefined;
}

const shown = (x: number | string) => (typeof x === 'number' ? String(Number(x.toPrecision(4))) : x);

export function artefactPages(o: ArtefactPagesOptions & { store: Store; logger?: Logger }) {
  let questions = o.questions;
  const all = (): Map<string, ArtefactQuestion> => (questions ??= loadArtefactQuestions().questions);
  const jobs: ArtefactRunner = o.jobs ?? new ArtefactJobs({ logger: o.logger });
  const waitMs = o.waitMs ?? 1500;
  const refresh = o.refreshSeconds ?? 2;

  const question = (id: string): ArtefactQuestion => {
    const q = all().get(id);
    if (!q) throw new PageError(404, 'not_found', 'There is no such question about live models.');
    return q;
  };
  const seedOf = (x: unknown): number => {
    if (typeof x !== 'string' || !/^\d{1,10}$/.test(x)) throw new PageError(422, 'invalid_request', 'seed must be a whole number from 0 to 4294967295.');
    try {
      return checkSeed(Number(x));
    } catch (e) {
      if (e instanceof StepwiseError) throw new PageError(422, 'invalid_request', 'seed must be a whole number from 0 to 4294967295.');
      throw e;
    }
  };

  /** The view for (question, seed), starting and briefly awaiting its job; a state when not ready. */
  async function ready(res: Response, q: ArtefactQuestion, seed: number): Promise<ArtefactState> {
    let s: ArtefactState;
    try {
      s = await jobs.request(q, seed);
    } catch (e) {
      if (!(e instanceof ArtefactsBusy)) throw e;
      res.set('Retry-After', String(e.retryAfter));
      throw new PageError(503, 'busy', 'The server is busy computing other model runs and its queue is full. Try again in a minute.');
    }
    if (s.state === 'running' || s.state === 'queued') {
      await jobs.wait(q.id, seed, waitMs);
      s = await jobs.state(q.id, seed);
    }
    return s;
  }

  const base = (who: Who, title: string): PageData => ({ title, script: true, user: { name: who.caller.user.name }, csrf: who.csrf });

  async function page(res: Response, who: Who, q: ArtefactQuestion, seed: number, s: ArtefactState, answer?: { given: string; result: object; status: number }): Promise<void> {
    const title = q.title ?? 'A question about a live model';
    const common = { ...base(who, `${title} · Stepwise`), id: q.id, heading: title, seed };
    if (s.state === 'failed') throw new PageError(500, 'internal', 'The model runs behind this question could not be computed. Try again later; if it keeps happening, tell your instructor.');
    if (s.state !== 'ready') {
      const percent = s.state === 'running' ? Math.round(s.fraction * 100) : 0;
      const words = s.state === 'running' ? `computing, ${percent}% done` : s.state === 'queued' && s.position > 0 ? `waiting for ${s.position === 1 ? 'one other question' : `${s.position} other questions`}` : 'starting';
      const href = `/practice/artefact/${encodeURIComponent(q.id)}?seed=${seed}`;
      // A reload by the browser itself (JavaScript or not), always a GET, also after an answer's POST.
      res.set('Refresh', `${refresh}; url=${href}`);
      sendHtml(res, 202, 'artefact', { ...common, pending: { percent, words, refresh, href } });
      return;
    }
    const v: ArtefactView = s.view;
    const kind = q.answer.type;
    sendHtml(res, answer?.status ?? 200, 'artefact', {
      ...common,
      prompt: await markdownToHtml(v.prompt),
      images: v.images.map((i) => ({ src: `${ARTEFACT_FILES_PATH}/${i.hash}.png`, alt: i.caption, width: i.width, height: i.height })),
      choice: kind === 'choice' ? v.letters.map((l) => ({ letter: l, checked: answer?.given.toUpperCase() === l })) : undefined,
      number: kind === 'number',
      given: answer?.given ?? '',
      result: answer?.result,
      next: `/practice/artefact/${encodeURIComponent(q.id)}`,
    });
  }

  const fileRoute = async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    const m = /^([0-9a-f]{64})\.png$/.exec(String(req.params.file));
    const png = m ? await jobs.file(m[1]) : undefined;
    if (!png) return next();
    if (!(await pageCaller(o.store, req))) throw new PageError(401, 'unauthorized', 'Sign in to see this picture.');
    // Named by the hash of its bytes: a URL never changes content.
    res.type('image/png').set('Cache-Control', 'private, max-age=31536000, immutable').set('Cross-Origin-Resource-Policy', 'same-origin').send(png);
  };

  return {
    jobs,
    /** The questions for the home page's list. */
    list: () => [...all().values()].map((q) => ({ id: q.id, title: q.title ?? q.id, lab: q.lab.toUpperCase() })),

    mount(r: Router, signedIn: SignedIn, form: RequestHandler): void {
      r.get(`${ARTEFACT_FILES_PATH}/:file`, (req, res, next) => {
        fileRoute(req, res, next).catch(next);
      });
      r.get(
        '/practice/artefact/:id',
        signedIn(async (req, res, who) => {
          const q = question(String(req.params.id));
          if (req.query.seed === undefined || req.query.seed === '') {
            // A new variant each visit; the seed goes in the URL so reloads keep it.
            res.redirect(303, `/practice/artefact/${encodeURIComponent(q.id)}?seed=${Math.floor(Math.random() * 1_000_000)}`);
            return;
          }
          const seed = seedOf(req.query.seed);
          await page(res, who, q, seed, await ready(res, q, seed));
        }),
      );
      r.post(
        '/practice/artefact/:id',
        form,
        signedIn(async (req, res, who) => {
          const q = question(String(req.params.id));
          const body = (req.body ?? {}) as Record<string, unknown>;
          const seed = seedOf(body.seed);
          const s = await ready(res, q, seed);
          if (s.state !== 'ready') return page(res, who, q, seed, s);
          const given = typeof body.answer === 'string' ? body.answer.trim().slice(0, 200) : '';
          const kind = q.answer.type;
          let problem: string | undefined;
          if (given === '') problem = 'Nothing was answered.';
          else if (kind === 'choice' && !s.view.letters.includes(given.toUpperCase())) problem = `Answer with one of the runs: ${s.view.letters.join(', ')}.`;
          else if (kind === 'number' && readNumber(given) === undefined) problem = 'That is not a number. Type a decimal such as 0.75.';
          if (problem) {
            const result = { status: 'invalid', icon: ICON.invalid, words: 'Cannot read this answer', detail: `${problem} It was not graded.` };
            return page(res, who, q, seed, s, { given, result, status: 422 });
          }
          const value = kind === 'number' ? String(readNumber(given)) : given;
          const ok = checkAnswer(q, s.view.expected, value);
          const tol = q.answer.type === 'number' && q.answer.tolerance ? ` (within ${q.answer.tolerance})` : '';
          const result = ok
            ? { status: 'correct', icon: ICON.correct, words: 'Correct', detail: `The runs give ${shown(s.view.expected)}${tol}.` }
            : { status: 'incorrect', icon: ICON.incorrect, words: 'Incorrect', detail: `You answered ${given}; the runs give ${shown(s.view.expected)}${tol}.` };
          return page(res, who, q, seed, s, { given, result, status: 200 });
        }, true),
      );
    },
  };
}
