/**
 * The exam builder and an exam's overview. The builder is a plain form (works without
 * JavaScript): rows of topic-or-question × count × difficulty × marks, "Add rows" and "Remove"
 * posts, versions, seed, ECF penalty, time window and rules. "Preview" computes every version
 * with the service's previewExam (the same secret-keyed seeds, under an exam id chosen now) and
 * shows them side by side, storing nothing; "Freeze" stores exactly the previewed exam with
 * createExam under that id — refused, and previewed again, if the form changed since.
 * The overview shows the frozen versions, rules and state, the release button (the service's
 * force rule) and links to results, statistics and printing.
 */
import { createHash, randomInt } from 'node:crypto';
import type { Request, Router } from 'express';
import { StepwiseError } from '../core/errors.js';
import { listQuestions, listTopics, resolve, type Problem } from '../engine.js';
import { MAX_SEED } from '../generators/rng.js';
import { variantMaxMarks } from '../service/exam-marks.js';
import { releaseExam } from '../service/exam-rules.js';
import { createExam, getExam, previewExam, type ExamRequest } from '../service/exams.js';
import type { Exam, ManifestItem } from '../store/types.js';
import type { PagesContext, Signed } from './context.js';
import { PageError } from './errors.js';
import { instructorOnly } from './instructor.js';
import { examState, formLetter, previewItem, utc } from './instructor-view.js';
import { sendHtml } from './render.js';
import type { Response } from 'express';

// Literal paths: instructor.ts imports these files, so its constants are not yet set while they load.
const EXAMS_PATH = '/instructor/exams';
/** Empty rows on a new form, rows added per "Add rows", and the most a blueprint takes (the API's limit). */
const START_ROWS = 3;
const ADD_ROWS = 3;
const MAX_ROWS = 20;
const DIFFICULTY_CHOICES = ['easy', 'medium', 'hard'] as const;

interface Row {
  ref: string;
  count: string;
  difficulty: string;
  marks: string;
}

/** The builder form as typed (strings), so a refused form comes back as it was. */
interface Draft {
  title: string;
  courseId: string;
  versions: string;
  seed: string;
  ecfPenalty: string;
  opensAt: string;
  closesAt: string;
  attemptLimit: string;
  feedback: string;
  counts: string;
  blankSteps: string;
  rows: Row[];
}

const field = (b: Record<string, unknown>, k: string): string => (typeof b[k] === 'string' ? (b[k] as string).slice(0, 300) : '');
const emptyRow = (): Row => ({ ref: '', count: '1', difficulty: 'medium', marks: '' });

function emptyDraft(): Draft {
  return { title: '', courseId: '', versions: '2', seed: '', ecfPenalty: '', opensAt: '', closesAt: '', attemptLimit: '1', feedback: 'none', counts: 'last', blankSteps: 'shown', rows: Array.from({ length: START_ROWS }, emptyRow) };
}

function readDraft(b: Record<string, unknown>): Draft {
  const n = Math.min(MAX_ROWS, Math.max(1, Number.parseInt(field(b, 'rows'), 10) || START_ROWS));
  const rows = Array.from({ length: n }, (_, i) => ({
    ref: field(b, `row${i}.ref`).trim(),
    count: field(b, `row${i}.count`).trim() || '1',
    difficulty: field(b, `row${i}.difficulty`) || 'medium',
    marks: field(b, `row${i}.marks`).trim(),
  }));
  const d = emptyDraft();
  for (const k of ['title', 'courseId', 'versions', 'seed', 'ecfPenalty', 'opensAt', 'closesAt', 'attemptLimit', 'feedback', 'counts', 'blankSteps'] as const) d[k] = field(b, k).trim();
  return { ...d, rows };
}

/** A number typed in a box: the number, or the text itself so the service's error names the field with what was typed. */
const num = (s: string): number | string => (/^-?\d+(\.\d+)?$/.test(s) ? Number(s) : s);
/** A datetime-local value (no zone) read as UTC. */
const time = (s: string): string | undefined => (s === '' ? undefined : /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/.test(s) ? `${s}:00Z` : s);

/** The request the draft stands for (rows without a topic are left out); the service checks every value. */
function requestOf(d: Draft): Omit<ExamRequest, 'createdBy' | 'id'> {
  if (d.title === '') throw new StepwiseError('invalid_request', 'Give the exam a title', 'body.title');
  const rows = d.rows.filter((r) => r.ref !== '');
  if (rows.length === 0) throw new StepwiseError('invalid_request', 'Choose a topic or question in at least one row', 'body.blueprint');
  const seed = num(d.seed);
  if (typeof seed !== 'number' || !Number.isInteger(seed) || seed < 0 || seed > MAX_SEED) throw new StepwiseError('invalid_request', `body.seed must be a whole number from 0 to ${MAX_SEED}, got ${JSON.stringify(d.seed)}`, 'body.seed');
  const r = {
    title: d.title,
    ...(d.courseId ? { courseId: d.courseId } : {}),
    blueprint: rows.map((x) => ({ topic: x.ref, count: num(x.count) as number, difficulty: x.difficulty, ...(x.marks !== '' ? { marks: num(x.marks) as number } : {}) })),
    versions: num(d.versions || '1') as number,
    seed,
    ...(d.ecfPenalty !== '' ? { ecfPenalty: num(d.ecfPenalty) as number } : {}),
    ...(time(d.opensAt) ? { opensAt: time(d.opensAt) } : {}),
    ...(time(d.closesAt) ? { closesAt: time(d.closesAt) } : {}),
    attemptLimit: num(d.attemptLimit || '1') as number,
    feedback: d.feedback,
    counts: d.counts,
    blankSteps: d.blankSteps,
  };
  return r;
}

