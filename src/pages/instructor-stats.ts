/**
 * The statistics pages (instructors only): an exam's item statistics at
 * /instructor/exams/<id>/statistics (and .csv), a course's practice pool at
 * /instructor/statistics?course=&topic= (and /instructor/statistics.csv?…): plots rendered on the
 * server (stats-charts.ts), every figure also in tables.
 */
import type { Request, Response, Router } from 'express';
import { StepwiseError } from '../core/errors.js';
import { listTopics } from '../engine.js';
import { getExam } from '../service/exams.js';
import { examStatistics, practiceStatistics } from '../service/statistics.js';
import { statisticsCsv } from '../service/statistics-csv.js';
import type { Statistics } from '../stats/compute.js';
import type { PagesContext, Signed } from './context.js';
import { INSTRUCTOR_PATH, instructorOnly } from './instructor.js';
import { sendHtml } from './render.js';
import { statisticsCharts } from './stats-charts.js';

const num = (x: number | null, digits = 2) => (x === null ? '—' : x.toFixed(digits));
const pct = (x: number | null) => (x === null ? '—' : `${(x * 100).toFixed(0)} %`);

/** The tables' rows as text (the template only prints). */
function view(s: Statistics) {
  const figures = (f: Statistics['steps'][number] | Statistics['items'][number]) => ({
    n: f.n,
    facility: pct(f.facility),
    sd: num(f.sd),
    discrimination: num(f.discrimination, 1),
    efficiency: num(f.discriminativeEfficiency, 1),
    ecf: pct(f.ecfShare),
    invalid: pct(f.invalidRate),
    unreliable: f.unreliable,
    notes: Object.entries(f.notes)
      .sort(([, a], [, b]) => b - a)
      .map(([k, v]) => `${k} ${v}`)
      .join(', '),
  });
  return {
    summary: {
      n: s.summary.n,
      mean: num(s.summary.mean),
      median: num(s.summary.median),
      sd: num(s.summary.sd),
      maxScore: num(s.summary.maxScore),
      alpha: num(s.summary.alpha),
      unreliable: s.summary.unreliable,
    },
    minReliableN: s.minReliableN,
    items: s.items.map((it) => ({
      item: it.item,
      topic: it.topic,
      ...figures(it),
      steps: s.steps.filter((x) => x.item === it.item).map((x) => ({ step: x.step, ...figures(x) })),
    })),
    misconceptions: s.misconceptions.map((m) => ({ ...m, rate: pct(m.rate), correlation: num(m.correlationWithTotal) })),
    misconceptionTotals: s.misconceptionTotals.map((m) => ({ ...m, correlation: num(m.correlationWithTotal) })),
  };
}

async function page(ctx: PagesContext, res: Response, who: Signed, title: string, s: Statistics, extra: Record<string, unknown>) {
  sendHtml(res, 200, 'statistics', { ...ctx.base(who, title), heading: title, ...view(s), charts: await statisticsCharts(s), ...extra });
}

/** ?course= and ?topic= as one value each (a repeated one is a 422 naming it). */
function query(req: Request, name: string): string | undefined {
  const v = req.query[name];
  if (v === undefined || v === '') return undefined;
  if (typeof v !== 'string') throw new StepwiseError('invalid_request', `query.${name} must be given once`, `query.${name}`);
  return v;
}

export function mountStats(r: Router, ctx: PagesContext): void {
  const examPath = `${INSTRUCTOR_PATH}/exams/:id/statistics`;
  r.get(
    examPath,
    instructorOnly(ctx, async (req, res, who) => {
      const exam = await getExam(ctx.store, String(req.params.id));
      const s = await examStatistics(ctx.store, exam);
      const base = `${INSTRUCTOR_PATH}/exams/${encodeURIComponent(exam.id)}`;
      await page(ctx, res, who, `Statistics: ${exam.title}`, s, { exam: { id: exam.id, href: base, counts: exam.counts }, csv: `${base}/statistics.csv` });
    }),
  );
  r.get(
    `${examPath}.csv`,
    instructorOnly(ctx, async (req, res) => {
      const exam = await getExam(ctx.store, String(req.params.id));
      res.type('text/csv').attachment(`statistics-${exam.id}.csv`).send(statisticsCsv(await examStatistics(ctx.store, exam)));
    }),
  );
  r.get(
    `${INSTRUCTOR_PATH}/statistics`,
    instructorOnly(ctx, async (req, res, who) => {
      const course = query(req, 'course');
      const topic = query(req, 'topic');
      const courses = (await ctx.store.courses.list()).map((c) => ({ id: c.id, title: c.title, selected: c.id === course }));
      const topics = listTopics().map((t) => ({ id: t.id, title: t.title, selected: t.id === topic }));
      const form = { courses, topics };
      if (course === undefined) {
        sendHtml(res, 200, 'statistics', { ...ctx.base(who, 'Practice statistics'), heading: 'Practice statistics', chooser: true, ...form });
        return;
      }
      const s = await practiceStatistics(ctx.store, course, topic);
      const qs = new URLSearchParams({ course, ...(topic ? { topic } : {}) }).toString();
      await page(ctx, res, who, `Practice statistics: ${s.scope.title}${topic ? ` · ${topic}` : ''}`, s, { practice: true, ...form, csv: `${INSTRUCTOR_PATH}/statistics.csv?${qs}` });
    }),
  );
  r.get(
    `${INSTRUCTOR_PATH}/statistics.csv`,
    instructorOnly(ctx, async (req, res) => {
      const course = query(req, 'course');
      if (course === undefined) throw new StepwiseError('invalid_request', 'query.course is required', 'query.course');
      const s = await practiceStatistics(ctx.store, course, query(req, 'topic'));
      res.type('text/csv').attachment(`practice-statistics-${course}.csv`).send(statisticsCsv(s));
    }),
  );
}
