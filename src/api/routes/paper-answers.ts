/** Paper answers back in: a CSV of typed-in paper answers graded and stored as paper attempts. */
import { StepwiseError } from '../../core/errors.js';
import { getExam } from '../../service/exams.js';
import { gradePaperAnswers, MAX_PAPER_CSV_BYTES } from '../../service/paper-answers.js';
import { HttpError } from '../problem.js';
import { json, param, type RouteSpec } from '../route.js';

export const paperAnswerRoutes: RouteSpec[] = [
  {
    method: 'post',
    path: '/api/v1/exams/:id/paper-answers',
    summary: `Grade paper answers and store them as paper attempts (instructors): a text/csv body of at most ${MAX_PAPER_CSV_BYTES} bytes with a header row and the columns student (user id or unique name), form (A, B, …), item (1-based), step (step id), answer (the engine's answer syntax; blank: left blank). Bad rows are reported by line and field; good rows are stored. Re-sending a row replaces that step's answer in the student's paper attempt`,
    tag: 'exams',
    access: 'instructor',
    body: { contentType: 'text/csv' },
    query: { addStudents: { description: 'true: a student that is no user id or name becomes a new student of that name (a paper-only class); default false', enum: ['true', 'false'] } },
    responses: {
      200: { description: 'what was stored, and every refused row by CSV line and field', schema: 'PaperAnswersReport' },
      413: { description: 'the CSV is too large (code too_large)', contentType: 'application/problem+json' },
      415: { description: 'the body is not text/csv', contentType: 'application/problem+json' },
    },
    handler: async (ctx, req) => {
      if (!req.is('text/csv')) throw new HttpError(415, 'unsupported_media_type', 'send the answers as text/csv');
      const exam = await getExam(ctx.store, param(req, 'id'));
      if (typeof req.body !== 'string') throw new StepwiseError('invalid_request', 'send the answers CSV as the request body', 'body');
      const addStudents = req.query.addStudents === 'true';
      if (req.query.addStudents !== undefined && !addStudents && req.query.addStudents !== 'false') {
        throw new StepwiseError('invalid_request', `addStudents must be true or false, got ${JSON.stringify(req.query.addStudents)}`, 'query.addStudents');
      }
      return json(200, await gradePaperAnswers(ctx.store, exam, req.body, { addStudents }));
    },
  },
];
