/**
 * Courses, their students and the students' keys. A new student's first key (and any further
 * key) is shown once, on the page that answers the post (never in a URL, never again: only its
 * prefix is listed afterwards); revoking goes through the service like the API's DELETE.
 */
import type { Request, Response, Router } from 'express';
import { StepwiseError } from '../core/errors.js';
import { addStudent, createCourse, getCourse, issueKey, revokeStudentKey, roster } from '../service/courses.js';
import type { PagesContext, Signed } from './context.js';
import { instructorOnly } from './instructor.js';
import { utc } from './instructor-view.js';
import { sendHtml } from './render.js';

// Literal paths: instructor.ts imports these files, so its constants are not yet set while they load.
const COURSES_PATH = '/instructor/courses';
const str = (req: Request, k: string): string => {
  const x = (req.body as Record<string, unknown>)[k];
  return typeof x === 'string' ? x : '';
};

export function mountCourses(r: Router, ctx: PagesContext): void {
  const { store } = ctx;

  async function sendList(res: Response, who: Signed, status = 200, notice?: string, typedTitle = '') {
    const exams = await store.exams.list();
    const courses = await Promise.all(
      (await store.courses.list()).map(async (c) => ({
        id: c.id,
        title: c.title,
        created: utc(c.createdAt),
        students: (await store.courses.members(c.id)).length,
        exams: exams.filter((e) => e.courseId === c.id).length,
      })),
    );
    sendHtml(res, status, 'instructor-courses', { ...ctx.base(who, 'Courses · Stepwise'), courses, notice, typedTitle });
  }

  async function sendCourse(res: Response, who: Signed, courseId: string, status = 200, extra: { notice?: string; newKey?: { name: string; secret: string; label: string } } = {}) {
    const course = await getCourse(store, courseId);
    const students = (await roster(store, course.id)).map(({ user, keys }) => ({
      id: user.id,
      name: user.name,
      keys: keys.map((k) => ({
        id: k.id,
        label: k.label,
        prefix: k.prefix,
        created: utc(k.createdAt),
        state: k.revokedAt ? `revoked ${utc(k.revokedAt)}` : k.expiresAt && Date.parse(k.expiresAt) <= Date.now() ? `expired ${utc(k.expiresAt)}` : 'active',
        active: !k.revokedAt && !(k.expiresAt && Date.parse(k.expiresAt) <= Date.now()),
      })),
    }));
    const exams = (await store.exams.list()).filter((e) => e.courseId === course.id).map((e) => ({ id: e.id, title: e.title }));
    sendHtml(res, status, 'instructor-course', { ...ctx.base(who, `${course.title} · Stepwise`), course: { id: course.id, title: course.title, created: utc(course.createdAt) }, students, exams, ...extra });
  }

  /** A refusal the person can fix (a blank name) is the page again with a notice; others propagate. */
  const fixable = (e: unknown): e is StepwiseError => e instanceof StepwiseError && e.code === 'invalid_request';

  r.get(COURSES_PATH, instructorOnly(ctx, async (_req, res, who) => sendList(res, who)));

  r.post(
    COURSES_PATH,
    ctx.form,
    instructorOnly(
      ctx,
      async (req, res, who) => {
        try {
          const c = await createCourse(store, str(req, 'title'), who.caller.user.id);
          res.redirect(303, `${COURSES_PATH}/${encodeURIComponent(c.id)}`);
        } catch (e) {
          if (fixable(e)) return sendList(res, who, 422, `Not created: the ${e.message}.`, str(req, 'title'));
          throw e;
        }
      },
      true,
    ),
  );

  r.get(`${COURSES_PATH}/:id`, instructorOnly(ctx, async (req, res, who) => sendCourse(res, who, String(req.params.id))));

  r.post(
    `${COURSES_PATH}/:id/students`,
    ctx.form,
    instructorOnly(
      ctx,
      async (req, res, who) => {
        const id = String(req.params.id);
        try {
          const { user, key, secret } = await addStudent(store, id, str(req, 'name'));
          // The one time this secret is shown: the answer to the post itself, never stored, never in a URL.
          await sendCourse(res, who, id, 201, { newKey: { name: user.name, secret, label: key.label } });
        } catch (e) {
          if (fixable(e)) return sendCourse(res, who, id, 422, { notice: `Not added: the student’s ${e.message}.` });
          throw e;
        }
      },
      true,
    ),
  );

  r.post(
    `${COURSES_PATH}/:id/students/:user/keys`,
    ctx.form,
    instructorOnly(
      ctx,
      async (req, res, who) => {
        const id = String(req.params.id);
        const { key, secret } = await issueKey(store, id, String(req.params.user), 'another key');
        const user = await store.users.get(key.userId);
        await sendCourse(res, who, id, 201, { newKey: { name: user?.name ?? key.userId, secret, label: key.label } });
      },
      true,
    ),
  );

  r.post(
    `${COURSES_PATH}/:id/students/:user/keys/:key/revoke`,
    ctx.form,
    instructorOnly(
      ctx,
      async (req, res) => {
        const id = String(req.params.id);
        await revokeStudentKey(store, id, String(req.params.user), String(req.params.key));
        res.redirect(303, `${COURSES_PATH}/${encodeURIComponent(id)}#student-${encodeURIComponent(String(req.params.user))}`);
      },
      true,
    ),
  );
}
