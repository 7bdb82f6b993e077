/**
 * The instructor's results pages: /instructor/exams/<id>/results (each student's score per item and
 * in total, sortable by links that work without a script; CSV download at results.csv; a
 * paper-answers upload), and /instructor/exams/<id>/results/<userId> (one student's attempts opened
 * step by step, with their answers and the expected values). Instructors' own keys only.
 */
import type { Request, Response, Router } from 'express';
import { StepwiseError } from '../core/errors.js';
import { formatValue } from '../core/format.js';
import type { Value } from '../core/values.js';
import { getQuestion, getTopic } from '../engine.js';
import { countedAttempt } from '../service/exam-rules.js';
import { examResults, resultsCsv, type ExamResults } from '../service/exam-results.js';
import { getExam } from '../service/exams.js';
import { formLetter, gradePaperAnswers, MAX_PAPER_CSV_BYTES, PAPER_COLUMNS, type PaperReport } from '../service/paper-answers.js';
import type { Exam } from '../store/types.js';
import type { PagesContext, Signed } from './context.js';
import { PageError } from './errors.js';
import { INSTRUCTOR_PATH, instructorOnly } from './instructor.js';
import { sendHtml } from './render.js';

const round = (x: number) => Math.round(x * 100) / 100;
const enc = encodeURIComponent;
const SORT_DIRS = ['asc', 'desc'] as const;

export function resultsPath(examId: string): string {
  return `${INSTRUCTOR_PATH}/exams/${enc(examId)}/results`;
}

type Student = ExamResults['students'][number];

/** The sort a query asks for: name (default), form, total or item-N; ascending unless dir=desc. */
export function sortKey(query: Request['query'], width: number): { by: string; dir: 'asc' | 'desc' } {
  const by = typeof query.sort === 'string' ? query.sort : 'name';
  const item = /^item-(\d{1,4})$/.exec(by);
  const ok = by === 'name' || by === 'form' || by === 'total' || (item !== null && Number(item[1]) >= 1 && Number(item[1]) <= width);
  const dir = SORT_DIRS.find((d) => d === query.dir) ?? 'asc';
  return { by: ok ? by : 'name', dir };
}

/** Students in that order; blanks (nothing submitted) last either way, then by name. */
export function sortStudents(students: readonly Student[], by: string, dir: 'asc' | 'desc'): Student[] {
  const value = (s: Student): number | string | null => {
    if (by === 'name') return s.name.toLocaleLowerCase();
    if (by === 'form') return s.version;
    if (by === 'total') return s.score;
    return s.items[Number(by.slice('item-'.length)) - 1]?.score ?? null;
  };
  const sign = dir === 'desc' ? -1 : 1;
  return [...students].sort((a, b) => {
    const x = value(a);
    const y = value(b);
    if (x === null || y === null) {
      if (x !== y) return x === null ? 1 : -1;
    } else if (x !== y) return sign * (typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y)));
    return a.name.localeCompare(b.name) || a.userId.localeCompare(b.userId);
  });
}

async function resultsPage(ctx: PagesContext, req: Request, res: Response, who: Signed, report?: PaperReport & { error?: string; csv?: string }) {
  const exam = await getExam(ctx.store, String(req.params.id));
  const results = await examResults(ctx.store, exam);
  const width = Math.max(0, ...results.students.map((s) => s.items.length));
  const { by, dir } = sortKey(req.query, width);
  const papers = new Set((await ctx.store.attempts.listByExam(exam.id)).filter((a) => a.source === 'paper').map((a) => a.id));
  const base = resultsPath(exam.id);
  const column = (key: string, label: string) => {
    const sorted = by === key;
    const next = sorted && dir === 'asc' ? 'desc' : 'asc';
    return { key, label, href: `${base}?sort=${key}&dir=${next}`, ariaSort: sorted ? (dir === 'asc' ? 'ascending' : 'descending') : undefined, arrow: sorted ? (dir === 'asc' ? '▲' : '▼') : '' };
  };
  const rows = sortStudents(results.students, by, dir).map((s) => ({
    userId: s.userId,
    name: s.name,
    href: `${base}/${enc(s.userId)}`,
    form: formLetter(s.version),
    items: Array.from({ length: width }, (_, i) => {
      const it = s.items[i];
      if (!it) return { text: '', title: '' };
      const paper = it.attemptId !== null && papers.has(it.attemptId);
      return { text: it.score === null ? '—' : `${round(it.score)}`, max: it.score === null ? undefined : round(it.maxScore), paper, title: it.score === null ? 'nothing submitted' : `${round(it.score)} of ${round(it.maxScore)}${paper ? ' (paper)' : ''}` };
    }),
    total: s.score === null ? '—' : `${round(s.score)}`,
    max: round(s.maxScore),
  }));
  sendHtml(res, report?.error ? 422 : 200, 'instructor-results', {
    ...ctx.base(who, `Results: ${exam.title}`),
    exam: { id: exam.id, title: exam.title, released: exam.releasedAt !== undefined, counts: exam.counts, versions: exam.versions },
    overviewHref: `${INSTRUCTOR_PATH}/exams/${enc(exam.id)}`,
    csvHref: `${base}.csv`,
    uploadAction: `${INSTRUCTOR_PATH}/exams/${enc(exam.id)}/paper-answers`,
    columns: [column('name', 'Student'), column('form', 'Form')],
    itemColumns: Array.from({ length: width }, (_, i) => column(`item-${i + 1}`, `Item ${i + 1}`)),
    totalColumn: column('total', 'Total'),
    rows,
    paperColumns: PAPER_COLUMNS.join(','),
    maxKb: Math.floor(MAX_PAPER_CSV_BYTES / 1024),
    report: report && {
      ...report,
      ok: !report.error && report.rejected.length === 0,
      rejectedCount: report.rejected.length,
      added: report.added.map((a) => ({ name: a.name, href: `${base}/${enc(a.userId)}` })),
    },
    csvText: report?.csv ?? '',
  });
}

