/**
 * Deep linking (LTI DL 2.0): an instructor adding Stepwise to a course picks a topic, bank question
 * or exam. The request's context (platform, deployment, return URL, data) travels in a short-lived
 * token signed with the tool key, so the picking form needs no session. The answer is an
 * LtiDeepLinkingResponse JWT, signed with the tool key, with one ltiResourceLink whose custom
 * parameters name the target (the platform sends them back on every launch) and a line item.
 */
import { randomBytes } from 'node:crypto';
import type { Request, Response } from 'express';
import { errors } from 'jose';
import { LtiError } from './errors.js';
import { StepwiseError } from '../core/errors.js';
import { json, type Ctx, type RouteSpec } from '../api/route.js';
import { CLAIM, DEEP_LINKING_RESPONSE, LTI_VERSION, isInstructorRole, objectClaim, optionalString, rolesOf } from './claims.js';
import { escapeHtml, originOf, sendPage, wantsJson } from './html.js';
import type { ToolKeyring } from './keys.js';
import { pageGate, type VerifiedLaunch } from './launch.js';
import { frameAncestors } from './frames.js';
import { formParam, launchUrl, requiredParam } from './login.js';
import { HOW_TO_BIND, bindByCode, homedIn } from './exam-home.js';
import { parseTarget, targetChoices, targetMaxScore, targetTitle } from './targets.js';
import type { LtiTarget } from './types.js';

const CONTEXT_TYP = 'stepwise-dl-context+jwt';
const CONTEXT_AUD = 'stepwise:lti-deep-linking';
/** How long the instructor has to pick. */
const CONTEXT_TTL_S = 60 * 60;
/** Lifetime of the signed response (it is posted on at once). */
const RESPONSE_TTL_S = 5 * 60;

export const deepLinkResponseUrl = (baseUrl: string): string => `${baseUrl}/lti/deep-link/response`;

interface DeepLinkContext {
  platform: string;
  deployment: string;
  returnUrl: string;
  data?: string;
  /** The LMS course (context id) the content is added to. */
  course?: string;
}

/** The picker for an LtiDeepLinkingRequest (HTML, or JSON with Accept: application/json). */
export async function deepLinkingRequest(ctx: Ctx, keys: ToolKeyring, v: VerifiedLaunch, req: Request, res: Response) {
  const settings = objectClaim(v.claims, CLAIM.dlSettings);
  const returnUrl = optionalString(settings?.deep_link_return_url, 2000);
  if (!settings || !returnUrl || !originOf(returnUrl)) {
    throw new LtiError('invalid_claim', 'a deep linking request needs deep_linking_settings with an http(s) deep_link_return_url', CLAIM.dlSettings);
  }
  const accept = Array.isArray(settings.accept_types) ? settings.accept_types : [];
  if (!accept.includes('ltiResourceLink')) {
    throw new LtiError('unsupported_content_type', 'the platform does not accept ltiResourceLink content items, the only kind Stepwise offers', `${CLAIM.dlSettings}.accept_types`);
  }
  if (!isInstructorRole(rolesOf(v.claims))) throw new StepwiseError('forbidden', 'only instructors and administrators may add Stepwise content', CLAIM.roles);
  const data = optionalString(settings.data, 4000);
  const contextId = optionalString(objectClaim(v.claims, CLAIM.context)?.id, 255);
  const claims: DeepLinkContext & Record<string, unknown> = {
    platform: v.platform.id,
    deployment: v.deploymentId,
    returnUrl,
    ...(data !== undefined ? { data } : {}),
    ...(contextId ? { course: contextId } : {}),
  };
  const context = await keys.sign({ ...claims, aud: CONTEXT_AUD }, CONTEXT_TTL_S, CONTEXT_TYP);
  const choices = await targetChoices(ctx.store, { platformId: v.platform.id, ...(contextId ? { contextId } : {}) });
  const responseUrl = deepLinkResponseUrl(ctx.baseUrl);
  if (wantsJson(req)) return json(200, { context, responseUrl, ...choices });
  const gate = pageGate(v);

  const radio = (value: string, label: string, first: boolean) =>
    `<label><input type="radio" name="target" value="${escapeHtml(value)}"${first ? ' checked' : ''}> ${escapeHtml(label)}</label>`;
  const group = (heading: string, rows: string[]) => (rows.length ? `<fieldset><legend>${escapeHtml(heading)}</legend>\n${rows.join('\n')}\n</fieldset>` : '');
  sendPage(res, 200, {
    title: 'Add Stepwise content',
    body: `
<h1>Add Stepwise content</h1>
<form method="post" action="${escapeHtml(responseUrl)}">
<input type="hidden" name="context" value="${escapeHtml(context)}">
${group('Practice a topic (a fresh problem each launch)', choices.topics.map((t, i) => radio(`topic:${t.id}`, `${t.title} (${t.id})`, i === 0)))}
${group('A bank question', choices.questions.map((q) => radio(`question:${q.id}`, `${q.title} (${q.topic})`, false)))}
${group('An exam of this course (each student gets their version)', choices.exams.map((e) => radio(`exam:${e.id}`, e.title, false)))}
<fieldset><legend>Another exam</legend>
<label>Exam link code <input type="text" name="code" maxlength="200" autocomplete="off" spellcheck="false"></label>
<p class="hint">The code (ltiLinkCode) is shown to the exam's instructor with the exam (GET /api/v1/exams/{id}); it makes this course the exam's home and adds it here, in place of the choice above.</p>
</fieldset>
<label>Title in the course (optional) <input type="text" name="title" maxlength="200"></label>
<button type="submit">Add</button>
</form>`,
    frameAncestors: frameAncestors(v.platform, returnUrl),
    ...(gate ? { gate } : {}),
  });
  return undefined;
}

