/**
 * The exam page: the student's assigned version (the API's my-version: assigned in rotation on
 * first visit, then kept; nothing before the exam opens), every item with its inputs, drafts saved
 * on the server as the student types and restored on reload, and a submit per item through
 * submitAttempt, so the exam's rules (open window, attempt limit, release) are the service's.
 * Before release a student sees only what the exam's feedback policy lets attemptView through:
 * never expected or carried values or a worked solution.
 */
import type { Request, Response } from 'express';
import { assertCanSeeVariant, isInstructor } from '../service/access.js';
import { attemptView, type submitAttempt } from '../service/attempts.js';
import { assertExamStarted } from '../service/exam-rules.js';
import { getExam } from '../service/exams.js';
import type { Caller } from '../service/caller.js';
import type { Exam, Store, Variant } from '../store/types.js';
import { getTopic } from '../engine.js';
import { answersOf, fieldsOf, readForm, stepShapes } from './answers-form.js';
import { PageError } from './errors.js';
import { questionView, submittedState, type QuestionState } from './question.js';
import { sendHtml, type PageData } from './render.js';
import { figuresFor } from './artefact-figures.js';

/** Most answer fields one draft keeps (a 32 × 32 matrix and then some). */
const MAX_DRAFT_FIELDS = 1100;

async function versionOf(store: Store, caller: Caller, exam: Exam): Promise<Variant[]> {
  const instructor = isInstructor(caller, exam.id);
  assertExamStarted(exam, instructor);
  // As the API's my-version: instructors look (at their version, else version 1) without taking a
  // place in the rotation or the results; students are assigned in rotation on first visit.
  const version = instructor ? ((await store.exams.assignment(exam.id, caller.user.id)) ?? 1) : await store.exams.assign(exam.id, caller.user.id, exam.versions);
  return store.variants.listByExam(exam.id, version);
}

function stateLine(exam: Exam): { state: string; rules: string } {
  const rules = [
    `${exam.attemptLimit} ${exam.attemptLimit === 1 ? 'submission' : 'submissions'} per item`,
    exam.feedback === 'none' ? 'no feedback until the answers are released' : exam.feedback === 'status' ? "each step's status shown, scores at release" : 'scores and feedback shown at once, answers at release',
  ].join('; ');
  if (exam.releasedAt) return { state: `The answers were released on ${exam.releasedAt.slice(0, 16).replace('T', ' ')} UTC: your results and the worked solutions are below.`, rules: '' };
  if (exam.closesAt && Date.now() >= Date.parse(exam.closesAt)) return { state: `This exam closed on ${exam.closesAt.slice(0, 16).replace('T', ' ')} UTC. The answers come when your instructor releases them.`, rules };
  return { state: exam.closesAt ? `Open until ${exam.closesAt.slice(0, 16).replace('T', ' ')} UTC.` : 'Open.', rules };
}

