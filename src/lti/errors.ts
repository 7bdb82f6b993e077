/**
 * The LTI protocol's own errors: one table of codes and their HTTP statuses. What is not LTI's own
 * (no such platform id, not an instructor, a duplicate registration) is a StepwiseError
 * (not_found, forbidden, conflict), mapped with everything else in src/api/problem.ts.
 */
import { HttpError } from '../api/problem.js';

export const LTI_STATUS = {
  // The login and launch forms (OpenID Connect's third-party login): a parameter missing or bad.
  invalid_request: 400,
  invalid_state: 400,
  invalid_id_token: 400,
  platform_error: 400,
  ambiguous_platform: 400,
  // The id_token or the deep-linking context does not prove who is launching.
  invalid_audience: 401,
  invalid_issuer: 401,
  invalid_signature: 401,
  invalid_token: 401,
  token_expired: 401,
  invalid_nonce: 401,
  nonce_replayed: 401,
  invalid_context: 401,
  login_not_bound: 401,
  unknown_deployment: 403,
  // An exam's LMS home is bound only with its link code (src/lti/exam-home.ts).
  exam_not_bound: 403,
  exam_bound_elsewhere: 403,
  invalid_link_code: 403,
  unknown_platform: 404,
  unknown_exam: 404,
  // The launch's claims are readable but not something Stepwise can serve.
  invalid_claim: 422,
  invalid_target: 422,
  no_target: 422,
  unsupported_content_type: 422,
  unsupported_message_type: 422,
  unsupported_version: 422,
  platform_unreachable: 502,
} as const satisfies Record<string, number>;

export type LtiErrorCode = keyof typeof LTI_STATUS;

/** An LTI protocol error; its status comes from LTI_STATUS. */
export class LtiError extends HttpError {
  constructor(code: LtiErrorCode, message: string, field?: string) {
    super(LTI_STATUS[code], code, message, field);
  }
}
