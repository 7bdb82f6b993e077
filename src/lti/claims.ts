/** LTI 1.3 claim names, message types, AGS scopes and role vocabulary, and typed claim readers. */
import type { JWTPayload } from 'jose';
import { LtiError } from './errors.js';

const LTI = 'https://purl.imsglobal.org/spec/lti/claim/';
export const CLAIM = {
  messageType: `${LTI}message_type`,
  version: `${LTI}version`,
  deploymentId: `${LTI}deployment_id`,
  targetLinkUri: `${LTI}target_link_uri`,
  resourceLink: `${LTI}resource_link`,
  roles: `${LTI}roles`,
  context: `${LTI}context`,
  custom: `${LTI}custom`,
  launchPresentation: `${LTI}launch_presentation`,
  ags: 'https://purl.imsglobal.org/spec/lti-ags/claim/endpoint',
  dlSettings: 'https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings',
  dlContentItems: 'https://purl.imsglobal.org/spec/lti-dl/claim/content_items',
  dlData: 'https://purl.imsglobal.org/spec/lti-dl/claim/data',
  dlMessage: 'https://purl.imsglobal.org/spec/lti-dl/claim/msg',
} as const;

export const LTI_VERSION = '1.3.0';
export const RESOURCE_LINK_REQUEST = 'LtiResourceLinkRequest';
export const DEEP_LINKING_REQUEST = 'LtiDeepLinkingRequest';
export const DEEP_LINKING_RESPONSE = 'LtiDeepLinkingResponse';

export const SCOPE_SCORE = 'https://purl.imsglobal.org/spec/lti-ags/scope/score';
export const SCORE_CONTENT_TYPE = 'application/vnd.ims.lis.v1.score+json';

export type Claims = JWTPayload & Record<string, unknown>;

/** A claim that must be a non-empty string; 422 naming it otherwise. */
export function stringClaim(claims: Claims, name: string, what = name): string {
  const v = claims[name];
  if (typeof v !== 'string' || v === '') throw new LtiError('invalid_claim', `the id_token has no ${what} (a non-empty string claim ${name})`, name);
  return v;
}

export function optionalString(v: unknown, max = 1000): string | undefined {
  return typeof v === 'string' && v !== '' ? v.slice(0, max) : undefined;
}

/** A claim that must be an object when present. */
export function objectClaim(claims: Claims, name: string): Record<string, unknown> | undefined {
  const v = claims[name];
  if (v === undefined) return undefined;
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new LtiError('invalid_claim', `the claim ${name} must be an object`, name);
  return v as Record<string, unknown>;
}

export function rolesOf(claims: Claims): string[] {
  const v = claims[CLAIM.roles];
  if (v === undefined) return [];
  if (!Array.isArray(v) || !v.every((r) => typeof r === 'string')) throw new LtiError('invalid_claim', `the roles claim must be an array of strings`, CLAIM.roles);
  return v as string[];
}

/**
 * Whether the roles make the user a Stepwise instructor: a context Instructor or Administrator, or
 * an institution/system Administrator (LIS v2 vocabulary, full URIs or the short context names).
 * Sub-roles such as Instructor#TeachingAssistant do not count.
 */
export function isInstructorRole(roles: readonly string[]): boolean {
  return roles.some((r) => {
    if (r === 'Instructor' || r === 'Administrator') return true;
    const m = /^http:\/\/purl\.imsglobal\.org\/vocab\/lis\/v2\/(membership|institution\/person|system\/person)#(\w+)$/.exec(r);
    if (!m) return false;
    return m[2] === 'Administrator' || (m[2] === 'Instructor' && m[1] !== 'system/person');
  });
}

/** The name to give a new Stepwise user, from the OIDC profile claims. */
export function displayName(claims: Claims, subject: string): string {
  const name = optionalString(claims.name) ?? [optionalString(claims.given_name), optionalString(claims.family_name)].filter(Boolean).join(' ');
  return (name || `LTI user ${subject}`).slice(0, 100);
}
