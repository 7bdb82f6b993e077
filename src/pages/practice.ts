/**
 * The practice pages: home (the student's exams, mastery and recent attempts), the weakest-topic
 * shortcut, a new variant of a topic or bank question, and one variant's page with its check, hint
 * and submit.
 */
import type { Response, Router } from 'express';
import { getTopic, listTopics, resolve } from '../engine.js';
import { assertCanSeeVariant, assertRevealed, isInstructor } from '../service/access.js';
import { attemptView } from '../service/attempts.js';
import type { Caller } from '../service/caller.js';
import { myExams } from '../service/my-exams.js';
import { nextVariant, sessionMastery, weakestTopic } from '../service/practice.js';
import { createVariant, getVariant } from '../service/variants.js';
import type { PracticeSession, Variant } from '../store/types.js';
import { answersOf, readForm, stepShapes } from './answers-form.js';
import { examLine } from './my-exams.js';
import type { PagesContext, Signed } from './context.js';
import { PageError } from './errors.js';
import { checkedState, questionView, recordHint, revealedHints, submittedState, type QuestionState } from './question.js';
import { sendHtml } from './render.js';

const round = (x: number) => Math.round(x * 100) / 100;

/** `artefacts`: the artefact questions listed on the home page. */
export function mountPractice(r: Router, { store, form, signedIn, base, submit, figures, refreshSeconds }: PagesContext, artefacts: () => unknown): void {
  /** The user's web practice session over every topic (made on first use). */
  async function practiceSession(caller: Caller): Promise<PracticeSession> {
    const id = await store.webSessions.practiceSession(caller.user.id);
    const s = id ? await store.sessions.get(id) : undefined;
    if (s) return s;
    const made = await store.sessions.create({ userId: caller.user.id, topics: listTopics().map((t) => t.id), difficulty: 'medium' });
    await store.webSessions.setPracticeSession(caller.user.id, made.id);
    return made;
  }

  r.get(
    '/',
    signedIn(async (_req, res, who) => {
      const s = await practiceSession(who.caller);
      const { mastery, variants } = await sessionMastery(store, s);
      const titles = new Map(listTopics().map((t) => [t.id, t.title]));
      const topics = mastery.map((m) => ({
        id: m.topic,
        title: titles.get(m.topic) ?? m.topic,
        attempts: m.attempts,
        percent: m.mastery === null ? undefined : Math.round(m.mastery * 100),
        value: m.mastery ?? 0,
      }));
      const byId = new Map(variants.map((v) => [v.id, v]));
      const attempts = (await store.attempts.listBySession(s.id))
        .slice(-10)
        .reverse()
        .map((a) => {
          const v = byId.get(a.variantId);
          return { variantId: a.variantId, topic: titles.get(v?.topic ?? '') ?? v?.topic, score: `${round(a.score)}/${round(a.maxScore)}`, at: a.createdAt.slice(0, 16).replace('T', ' ') };
        });
      // The student's exams (an LMS page session never reaches this page: its home is the LMS).
      const exams = who.embed ? [] : (await myExams(store, who.caller)).map(examLine);
      sendHtml(res, 200, 'home', { ...base(who, 'Stepwise practice'), exams, topics, attempts, weakest: titles.get(weakestTopic(mastery)), artefacts: artefacts() });
    }),
  );

  r.post(
    '/practice/weakest',
    form,
    signedIn(async (_req, res, who) => {
      const v = await nextVariant(store, await practiceSession(who.caller));
      res.redirect(303, `/practice/v/${encodeURIComponent(v.id)}`);
    }, true),
  );

  /** A practice variant the caller may see (the service's rules); the pages handle practice only. */
  async function practiceVariant(caller: Caller, id: string): Promise<Variant> {
    const v = await getVariant(store, id);
    await assertCanSeeVariant(store, caller, v);
    if (v.mode !== 'practice') throw new PageError(404, 'not_found', 'This is an exam variant; open it from its exam.');
    return v;
  }

  const showQuestion = async (res: Response, who: Signed, v: Variant, status = 200, state: QuestionState = {}) => {
    const f = await figures(v);
    if (f) state = { ...state, figures: f };
    if (f && !f.ready) {
      // The runs compute: the page reloads itself (a Refresh header works with JavaScript off), always as a GET of the variant.
      res.set('Refresh', `${refreshSeconds}; url=/practice/v/${encodeURIComponent(v.id)}`);
      status = f.failed ? 503 : 202;
    }
    sendHtml(res, status, 'question', { ...base(who, `${getTopic(v.topic).title} · Stepwise`), item: await questionView(v, state) });
  };

  r.get(
    '/practice/v/:id',
    signedIn(async (req, res, who) => {
      const v = await practiceVariant(who.caller, String(req.params.id));
      await showQuestion(res, who, v, 200, { hintsRevealed: await revealedHints(store, who.caller.user.id, v.id) });
    }),
  );

  r.get(
    '/practice/:ref',
    signedIn(async (req, res, who) => {
      const seedText = typeof req.query.seed === 'string' && req.query.seed !== '' ? req.query.seed : undefined;
      const seed = seedText === undefined ? undefined : /^\d{1,16}$/.test(seedText) ? Number(seedText) : NaN;
      const difficulty = typeof req.query.difficulty === 'string' && req.query.difficulty !== '' ? req.query.difficulty : undefined;
      const s = await practiceSession(who.caller);
      const ref = String(req.params.ref);
      const { topic } = resolve(ref); // unknown: 404 naming the topics
      // The API's own path: a seed landing on an unreleased exam item is refused (403).
      const v = await createVariant(store, {
        ref,
        ...(seed !== undefined ? { seed } : {}),
        ...(difficulty ? { difficulty } : {}),
        mode: 'practice',
        createdBy: who.caller.user.id,
        // A bank question counts towards its topic's mastery.
        sessionId: s.topics.includes(topic.id) ? s.id : undefined,
        allowExamItems: isInstructor(who.caller),
      });
      await showQuestion(res, who, v);
    }),
  );

  // Check a step or submit all. Unreadable entries are named and nothing is graded or stored.
  r.post(
    '/practice/v/:id',
    form,
    signedIn(async (req, res, who) => {
      const v = await practiceVariant(who.caller, String(req.params.id));
      const body = req.body as Record<string, unknown>;
      const entries = readForm(body, stepShapes(v));
      const action = typeof body.action === 'string' ? body.action : 'submit';
      let hintsRevealed = await revealedHints(store, who.caller.user.id, v.id);
      // Revealing a hint is recorded before it is shown: a question may charge for it (hintPenalty).
      if (action.startsWith('hint:')) {
        const step = action.slice('hint:'.length);
        if (!entries.has(step)) throw new PageError(422, 'invalid_request', 'That step is not part of this question.');
        hintsRevealed = await recordHint(store, who.caller.user.id, v.id, step);
        return showQuestion(res, who, v, 200, { entries, hintsRevealed });
      }
      // "Try again" inside an LMS iframe (no cookie, so no GET): the same variant, blank.
      if (action === 'again') return showQuestion(res, who, v);
      if (action.startsWith('check:')) {
        const step = action.slice('check:'.length);
        const e = entries.get(step);
        if (!e) throw new PageError(422, 'invalid_request', 'That step is not part of this question.');
        await assertRevealed(store, who.caller, v);
        if (e.problem || e.raw === undefined) {
          return showQuestion(res, who, v, 422, { entries, hintsRevealed, checked: step, notice: e.problem ? `${step} was not checked: it cannot be read.` : `${step} is empty: nothing to check.` });
        }
        return showQuestion(res, who, v, 200, checkedState(v, entries, step, answersOf(entries), hintsRevealed));
      }
      const bad = [...entries].filter(([, e]) => e.problem);
      if (bad.length > 0) {
        return showQuestion(res, who, v, 422, { entries, hintsRevealed, notice: `Nothing was graded or recorded: ${bad.map(([id]) => id).join(', ')} cannot be read. Fix ${bad.length === 1 ? 'it' : 'them'} and submit again.` });
      }
      const attempt = await submit(who.caller, v, answersOf(entries), [...hintsRevealed]);
      const view = await attemptView(store, who.caller, attempt, v);
      await showQuestion(res, who, v, 200, { ...(await submittedState(store, who.caller, v, view, entries)), hintsRevealed });
    }, true),
  );
}
