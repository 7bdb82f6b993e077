/**
 * The tool's configuration in Canvas's developer key JSON format ("LTI Key" → Method: "Paste JSON"
 * or "Enter URL" with this route's address). The issuer Canvas uses is
 * https://canvas.instructure.com (Canvas Cloud); Canvas frames the tool from the school's own
 * host, which the platform's frame origins must name (README, Canvas).
 */
import { json, type RouteSpec } from '../api/route.js';
import { SCOPE_SCORE } from './claims.js';
import { toolConfig } from './platforms.js';

export const CANVAS_ISSUER = 'https://canvas.instructure.com';

export function canvasConfig(baseUrl: string) {
  const c = toolConfig(baseUrl);
  const deepLink = (placement: string) => ({
    placement,
    message_type: 'LtiDeepLinkingRequest',
    target_link_uri: c.deepLinkingUrl,
    text: c.title,
  });
  return {
    title: c.title,
    description: c.description,
    oidc_initiation_url: c.loginUrl,
    target_link_uri: c.launchUrl,
    public_jwk_url: c.jwksUrl,
    scopes: [SCOPE_SCORE],
    extensions: [
      {
        domain: new URL(c.launchUrl).host,
        tool_id: 'stepwise',
        platform: 'canvas.instructure.com',
        // The name is shown on results and on new users; nothing else of the profile is used.
        privacy_level: 'name_only',
        settings: {
          text: c.title,
          placements: [deepLink('assignment_selection'), deepLink('link_selection')],
        },
      },
    ],
    custom_fields: {},
  };
}

export function canvasConfigRoute(): RouteSpec {
  return {
    method: 'get',
    path: '/lti/canvas.json',
    summary: 'The tool as a Canvas developer key JSON configuration (Developer Keys → + LTI Key → Paste JSON or Enter URL)',
    tag: 'lti',
    access: 'public',
    responses: { 200: { description: 'the Canvas configuration', schema: 'CanvasConfig' } },
    handler: async (ctx) => json(200, canvasConfig(ctx.baseUrl)),
  };
}
