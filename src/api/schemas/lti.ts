/** Schemas of LTI 1.3: platforms, configuration, launches and deep linking. */
import { httpUrl, id, obj, ref, role, str, time } from './common.js';

export const LTI_COMPONENTS = {
  LtiPlatform: obj(
    {
      id,
      name: { type: 'string' },
      issuer: { type: 'string' },
      clientId: { type: 'string' },
      authLoginUrl: { type: 'string' },
      authTokenUrl: { type: 'string' },
      jwksUrl: { type: 'string' },
      deploymentIds: { type: 'array', items: { type: 'string' } },
      frameOrigins: { type: 'array', items: { type: 'string' }, description: 'origins that may frame the tool (default: those of the registered URLs and the launch return URL)' },
      createdAt: time,
    },
    ['id', 'name', 'issuer', 'clientId', 'authLoginUrl', 'authTokenUrl', 'jwksUrl', 'deploymentIds', 'createdAt'],
    'a registered LTI 1.3 platform (LMS)',
  ),
  LtiPlatformList: { type: 'array', items: ref('LtiPlatform') },
  PassbackJob: obj(
    {
      id: { type: 'integer' },
      attemptId: { type: 'string' },
      state: { enum: ['pending', 'done', 'dead'] },
      tries: { type: 'integer', minimum: 0 },
      dueAt: time,
      lastError: { type: 'string' },
      lastStatus: { type: 'integer' },
      createdAt: time,
      doneAt: time,
    },
    ['id', 'attemptId', 'state', 'tries', 'dueAt', 'createdAt'],
    'a grade passback job: one attempt score (or exam total) to post to an LMS line item',
  ),
  PassbackJobList: obj(
    {
      counts: obj({ pending: { type: 'integer' }, done: { type: 'integer' }, dead: { type: 'integer' } }, ['pending', 'done', 'dead']),
      jobs: { type: 'array', items: ref('PassbackJob') },
    },
    ['counts', 'jobs'],
    'grade passback jobs of one state, newest first, and the counts per state',
  ),
  CanvasConfig: {
    type: 'object',
    description: 'a Canvas LTI 1.3 developer key configuration (JSON)',
    required: ['title', 'oidc_initiation_url', 'target_link_uri', 'public_jwk_url', 'scopes', 'extensions'],
    properties: {
      title: { type: 'string' },
      description: { type: 'string' },
      oidc_initiation_url: { type: 'string' },
      target_link_uri: { type: 'string' },
      public_jwk_url: { type: 'string' },
      scopes: { type: 'array', items: { type: 'string' } },
      extensions: { type: 'array', items: { type: 'object' } },
      custom_fields: { type: 'object' },
    },
  },
  LtiConfig: obj(
    {
      title: { type: 'string' },
      description: { type: 'string' },
      loginUrl: { type: 'string', description: 'OIDC login initiation URL' },
      launchUrl: { type: 'string', description: 'target link URI' },
      redirectUris: { type: 'array', items: { type: 'string' } },
      jwksUrl: { type: 'string', description: "the tool's public keyset URL" },
      deepLinkingUrl: { type: 'string' },
      deepLinkResponseUrl: { type: 'string' },
      scopes: { type: 'array', items: { type: 'string' } },
      customParameters: { type: 'string' },
    },
    ['title', 'description', 'loginUrl', 'launchUrl', 'redirectUris', 'jwksUrl', 'deepLinkingUrl', 'deepLinkResponseUrl', 'scopes', 'customParameters'],
    'what an LMS administrator enters to add the tool',
  ),
  LtiJwks: obj(
    {
      keys: {
        type: 'array',
        items: {
          type: 'object',
          properties: { kty: { const: 'RSA' }, kid: { type: 'string' }, alg: { const: 'RS256' }, use: { const: 'sig' }, n: { type: 'string' }, e: { type: 'string' } },
          required: ['kty', 'kid', 'alg', 'use', 'n', 'e'],
          propertyNames: { not: { enum: ['d', 'p', 'q', 'dp', 'dq', 'qi'] } },
        },
      },
    },
    ['keys'],
    "the tool's public keys (RFC 7517)",
  ),
  LtiTarget: obj({ kind: { enum: ['topic', 'question', 'exam'] }, id }, ['kind', 'id']),
  LtiLaunch: obj(
    {
      variantId: id,
      apiKey: { type: 'string', description: 'a short-lived API key for the launched user' },
      userId: id,
      prompt: { type: 'string', description: 'Markdown with TeX math (the first item, for an exam)' },
      role,
      target: ref('LtiTarget'),
      expiresAt: time,
      examId: id,
      examVersion: { type: 'integer', minimum: 1, description: 'numbered from 1' },
      variantIds: { type: 'array', items: id },
      lineItem: { type: 'string', description: 'where scores are posted' },
    },
    ['variantId', 'apiKey', 'userId', 'prompt', 'role', 'target', 'expiresAt'],
  ),
  LtiDeepLinkingChoices: obj(
    {
      context: { type: 'string', description: 'signed deep linking context, to post back with the choice' },
      responseUrl: { type: 'string' },
      topics: { type: 'array', items: obj({ id, title: { type: 'string' } }, ['id', 'title']) },
      questions: { type: 'array', items: obj({ id, title: { type: 'string' }, topic: id }, ['id', 'title', 'topic']) },
      exams: { type: 'array', items: obj({ id, title: { type: 'string' } }, ['id', 'title']) },
    },
    ['context', 'responseUrl', 'topics', 'questions', 'exams'],
  ),
  LtiLaunchReply: { anyOf: [ref('LtiLaunch'), ref('LtiDeepLinkingChoices')] },
  LtiContentItem: obj(
    {
      type: { const: 'ltiResourceLink' },
      title: { type: 'string' },
      url: { type: 'string' },
      custom: { type: 'object', additionalProperties: { type: 'string' } },
      lineItem: obj(
        { scoreMaximum: { type: 'number' }, label: { type: 'string' }, resourceId: { type: 'string' }, tag: { type: 'string' } },
        ['scoreMaximum', 'label'],
      ),
    },
    ['type', 'title', 'url', 'custom', 'lineItem'],
  ),
  LtiDeepLinkingResponse: obj(
    {
      jwt: { type: 'string', description: 'the signed LtiDeepLinkingResponse' },
      returnUrl: { type: 'string' },
      contentItems: { type: 'array', items: ref('LtiContentItem') },
    },
    ['jwt', 'returnUrl', 'contentItems'],
  ),
};

