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
 * Depth-first and stops at the first excess, so the recursion is at most `max` deep; it visits
 * containers only and allocates nothing on the way (the path is spelled out only on failure).
 */
export function assertJsonDepth(value: unknown, root: string, max = MAX_JSON_DEPTH): void {
  if (typeof value !== 'object' || value === null) return;
  const keys: (string | number)[] = [];
  const visit = (v: object, depth: number): boolean => {
    if (depth >= max) return false;
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) {
        const c: unknown = v[i];
        if (typeof c === 'object' && c !== null && !visit(c, depth + 1)) return keys.push(i), false;
      }
    } else {
      for (const k in v) {
        if (!Object.prototype.hasOwnProperty.call(v, k)) continue;
        const c = (v as Record<string, unknown>)[k];
        if (typeof c === 'object' && c !== null && !visit(c, depth + 1)) return keys.push(k), false;
      }
    }
    return true;
  };
  if (visit(value, 0)) return;
  const path = root + keys.reverse().map((k) => (typeof k === 'number' ? `[${k}]` : `.${k.length > 64 ? `${k.slice(0, 61)}...` : k}`)).join('');
  throw new StepwiseError('invalid_request', `${path} is nested more than ${max} levels deep`, path);
}