/** What the preview was made from: freezing checks the form still says the same. */
const digest = (r: object, examId: string): string => createHash('sha256').update(JSON.stringify([examId, r])).digest('base64url');

/** Each version as a column of items: prompt (as the student sees it), steps asked and marks. */
async function versionColumns(manifest: ManifestItem[][], problems: Problem[][], exam?: Pick<Exam, 'manifest' | 'ecfPenalty'>) {
  return Promise.all(
    problems.map(async (items, v) => ({
      letter: formLetter(v + 1),
      version: v + 1,
      items: await Promise.all(
        items.map(async (p, i) => {
          const m = manifest[v][i];
          const { topic, question } = resolve(p.question ?? p.topic);
          const view = await previewItem(p, `v${v + 1}i${i + 1}-`, 4);
          const marks = variantMaxMarks(exam ?? { manifest, ecfPenalty: undefined }, { ...p, examVersion: v + 1, examItem: i });
          return {
            n: i + 1,
            title: question?.title ?? topic.title,
            ref: p.question ?? p.topic,
            difficulty: p.difficulty,
            seed: m.seed,
            marks,
            steps: p.steps.join(', '),
            promptHtml: view.promptHtml,
            href: `/instructor/questions/${encodeURIComponent(p.question ?? p.topic)}?seed=${m.seed}&difficulty=${p.difficulty}`,
          };
        }),
      ),
    })),
  );
}

const rulesText = (e: Pick<Exam, 'attemptLimit' | 'feedback' | 'counts' | 'blankSteps' | 'ecfPenalty' | 'opensAt' | 'closesAt'>) => [
  `${e.attemptLimit} ${e.attemptLimit === 1 ? 'attempt' : 'attempts'} per item`,
  `feedback before release: ${e.feedback}`,
  `the ${e.counts} attempt counts`,
  `blank steps: ${e.blankSteps}`,
  e.ecfPenalty === undefined ? 'ECF: each question’s own policy' : e.ecfPenalty === 0 ? 'ECF: full (carried steps earn all their marks)' : e.ecfPenalty === 1 ? 'ECF: none (carried steps earn nothing)' : `ECF: carried steps lose ${Math.round(e.ecfPenalty * 1000) / 10}% of their marks`,
  e.opensAt ? `opens ${utc(e.opensAt)}` : 'open from creation',
  e.closesAt ? `closes ${utc(e.closesAt)}` : 'no close time',
];

