/**
 * /instructor/passback: grade passback to the LMS — how many scores wait, were posted or gave up,
 * the dead letters with the LMS's last answer, and a button to send one again (the outbox's
 * worker picks it up within its poll, about a second).
 */
import type { Router } from 'express';
import type { PagesContext } from './context.js';
import { StepwiseError } from '../core/errors.js';
import { retryPassback } from '../service/passback.js';
import { INSTRUCTOR_PATH, instructorOnly } from './instructor.js';
import { utc } from './instructor-view.js';
import { sendHtml } from './render.js';

export function mountPassback(r: Router, ctx: PagesContext): void {
  // Inside the function: instructor.ts imports this file, so its constants are not set yet at load.
  const PASSBACK_PATH = `${INSTRUCTOR_PATH}/passback`;
  const show = async (res: Parameters<Parameters<typeof instructorOnly>[1]>[1], who: Parameters<Parameters<typeof instructorOnly>[1]>[2], status: number, notice?: string) => {
    const rows = (jobs: Awaited<ReturnType<typeof ctx.store.passback.list>>) =>
      jobs.map((j) => ({ ...j, created: utc(j.createdAt), due: utc(j.dueAt), retry: `${PASSBACK_PATH}/${j.id}/retry` }));
    sendHtml(res, status, 'instructor-passback', {
      ...ctx.base(who, 'Grade passback · Stepwise'),
      wide: true,
      counts: await ctx.store.passback.counts(),
      dead: rows(await ctx.store.passback.list('dead', 200)),
      pending: rows(await ctx.store.passback.list('pending', 200)),
      notice,
    });
  };
  r.get(
    PASSBACK_PATH,
    instructorOnly(ctx, async (_req, res, who) => show(res, who, 200)),
  );
  r.post(
    `${PASSBACK_PATH}/:id/retry`,
    ctx.form,
    instructorOnly(
      ctx,
      async (req, res, who) => {
        try {
          await retryPassback(ctx.store, String(req.params.id));
        } catch (e) {
          // Posted already: the page again, saying so (a 404 goes to the error page).
          if (e instanceof StepwiseError && e.code === 'conflict') return show(res, who, 409, `${e.message[0]!.toUpperCase()}${e.message.slice(1)}.`);
          throw e;
        }
        res.redirect(303, PASSBACK_PATH);
      },
      true,
    ),
  );
}
