/**
 * Parameter validation at the edges (CLI, batch, HTTP): the topic's JSON Schema through ajv, then
 * its cross-field checks. Validators compile on first use of a topic, so a process that touches one
 * topic pays for one. Errors name the field as a caller writes it: params.W_K[2][0].
 */
import { createRequire } from 'node:module';
import type { Ajv, ErrorObject, Options, ValidateFunction } from 'ajv';
import { StepwiseError } from '../core/errors.js';
import { loadGenerated, sha1, VALIDATORS_FILE } from '../core/precompiled.js';
import type { Assume, Params, Topic } from './topic.js';

export const AJV_OPTIONS: Options = { allErrors: false, strict: true };
/** The question schema's key among the precompiled validators. */
export const QUESTION_KEY = 'question';
/** A topic's shape-options schema's key among the precompiled validators. */
export const shapeKey = (topicId: string): string => `${topicId}:shape`;

type Generated = Record<string, ValidateFunction> & { hashes: Record<string, string> };

let ajv: Ajv | undefined;
let generated: Generated | null | undefined;
const validators = new Map<string, ValidateFunction>();

/** ajv itself loads only when a validator has to be compiled from source. */
export function getAjv(): Ajv {
  if (!ajv) {
    const { Ajv: AjvClass } = createRequire(import.meta.url)('ajv') as typeof import('ajv');
    ajv = new AjvClass(AJV_OPTIONS);
  }
  return ajv;
}

export function schemaHash(schema: object): string {
  return sha1(JSON.stringify(schema));
}

/** The validator for `key`: precompiled when the build has one for this exact schema, else compiled. */
export function validatorFor(key: string, schema: object): ValidateFunction {
  let v = validators.get(key);
  if (!v) {
    if (generated === undefined) generated = loadGenerated<Generated>(VALIDATORS_FILE) ?? null;
    const pre = generated?.[key];
    v = pre && generated?.hashes[key] === schemaHash(schema) ? pre : getAjv().compile(schema);
    validators.set(key, v);
  }
  return v;
}

/** Assumptions are dropped unless the caller collects them (paramsAssumptions). */
const IGNORE: Assume = () => {};

export function validateParams(topic: Topic, raw: unknown, assume: Assume = IGNORE): Params {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new StepwiseError('invalid_params', `params must be a JSON object for topic ${topic.id}`, 'params');
  }
  const validate = validatorFor(topic.id, topic.paramsSchema);
  if (!validate(raw)) throw ajvError(validate.errors?.[0], 'invalid_params', 'params');
  topic.checkParams?.(raw, assume);
  return raw;
}

/** One assumption made to accept loose params: the field and the sentence the topic wrote. */
export interface ParamsAssumption {
  field: string;
  text: string;
}

/**
 * What the topic had to assume to accept these (already validated) params, e.g. priors normalised
 * over the listed classes; empty for params that are exactly as the topic wants them.
 */
export function paramsAssumptions(topic: Topic, p: Params): ParamsAssumption[] {
  const out: ParamsAssumption[] = [];
  topic.checkParams?.(p, (field, text) => out.push({ field, text }));
  return out;
}

/** An assumption as a grading warning, naming the field: `params.priors: The priors sum to 0.8, …`. */
export const assumptionWarning = (a: ParamsAssumption): string => `params.${a.field}: ${a.text}`;

/**
 * The params as the solver reads them, in one canonical form: validated (schema, then cross-field
 * checks), keys sorted, and every top-level field equal to its schema `default` left out (the
 * solver reads an absent field as its default). Two spellings of one problem — keys reordered,
 * `"base": "e"` written out or not — normalise alike; this is what exam fingerprints are made of.
 */
export function normalizeParams(topic: Topic, raw: unknown): Params {
  const p = validateParams(topic, raw) as Record<string, unknown>;
  const props = (topic.paramsSchema as { properties?: Record<string, { default?: unknown }> }).properties ?? {};
  const isDefault = (k: string): boolean => {
    const d = props[k]?.default;
    return d !== undefined && JSON.stringify(p[k]) === JSON.stringify(d);
  };
  return Object.fromEntries(
    Object.keys(p)
      .filter((k) => p[k] !== undefined && !isDefault(k))
      .sort()
      .map((k) => [k, p[k]]),
  );
}

/** One ajv error as a StepwiseError naming the field, e.g. `params.sigma[1]: must be > 0`. */
export function ajvError(e: ErrorObject | undefined, code: 'invalid_params' | 'invalid_request', root: string): StepwiseError {
  if (!e) return new StepwiseError(code, `${root}: invalid`, root);
  const path = root + pointerToPath(e.instancePath);
  switch (e.keyword) {
    case 'additionalProperties': {
      const extra = (e.params as { additionalProperty: string }).additionalProperty;
      return new StepwiseError(code, `${path}: unknown field "${extra}"`, `${path}.${extra}`);
    }
    case 'required': {
      const missing = (e.params as { missingProperty: string }).missingProperty;
      return new StepwiseError(code, `${path}.${missing} is required`, `${path}.${missing}`);
    }
    case 'enum': {
      const allowed = (e.params as { allowedValues: unknown[] }).allowedValues.map((v) => JSON.stringify(v));
      return new StepwiseError(code, `${path} must be one of ${allowed.join(', ')}`, path);
    }
    default:
      return new StepwiseError(code, `${path} ${e.message ?? 'is invalid'}`, path);
  }
}

/** JSON pointer "/W_K/2/0" → ".W_K[2][0]". */
export function pointerToPath(pointer: string): string {
  if (pointer === '') return '';
  return pointer
    .split('/')
    .slice(1)
    .map((seg) => seg.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((seg) => (/^\d+$/.test(seg) ? `[${seg}]` : `.${seg}`))
    .join('');
}

/** Throws an invalid_params error for a cross-field problem. */
export function paramsError(path: string, message: string): never {
  throw new StepwiseError('invalid_params', `params.${path} ${message}`, `params.${path}`);
}
