/**
 * Problem shapes a bank question may promise ("under a causal mask", "from a log-variance", "two
 * positions"): a topic declares the options its generator honours as a JSON Schema, a question
 * fixes some of them, and the generator keeps to them on every seed.
 */
import type { Rng } from './rng.js';

/** A question's shape options, already checked against its topic's `shapes` schema. */
export type Shape = Readonly<Record<string, unknown>>;

/** One allowed value, or a list of them (e.g. `"outcomes": [4, 5]`). */
export type OneOrSome<T> = T | readonly T[];

/**
 * `drawn` when the shape allows it (or says nothing), else one of the allowed values. The topic
 * draws exactly as it always does first, so a question whose shape its difficulty already gives
 * gets the same problems as before.
 */
export function honour<T>(rng: Rng, drawn: T, allowed: OneOrSome<T> | undefined): T {
  if (allowed === undefined) return drawn;
  const list = Array.isArray(allowed) ? (allowed as readonly T[]) : [allowed as T];
  return list.includes(drawn) ? drawn : rng.pick(list);
}

/** A JSON Schema for one value of `item`, or a non-empty list of distinct ones. */
export function oneOrSome(item: object, description: string): object {
  return { description, oneOf: [item, { type: 'array', minItems: 1, uniqueItems: true, items: item }] };
}

/** The schema of a topic's shape options. */
export function shapeSchema(properties: Record<string, object>): object {
  return { type: 'object', additionalProperties: false, properties };
}