export function mountExamBuilder(r: Router, ctx: PagesContext): void {
  const { store } = ctx;

  /** The builder page: the draft, any refusal, and the preview if one was made. */
  async function sendBuilder(res: Response, who: Signed, d: Draft, status = 200, extra: { notice?: string; field?: string; preview?: { id: string; digest: string; versions: unknown } } = {}) {
    const courses = (await store.courses.list()).map((c) => ({ id: c.id, title: c.title, selected: c.id === d.courseId }));
    const refs = [...listTopics().map((t) => ({ id: t.id, title: `${t.title} (topic)` })), ...listQuestions().map((q) => ({ id: q.id, title: `${q.title} (bank question, ${q.difficulty}${q.pinned ? '; pinned numbers, the same in every version' : ''})` }))];
    const rows = d.rows.map((row, i) => ({
      i,
      n: i + 1,
      ...row,
      refs: refs.map((x) => ({ ...x, selected: x.id === row.ref })),
      difficulties: DIFFICULTY_CHOICES.map((x) => ({ value: x, selected: x === row.difficulty })),
      removable: d.rows.length > 1,
    }));
    const choose = (xs: readonly string[], v: string) => xs.map((x) => ({ value: x, selected: x === v }));
    sendHtml(res, status, 'instructor-exam-new', {
      ...ctx.base(who, 'New exam · Stepwise'),
      wide: true,
      d,
      rows,
      rowCount: d.rows.length,
      canAdd: d.rows.length < MAX_ROWS,
      courses,
      feedback: choose(['none', 'status', 'full'], d.feedback),
      counts: choose(['last', 'best', 'first'], d.counts),
      blankSteps: choose(['shown', 'implied'], d.blankSteps),
      ...extra,
    });
  }

  r.get(
    `${EXAMS_PATH}/new`,
    instructorOnly(ctx, async (_req, res, who) => sendBuilder(res, who, emptyDraft())),
  );

  r.post(
    `${EXAMS_PATH}/new`,
    ctx.form,
    instructorOnly(
      ctx,
      async (req: Request, res, who) => {
        const b = req.body as Record<string, unknown>;
        const d = readDraft(b);
        const action = field(b, 'action');
        if (action === 'add-rows') {
          d.rows.push(...Array.from({ length: Math.min(ADD_ROWS, MAX_ROWS - d.rows.length) }, emptyRow));
          return sendBuilder(res, who, d);
        }
        if (action.startsWith('remove:')) {
          const i = Number(action.slice('remove:'.length));
          if (Number.isInteger(i) && i >= 0 && i < d.rows.length && d.rows.length > 1) d.rows.splice(i, 1);
          return sendBuilder(res, who, d);
        }
        if (action !== 'preview' && action !== 'freeze') throw new PageError(422, 'invalid_request', 'Unknown action: use Preview, Freeze, Add rows or Remove.');
        if (d.seed === '') d.seed = String(randomInt(0, MAX_SEED)); // chosen now, kept in the form, so the freeze equals the preview
        try {
          const request = requestOf(d);
          if (request.courseId && !(await store.courses.get(request.courseId))) throw new StepwiseError('invalid_request', `no course with id ${JSON.stringify(request.courseId)}`, 'body.courseId');
          const previewed = field(b, 'examId');
          if (action === 'freeze' && previewed !== '' && field(b, 'previewed') === digest(request, previewed)) {
            const { exam } = await createExam(store, { ...request, createdBy: who.caller.user.id, id: previewed });
            res.redirect(303, `${EXAMS_PATH}/${encodeURIComponent(exam.id)}`);
            return;
          }
          const p = await previewExam(store, request);
          const notice = action === 'freeze' ? 'The form changed since the preview (or there was none): check this preview, then freeze.' : undefined;
          return sendBuilder(res, who, d, 200, { ...(notice ? { notice } : {}), preview: { id: p.id, digest: digest(request, p.id), versions: await versionColumns(p.manifest, p.problems) } });
        } catch (e) {
          if (!(e instanceof StepwiseError) || e.code === 'internal') throw e;
          return sendBuilder(res, who, d, e.code === 'conflict' ? 409 : 422, { notice: e.message, ...(e.path ? { field: e.path } : {}) });
        }
      },
      true,
    ),
  );

  r.get(
    `${EXAMS_PATH}/:id`,
    instructorOnly(ctx, async (req, res, who) => {
      const exam = await getExam(store, String(req.params.id));
      await sendOverview(res, who, exam);
    }),
  );

  async function sendOverview(res: Response, who: Signed, exam: Exam, status = 200, notice?: string) {
    const variants = await store.variants.listByExam(exam.id);
    const problems: Problem[][] = Array.from({ length: exam.versions }, () => []);
    for (const v of variants) if (v.examVersion !== undefined && v.examItem !== undefined) problems[v.examVersion - 1][v.examItem] = v;
    const course = exam.courseId ? await store.courses.get(exam.courseId) : undefined;
    const href = `${EXAMS_PATH}/${encodeURIComponent(exam.id)}`;
    const state = examState(exam);
    const before = exam.closesAt === undefined || Date.now() < Date.parse(exam.closesAt);
    sendHtml(res, status, 'instructor-exam', {
      ...ctx.base(who, `${exam.title} · Stepwise`),
      wide: true,
      exam: { id: exam.id, title: exam.title, created: utc(exam.createdAt), seed: exam.seed, versions: exam.versions, course: course?.title, ...state },
      rules: rulesText(exam),
      blueprint: exam.blueprint.map((row, i) => ({ n: i + 1, ...row })),
      versions: await versionColumns(exam.manifest, problems, exam),
      links: { results: `${href}/results`, statistics: `${href}/statistics`, print: `${href}/print`, release: `${href}/release` },
      releasable: exam.releasedAt === undefined,
      needsForce: before,
      notice,
    });
  }

  r.post(
    `${EXAMS_PATH}/:id/release`,
    ctx.form,
    instructorOnly(
      ctx,
      async (req, res, who) => {
        const exam = await getExam(store, String(req.params.id));
        const force = (req.body as Record<string, unknown>).force === 'yes';
        try {
          const released = await releaseExam(store, exam, force);
          if (exam.releasedAt === undefined && ctx.o.onRelease) {
            await ctx.o.onRelease(released).catch((err: unknown) => ctx.o.logger?.error({ err, exam: exam.id }, 'release hook failed'));
          }
        } catch (e) {
          if (e instanceof StepwiseError && e.code === 'exam_open') return sendOverview(res, who, exam, 409, `Not released: ${exam.closesAt ? `the exam is open until ${utc(exam.closesAt)}` : 'the exam has no close time'}, so students may still be answering. Tick “End the exam now” to release it anyway.`);
          throw e;
        }
        res.redirect(303, `${EXAMS_PATH}/${encodeURIComponent(exam.id)}`);
      },
      true,
    ),
  );
}