/** One student's attempts at each item of their form, step by step (instructor view: answers and expected values). */
async function studentPage(ctx: PagesContext, req: Request, res: Response, who: Signed) {
  const exam: Exam = await getExam(ctx.store, String(req.params.id));
  const userId = String(req.params.userId);
  const version = await ctx.store.exams.assignment(exam.id, userId);
  const user = await ctx.store.users.get(userId);
  if (version === undefined || !user) throw new PageError(404, 'not_found', 'No student of this exam has that id.');
  const variants = await ctx.store.variants.listByExam(exam.id, version);
  const attempts = (await ctx.store.attempts.listByExam(exam.id)).filter((a) => a.userId === userId && !a.preview);
  const items = variants.map((v, i) => {
    const topic = getTopic(v.topic);
    const question = v.question ? getQuestion(v.question) : undefined;
    const tries = attempts.filter((a) => a.variantId === v.id);
    const counted = countedAttempt(exam, tries);
    return {
      n: i + 1,
      title: question?.title ?? topic.title,
      ref: v.question ?? v.topic,
      attempts: tries.map((a, k) => ({
        n: k + 1,
        id: a.id,
        counted: a === counted,
        source: a.source === 'paper' ? 'paper' : 'online',
        at: a.createdAt.slice(0, 16).replace('T', ' '),
        score: round(a.score),
        maxScore: round(a.maxScore),
        steps: a.result.steps.map((s) => ({
          id: s.id,
          label: s.label,
          status: s.status,
          note: s.note ?? '',
          misconception: s.misconception ? `${s.misconception.id}: ${s.misconception.explanation}` : '',
          credit: `${round(s.credit)} / ${round(s.marks)}`,
          answer: answerText((a.answers as Record<string, unknown> | null)?.[s.id]),
          expected: formatValue(s.expected as Value),
          carried: s.carriedValue === undefined ? '' : formatValue(s.carriedValue as Value),
        })),
      })),
    };
  });
  sendHtml(res, 200, 'instructor-student', {
    ...ctx.base(who, `${user.name}: ${exam.title}`),
    exam: { id: exam.id, title: exam.title },
    student: { id: user.id, name: user.name, form: formLetter(version) },
    resultsHref: resultsPath(exam.id),
    items,
  });
}

/** A stored raw answer as the student wrote it: text as is, arrays as JSON rows, blank as a dash. */
function answerText(raw: unknown): string {
  if (raw === undefined || raw === null || (typeof raw === 'string' && raw.trim() === '')) return '—';
  return typeof raw === 'string' ? raw : JSON.stringify(raw);
}

export function mountResults(r: Router, ctx: PagesContext): void {
  const base = `${INSTRUCTOR_PATH}/exams/:id`;
  r.get(`${base}/results`, instructorOnly(ctx, (req, res, who) => resultsPage(ctx, req, res, who)));
  r.get(
    `${base}/results.csv`,
    instructorOnly(ctx, async (req, res) => {
      const results = await examResults(ctx.store, await getExam(ctx.store, String(req.params.id)));
      res.set('Cache-Control', 'no-store').type('text/csv').attachment(`results-${results.examId}.csv`).send(resultsCsv(results));
    }),
  );
  r.get(`${base}/results/:userId`, instructorOnly(ctx, (req, res, who) => studentPage(ctx, req, res, who)));
  r.post(
    `${base}/paper-answers`,
    // The pages' form parser and limit (the rate limiter parses every page post with it first).
    ctx.form,
    instructorOnly(
      ctx,
      async (req, res, who) => {
        const exam = await getExam(ctx.store, String(req.params.id));
        const csv = typeof req.body?.csv === 'string' ? (req.body.csv as string) : '';
        try {
          const report = await gradePaperAnswers(ctx.store, exam, csv, { addStudents: req.body?.addStudents === 'on' });
          await resultsPage(ctx, req, res, who, report);
        } catch (e) {
          // The file as a whole is unusable (no header, too large): say why beside the form, keeping the text.
          if (!(e instanceof StepwiseError)) throw e;
          await resultsPage(ctx, req, res, who, { stored: 0, attempts: 0, rejected: [], added: [], error: e.message, csv });
        }
      },
      true,
    ),
  );
}
