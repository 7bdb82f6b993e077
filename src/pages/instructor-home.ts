/** /instructor: the exams (title, created, versions, state) with links to each area, the question browser and courses. */
import type { Router } from 'express';
import type { PagesContext } from './context.js';
import { INSTRUCTOR_PATH, instructorOnly } from './instructor.js';
import { examState, utc } from './instructor-view.js';
import { sendHtml } from './render.js';

export function mountInstructorHome(r: Router, ctx: PagesContext): void {
  r.get(
    INSTRUCTOR_PATH,
    instructorOnly(ctx, async (_req, res, who) => {
      const courses = new Map((await ctx.store.courses.list()).map((c) => [c.id, c.title]));
      const exams = (await ctx.store.exams.list())
        .reverse() // newest first
        .map((e) => {
          const href = `${INSTRUCTOR_PATH}/exams/${encodeURIComponent(e.id)}`;
          return {
            id: e.id,
            title: e.title,
            course: e.courseId ? courses.get(e.courseId) : undefined,
            created: utc(e.createdAt),
            versions: e.versions,
            mine: e.createdBy === who.caller.user.id,
            ...examState(e),
            href,
            results: `${href}/results`,
            statistics: `${href}/statistics`,
            print: `${href}/print`,
          };
        });
      const passback = await ctx.store.passback.counts();
      sendHtml(res, 200, 'instructor-home', { ...ctx.base(who, 'Instructor · Stepwise'), wide: true, exams, passback });
    }),
  );
}
