/** Schemas of exams: blueprints, versions, rules and results. */
import { difficulty, feedbackPolicy, id, obj, ref, seed, str, time } from './common.js';

/** The exam rules, as created and as shown (defaults in src/service/exams.ts checkRules). */
const examRules = {
  opensAt: { ...time, description: 'attempts are refused before this time (409 exam_not_open); none: open from creation' },
  closesAt: { ...time, description: 'attempts are refused from this time (409 exam_closed); none: open until released' },
  attemptLimit: { type: 'integer', minimum: 1, maximum: 100, description: 'attempts per item per student (default 1); more are refused (409 attempt_limit)' },
  feedback: { ...feedbackPolicy, description: 'what a student sees of an attempt before release: none (a receipt; the default), status (per-step status), full (statuses, credit, score, feedback, misconceptions; never expected values)' },
  counts: { enum: ['last', 'best', 'first'], description: 'which attempt at an item counts: last before close (default), best, or first' },
  blankSteps: { enum: ['implied', 'shown'], description: 'blank steps under a correct answer: implied (earn their marks, as in Numbas) or shown (only what is written earns; the default for exams)' },
} as const;

/** An item's total marks: its steps' own marks are scaled in proportion so they add up to it. */
const itemMarks = {
  type: 'number',
  exclusiveMinimum: 0,
  maximum: 1000,
  description: 'each item’s total marks: its steps’ own marks scaled in proportion to add up to this (default: the steps’ own marks)',
} as const;
const ecfPenalty = {
  type: 'number',
  minimum: 0,
  maximum: 1,
  description: 'error carried forward in every item: the share of a carried step’s marks withheld, from 0 (full marks for a step computed correctly from the student’s own earlier values) to 1 (carried steps earn nothing); absent: each question’s own policy (full ECF for a topic)',
} as const;

export const EXAMS_COMPONENTS = {
  BlueprintEntry: obj(
    { topic: { ...str(100), description: 'a topic id, a bank question id, a conceptual item id, or concepts:<section> (that many different items of the section)' }, count: { type: 'integer', minimum: 1, maximum: 20 }, difficulty, marks: itemMarks },
    ['topic', 'count'],
    'a topic id or a question id, how many items, at what difficulty, and optionally each item’s total marks',
  ),
  ManifestItem: obj({ topic: id, question: id, seed, difficulty, marks: itemMarks }, ['topic', 'seed', 'difficulty']),
  Exam: obj(
    {
      id,
      title: { type: 'string' },
      courseId: id,
      blueprint: { type: 'array', items: obj({ ref: id, count: { type: 'integer' }, difficulty, marks: itemMarks }, ['ref', 'count', 'difficulty']) },
      versions: { type: 'integer' },
      seed,
      manifest: { type: 'array', items: { type: 'array', items: ref('ManifestItem') }, description: 'manifest[version − 1][item]' },
      released: { type: 'boolean' },
      releasedAt: time,
      ...examRules,
      ecfPenalty,
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
};

export const PAPER_COMPONENTS = {
  PaperAnswersReport: obj(
    {
      stored: { type: 'integer', minimum: 0, description: 'answer rows graded and stored' },
      attempts: { type: 'integer', minimum: 0, description: 'paper attempts written (one per student and item; a re-sent item updates its attempt)' },
      rejected: {
        type: 'array',
        description: 'every refused row, in line order',
        items: obj(
          {
            line: { type: 'integer', minimum: 0, description: 'the CSV line the row starts on (the header is line 1)' },
            field: { enum: ['student', 'form', 'item', 'step', 'answer', 'row'], description: 'the column at fault; row: the row does not parse' },
            message: { type: 'string' },
          },
          ['line', 'field', 'message'],
        ),
      },
      added: {
        type: 'array',
        description: 'students made now (addStudents=true), by the name the CSV gave',
        items: obj({ name: { type: 'string' }, userId: id }, ['name', 'userId']),
      },
    },
    ['stored', 'attempts', 'rejected', 'added'],
    'what a paper-answers CSV stored, and which rows it refused',
  ),
};

export const EXAMS_REQUESTS = {
  NewExamRequest: obj(
    {
      title: str(200),
      courseId: id,
      blueprint: { type: 'array', items: ref('BlueprintEntry'), minItems: 1, maxItems: 20 },
      versions: { type: 'integer', minimum: 1, maximum: 50 },
      seed,
      ...examRules,
      ecfPenalty,
    },
    ['title', 'blueprint', 'versions'],
  ),
  ReleaseRequest: obj({ force: { type: 'boolean', description: 'release before the close (or with no close time), ending the exam now' } }, []),
};
