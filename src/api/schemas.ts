/**
 * JSON Schemas of every request and response body. ajv checks requests with them (and responses,
 * in tests), and the OpenAPI document is built from them: one source for both.
 * Refs are written `ref('Name')`; ajv resolves them by $id, OpenAPI by #/components/schemas.
 */
import { MAX_SEED } from '../generators/rng.js';
import { DIFFICULTIES } from '../solvers/topic.js';

export const SCHEMA_BASE = 'https://stepwise.dev/schemas/';
export const ref = (name: string) => ({ $ref: `${SCHEMA_BASE}${name}` }) as const;

const str = (max = 200) => ({ type: 'string', minLength: 1, maxLength: max }) as const;
const id = { type: 'string', minLength: 1, maxLength: 100 } as const;
const time = { type: 'string', format: 'date-time' } as const;
const difficulty = { enum: [...DIFFICULTIES] } as const;
const seed = { type: 'integer', minimum: 0, maximum: MAX_SEED } as const;
const role = { enum: ['instructor', 'student'] } as const;
const feedbackPolicy = { enum: ['none', 'status', 'full'] } as const;
/** The exam rules, as created and as shown (defaults in src/service/exams.ts checkRules). */
const examRules = {
  opensAt: { ...time, description: 'attempts are refused before this time (409 exam_not_open); none: open from creation' },
  closesAt: { ...time, description: 'attempts are refused from this time (409 exam_closed); none: open until released' },
  attemptLimit: { type: 'integer', minimum: 1, maximum: 100, description: 'attempts per item per student (default 1); more are refused (409 attempt_limit)' },
  feedback: { ...feedbackPolicy, description: 'what a student sees of an attempt before release: none (a receipt; the default), status (per-step status), full (statuses, credit, score, feedback, misconceptions; never expected values)' },
  counts: { enum: ['last', 'best', 'first'], description: 'which attempt at an item counts: last before close (default), best, or first' },
  blankSteps: { enum: ['implied', 'shown'], description: 'blank steps under a correct answer: implied (earn their marks, as in Numbas) or shown (only what is written earns; the default for exams)' },
} as const;
const httpUrl = (max = 2000) => ({ type: 'string', format: 'uri', pattern: '^https?://', maxLength: max }) as const;
const obj = (properties: Record<string, object>, required: string[], description?: string) => ({
  type: 'object',
  additionalProperties: false,
  properties,
  required,
  ...(description ? { description } : {}),
});

/** A step value: a number, a vector, a matrix (rows; null for a masked −∞ entry) or a class name. */
const value = {
  description: 'a number, a vector, a matrix (array of rows; null marks a masked −∞ entry) or a class name',
  anyOf: [
    { type: 'number' },
    { type: 'string' },
    { type: 'array', items: { anyOf: [{ type: 'number' }, { type: 'null' }, { type: 'array', items: { type: ['number', 'null'] } }] } },
  ],
};

