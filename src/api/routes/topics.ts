/** Topics, stateless solve and grade, and bulk JSON Lines — the engine over HTTP. */
import { StepwiseError } from '../../core/errors.js';
import { handleLine, handleRequest, type Reply } from '../../batch/requests.js';
import { getTopic, gradeAnswers, listTopics, solveProblem, topicInfo } from '../../engine.js';
import { isInstructor } from '../../service/access.js';
import { callerOf, json, param, type RouteSpec } from '../route.js';

/** Largest number of lines one bulk request may hold. */
export const MAX_BATCH_LINES = 100_000;

export const topicRoutes: RouteSpec[] = [
  {
    method: 'get',
    path: '/api/v1/topics',
    summary: 'List the topics with their steps and misconceptions',
    tag: 'topics',
    access: 'any',
    responses: { 200: { description: 'the topics', schema: 'TopicList' } },
    handler: async () => json(200, listTopics().map(({ paramsSchema: _s, ...t }) => t)),
  },
  {
    method: 'get',
    path: '/api/v1/topics/:topic',
    summary: "One topic, with its parameters' JSON Schema",
    tag: 'topics',
    access: 'any',
    responses: { 200: { description: 'the topic', schema: 'Topic' } },
    handler: async (_ctx, req) => json(200, topicInfo(getTopic(param(req, 'topic')))),
  },
  {
    method: 'post',
    path: '/api/v1/topics/:topic/solve',
    summary: 'Solve a problem step by step (instructors)',
    tag: 'topics',
    access: 'instructor',
    body: { schema: 'SolveRequest' },
    responses: { 200: { description: 'every step with its value', schema: 'Solution' } },
    handler: async (_ctx, req) => {
      const s = solveProblem(param(req, 'topic'), (req.body as { params: unknown }).params);
      return json(200, { topic: s.topic, steps: s.steps });
    },
  },
  {
    method: 'post',
    path: '/api/v1/topics/:topic/grade',
    summary: 'Grade answers step by step, statelessly (same reply as `stepwise grade --json`)',
    tag: 'topics',
    access: 'any',
    body: { schema: 'GradeRequest' },
    responses: { 200: { description: 'the graded steps', schema: 'GradeResult' } },
    handler: async (_ctx, req) => {
      const b = req.body as { params: unknown; answers: unknown };
      return json(200, gradeAnswers(param(req, 'topic'), b.params, b.answers));
    },
  },
  {
    method: 'post',
    path: '/api/v1/batch',
    summary: 'Bulk solve / grade / generate: a JSON Lines body, one reply line per request, in order (as `stepwise batch`)',
    tag: 'topics',
    access: 'any',
    body: { contentType: 'application/x-ndjson' },
    responses: { 200: { description: 'one JSON reply per request line', contentType: 'application/x-ndjson' } },
    handler: async (ctx, req, res) => {
      if (typeof req.body !== 'string') {
        throw new StepwiseError('invalid_request', 'send the batch as JSON Lines with Content-Type application/x-ndjson');
      }
      const lines = req.body.split('\n').filter((l) => l.trim() !== '');
      if (lines.length > MAX_BATCH_LINES) throw new StepwiseError('too_large', `a batch holds at most ${MAX_BATCH_LINES} lines, this one ${lines.length}`);
      const student = !isInstructor(callerOf(ctx));
      const out = lines.map((line) => JSON.stringify(student ? studentLine(line) : handleLine(line)));
      res.type('application/x-ndjson').send(out.join('\n') + (out.length ? '\n' : ''));
      return undefined;
    },
  },
];

/** Students may grade and generate in bulk but not ask for solutions. */
function studentLine(line: string): Reply {
  let req: unknown;
  try {
    req = JSON.parse(line);
  } catch {
    return handleLine(line); // the same invalid_json reply as for anyone
  }
  const r = typeof req === 'object' && req !== null && !Array.isArray(req) ? (req as { op?: unknown; id?: unknown }) : undefined;
  if (r?.op !== 'solve') return handleRequest(req);
  const error = { code: 'forbidden', message: 'solve needs an instructor key' };
  return r.id === undefined ? { ok: false, error } : { ok: false, id: r.id, error };
}
