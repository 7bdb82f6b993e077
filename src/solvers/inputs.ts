/**
 * Which given values a step reads: its compute runs once on a recording view of the params, so a
 * hint can name the values to use ("uses the given X, W_Q") without any per-topic wiring.
 */
import type { Params, StepValues, Topic } from './topic.js';

/** The params a step's compute reads for these params, in first-read order (only those present). */
export function paramsRead(topic: Topic, p: Params, values: StepValues, stepId: string): string[] {
  const step = topic.steps[stepId];
  const read: string[] = [];
  const view = new Proxy(p as Record<string, unknown>, {
    get(target, key, receiver) {
      if (typeof key === 'string' && Object.hasOwn(target, key) && !read.includes(key)) read.push(key);
      return Reflect.get(target, key, receiver) as unknown;
    },
  });
  try {
    step.compute(view, values);
  } catch {
    // The values are the truth, which always computes; nothing to name otherwise.
  }
  return read;
}
