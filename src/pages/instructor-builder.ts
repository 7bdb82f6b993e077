/** The builder's instructor areas: home, question browser, exam builder and overview, courses. */
import type { Router } from 'express';
import type { PagesContext } from './context.js';
import { mountCourses } from './instructor-courses.js';
import { mountExamBuilder } from './instructor-exams.js';
import { mountInstructorHome } from './instructor-home.js';
import { mountQuestionBrowser } from './instructor-questions.js';

export function mountBuilder(r: Router, ctx: PagesContext): void {
  mountInstructorHome(r, ctx);
  mountQuestionBrowser(r, ctx);
  mountExamBuilder(r, ctx);
  mountCourses(r, ctx);
}