/** The exam page; `override` shows one item as just posted (unreadable entries, results). */
export async function sendExamPage(res: Response, store: Store, caller: Caller, base: PageData, examId: string, override?: { variantId: string; state: QuestionState }, status = 200) {
  const exam = await getExam(store, examId);
  const variants = await versionOf(store, caller, exam);
  const closed = exam.releasedAt !== undefined || (exam.closesAt !== undefined && Date.now() >= Date.parse(exam.closesAt));
  const items = await Promise.all(
    variants.map(async (v, i) => {
      await assertCanSeeVariant(store, caller, v);
      let state: QuestionState = {};
      const shapes = stepShapes(v);
      const found = await store.webSessions.draft(caller.user.id, v.id);
      const draft = found && Object.keys(found.fields).length > 0 ? found : undefined;
      const mine = (await store.attempts.listByVariant(v.id)).filter((a) => a.userId === caller.user.id);
      const last = mine[mine.length - 1];
      // The inputs hold the draft, else what was last submitted.
      const entries = draft ? readForm(draft.fields, shapes) : last ? readForm(fieldsOf(last.answers, shapes), shapes) : undefined;
      if (entries) state.entries = entries;
      if (last) state = { ...(await submittedState(store, caller, v, await attemptView(store, caller, last, v), entries ?? new Map())), focus: false };
      if (override?.variantId === v.id) state = override.state;
      // A question about model runs: its pictures, or how far they are (the page does not wait for them).
      const figures = await figuresFor(store)(v, 0);
      if (figures) state.figures = figures;
      // Instructors' attempts are previews, not held to the limit (submitAttempt).
      const spent = !isInstructor(caller, exam.id) && mine.length >= exam.attemptLimit;
      if (spent && !closed) state.notice ??= `You have used ${exam.attemptLimit === 1 ? 'your submission' : `all ${exam.attemptLimit} submissions`} for this item.`;
      const view = await questionView(v, state, {
        mode: 'exam',
        prefix: `i${i + 1}-`,
        action: closed || spent ? undefined : `/exams/${encodeURIComponent(exam.id)}/items/${encodeURIComponent(v.id)}`,
        draftSaved: draft?.updatedAt.slice(11, 19),
        hl: 3,
      });
      return { ...view, n: i + 1, itemLabel: `item ${i + 1}`, variant: { ...view.variant, title: getTopic(v.topic).title } };
    }),
  );
  sendHtml(res, status, 'exam', { ...base, title: `${exam.title} · Stepwise`, exam: { id: exam.id, title: exam.title, ...stateLine(exam) }, items });
}

/**
 * Save a draft (action=draft) or submit one item (action=submit) through `submit` (submitAttempt
 * and the attempt hook). Then back to the exam page: a redirect, or inside an LMS iframe (no
 * cookie, so no GET) the page itself.
 */
export async function postExamItem(req: Request, res: Response, store: Store, caller: Caller, base: PageData, submit: (caller: Caller, v: Variant, answers: Record<string, unknown>) => ReturnType<typeof submitAttempt>): Promise<void> {
  const exam = await getExam(store, String(req.params.id));
  const variants = await versionOf(store, caller, exam);
  const v = variants.find((x) => x.id === String(req.params.variant));
  if (!v) throw new PageError(404, 'not_found', 'That item is not part of your version of this exam.');
  await assertCanSeeVariant(store, caller, v);
  const body = req.body as Record<string, unknown>;
  const shapes = stepShapes(v);
  const entries = readForm(body, shapes);
  const json = req.accepts(['text/html', 'application/json']) === 'application/json';
  const back = `/exams/${encodeURIComponent(exam.id)}`;
  if (body.action === 'draft') {
    if (exam.releasedAt) throw new PageError(409, 'exam_released', 'The answers of this exam are released; drafts are no longer kept.');
    const steps = new Set(v.steps);
    const fields: Record<string, string> = {};
    for (const [k, x] of Object.entries(body)) {
      const m = /^answers\[([^\]]+)\]/.exec(k);
      if (m && steps.has(m[1]) && typeof x === 'string' && Object.keys(fields).length < MAX_DRAFT_FIELDS) fields[k] = x.slice(0, 2000);
    }
    const { updatedAt } = await store.webSessions.saveDraft(caller.user.id, v.id, fields);
    if (json) {
      res.set('Cache-Control', 'no-store').json({ ok: true, savedAt: updatedAt });
      return;
    }
    if (base.embed) return sendExamPage(res, store, caller, base, exam.id);
    res.redirect(303, `${back}#item-${variants.indexOf(v) + 1}`);
    return;
  }
  const bad = [...entries].filter(([, e]) => e.problem);
  if (bad.length > 0) {
    return sendExamPage(res, store, caller, base, exam.id, { variantId: v.id, state: { entries, focus: true, notice: `Nothing was recorded: ${bad.map(([id]) => id).join(', ')} cannot be read. Fix ${bad.length === 1 ? 'it' : 'them'} and submit again.` } }, 422);
  }
  // The exam's rules apply here (open, not released, attempt limit): a refusal is a 409 page.
  await submit(caller, v, answersOf(entries));
  await store.webSessions.saveDraft(caller.user.id, v.id, {});
  if (base.embed) return sendExamPage(res, store, caller, base, exam.id);
  res.redirect(303, `${back}#item-${variants.indexOf(v) + 1}`);
}
