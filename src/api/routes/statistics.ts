/** Item statistics: an exam's (instructors; an LTI launch key for its own exam) and a course's practice pool. */
import type { Request, Response } from 'express';
import { StepwiseError } from '../../core/errors.js';
import { getExam } from '../../service/exams.js';
import { examStatistics, practiceStatistics } from '../../service/statistics.js';
import { statisticsCsv } from '../../service/statistics-csv.js';
import type { Statistics } from '../../stats/compute.js';
import { json, param, type RouteSpec } from '../route.js';

const FORMAT = { format: { description: 'json (default) or csv; without it, Accept: text/csv also gives CSV', enum: ['json', 'csv'] } } as const;

/** CSV when asked by ?format=csv, or by Accept preferring text/csv when no format is given. */
function wantsCsv(req: Request): boolean {
  const f = req.query.format;
  if (f === undefined) return req.accepts(['application/json', 'text/csv']) === 'text/csv';
  if (f === 'csv' || f === 'json') return f === 'csv';
  throw new StepwiseError('invalid_request', `query.format must be json or csv, got ${JSON.stringify(f)}`, 'query.format');
}

function send(req: Request, res: Response, s: Statistics, name: string) {
  if (!wantsCsv(req)) return json(200, s);
  res.type('text/csv').attachment(`${name}.csv`).send(statisticsCsv(s));
  return undefined;
}

export const statisticsRoutes: RouteSpec[] = [
  {
    method: 'get',
    path: '/api/v1/exams/:id/statistics',
    summary:
      "Item statistics (instructors): per step, per item and per misconception — n, facility, sd, discrimination index and discriminative efficiency (Moodle's), ECF share, invalid-input rate — and the exam's histogram, mean, median, sd and Cronbach's α; each student's counted attempt (the exam's counts rule), previews left out; flagged unreliable below 20 students",
    tag: 'exams',
    access: 'instructor',
    query: FORMAT,
    responses: { 200: { description: 'the statistics (CSV, RFC 4180, with format=csv)', schema: 'Statistics', also: ['text/csv'] } },
    handler: async (ctx, req, res) => {
      const exam = await getExam(ctx.store, param(req, 'id'));
      return send(req, res, await examStatistics(ctx.store, exam), `statistics-${exam.id}`);
    },
  },
  {
    method: 'get',
    path: '/api/v1/courses/:id/statistics',
    summary:
      "A course's practice pool (instructors): the same statistics over every student's practice attempt at the course's variants (POST /api/v1/variants with courseId), each attempt a respondent; one topic with ?topic=, else each topic an item. A step's discrimination is against the rest of its attempt",
    tag: 'courses',
    access: 'instructor',
    query: { topic: { description: 'a topic id (default: every topic practised in the course)' }, ...FORMAT },
    responses: { 200: { description: 'the statistics (CSV with format=csv)', schema: 'Statistics', also: ['text/csv'] } },
    handler: async (ctx, req, res) => {
      const topic = req.query.topic;
      if (topic !== undefined && typeof topic !== 'string') throw new StepwiseError('invalid_request', 'query.topic must be one topic id', 'query.topic');
      const id = param(req, 'id');
      return send(req, res, await practiceStatistics(ctx.store, id, topic), `practice-statistics-${id}`);
    },
  },
];
