/**
 * An LtiResourceLinkRequest: the Stepwise user for (iss, sub), the resource link and its target,
 * the AGS line item, the variant(s) to work on, a launch record per variant (so an attempt knows
 * where its score goes) and a short-lived API key for the page's client, scoped to the resource
 * link (and its course and exam): an instructor's launch key is no server-wide instructor key
 * (src/api/auth.ts says what it reaches), and reaches an exam only from the exam's home course
 * (src/lti/exam-home.ts: bound with the exam's link code). An API client (Accept: application/json)
 * gets the key; a browser lands on the web pages with a page session opened over it (src/lti/page.ts).
 */
import { LtiError } from './errors.js';
import type { Ctx } from '../api/route.js';
import { checkDifficulty } from '../engine.js';
import { assertExamStarted } from '../service/exam-rules.js';
import { createVariant } from '../service/variants.js';
import type { Exam, Role, Store, User, Variant } from '../store/types.js';
import { CLAIM, SCOPE_SCORE, displayName, isInstructorRole, objectClaim, optionalString, rolesOf, stringClaim, type Claims } from './claims.js';
import { originOf } from './html.js';
import { HOW_TO_BIND, bindByCustomCode, homedIn } from './exam-home.js';
import type { VerifiedLaunch } from './launch.js';
import { targetFromCustom, targetTitle } from './targets.js';
import type { LtiPlatform, LtiTarget } from './types.js';

/** Lifetime of the API key a launch hands to the page. */
export const LAUNCH_KEY_TTL_MS = 2 * 60 * 60_000;

export interface LaunchResult {
  variantId: string;
  apiKey: string;
  userId: string;
  prompt: string;
  role: Role;
  target: LtiTarget;
  expiresAt: string;
  examId?: string;
  examVersion?: number;
  variantIds?: string[];
  lineItem?: string;
}

async function launchUser(store: Store, platform: LtiPlatform, claims: Claims, role: Role): Promise<User> {
  const sub = stringClaim(claims, 'sub', 'subject (sub)');
  if (sub.length > 255) throw new LtiError('invalid_claim', 'sub is longer than 255 characters', 'sub');
  const found = await store.users.findByLti(platform.issuer, sub);
  if (found) return found;
  try {
    return await store.users.create({ name: displayName(claims, sub), role, ltiIssuer: platform.issuer, ltiSubject: sub });
  } catch (err) {
    // Two first launches at once: the other one created the user.
    const again = await store.users.findByLti(platform.issuer, sub);
    if (again) return again;
    throw err;
  }
}

/** The AGS line item URL, when the platform grants the score scope. */
function lineItemOf(claims: Claims): { lineitem: string; lineitems?: string } | undefined {
  const ags = objectClaim(claims, CLAIM.ags);
  if (!ags) return undefined;
  const scopes = Array.isArray(ags.scope) ? ags.scope : [];
  const lineitem = optionalString(ags.lineitem, 2000);
  if (!lineitem || !scopes.includes(SCOPE_SCORE)) return undefined;
  if (!originOf(lineitem)) throw new LtiError('invalid_claim', 'the AGS lineitem must be an http(s) URL', `${CLAIM.ags}.lineitem`);
  const lineitems = optionalString(ags.lineitems, 2000);
  return { lineitem, ...(lineitems ? { lineitems } : {}) };
}

