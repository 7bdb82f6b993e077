/** Schemas of solving and grading: step values, solutions, per-step grades. */
import { id, obj, ref, value } from './common.js';

export const GRADING_COMPONENTS = {
  Value: value,
  SolvedStep: obj({ id, label: { type: 'string' }, value }, ['id', 'label', 'value']),
  Solution: obj(
    {
      topic: id,
      steps: { type: 'array', items: ref('SolvedStep') },
      warnings: { type: 'array', items: { type: 'string' }, description: 'what was assumed to accept loose params, e.g. priors that leave a class out' },
    },
    ['topic', 'steps'],
  ),
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
      outcome: {
        type: 'string',
        pattern: '^(correct|correct-from-rounded|carried|partial|incorrect|missing|missing:implied|misconception:.+|invalid:(too-large|form|syntax|shape|non-finite|unknown-label))$',
        description: 'the outcome note: a stable id of how the step came out (README, "Item statistics"); statistics read it, never the feedback text',
      },
    },
    ['id', 'label', 'status', 'credit', 'marks', 'feedback', 'outcome'],
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
      warnings: { type: 'array', items: { type: 'string' }, description: 'what was assumed to accept loose params (params.<field>: …), then answer fields ignored' },
    },
    ['topic', 'score', 'maxScore', 'steps'],
  ),
};

export const GRADING_REQUESTS = {
  SolveRequest: obj({ params: { type: 'object' } }, ['params']),
  GradeRequest: obj({ params: { type: 'object' }, answers: { type: 'object', description: 'answers keyed by step id' } }, ['params', 'answers']),
};
