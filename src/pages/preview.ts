/**
 * The live "interpreted as" preview: the grader's own reader on one entry, typeset; never graded
 * or stored. JSON, for the page's script (same-origin and CSRF checked like a form).
 */
import type { Router } from 'express';
import { texValue } from '../core/format.js';
import { markdownToHtml } from '../render/html.js';
import { assertCanSeeVariant } from '../service/access.js';
import { getVariant } from '../service/variants.js';
import { readEntry, stepShapes } from './answers-form.js';
import type { PagesContext } from './context.js';
import { PageError } from './errors.js';
import { checkCsrf, checkSameOrigin, embeddedCaller, pageCaller } from './session.js';

export function mountPreview(r: Router, { o, store, jsonBody, wrap }: PagesContext): void {
  r.post(
    '/pages/preview',
    jsonBody,
    wrap(async (req, res) => {
      const embedded = await embeddedCaller(store, req); // its token in X-CSRF-Token
      const found = embedded ?? (await pageCaller(store, req));
      if (!found) throw new PageError(401, 'unauthorized', 'not signed in');
      checkSameOrigin(req, o.baseUrl);
      const b = (req.body ?? {}) as { variant?: unknown; step?: unknown; answer?: unknown; _csrf?: unknown };
      req.body = { _csrf: req.get('x-csrf-token') };
      if (!embedded) checkCsrf(req, found.token);
      if (typeof b.variant !== 'string' || typeof b.step !== 'string') throw new PageError(422, 'invalid_request', 'send variant and step');
      const v = await getVariant(store, b.variant);
      await assertCanSeeVariant(store, found.caller, v);
      const shape = stepShapes(v).find((s) => s.id === b.step);
      if (!shape) throw new PageError(422, 'invalid_request', 'not a step of this variant');
      const read = readEntry(shape, b.answer);
      res.set('Cache-Control', 'no-store');
      if (!read.ok) {
        res.json({ ok: false, reason: read.reason });
        return;
      }
      const tex = texValue(read.value);
      res.json({ ok: true, tex, html: await markdownToHtml(`$$${tex}$$`) });
    }),
  );
}
