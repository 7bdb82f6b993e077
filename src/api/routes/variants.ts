/** Variants (frozen problems), their prompts and solutions, and attempts at them. */
import { StepwiseError } from '../../core/errors.js';
import { markdownToHtml } from '../../render/html.js';
import { artefactRuns } from '../../service/artefact-runs.js';
import { assertCanSeeAttempt, assertCanSeeVariant, assertRevealed, isInstructor, variantViewFor } from '../../service/access.js';
import { attemptView, submitAttempt, type AttemptHook } from '../../service/attempts.js';
import { createVariant, getVariant, variantSolution } from '../../service/variants.js';
import type { Store } from '../../store/types.js';
import { notFound } from '../problem.js';
import { callerOf, json, param, type RouteSpec } from '../route.js';

/** Where the API serves the pictures of questions about model runs (with the caller's key). */
export const ARTEFACT_FILES_API = '/api/v1/artefact-files';

export function variantRoutes(onAttempt?: AttemptHook): RouteSpec[] {
  return [
    {
      method: 'post',
      path: '/api/v1/variants',
      summary: 'Generate and freeze a practice variant of a topic or bank question',
      tag: 'variants',
      access: 'any',
      body: { schema: 'NewVariantRequest' },
      responses: { 201: { description: 'the variant', schema: 'Variant' } },
      handler: async (ctx, req) => {
        const b = req.body as { topic: string; seed?: number; difficulty?: string; courseId?: string };
        if (b.courseId && !(await ctx.store.courses.get(b.courseId))) throw notFound('course', b.courseId);
        const caller = callerOf(ctx);
        const v = await createVariant(ctx.store, {
          ref: b.topic,
          seed: b.seed,
          difficulty: b.difficulty,
          mode: 'practice',
          createdBy: caller.user.id,
          courseId: b.courseId,
          allowExamItems: isInstructor(caller),
        });
        return json(201, v);
      },
    },
    {
      method: 'get',
      path: '/api/v1/variants/:id',
      summary: 'A variant: its topic, seed (not to students for exam variants), params and prompt',
      tag: 'variants',
      access: 'any',
      responses: { 200: { description: 'the variant', schema: 'Variant' } },
      handler: async (ctx, req) => {
        const caller = callerOf(ctx);
        return json(200, variantViewFor(caller, await visibleVariant(ctx.store, caller, param(req, 'id'))));
      },
    },
    {
      method: 'get',
      path: '/api/v1/variants/:id/prompt',
      summary: "A variant's prompt as Markdown (with TeX) and as HTML (math typeset with KaTeX)",
      tag: 'variants',
      access: 'any',
      responses: { 200: { description: 'the prompt', schema: 'Rendered' } },
      handler: async (ctx, req) => {
        const v = await visibleVariant(ctx.store, callerOf(ctx), param(req, 'id'));
        return json(200, { markdown: v.prompt, html: await markdownToHtml(v.prompt) });
      },
    },
    {
      method: 'get',
      path: '/api/v1/variants/:id/figures',
      summary: 'A question about model runs: its pictures, or how far its runs are (asking starts them)',
      tag: 'variants',
      access: 'any',
      responses: {
        200: { description: 'the runs’ state and, once ready, the pictures', schema: 'ArtefactRuns' },
        503: { description: 'the queue of model runs is full (not_ready, Retry-After)', contentType: 'application/problem+json' },
      },
      handler: async (ctx, req) => {
        const v = await visibleVariant(ctx.store, callerOf(ctx), param(req, 'id'));
        const s = await artefactRuns(ctx.store, v);
        if (!s) throw new StepwiseError('not_found', `variant ${v.id} is not a question about model runs: it has no figures`);
        return json(200, s.state === 'ready' ? { state: 'ready', images: s.images.map((i) => ({ url: `${ARTEFACT_FILES_API}/${i.hash}.png`, caption: i.caption, width: i.width, height: i.height })) } : s);
      },
    },
    {
      method: 'get',
      path: `${ARTEFACT_FILES_API}/:file`,
      summary: 'A picture of a question about model runs, named by the SHA-256 of its bytes',
      tag: 'variants',
      access: 'any',
      responses: { 200: { description: 'the picture', contentType: 'image/png' } },
      handler: async (ctx, req, res) => {
        const m = /^([0-9a-f]{64})\.png$/.exec(param(req, 'file'));
        const png = m ? await ctx.store.models.file(m[1]) : undefined;
        if (!png) throw new StepwiseError('not_found', 'no such picture');
        // Named by the hash of its bytes: a URL never changes content.
        res.status(200).type('image/png').set('Cache-Control', 'private, max-age=31536000, immutable').end(png);
        return undefined;
      },
    },
    {
      method: 'get',
      path: '/api/v1/variants/:id/solution',
      summary: 'The true step values and worked solution (students: exams once released, practice variants unless they are an unreleased exam item)',
      tag: 'variants',
      access: 'any',
      responses: { 200: { description: 'the solution', schema: 'VariantSolution' } },
      handler: async (ctx, req) => {
        const caller = callerOf(ctx);
        const v = await visibleVariant(ctx.store, caller, param(req, 'id'));
        await assertRevealed(ctx.store, caller, v);
        return json(200, await variantSolution(v));
      },
    },
    {
      method: 'post',
      path: '/api/v1/variants/:id/attempts',
      summary: "Submit answers to a variant; the reply is the graded attempt (exam answers stay hidden until release)",
      tag: 'attempts',
      access: 'any',
      body: { schema: 'AttemptRequest' },
      responses: {
        201: { description: 'the stored, graded attempt', schema: 'Attempt' },
        409: { description: 'refused by the exam rules, nothing stored: exam_not_open, exam_closed, exam_released or attempt_limit', contentType: 'application/problem+json' },
      },
      handler: async (ctx, req) => {
        const caller = callerOf(ctx);
        const v = await visibleVariant(ctx.store, caller, param(req, 'id'));
        const attempt = await submitAttempt(ctx.store, caller, v, (req.body as { answers: unknown }).answers);
        if (onAttempt) {
          // Wakes LTI passback: its job was written with the attempt; the post goes out in the background.
          await onAttempt(attempt, v, caller).catch((err: unknown) => ctx.logger?.error({ err, attempt: attempt.id }, 'attempt hook failed'));
        }
        return json(201, await attemptView(ctx.store, caller, attempt, v));
      },
    },
    {
      method: 'get',
      path: '/api/v1/attempts/:id',
      summary: 'A graded attempt (students: only their own)',
      tag: 'attempts',
      access: 'any',
      responses: { 200: { description: 'the attempt', schema: 'Attempt' } },
      handler: async (ctx, req) => {
        const caller = callerOf(ctx);
        const a = await ctx.store.attempts.get(param(req, 'id'));
        if (!a) throw notFound('attempt', param(req, 'id'));
        assertCanSeeAttempt(caller, a);
        const v = await getVariant(ctx.store, a.variantId);
        return json(200, await attemptView(ctx.store, caller, a, v));
      },
    },
  ];
}

async function visibleVariant(store: Store, caller: Parameters<typeof assertCanSeeVariant>[1], id: string) {
  const v = await getVariant(store, id);
  await assertCanSeeVariant(store, caller, v);
  return v;
}

