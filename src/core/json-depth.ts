/**
 * How deeply a parsed JSON value nests. JSON.parse itself copes with any depth, but everything
 * recursive after it (JSON.stringify of a stored or echoed value, canonical fingerprints, structured
 * clones) overflows the stack on a few thousand levels, so requests are held to a small depth first.
 */
import { StepwiseError } from './errors.js';

/** Deepest nesting of objects and arrays accepted in a request (an exam body needs about 5). */
export const MAX_JSON_DEPTH = 32;

/** A container still to visit, with the way back to the root (its path is spelled out only on failure). */
interface Frame {
  value: object;
  depth: number;
  parent?: Frame;
  key: string | number;
}

/**
 * Throws invalid_request naming the first path deeper than `max` (e.g. "body.answers.x[0][0]…").
 * Iterative, visits containers only, and stops at the first excess: linear in the value's size.
 */
export function assertJsonDepth(value: unknown, root: string, max = MAX_JSON_DEPTH): void {
  if (typeof value !== 'object' || value === null) return;
  const stack: Frame[] = [{ value, depth: 0, key: root }];
  while (stack.length > 0) {
    const frame = stack.pop()!;
    if (frame.depth >= max) {
      const path = pathOf(frame);
      throw new StepwiseError('invalid_request', `${path} is nested more than ${max} levels deep`, path);
    }
    const push = (child: unknown, key: string | number): void => {
      if (typeof child === 'object' && child !== null) stack.push({ value: child, depth: frame.depth + 1, parent: frame, key });
    };
    if (Array.isArray(frame.value)) frame.value.forEach(push);
    else for (const key of Object.keys(frame.value)) push((frame.value as Record<string, unknown>)[key], key);
  }
}

function pathOf(frame: Frame): string {
  const parts: string[] = [];
  for (let f: Frame | undefined = frame; f; f = f.parent) {
    const k = f.key;
    parts.push(f.parent === undefined ? String(k) : typeof k === 'number' ? `[${k}]` : `.${k.length > 64 ? `${k.slice(0, 61)}...` : k}`);
  }
  return parts.reverse().join('');
}