export async function resourceLinkLaunch(ctx: Ctx, v: VerifiedLaunch): Promise<{ result: LaunchResult; keyId: string; variants: Variant[]; exam?: Exam }> {
  const { store } = ctx;
  const { platform, claims, deploymentId } = v;
  const link = objectClaim(claims, CLAIM.resourceLink);
  const linkId = optionalString(link?.id, 255);
  if (!link || !linkId) throw new LtiError('invalid_claim', 'a resource link launch needs the resource_link claim with an id', CLAIM.resourceLink);
  const role: Role = isInstructorRole(rolesOf(claims)) ? 'instructor' : 'student';
  const custom = objectClaim(claims, CLAIM.custom);
  const given = targetFromCustom(custom);
  if (given) await targetTitle(store, given); // 404 for an unknown topic, question or exam
  const context = objectClaim(claims, CLAIM.context);
  const contextId = optionalString(context?.id, 255);
  const contextTitle = optionalString(context?.title, 500);
  const title = optionalString(link.title, 500);

  // exam_code=<link code> next to exam=<id> binds an unbound exam to this course (any role: an LMS
  // administrator may set up the link); a wrong code, or an exam homed elsewhere, is refused.
  const examCode = custom?.exam_code;
  if (examCode !== undefined && examCode !== '') {
    if (given?.kind !== 'exam') throw new LtiError('invalid_target', 'the custom parameter exam_code goes with exam=<id>', `${CLAIM.custom}.exam_code`);
    await bindByCustomCode(store, given.id, examCode, { platformId: platform.id, ...(contextId ? { contextId } : {}) }, `${CLAIM.custom}.exam_code`);
  }

  const user = await launchUser(store, platform, claims, role);
  const stored = await store.lti.upsertResourceLink({
    platformId: platform.id,
    deploymentId,
    resourceLinkId: linkId,
    ...(contextId ? { contextId } : {}),
    ...(contextTitle ? { contextTitle } : {}),
    ...(title ? { title } : {}),
    ...(given ? { target: given } : {}),
  });
  const target = stored.target;
  if (!target) {
    throw new LtiError(
      'no_target',
      'this resource link opens nothing: give it a custom parameter topic=<id>, question=<id> or exam=<id>, or add it through deep linking',
      CLAIM.custom,
    );
  }
  const item = lineItemOf(claims);
  if (item) await store.lti.setLineItem(stored.id, item.lineitem, item.lineitems);
  // Grades go back for learners; an instructor trying the activity posts nothing to the gradebook.
  const lineItemUrl = role === 'student' ? (item?.lineitem ?? stored.lineItemUrl) : undefined;

  const course = { platformId: platform.id, ...(stored.contextId ? { contextId: stored.contextId } : {}) };
  let variants: Variant[];
  let exam: { examId: string; examVersion: number } | undefined;
  let e: Exam | undefined;
  if (target.kind === 'exam') {
    e = await store.exams.get(target.id);
    if (!e) throw new LtiError('unknown_exam', `no exam with id ${JSON.stringify(target.id)}`, 'exam');
    // An instructor sees an exam (its problems, and a key over its results) only from its home course.
    if (role === 'instructor' && !(await homedIn(store, e.id, course))) {
      throw new LtiError('exam_not_bound', `this exam is not bound to this course, so its instructors cannot open it here; ${HOW_TO_BIND}`, CLAIM.custom);
    }
    // Before the exam opens a student gets no version and sees no problem (409 exam_not_open).
    assertExamStarted(e, role !== 'student');
    // Students get their version (assigned in rotation, then kept); instructors look at version 1
    // without taking a place in the rotation.
    const version = role === 'student' ? await store.exams.assign(e.id, user.id, e.versions) : ((await store.exams.assignment(e.id, user.id)) ?? 1);
    variants = await store.variants.listByExam(e.id, version);
    exam = { examId: e.id, examVersion: version };
  } else {
    const difficulty = custom?.difficulty === undefined ? undefined : checkDifficulty(custom.difficulty, 'custom.difficulty');
    variants = [await createVariant(store, { ref: target.id, ...(difficulty ? { difficulty } : {}), mode: 'practice', createdBy: user.id })];
  }
  if (variants.length === 0) throw new LtiError('no_target', `exam ${JSON.stringify(target.id)} has no items`, CLAIM.custom);
  for (const variant of variants) {
    await store.lti.createLaunch({ userId: user.id, resourceLink: stored.id, variantId: variant.id, ...(lineItemUrl ? { lineItemUrl } : {}) });
  }
  const expiresAt = new Date(Date.now() + LAUNCH_KEY_TTL_MS).toISOString();
  // An instructor reaches this point with an exam only from its home course (refused above).
  const scope = { resourceLink: stored.id, ...(stored.contextId ? { contextId: stored.contextId } : {}), ...(exam ? { examId: exam.examId } : {}) };
  const { secret, key } = await store.keys.create({ userId: user.id, role, label: 'LTI launch', expiresAt, scope });
  ctx.logger?.info({ platform: platform.id, user: user.id, target, variants: variants.length }, 'LTI launch');
  return {
    result: {
      variantId: variants[0].id,
      apiKey: secret,
      userId: user.id,
      prompt: variants[0].prompt,
      role,
      target,
      expiresAt,
      ...(exam ? { ...exam, variantIds: variants.map((x) => x.id) } : {}),
      ...(lineItemUrl ? { lineItem: lineItemUrl } : {}),
    },
    keyId: key.id,
    variants,
    ...(e ? { exam: e } : {}),
  };
}

/** The launch's return URL (launch_presentation.return_url), when it is an http(s) URL. */
export function returnUrlOf(claims: Claims): string | undefined {
  const presentation = objectClaim(claims, CLAIM.launchPresentation);
  const url = optionalString(presentation?.return_url, 2000);
  return url && originOf(url) ? url : undefined;
}
