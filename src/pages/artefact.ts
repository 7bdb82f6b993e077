/**
 * Questions about live models (GAN, CLIP, TVLT; question-bank/artefacts) on the web pages. They are
 * practised as every bank question is (`/practice/{id}` makes a variant, its page records attempts);
 * their pictures come from the runs' job in the database (artefact-figures.ts) and are served here
 * by content hash, immutable, to signed-in users. `/practice/artefact/{id}` is the older address:
 * it leads to the same variant flow, so a seed that is an unreleased exam's item is refused there too.
 */
import type { NextFunction, Request, RequestHandler, Response, Router } from 'express';
import { listArtefacts } from '../bank/artefact-item.js';
import type { Store } from '../store/types.js';
import { ARTEFACT_FILES_PATH, type FigureOptions } from './artefact-figures.js';
import { PageError } from './errors.js';
import { pageCaller } from './session.js';

export { ARTEFACT_FILES_PATH };

export interface ArtefactPagesOptions extends FigureOptions {
  /** Seconds between a progress page's reloads (default 2). */
  refreshSeconds?: number;
}

type SignedIn = (fn: (req: Request, res: Response) => Promise<void>, post?: boolean) => RequestHandler;

export function artefactPages(o: { store: Store }) {
  const fileRoute = async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    const m = /^([0-9a-f]{64})\.png$/.exec(String(req.params.file));
    const png = m ? await o.store.models.file(m[1]) : undefined;
    if (!png) return next();
    if (!(await pageCaller(o.store, req))) throw new PageError(401, 'unauthorized', 'Sign in to see this picture.');
    // Named by the hash of its bytes: a URL never changes content.
    res.type('image/png').set('Cache-Control', 'private, max-age=31536000, immutable').set('Cross-Origin-Resource-Policy', 'same-origin').send(png);
  };
  // The older address (a form's seed field, or ?seed=) to the variant flow.
  const older = (req: Request, res: Response) => {
    const id = String(req.params.id);
    if (!listArtefacts().some((q) => q.id === id)) throw new PageError(404, 'not_found', 'There is no such question about live models.');
    const seed = (req.method === 'POST' ? (req.body as Record<string, unknown> | undefined)?.seed : req.query.seed) ?? '';
    const query = typeof seed === 'string' && seed !== '' ? `?seed=${encodeURIComponent(seed)}` : '';
    res.redirect(303, `/practice/${encodeURIComponent(id)}${query}`);
  };

  return {
    /** The questions for the home page's list. */
    list: () => listArtefacts().map((q) => ({ id: q.id, title: q.title ?? q.id, lab: q.lab.toUpperCase() })),

    mount(r: Router, signedIn: SignedIn, form: RequestHandler): void {
      r.get(`${ARTEFACT_FILES_PATH}/:file`, (req, res, next) => {
        fileRoute(req, res, next).catch(next);
      });
      r.get('/practice/artefact/:id', signedIn(async (req, res) => older(req, res)));
      r.post('/practice/artefact/:id', form, signedIn(async (req, res) => older(req, res), true));
    },
  };
}
