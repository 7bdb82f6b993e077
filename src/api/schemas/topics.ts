/** Schemas of topics, variants, attempts and variant exports. */
import { difficulty, feedbackPolicy, id, obj, ref, seed, str, time } from './common.js';

export const TOPICS_COMPONENTS = {
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
  ArtefactRuns: obj(
    {
      state: { enum: ['ready', 'queued', 'running', 'failed'], description: 'queued, running or failed: ask again later (a failed job is queued again after a minute)' },
      ahead: { type: 'integer', minimum: 0, description: 'queued: how many jobs are ahead' },
      fraction: { type: 'number', minimum: 0, maximum: 1, description: 'running: how far' },
      images: {
        type: 'array',
        description: 'ready: the pictures the question is about, ordered by run letter',
        items: obj({ url: { type: 'string', description: 'GET it with the same key (image/png, immutable)' }, caption: { type: 'string', description: 'neutral: "Run A: …"' }, width: { type: 'integer' }, height: { type: 'integer' } }, ['url', 'caption', 'width', 'height']),
      },
    },
    ['state'],
  ),
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
};

export const TOPICS_REQUESTS = {
  NewVariantRequest: obj(
    { topic: { ...str(100), description: 'a topic id or a question id' }, seed, difficulty, courseId: id },
    ['topic'],
  ),
  AttemptRequest: obj({ answers: { type: 'object', description: 'answers keyed by step id' } }, ['answers']),
};

/** Exports of variants to Moodle XML, QTI 3 or GIFT. */
export const EXPORT_REQUESTS = {
  ExportRequest: obj(
    {
      variants: { type: 'array', items: id, minItems: 1, maxItems: 500, uniqueItems: true },
      format: { enum: ['moodle', 'qti', 'gift'] },
      title: str(200),
    },
    ['variants', 'format'],
  ),
};
