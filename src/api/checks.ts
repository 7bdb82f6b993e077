/**
 * ajv for the API's own schemas (src/api/schemas/): request bodies always, response bodies when the app
 * is created with checkResponses (the tests do). Compiled once per process, on first use.
 */
import { createRequire } from 'node:module';
import type { Ajv, ValidateFunction } from 'ajv';
import { ajvError } from '../solvers/params.js';
import { StepwiseError } from '../core/errors.js';
import { COMPONENTS, REQUESTS, SCHEMA_BASE } from './schemas/index.js';

let ajv: Ajv | undefined;
const compiled = new Map<string, ValidateFunction>();

function instance(): Ajv {
  if (!ajv) {
    const require = createRequire(import.meta.url);
    const { Ajv: AjvClass } = require('ajv') as typeof import('ajv');
    const addFormats = (require('ajv-formats') as { default: (a: Ajv) => Ajv }).default;
    ajv = addFormats(new AjvClass({ allErrors: false, strict: true, allowUnionTypes: true }));
    for (const [name, schema] of Object.entries({ ...COMPONENTS, ...REQUESTS })) ajv.addSchema({ ...schema, $id: SCHEMA_BASE + name });
  }
  return ajv;
}

function validator(name: string): ValidateFunction {
  let v = compiled.get(name);
  if (!v) {
    v = instance().getSchema(SCHEMA_BASE + name);
    if (!v) throw new Error(`no schema named ${name}`);
    compiled.set(name, v);
  }
  return v;
}

/** Checks a request body; a violation is a 422 naming the field, e.g. body.blueprint[0].count. */
export function checkRequest(name: string, body: unknown): void {
  const v = validator(name);
  if (!v(body)) {
    const err = ajvError(v.errors?.[0], 'invalid_request', 'body');
    throw new StepwiseError('invalid_request', err.message, err.path);
  }
}

/** Checks a response body (tests): a mismatch is a server bug. */
export function checkResponse(name: string, body: unknown, where: string): void {
  const v = validator(name);
  if (!v(body)) {
    const e = v.errors?.[0];
    throw new Error(`response of ${where} does not match schema ${name}: ${e?.instancePath} ${e?.message}`);
  }
}
