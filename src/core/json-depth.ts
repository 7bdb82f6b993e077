/**
 * How deeply a parsed JSON value nests. JSON.parse itself copes with any depth, but everything
 * recursive after it (JSON.stringify of a stored or echoed value, canonical fingerprints, structured
 * clones) overflows the stack on a few thousand levels, so requests are held to a small depth first.
 */
import { StepwiseError } from './errors.js';

/** Deepest nesting of objects and arrays accepted in a request (an exam body needs about 5). */
export const MAX_JSON_DEPTH = 32;

/**
 * Throws invalid_request naming the first path deeper than `max` (e.g. "body.answers.x[0][0]…").
 * Iterative, and stops at the first excess: its cost is linear in the value's size.
 */
export function assertJsonDepth(value: unknown, root: string, max = MAX_JSON_DEPTH): void {
  const stack: [unknown, number, string][] = [[value, 0, root]];
  while (stack.length > 0) {
    const [v, depth, path] = stack.pop()!;
    if (typeof v !== 'object' || v === null) continue;
    if (depth >= max) {
      throw new StepwiseError('invalid_request', `${path} is nested more than ${max} levels deep`, path);
    }
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) stack.push([v[i], depth + 1, `${path}[${i}]`]);
    } else {
      for (const [k, child] of Object.entries(v)) stack.push([child, depth + 1, `${path}.${k.length > 64 ? `${k.slice(0, 61)}...` : k}`]);
    }
  }
}
