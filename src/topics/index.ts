/**
 * The registry: every topic, once. Adding a topic is its own file, its templates, and one line here.
 */
import { checkTopicDeclaration } from '../solvers/graph.js';
import type { Topic } from '../solvers/topic.js';
import { selfAttention } from './self-attention.js';

export const TOPICS: readonly Topic[] = [selfAttention];

const byId = new Map<string, Topic>();
for (const t of TOPICS) {
  checkTopicDeclaration(t);
  if (byId.has(t.id)) throw new Error(`topic ${t.id} is registered twice`);
  byId.set(t.id, t);
}

export function findTopic(id: string): Topic | undefined {
  return byId.get(id);
}
