/**
 * Where a resource link launch lands in a browser: the web pages' own question or exam page
 * (src/pages), inside the LMS's iframe. Third-party cookies cannot be relied on there, so the
 * launch opens an LTI page session (store.webSessions with the platform's frame origins) whose
 * short-lived token the page carries in its forms' hidden `_csrf` field and its fetches'
 * X-CSRF-Token header (src/pages/session.ts, embeddedCaller): never a cookie, a URL, visible text
 * or a log line. The session ends with the launch's scoped key. The page is framed only by the
 * platform (src/lti/frames.ts), tells the platform its height (lti.frameResize), and, when the
 * login's cookie did not come back, shows nothing until the platform's storage holds the login's
 * state (src/lti/binding.ts).
 */
import type { Request, Response } from 'express';
import { json, type Ctx } from '../api/route.js';
import { getTopic } from '../engine.js';
import { figuresFor } from '../pages/artefact-figures.js';
import { sendExamPage } from '../pages/exam.js';
import { questionView } from '../pages/question.js';
import { sendHtml, type PageData } from '../pages/render.js';
import type { Exam, Variant } from '../store/types.js';
import { LtiError } from './errors.js';
import { frameAncestors } from './frames.js';
import { gateScript, wantsJson } from './html.js';
import { pageGate, type VerifiedLaunch } from './launch.js';
import { returnUrlOf, type LaunchResult } from './resource-link.js';

type Launched = { result: LaunchResult; keyId: string; variants: Variant[]; exam?: Exam };

/** Answers a launch: JSON (the variant and the key) for API clients, else the landed page. */
export async function sendLaunch(ctx: Ctx, req: Request, res: Response, v: VerifiedLaunch, launch: Launched) {
  if (wantsJson(req)) return json(200, launch.result);
  await landOnPage(ctx, res, v, launch);
  return undefined;
}

async function landOnPage(ctx: Ctx, res: Response, v: VerifiedLaunch, launch: Launched): Promise<void> {
  const { store } = ctx;
  const { result, variants, exam } = launch;
  const frames = frameAncestors(v.platform, returnUrlOf(v.claims));
  const { token } = await store.webSessions.create({ userId: result.userId, keyId: launch.keyId, expiresAt: result.expiresAt, frameAncestors: frames });
  const session = await store.webSessions.authenticate(token);
  if (!session) throw new LtiError('invalid_request', 'the launch’s page session could not be opened; start the activity again from the course');
  const gate = pageGate(v);
  const base: PageData = {
    title: 'Stepwise',
    script: true,
    user: { name: session.caller.user.name },
    csrf: token,
    embed: { frameAncestors: frames, ...(gate ? { gate: gateScript(gate, 'main') } : {}) },
  };
  if (exam) return sendExamPage(res, store, session.caller, base, exam.id);
  const variant = variants[0];
  // A question about model runs shows its pictures (or how far its runs are: the launch cannot reload itself, the course page can).
  const figures = await figuresFor(store)(variant);
  sendHtml(res, 200, 'question', { ...base, title: `${getTopic(variant.topic).title} · Stepwise`, item: await questionView(variant, figures ? { figures } : {}) });
}
