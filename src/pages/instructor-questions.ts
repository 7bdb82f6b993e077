/**
 * The question browser: every topic and bank question; one variant by seed and difficulty exactly
 * as a student sees it (the item partial, read-only), beside its worked solution and every step's
 * value; and "test this question", which runs its worked cases through the grader. Nothing here
 * is stored: the variant exists only for the page (instructors only).
 */
import { randomInt } from 'node:crypto';
import type { Router } from 'express';
import { DIFFICULTIES, generateProblem, listQuestions, listTopics, resolve, runWorkedCases, solveProblem, workedSolution } from '../engine.js';
import { MAX_SEED } from '../generators/rng.js';
import { markdownToHtml } from '../render/html.js';
import { formatValue } from '../core/format.js';
import { ownMarks } from '../service/exam-marks.js';
import type { PagesContext } from './context.js';
import { PageError } from './errors.js';
import { instructorOnly } from './instructor.js';
import { previewItem, unsavedVariant } from './instructor-view.js';
import { sendHtml } from './render.js';

// A literal: instructor.ts imports this file, so its constants are not yet set while it loads.
export const QUESTIONS_PATH = '/instructor/questions';

/** A seed from the query: blank → random (shown, so the page can be linked); else a whole number in range. */
function seedOf(x: unknown): number {
  if (x === undefined || x === '') return randomInt(0, MAX_SEED);
  const n = typeof x === 'string' && /^\d{1,10}$/.test(x) ? Number(x) : NaN;
  if (!Number.isInteger(n) || n > MAX_SEED) throw new PageError(422, 'invalid_request', `seed must be a whole number from 0 to ${MAX_SEED}`);
  return n;
}

export function mountQuestionBrowser(r: Router, ctx: PagesContext): void {
  r.get(
    QUESTIONS_PATH,
    instructorOnly(ctx, async (_req, res, who) => {
      const topics = listTopics().map((t) => ({ id: t.id, title: t.title, summary: t.summary, steps: t.steps.length, misconceptions: t.misconceptions.length }));
      sendHtml(res, 200, 'instructor-questions', { ...ctx.base(who, 'Question browser · Stepwise'), topics, questions: listQuestions() });
    }),
  );

  r.get(
    `${QUESTIONS_PATH}/:ref`,
    instructorOnly(ctx, async (req, res, who) => {
      const ref = String(req.params.ref);
      const { topic, question } = resolve(ref); // unknown: a 404 page naming it
      const seed = seedOf(req.query.seed);
      const difficulty = question ? question.difficulty : typeof req.query.difficulty === 'string' && req.query.difficulty !== '' ? req.query.difficulty : 'medium';
      const p = generateProblem(ref, seed, difficulty); // a bad difficulty: 422 naming it
      // A question about model runs: its runs (started now) decide the answer; until they are done the page shows their progress and reloads.
      const figures = await ctx.figures(unsavedVariant(p, 'q-'));
      const item = await previewItem(p, 'q-', 2, figures);
      const here = `${QUESTIONS_PATH}/${encodeURIComponent(ref)}?seed=${seed}${question ? '' : `&difficulty=${p.difficulty}`}`;
      if (figures && !figures.ready) {
        res.set('Refresh', `${ctx.refreshSeconds}; url=${here}`);
        sendHtml(res, figures.failed ? 503 : 202, 'instructor-question', { ...ctx.base(who, `${question?.title ?? topic.title} · preview · Stepwise`), wide: true, ref, title: question?.title ?? topic.title, seed, difficulty: p.difficulty, item, values: [], permalink: here, testHref: `${here}&test=1` });
        return;
      }
      const asked = new Set(p.steps);
      const values = solveProblem(topic.id, p.params).steps.map((s) => ({
        id: s.id,
        label: s.label,
        value: formatValue(s.value),
        asked: asked.has(s.id),
        marks: asked.has(s.id) ? ownMarks(ref, s.id) : undefined,
      }));
      const test = req.query.test === '1';
      const cases = test
        ? runWorkedCases(ref, p.params, p.steps).map((c) => ({ ...c, entered: c.entered === undefined ? undefined : formatValue(c.entered) }))
        : undefined;
      sendHtml(res, 200, 'instructor-question', {
        ...ctx.base(who, `${question?.title ?? topic.title} · preview · Stepwise`),
        wide: true,
        ref,
        title: question?.title ?? topic.title,
        question: question ? { id: question.id, topic: topic.id } : undefined,
        seed,
        difficulty: p.difficulty,
        difficulties: question ? undefined : DIFFICULTIES.map((d) => ({ value: d, selected: d === p.difficulty })),
        item,
        solutionHtml: await markdownToHtml(workedSolution(topic.id, p.params)),
        values,
        misconceptions: topic.misconceptions.filter((m) => asked.has(m.step)).map((m) => ({ id: m.id, step: m.step, explanation: m.explanation })),
        cases,
        passed: cases?.filter((c) => c.outcome === 'pass').length,
        failed: cases?.filter((c) => c.outcome === 'fail').length,
        testHref: `${here}&test=1`,
        permalink: here,
      });
    }),
  );
}
