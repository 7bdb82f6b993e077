/** The exam page and its per-item posts (the rendering and rules are in src/pages/exam.ts). */
import type { Router } from 'express';
import type { PagesContext } from './context.js';
import { postExamItem, sendExamPage } from './exam.js';

export function mountExamRoutes(r: Router, { store, form, signedIn, base, submit }: PagesContext): void {
  r.get(
    '/exams/:id',
    signedIn(async (req, res, who) => sendExamPage(res, store, who.caller, base(who, 'Exam · Stepwise'), String(req.params.id))),
  );
  r.post(
    '/exams/:id/items/:variant',
    form,
    signedIn(async (req, res, who) => postExamItem(req, res, store, who.caller, base(who, 'Exam · Stepwise'), submit), true),
  );
}