export const LTI_REQUESTS = {
  NewLtiPlatformRequest: obj(
    {
      name: str(200),
      issuer: { ...httpUrl(500), description: "the platform's issuer (iss of its id_tokens)" },
      clientId: { ...str(255), description: 'the client id the platform gave the tool' },
      authLoginUrl: { ...httpUrl(), description: "the platform's OIDC authorization endpoint" },
      authTokenUrl: { ...httpUrl(), description: "the platform's OAuth 2 token endpoint" },
      jwksUrl: { ...httpUrl(), description: "the platform's public keyset URL" },
      deploymentIds: { type: 'array', items: str(255), minItems: 1, maxItems: 100, uniqueItems: true },
      frameOrigins: {
        type: 'array',
        items: httpUrl(500),
        maxItems: 20,
        description: "origins that may frame the tool, e.g. Canvas's https://<school>.instructure.com (default: those of the URLs above and of the launch's return URL)",
      },
    },
    ['name', 'issuer', 'clientId', 'authLoginUrl', 'authTokenUrl', 'jwksUrl', 'deploymentIds'],
  ),
  FrameOriginsRequest: obj(
    { frameOrigins: { type: ['array', 'null'], items: httpUrl(500), maxItems: 20, description: 'http(s) origins; empty or null: the default' } },
    ['frameOrigins'],
  ),
};
