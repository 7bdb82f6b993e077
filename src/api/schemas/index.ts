/**
 * JSON Schemas of every request and response body, by resource (one file each here). ajv checks
 * requests with them (and responses, in tests), and the OpenAPI document is built from them: one
 * source for both. The order of the names is the OpenAPI document's.
 */
import { HEALTH, PROBLEM } from './common.js';
import { EXAMS_COMPONENTS, EXAMS_REQUESTS, PAPER_COMPONENTS } from './exams.js';
import { GRADING_COMPONENTS, GRADING_REQUESTS } from './grading.js';
import { LTI_COMPONENTS, LTI_REQUESTS } from './lti.js';
import { PRACTICE_COMPONENTS, PRACTICE_REQUESTS } from './practice.js';
import { STATISTICS_COMPONENTS } from './statistics.js';
import { EXPORT_REQUESTS, TOPICS_COMPONENTS, TOPICS_REQUESTS } from './topics.js';
import { USERS_COMPONENTS, USERS_REQUESTS } from './users.js';

export { ref, SCHEMA_BASE } from './common.js';

export const COMPONENTS: Record<string, object> = {
  Problem: PROBLEM,
  ...GRADING_COMPONENTS,
  ...TOPICS_COMPONENTS,
  ...USERS_COMPONENTS,
  ...PRACTICE_COMPONENTS,
  ...EXAMS_COMPONENTS,
  ...PAPER_COMPONENTS,
  ...STATISTICS_COMPONENTS,
  Health: HEALTH,
  ...LTI_COMPONENTS,
};

export const REQUESTS: Record<string, object> = {
  ...GRADING_REQUESTS,
  ...TOPICS_REQUESTS,
  ...USERS_REQUESTS,
  ...PRACTICE_REQUESTS,
  ...EXPORT_REQUESTS,
  ...EXAMS_REQUESTS,
  ...LTI_REQUESTS,
};
