/**
 * Who may frame the tool's pages (CSP frame-ancestors). An LMS frames the tool from the host its
 * users browse, which need not be its issuer: Canvas's issuer is https://canvas.instructure.com,
 * its pages are on https://<school>.instructure.com. A platform's configured frame origins win;
 * without them, the origins of its registered URLs and of the launch's return URL (the platform
 * signs it, in launch_presentation or the deep linking settings).
 */
import { StepwiseError } from '../core/errors.js';
import type { LtiPlatform } from './types.js';
import { originOf } from './html.js';

export const MAX_FRAME_ORIGINS = 20;

/** Checks configured frame origins: each an http(s) origin (scheme, host, port; no path). */
export function checkFrameOrigins(v: unknown, field = 'frameOrigins'): string[] {
  if (!Array.isArray(v) || v.length > MAX_FRAME_ORIGINS) throw new StepwiseError('invalid_request', `${field} must be a list of at most ${MAX_FRAME_ORIGINS} origins`, field);
  return [
    ...new Set(
      v.map((o, i) => {
        const origin = typeof o === 'string' ? originOf(o.trim()) : undefined;
        // An origin written with a path or query is refused rather than cut: the admin meant something else.
        if (!origin || origin !== (o as string).trim().replace(/\/$/, '')) {
          throw new StepwiseError('invalid_request', `${field}[${i}] must be an http(s) origin such as https://school.instructure.com, got ${JSON.stringify(o)}`, `${field}[${i}]`);
        }
        return origin;
      }),
    ),
  ];
}

/** The origins that may frame a page shown for this platform. */
export function frameAncestors(platform: LtiPlatform, returnUrl?: string): string[] {
  if (platform.frameOrigins) return platform.frameOrigins;
  const urls = [platform.issuer, platform.authLoginUrl, platform.authTokenUrl, platform.jwksUrl, ...(returnUrl ? [returnUrl] : [])];
  return [...new Set(urls.map(originOf).filter((x): x is string => x !== undefined))];
}
