/** Schemas of item statistics (src/stats/compute.ts): per step, per item, per misconception, and the exam. */
import { id, obj, ref } from './common.js';

const num = (description: string) => ({ type: ['number', 'null'], description });
const figures = {
  n: { type: 'integer', minimum: 0, description: 'respondents: students (exam) or attempts (practice pool)' },
  maxMark: { type: 'number' },
  facility: num('Σ mark / Σ max mark, 0..1; null with no marks'),
  sd: num('sample SD (n − 1) of mark / max mark'),
  discrimination: num("Moodle's discrimination index: 100·r(mark, rest of exam without the item); null where either does not vary"),
  discriminativeEfficiency: num("Moodle's discriminative efficiency: 100·cov(mark, rest) / the covariance of the same values sorted alike; null where that is 0"),
  ecfShare: num('share of the credit earned as carried (error carried forward); null with no credit'),
  invalidRate: num('share of step answers that could not be read (outcome invalid:*)'),
  notes: { type: 'object', additionalProperties: { type: 'integer' }, description: 'how many answers had each outcome note' },
  unreliable: { type: 'boolean', description: 'n below minReliableN (20)' },
};
const required = ['n', 'maxMark', 'facility', 'sd', 'discrimination', 'discriminativeEfficiency', 'ecfShare', 'invalidRate', 'notes', 'unreliable'];

export const STATISTICS_COMPONENTS = {
  StepStatistics: obj({ item: { type: 'integer', minimum: 1 }, step: id, topic: { type: 'string' }, ...figures }, ['item', 'step', 'topic', ...required]),
  ItemStatistics: obj({ item: { type: 'integer', minimum: 1 }, step: { type: 'null' }, topic: { type: 'string' }, ...figures }, ['item', 'step', 'topic', ...required]),
  Statistics: obj(
    {
      scope: {
        description: 'an exam, or a course’s practice pool (one topic, or each topic an item)',
        anyOf: [
          obj({ kind: { const: 'exam' }, examId: id, title: { type: 'string' }, counts: { enum: ['last', 'best', 'first'] }, versions: { type: 'integer' } }, ['kind', 'examId', 'title', 'counts', 'versions']),
          obj({ kind: { const: 'practice' }, courseId: id, title: { type: 'string' }, topic: { type: ['string', 'null'] } }, ['kind', 'courseId', 'title', 'topic']),
        ],
      },
      minReliableN: { type: 'integer' },
      summary: obj(
        {
          n: { type: 'integer', minimum: 0 },
          maxScore: { type: 'number' },
          mean: num('mean total'),
          median: num('median total'),
          sd: num('sample SD of the totals'),
          alpha: num("Cronbach's α over the items (exams)"),
          histogram: { type: 'array', items: obj({ from: { type: 'number' }, to: { type: 'number' }, count: { type: 'integer' } }, ['from', 'to', 'count']), description: 'totals in % of the maximum, ten bins' },
          unreliable: { type: 'boolean' },
        },
        ['n', 'maxScore', 'mean', 'median', 'sd', 'alpha', 'histogram', 'unreliable'],
      ),
      items: { type: 'array', items: ref('ItemStatistics') },
      steps: { type: 'array', items: ref('StepStatistics'), description: 'one entry per item and step' },
      misconceptions: {
        type: 'array',
        items: obj(
          {
            item: { type: 'integer' },
            step: id,
            misconception: id,
            occurrences: { type: 'integer' },
            rate: { type: 'number', description: 'occurrences / the step’s n' },
            correlationWithTotal: num('r(this misconception at this step, total score)'),
            unreliable: { type: 'boolean' },
          },
          ['item', 'step', 'misconception', 'occurrences', 'rate', 'correlationWithTotal', 'unreliable'],
        ),
      },
      misconceptionTotals: {
        type: 'array',
        items: obj(
          { misconception: id, occurrences: { type: 'integer' }, respondents: { type: 'integer' }, correlationWithTotal: num('r(had it anywhere, total score)') },
          ['misconception', 'occurrences', 'respondents', 'correlationWithTotal'],
        ),
      },
    },
    ['scope', 'minReliableN', 'summary', 'items', 'steps', 'misconceptions', 'misconceptionTotals'],
  ),
};
