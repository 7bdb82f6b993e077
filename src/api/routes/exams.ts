/** Exams: create from a blueprint, versions, a student's version, release, results. */
import { randomInt } from 'node:crypto';
import { MAX_SEED } from '../../generators/rng.js';
import { isInstructor, variantViewFor } from '../../service/access.js';
import { createExam, getExam, type ExamRequest } from '../../service/exams.js';
import { examLinkCode } from '../../service/exam-link-code.js';
import { storedExamExportItems, storedExportItems } from '../../service/export-items.js';
import { examResults, resultsCsv } from '../../service/exam-results.js';
import { assertExamStarted, releaseExam, type ReleaseHook } from '../../service/exam-rules.js';
import type { ExportItem } from '../../exports/types.js';
import type { Response } from 'express';
import type { Exam } from '../../store/types.js';
import { getVariant } from '../../service/variants.js';
import { StepwiseError } from '../../core/errors.js';
import { notFound } from '../problem.js';
import { callerOf, json, param, type Ctx, type RouteSpec } from '../route.js';

/** What a caller sees of an exam: students get no manifest (its seeds regenerate every version), but do see the rules they sit it under. */
/**
 * `linkCode`: the exam's LTI link code, for a full instructor key only (never a student's or an LTI
 * launch key's: whoever holds it can make their LMS course the exam's home).
 */
function examView(e: Exam, full: boolean, linkCode?: string) {
  const rules = {
    ...(e.opensAt ? { opensAt: e.opensAt } : {}),
    ...(e.closesAt ? { closesAt: e.closesAt } : {}),
    attemptLimit: e.attemptLimit,
    feedback: e.feedback,
    counts: e.counts,
    blankSteps: e.blankSteps,
  };
  const base = { id: e.id, title: e.title, versions: e.versions, released: e.releasedAt !== undefined, ...rules, createdAt: e.createdAt };
  if (!full) return { ...base, ...(e.releasedAt ? { releasedAt: e.releasedAt } : {}) };
  return { ...e, released: e.releasedAt !== undefined, ...(linkCode !== undefined ? { ltiLinkCode: linkCode } : {}) };
}

/** The link code when the caller holds a full (unscoped) instructor key. */
async function linkCodeFor(ctx: Ctx, e: Exam): Promise<string | undefined> {
  const { key } = callerOf(ctx);
  if (key.role !== 'instructor' || key.scope !== undefined) return undefined;
  return examLinkCode(await ctx.store.secrets.server(), e.id);
}

const FORMATS = ['moodle', 'qti', 'gift'] as const;
type Format = (typeof FORMATS)[number];

/** Sends export items as a Moodle XML file, a QTI 3.0 content package (zip) or a GIFT file. */
export async function sendExport(res: Response, format: unknown, items: ExportItem[], title: string, name: string): Promise<void> {
  if (!FORMATS.includes(format as Format)) {
    throw new StepwiseError('invalid_request', `format must be one of ${FORMATS.join(', ')}, got ${JSON.stringify(format)}`, 'query.format');
  }
  const x = await import('../../exports/index.js'); // the exporters load marked and KaTeX: only on demand
  if (format === 'moodle') res.type('application/xml').attachment(`${name}.moodle.xml`).send(x.toMoodleXml(items, { title }));
  else if (format === 'gift') res.type('text/plain').attachment(`${name}.gift.txt`).send(x.toGift(items, { title }));
  else res.type('application/zip').attachment(`${name}.qti.zip`).send(Buffer.from(x.toQtiPackage(items, { title })));
}