export const COMPONENTS: Record<string, object> = {
  Problem: obj(
    {
      type: { type: 'string' },
      title: { type: 'string' },
      status: { type: 'integer' },
      detail: { type: 'string' },
      code: { type: 'string', description: 'stable machine-readable code, e.g. invalid_params' },
      field: { type: 'string', description: 'the failing field, e.g. params.W_K[2]' },
      instance: { type: 'string' },
    },
    ['type', 'title', 'status', 'detail', 'code'],
    'RFC 9457 problem details',
  ),
  Value: value,
  SolvedStep: obj({ id, label: { type: 'string' }, value }, ['id', 'label', 'value']),
  Solution: obj({ topic: id, steps: { type: 'array', items: ref('SolvedStep') } }, ['topic', 'steps']),
  StepGrade: obj(
    {
      id,
      label: { type: 'string' },
      status: { enum: ['correct', 'carried', 'partial', 'incorrect', 'invalid', 'missing'] },
      credit: { type: 'number' },
      marks: { type: 'number' },
      expected: { ...value, description: 'the true value; withheld from students on exam variants until release' },
      carriedValue: { ...value, description: 'the value re-derived from the student’s own earlier answers, when carried' },
      feedback: { type: 'string' },
      misconception: obj({ id, explanation: { type: 'string' } }, ['id', 'explanation']),
      note: { const: 'implied', description: 'a blank step (status missing) credited because a correct answer depends on it (blank-step policy implied)' },
    },
    ['id', 'label', 'status', 'credit', 'marks', 'feedback'],
  ),
  AttemptStep: {
    description: 'a graded step; under an open exam’s `status` feedback policy only id, label and status',
    anyOf: [ref('StepGrade'), obj({ id, label: { type: 'string' }, status: { enum: ['correct', 'carried', 'partial', 'incorrect', 'invalid', 'missing'] } }, ['id', 'label', 'status'])],
  },
  GradeResult: obj(
    {
      topic: id,
      score: { type: 'number' },
      maxScore: { type: 'number' },
      steps: { type: 'array', items: ref('StepGrade') },
      warnings: { type: 'array', items: { type: 'string' } },
    },
    ['topic', 'score', 'maxScore', 'steps'],
  ),
  TopicStep: obj(
    { id, label: { type: 'string' }, kind: { enum: ['scalar', 'vector', 'matrix', 'label'] }, deps: { type: 'array', items: id }, optional: { type: 'boolean' } },
    ['id', 'label', 'kind', 'deps', 'optional'],
  ),
  Topic: obj(
    {
      id,
      title: { type: 'string' },
      summary: { type: 'string' },
      steps: { type: 'array', items: ref('TopicStep') },
      misconceptions: { type: 'array', items: obj({ id, step: id, explanation: { type: 'string' } }, ['id', 'step', 'explanation']) },
      paramsSchema: { type: 'object', description: 'JSON Schema of the topic’s params' },
      shapes: { type: 'object', description: 'JSON Schema of the shape options a bank question may promise (e.g. causal); absent when none' },
    },
    ['id', 'title', 'summary', 'steps', 'misconceptions'],
  ),
  TopicList: { type: 'array', items: ref('Topic') },
  Variant: obj(
    {
      id,
      topic: id,
      question: id,
      seed: { ...seed, description: 'absent for students on exam variants: exam seeds are secret' },
      difficulty,
      params: { type: 'object' },
      steps: { type: 'array', items: id, description: 'the step ids asked' },
      prompt: { type: 'string', description: 'Markdown with TeX math' },
      mode: { enum: ['practice', 'exam'] },
      courseId: id,
      sessionId: id,
      examId: id,
      examVersion: { type: 'integer', minimum: 1, description: 'the exam version, numbered from 1' },
      examItem: { type: 'integer', description: 'the item’s position in its version, from 0' },
      createdBy: id,
      createdAt: time,
    },
    ['id', 'topic', 'difficulty', 'params', 'steps', 'prompt', 'mode', 'createdBy', 'createdAt'],
  ),
  Rendered: obj({ markdown: { type: 'string' }, html: { type: 'string' } }, ['markdown', 'html']),
  VariantSolution: obj({ variantId: id, steps: { type: 'array', items: ref('SolvedStep') }, worked: ref('Rendered') }, ['variantId', 'steps', 'worked']),
  AttemptSolution: obj(
    { variantId: id, steps: { type: 'array', items: ref('SolvedStep') }, workedMarkdown: { type: 'string', description: 'HTML: GET /api/v1/variants/{id}/solution' } },
    ['variantId', 'steps', 'workedMarkdown'],
  ),
  Attempt: obj(
    {
      id,
      variantId: id,
      userId: id,
      answers: {},
      topic: id,
      score: { type: 'number', description: 'absent while an unreleased exam’s feedback policy is none or status' },
      maxScore: { type: 'number' },
      steps: { type: 'array', items: ref('AttemptStep'), description: 'empty under feedback policy none' },
      warnings: { type: 'array', items: { type: 'string' } },
      revealed: { type: 'boolean', description: 'whether expected values and the worked solution are shown' },
      feedback: { ...feedbackPolicy, description: 'the exam feedback policy this view was limited by (students, unreleased exams)' },
      solution: ref('AttemptSolution'),
      createdAt: time,
    },
    ['id', 'variantId', 'userId', 'answers', 'topic', 'steps', 'revealed', 'createdAt'],
  ),
  User: obj({ id, name: { type: 'string' }, role, createdAt: time }, ['id', 'name', 'role', 'createdAt']),
  ApiKey: obj(
    {
      id,
      userId: id,
      role,
      label: { type: 'string' },
      prefix: { type: 'string' },
      createdAt: time,
      expiresAt: time,
      revokedAt: time,
      scope: obj(
        { resourceLink: { type: 'string' }, contextId: { type: 'string' }, examId: { type: 'string' } },
        ['resourceLink'],
        'an LTI launch key: limited to its resource link, course and exam',
      ),
    },
    ['id', 'userId', 'role', 'label', 'prefix', 'createdAt'],
  ),
  NewKey: obj({ key: ref('ApiKey'), apiKey: { type: 'string', description: 'the secret, shown once' } }, ['key', 'apiKey']),
  NewUser: obj(
    { id, name: { type: 'string' }, role, createdAt: time, apiKey: { type: 'string', description: 'the secret, shown once' }, key: ref('ApiKey') },
    ['id', 'name', 'role', 'createdAt', 'apiKey', 'key'],
  ),
  Course: obj({ id, title: { type: 'string' }, createdBy: id, createdAt: time }, ['id', 'title', 'createdBy', 'createdAt']),
  CourseList: { type: 'array', items: ref('Course') },
  Mastery: obj(
    { topic: id, attempts: { type: 'integer' }, score: { type: 'number' }, maxScore: { type: 'number' }, mastery: { type: ['number', 'null'] } },
    ['topic', 'attempts', 'score', 'maxScore', 'mastery'],
  ),
  PracticeSession: obj(
    {
      id,
      userId: id,
      topics: { type: 'array', items: id },
      difficulty,
      createdAt: time,
      mastery: { type: 'array', items: ref('Mastery') },
      variants: { type: 'array', items: id },
    },
    ['id', 'userId', 'topics', 'difficulty', 'createdAt', 'mastery', 'variants'],
  ),
  BlueprintEntry: obj({ topic: str(100), count: { type: 'integer', minimum: 1, maximum: 20 }, difficulty }, ['topic', 'count'], 'a topic id or a question id, how many items, at what difficulty'),
  ManifestItem: obj({ topic: id, question: id, seed, difficulty }, ['topic', 'seed', 'difficulty']),
  Exam: obj(
    {
      id,
      title: { type: 'string' },
      courseId: id,
      blueprint: { type: 'array', items: obj({ ref: id, count: { type: 'integer' }, difficulty }, ['ref', 'count', 'difficulty']) },
      versions: { type: 'integer' },
      seed,
      manifest: { type: 'array', items: { type: 'array', items: ref('ManifestItem') }, description: 'manifest[version − 1][item]' },
      released: { type: 'boolean' },
      releasedAt: time,
      ...examRules,
      createdBy: id,
      createdAt: time,
      ltiLinkCode: {
        type: 'string',
        description:
          'full instructor keys only: the code that binds the exam to an LMS course (its home, whose instructors get its results through LTI): enter it in the deep linking picker, or give a link the custom parameters exam=<id> and exam_code=<code>',
      },
    },
    ['id', 'title', 'versions', 'released', 'attemptLimit', 'feedback', 'counts', 'blankSteps', 'createdAt'],
  ),
  ExamVersion: obj(
    { examId: id, version: { type: 'integer', minimum: 1, description: 'numbered from 1' }, variants: { type: 'array', items: ref('Variant') } },
    ['examId', 'version', 'variants'],
  ),
  ExamList: { type: 'array', items: ref('Exam') },
  ExamVersionList: { type: 'array', items: ref('ExamVersion') },
  ExamResults: obj(
    {
      examId: id,
      title: { type: 'string' },
      released: { type: 'boolean' },
      counts: examRules.counts,
      students: {
        type: 'array',
        description: 'every student assigned a version (my-version or an LTI launch), whether they submitted or not',
        items: obj(
          {
            userId: id,
            name: { type: 'string' },
            version: { type: 'integer', minimum: 1, description: 'numbered from 1' },
            score: { type: ['number', 'null'], description: 'the counted attempts’ total; null when nothing was submitted' },
            maxScore: { type: 'number' },
            items: {
              type: 'array',
              items: obj(
                {
                  variantId: id,
                  topic: id,
                  attemptId: { type: ['string', 'null'], description: 'the attempt that counts; null when none was submitted' },
                  score: { type: ['number', 'null'] },
                  maxScore: { type: 'number' },
                  attempts: { type: 'integer', minimum: 0, description: 'attempts made at the item' },
                },
                ['variantId', 'topic', 'attemptId', 'score', 'maxScore', 'attempts'],
              ),
            },
          },
          ['userId', 'name', 'version', 'score', 'maxScore', 'items'],
        ),
      },
    },
    ['examId', 'title', 'released', 'counts', 'students'],
  ),
  Health: obj({ status: { enum: ['ok', 'degraded'] }, database: { type: 'string' } }, ['status', 'database']),
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

export const REQUESTS: Record<string, object> = {
  SolveRequest: obj({ params: { type: 'object' } }, ['params']),
  GradeRequest: obj({ params: { type: 'object' }, answers: { type: 'object', description: 'answers keyed by step id' } }, ['params', 'answers']),
  NewVariantRequest: obj(
    { topic: { ...str(100), description: 'a topic id or a question id' }, seed, difficulty, courseId: id },
    ['topic'],
  ),
  AttemptRequest: obj({ answers: { type: 'object', description: 'answers keyed by step id' } }, ['answers']),
  NewUserRequest: obj({ name: str(100), role }, ['name', 'role']),
  NewKeyRequest: obj({ label: str(100) }, ['label']),
  NewCourseRequest: obj({ title: str(200) }, ['title']),
  NewSessionRequest: obj({ topics: { type: 'array', items: str(100), minItems: 1, maxItems: 20, uniqueItems: true }, difficulty }, []),
  ExportRequest: obj(
    {
      variants: { type: 'array', items: id, minItems: 1, maxItems: 500, uniqueItems: true },
      format: { enum: ['moodle', 'qti', 'gift'] },
      title: str(200),
    },
    ['variants', 'format'],
  ),
  NewExamRequest: obj(
    {
      title: str(200),
      courseId: id,
      blueprint: { type: 'array', items: ref('BlueprintEntry'), minItems: 1, maxItems: 20 },
      versions: { type: 'integer', minimum: 1, maximum: 50 },
      seed,
      ...examRules,
    },
    ['title', 'blueprint', 'versions'],
  ),
  ReleaseRequest: obj({ force: { type: 'boolean', description: 'release before the close (or with no close time), ending the exam now' } }, []),
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
