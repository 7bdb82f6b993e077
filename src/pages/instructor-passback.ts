/**
 * /instructor/passback: grade passback to the LMS — how many scores wait, were posted or gave up,
 * the dead letters with the LMS's last answer, and a button to send one again (the outbox's
 * worker picks it up within its poll, about a second).
 */
import type { Router } from 'express';
import type { PagesContext } from './context.js';
import { PageError } from './errors.js';
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
        const raw = String(req.params.id);
        const id = /^\d{1,15}$/.test(raw) ? Number(raw) : NaN;
        const job = Number.isSafeInteger(id) ? await ctx.store.passback.retry(id) : undefined;
        if (!job) {
          const known = Number.isSafeInteger(id) ? await ctx.store.passback.get(id) : undefined;
          if (!known) throw new PageError(404, 'not_found', `There is no passback job ${raw}.`);
          return show(res, who, 409, `Job ${raw} was posted already; there is nothing to send again.`);
        }
        res.redirect(303, PASSBACK_PATH);
      },
      true,
    ),
  );
}
