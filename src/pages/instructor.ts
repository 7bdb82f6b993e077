/**
 * The instructors' pages under /instructor (question browser, exam builder, results, statistics,
 * printing): the same app, sign-in and session as the student pages, for instructor keys only.
 * Each area mounts its routes from its own file; this one holds the guard they share and mounts them.
 */
import type { Router } from 'express';
import type { Caller } from '../service/caller.js';
import type { Handler, PagesContext, Signed } from './context.js';
import { PageError } from './errors.js';
import { mountBuilder } from './instructor-builder.js';
import { mountResults } from './instructor-results.js';
import { mountStats } from './instructor-stats.js';
import { mountPrint } from './instructor-print.js';
import { mountPassback } from './instructor-passback.js';

export const INSTRUCTOR_PATH = '/instructor';

/** Whether this caller may use the instructor pages: an instructor's own, unscoped key (not an LTI launch key). */
export const isInstructor = (c: Caller): boolean => c.key.role === 'instructor' && c.key.scope === undefined;

/** A page for instructors only: others signed in get a 403 page (not the page, not a hint of what it holds). */
export function instructorOnly(ctx: PagesContext, fn: Handler, post = false) {
  return ctx.signedIn(async (req, res, who: Signed) => {
    if (who.embed || !isInstructor(who.caller)) throw new PageError(403, 'forbidden', 'This page is for instructors. Sign in with an instructor key.');
    await fn(req, res, who);
  }, post);
}

/** Mounts every instructor area (each file adds its routes under INSTRUCTOR_PATH). */
export function mountInstructor(r: Router, ctx: PagesContext): void {
  mountBuilder(r, ctx);
  mountResults(r, ctx);
  mountStats(r, ctx);
  mountPrint(r, ctx);
  mountPassback(r, ctx);
}
