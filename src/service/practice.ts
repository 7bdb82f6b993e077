/**
 * Practice sessions: a student's run of variants over chosen topics. Mastery per topic is the share
 * of marks earned on the latest attempt at each of the session's variants (derived on read, never
 * stored twice); the next variant goes to the weakest topic — untried topics first.
 */
import { StepwiseError } from '../core/errors.js';
import { listTopics } from '../engine.js';
import { findTopic } from '../topics/index.js';
import { findConcept } from '../bank/concept-topic.js';
import type { PracticeSession, Store, Variant } from '../store/types.js';
import { createVariant } from './variants.js';

export interface Mastery {
  topic: string;
  attempts: number;
  score: number;
  maxScore: number;
  /** score / maxScore, or null before any attempt. */
  mastery: number | null;
}

export async function sessionMastery(store: Store, s: PracticeSession): Promise<{ mastery: Mastery[]; variants: Variant[] }> {
  const variants = await store.variants.listBySession(s.id);
  const topicOf = new Map(variants.map((v) => [v.id, v.topic]));
  const latest = new Map<string, { score: number; maxScore: number }>();
  for (const a of await store.attempts.listBySession(s.id)) latest.set(a.variantId, a);
  const mastery = s.topics.map((topic): Mastery => {
    const scored = [...latest].filter(([variantId]) => topicOf.get(variantId) === topic).map(([, a]) => a);
    const score = scored.reduce((t, a) => t + a.score, 0);
    const maxScore = scored.reduce((t, a) => t + a.maxScore, 0);
    return { topic, attempts: scored.length, score, maxScore, mastery: maxScore > 0 ? score / maxScore : null };
  });
  return { mastery, variants };
}

/** The topic to practise next: an untried one first, then the lowest mastery (fewest attempts on a tie). */
export function weakestTopic(mastery: Mastery[]): string {
  const rank = (m: Mastery): [number, number] => [m.mastery ?? -1, m.attempts];
  return [...mastery].sort((a, b) => {
    const [ma, na] = rank(a);
    const [mb, nb] = rank(b);
    return ma - mb || na - nb;
  })[0].topic;
}

export async function nextVariant(store: Store, s: PracticeSession): Promise<Variant> {
  const { mastery } = await sessionMastery(store, s);
  return createVariant(store, { ref: weakestTopic(mastery), difficulty: s.difficulty, mode: 'practice', createdBy: s.userId, sessionId: s.id });
}

/** The session's topics: those asked for (each a topic or a conceptual item id), else every topic. */
export function checkSessionTopics(topics: string[] | undefined): string[] {
  if (!topics) return listTopics().map((t) => t.id);
  topics.forEach((t, i) => {
    // A conceptual item counts as a topic of its own (its mastery is its own attempts).
    if (!findTopic(t) && !findConcept(t)) throw new StepwiseError('invalid_request', `body.topics[${i}]: unknown topic ${JSON.stringify(t)}`, `body.topics[${i}]`);
  });
  return topics;
}
