/** Topics, stateless solve and grade, and bulk JSON Lines — the engine over HTTP. */
import { StepwiseError } from '../../core/errors.js';
import { handleRequest, requestRef, type Reply } from '../../batch/requests.js';
import { sendBatch } from '../batch-http.js';
import { getNumericTopic, getTopic, gradeAnswers, listTopics, solveProblem, topicInfo } from '../../engine.js';
import { assertNotUnreleasedExam, isInstructor, withoutAnswers } from '../../service/access.js';
import type { GradeResult } from '../../solvers/grade.js';
import { EXAM_ITEM_REFUSAL } from '../../service/variants.js';
import { callerOf, json, param, type Ctx, type RouteSpec } from '../route.js';

/** Largest number of lines one bulk request may hold (instructors). */
export const MAX_BATCH_LINES = 100_000;
/** Largest number of lines one bulk request from a student key may hold. */
export const MAX_STUDENT_BATCH_LINES = 1_000;

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
    handler: async (_ctx, req) => json(200, topicInfo(getNumericTopic(param(req, 'topic')))),
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
      return json(200, { topic: s.topic, steps: s.steps, ...(s.warnings ? { warnings: s.warnings } : {}) });
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
    handler: async (ctx, req) => {
      const b = req.body as { params: unknown; answers: unknown };
      const caller = callerOf(ctx);
      const topic = getTopic(param(req, 'topic'));
      if (isInstructor(caller)) return json(200, gradeAnswers(topic.id, b.params, b.answers));
      // Students get statuses and feedback, not true values; never for an unreleased exam's params
      // (checked first: refused work is not done).
      await assertNotUnreleasedExam(ctx.store, caller, topic.id, b.params);
      return json(200, withoutAnswers(gradeAnswers(topic.id, b.params, b.answers)));
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
      if (isInstructor(callerOf(ctx))) await sendBatch(req.body, res, { maxLines: MAX_BATCH_LINES }, handleRequest);
      else await sendBatch(req.body, res, { maxLines: MAX_STUDENT_BATCH_LINES }, (r) => studentRequest(ctx, r));
      return undefined;
    },
  },
];

/**
 * Students may grade and generate in bulk but not ask for solutions; their grade replies carry no
 * true values, and an unreleased exam's params are refused, as on the grade route (and generated
 * ones, as on POST /variants).
 */
async function studentRequest(ctx: Ctx, req: unknown): Promise<Reply> {
  const r = typeof req === 'object' && req !== null && !Array.isArray(req) ? (req as Record<string, unknown>) : undefined;
  const refuse = (message: string): Reply => {
    const error = { code: 'forbidden', message };
    return r?.id === undefined ? { ok: false, error } : { ok: false, id: r.id, error };
  };
  if (r?.op === 'solve') return refuse('solve needs an instructor key');
  if (r?.op === 'generate') {
    // As POST /variants: a seed that lands on an unreleased exam item (another version's problem) is refused.
    const reply = handleRequest(req);
    if (reply.ok && (await ctx.store.variants.inUnreleasedExam(String(reply.topic), reply.params))) return refuse(`${EXAM_ITEM_REFUSAL}: choose another seed`);
    return reply;
  }
  if (r?.op !== 'grade') return handleRequest(req);
  try {
    // The same id the dispatcher grades (question or topic), the params as the solver reads them.
    await assertNotUnreleasedExam(ctx.store, callerOf(ctx), requestRef(r), r.params);
  } catch (e) {
    if (!(e instanceof StepwiseError)) throw e;
    if (e.code === 'forbidden') return refuse(e.message);
    // Anything else (an unknown topic, say) is the dispatcher's to report, in its own words.
  }
  const reply = handleRequest(req);
  return reply.ok ? (withoutAnswers(reply as unknown as GradeResult) as unknown as Reply) : reply;
}