async function readContext(keys: ToolKeyring, token: string): Promise<DeepLinkContext> {
  try {
    const p = await keys.verify(token, { audience: CONTEXT_AUD, typ: CONTEXT_TYP, requiredClaims: ['exp'] });
    if (typeof p.platform !== 'string' || typeof p.deployment !== 'string' || typeof p.returnUrl !== 'string') throw new errors.JWTInvalid('missing fields');
    return {
      platform: p.platform,
      deployment: p.deployment,
      returnUrl: p.returnUrl,
      ...(typeof p.data === 'string' ? { data: p.data } : {}),
      ...(typeof p.course === 'string' ? { course: p.course } : {}),
    };
  } catch (err) {
    if (err instanceof errors.JWTExpired) throw new LtiError('invalid_context', 'the deep linking context has expired (an hour); start again from the platform', 'context');
    if (err instanceof errors.JOSEError) throw new LtiError('invalid_context', 'the deep linking context is not one this tool issued', 'context');
    throw err;
  }
}

export function deepLinkResponseRoute(keys: ToolKeyring): RouteSpec {
  return {
    method: 'post',
    path: '/lti/deep-link/response',
    summary: 'Deep linking: the chosen target becomes a signed LtiDeepLinkingResponse, auto-posted back to the platform',
    tag: 'lti',
    access: 'public',
    body: { contentType: 'application/x-www-form-urlencoded' },
    responses: {
      200: { description: 'an auto-submitting form to the platform (HTML), or the response JWT (JSON)', schema: 'LtiDeepLinkingResponse', also: ['text/html'] },
    },
    handler: async (ctx, req, res) => {
      const dl = await readContext(keys, requiredParam(req, 'context'));
      const platform = await ctx.store.lti.getPlatform(dl.platform);
      if (!platform) throw new LtiError('unknown_platform', 'the platform of this deep linking request is no longer registered', 'context');
      const course = { platformId: platform.id, ...(dl.course ? { contextId: dl.course } : {}) };
      // A link code adds (and binds) its exam; without one, an exam must be this course's already.
      const code = formParam(req, 'code')?.trim();
      const target: LtiTarget = code ? { kind: 'exam', id: (await bindByCode(ctx.store, code, course, 'code')).id } : parseTarget(formParam(req, 'target'));
      if (!code && target.kind === 'exam') {
        await targetTitle(ctx.store, target); // 404 for an unknown exam
        if (!(await homedIn(ctx.store, target.id, course))) {
          throw new LtiError('exam_not_bound', `this exam is not one of this course's; ${HOW_TO_BIND}`, 'target');
        }
      }
      const title = (formParam(req, 'title') ?? (await targetTitle(ctx.store, target))).slice(0, 200);
      const scoreMaximum = await targetMaxScore(ctx.store, target);
      const item = {
        type: 'ltiResourceLink',
        title,
        url: launchUrl(ctx.baseUrl),
        custom: { [target.kind]: target.id },
        lineItem: { scoreMaximum, label: title, resourceId: `${target.kind}:${target.id}`, tag: 'stepwise' },
      };
      const jwt = await keys.sign(
        {
          iss: platform.clientId,
          aud: platform.issuer,
          nonce: randomBytes(16).toString('base64url'),
          [CLAIM.messageType]: DEEP_LINKING_RESPONSE,
          [CLAIM.version]: LTI_VERSION,
          [CLAIM.deploymentId]: dl.deployment,
          [CLAIM.dlContentItems]: [item],
          ...(dl.data !== undefined ? { [CLAIM.dlData]: dl.data } : {}),
        },
        RESPONSE_TTL_S,
      );
      ctx.logger?.info({ platform: platform.id, target }, 'LTI deep link');
      if (wantsJson(req)) return json(200, { jwt, returnUrl: dl.returnUrl, contentItems: [item] });
      sendPage(res, 200, {
        title: 'Returning to the course',
        body: `
<form id="back" method="post" action="${escapeHtml(dl.returnUrl)}">
<input type="hidden" name="JWT" value="${escapeHtml(jwt)}">
<p>Adding “${escapeHtml(title)}” to the course… <button type="submit">Continue</button></p>
</form>`,
        script: "document.getElementById('back').submit();",
        formAction: [originOf(dl.returnUrl)].filter((x): x is string => !!x),
        frameAncestors: frameAncestors(platform, dl.returnUrl),
      });
      return undefined;
    },
  };
}