export const examRoutes = (onRelease?: ReleaseHook): RouteSpec[] => [
  {
    method: 'post',
    path: '/api/v1/exams',
    summary: 'Create an exam from a blueprint (topics or questions × count × difficulty) in N versions, frozen by a seed manifest',
    tag: 'exams',
    access: 'instructor',
    body: { schema: 'NewExamRequest' },
    responses: { 201: { description: 'the exam with its manifest', schema: 'Exam' } },
    handler: async (ctx, req) => {
      const b = req.body as Omit<ExamRequest, 'createdBy' | 'seed'> & { seed?: number };
      if (b.courseId && !(await ctx.store.courses.get(b.courseId))) throw notFound('course', b.courseId);
      const { exam } = await createExam(ctx.store, { ...b, seed: b.seed ?? randomInt(0, MAX_SEED), createdBy: callerOf(ctx).user.id });
      return json(201, examView(exam, true, await linkCodeFor(ctx, exam)));
    },
  },
  {
    method: 'get',
    path: '/api/v1/exams',
    summary: 'List exams (instructors)',
    tag: 'exams',
    access: 'instructor',
    responses: { 200: { description: 'the exams', schema: 'ExamList' } },
    handler: async (ctx) => {
      const exams = await ctx.store.exams.list();
      return json(200, await Promise.all(exams.map(async (e) => examView(e, true, await linkCodeFor(ctx, e)))));
    },
  },
  {
    method: 'get',
    path: '/api/v1/exams/:id',
    summary: 'An exam (students see its title and release state, not its manifest)',
    tag: 'exams',
    access: 'any',
    responses: { 200: { description: 'the exam', schema: 'Exam' } },
    handler: async (ctx, req) => {
      const exam = await getExam(ctx.store, param(req, 'id'));
      return json(200, examView(exam, isInstructor(callerOf(ctx), exam.id), await linkCodeFor(ctx, exam)));
    },
  },
  {
    method: 'get',
    path: '/api/v1/exams/:id/versions',
    summary: 'Every version with its variants (instructors)',
    tag: 'exams',
    access: 'instructor',
    responses: { 200: { description: 'the versions', schema: 'ExamVersionList' } },
    handler: async (ctx, req) => {
      const exam = await getExam(ctx.store, param(req, 'id'));
      const variants = await ctx.store.variants.listByExam(exam.id);
      return json(
        200,
        // Versions are numbered from 1.
        Array.from({ length: exam.versions }, (_, i) => ({ examId: exam.id, version: i + 1, variants: variants.filter((v) => v.examVersion === i + 1) })),
      );
    },
  },
  {
    method: 'get',
    path: '/api/v1/exams/:id/my-version',
    summary: "The caller's version of the exam (numbered from 1): a student's is assigned in rotation on first request, then kept (instructors see version 1 unassigned); students get 409 exam_not_open before the exam opens",
    tag: 'exams',
    access: 'any',
    responses: {
      200: { description: 'the version and its variants', schema: 'ExamVersion' },
      409: { description: 'the exam has not opened yet (students; code exam_not_open)', contentType: 'application/problem+json' },
    },
    handler: async (ctx, req) => {
      const exam = await getExam(ctx.store, param(req, 'id'));
      const caller = callerOf(ctx);
      const instructor = isInstructor(caller, exam.id);
      assertExamStarted(exam, instructor);
      // Instructors look (at their version, else version 1) without taking a place in the rotation
      // or the results; students are assigned in rotation on first request.
      const version = instructor
        ? ((await ctx.store.exams.assignment(exam.id, caller.user.id)) ?? 1)
        : await ctx.store.exams.assign(exam.id, caller.user.id, exam.versions);
      const variants = await ctx.store.variants.listByExam(exam.id, version);
      return json(200, { examId: exam.id, version, variants: variants.map((v) => variantViewFor(caller, v)) });
    },
  },
  {
    method: 'post',
    path: '/api/v1/exams/:id/release',
    summary: 'Release the answer keys: students then see expected values and worked solutions. Only after the close, or with {"force": true} (409 exam_open otherwise); no attempts are accepted after release',
    tag: 'exams',
    access: 'instructor',
    body: { schema: 'ReleaseRequest', optional: true },
    responses: { 200: { description: 'the released exam', schema: 'Exam' }, 409: { description: 'the exam is still open (code exam_open)', contentType: 'application/problem+json' } },
    handler: async (ctx, req) => {
      const exam = await getExam(ctx.store, param(req, 'id'));
      const force = (req.body as { force?: boolean } | undefined)?.force === true;
      const released = await releaseExam(ctx.store, exam, force);
      if (exam.releasedAt === undefined && onRelease) {
        // The LMS gets the totals the feedback policy held back; its failure is logged, the release stands.
        await onRelease(released).catch((err: unknown) => ctx.logger?.error({ err, exam: exam.id }, 'release hook failed'));
      }
      return json(200, examView(released, true, await linkCodeFor(ctx, released)));
    },
  },
  {
    method: 'get',
    path: '/api/v1/exams/:id/results',
    summary: "Results for every student assigned a version (by my-version or an LTI launch): the counted attempt at each item (the exam's counts rule), blank where none was submitted, as JSON or CSV (instructors)",
    tag: 'exams',
    access: 'instructor',
    query: { format: { description: 'json (default) or csv', enum: ['json', 'csv'] } },
    responses: { 200: { description: 'the results (CSV, RFC 4180, with format=csv)', schema: 'ExamResults', also: ['text/csv'] } },
    handler: async (ctx, req, res) => {
      const results = await examResults(ctx.store, await getExam(ctx.store, param(req, 'id')));
      if (req.query.format === 'csv') {
        res.type('text/csv').attachment(`results-${results.examId}.csv`).send(resultsCsv(results));
        return undefined;
      }
      return json(200, results);
    },
  },
  {
    method: 'get',
    path: '/api/v1/exams/:id/export',
    summary: 'The frozen exam for an LMS: Moodle XML (Cloze, one NUMERICAL sub-answer per element with its tolerance), a QTI 3.0 package, or GIFT (single-answer steps)',
    tag: 'exams',
    access: 'instructor',
    query: { format: { description: 'moodle, qti or gift', enum: FORMATS } },
    responses: { 200: { description: 'the export file', contentType: 'application/xml', also: ['application/zip', 'text/plain'] } },
    handler: async (ctx, req, res) => {
      const exam = await getExam(ctx.store, param(req, 'id'));
      await sendExport(res, req.query.format, await storedExamExportItems(ctx.store, exam, await ctx.store.variants.listByExam(exam.id)), exam.title, `exam-${exam.id}`);
      return undefined;
    },
  },
  {
    method: 'post',
    path: '/api/v1/exports',
    summary: 'Any set of frozen variants as Moodle XML, a QTI 3.0 package or GIFT (instructors)',
    tag: 'exams',
    access: 'instructor',
    body: { schema: 'ExportRequest' },
    responses: { 200: { description: 'the export file', contentType: 'application/xml', also: ['application/zip', 'text/plain'] } },
    handler: async (ctx, req, res) => {
      const b = req.body as { variants: string[]; format: string; title?: string };
      const variants = await Promise.all(b.variants.map((id) => getVariant(ctx.store, id)));
      const title = b.title ?? 'Stepwise questions';
      await sendExport(res, b.format, await storedExportItems(ctx.store, title, variants), title, 'stepwise-export');
      return undefined;
    },
  },
];
