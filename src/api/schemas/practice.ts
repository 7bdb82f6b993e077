/** Schemas of practice sessions and mastery. */
import { difficulty, id, obj, ref, str, time } from './common.js';

export const PRACTICE_COMPONENTS = {
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
};

export const PRACTICE_REQUESTS = {
  NewSessionRequest: obj({ topics: { type: 'array', items: str(100), minItems: 1, maxItems: 20, uniqueItems: true }, difficulty }, []),
};
