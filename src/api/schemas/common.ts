/**
 * What the schema files share: the $id base, refs, and the small building blocks.
 * Refs are written `ref('Name')`; ajv resolves them by $id, OpenAPI by #/components/schemas.
 */
import { MAX_SEED } from '../../generators/rng.js';
import { DIFFICULTIES } from '../../solvers/topic.js';

export const SCHEMA_BASE = 'https://stepwise.dev/schemas/';
export const ref = (name: string) => ({ $ref: `${SCHEMA_BASE}${name}` }) as const;

export const str = (max = 200) => ({ type: 'string', minLength: 1, maxLength: max }) as const;
export const id = { type: 'string', minLength: 1, maxLength: 100 } as const;
export const time = { type: 'string', format: 'date-time' } as const;
export const difficulty = { enum: [...DIFFICULTIES] } as const;
export const seed = { type: 'integer', minimum: 0, maximum: MAX_SEED } as const;
export const role = { enum: ['instructor', 'student'] } as const;
export const feedbackPolicy = { enum: ['none', 'status', 'full'] } as const;
export const httpUrl = (max = 2000) => ({ type: 'string', format: 'uri', pattern: '^https?://', maxLength: max }) as const;
export const obj = (properties: Record<string, object>, required: string[], description?: string) => ({
  type: 'object',
  additionalProperties: false,
  properties,
  required,
  ...(description ? { description } : {}),
});

/** A step value: a number, a vector, a matrix (rows; null for a masked −∞ entry) or a class name. */
export const value = {
  description: 'a number, a vector, a matrix (array of rows; null marks a masked −∞ entry) or a class name',
  anyOf: [
    { type: 'number' },
    { type: 'string' },
    { type: 'array', items: { anyOf: [{ type: 'number' }, { type: 'null' }, { type: 'array', items: { type: ['number', 'null'] } }] } },
  ],
};

/** RFC 9457 problem details: every error body. */
export const PROBLEM = obj(
    {
      type: { type: 'string' },
      title: { type: 'string' },
      status: { type: 'integer' },
      detail: { type: 'string' },
      code: { type: 'string', description: 'stable machine-readable code, e.g. invalid_params' },
      field: { type: 'string', description: 'the failing field, e.g. params.W_K[2]' },
      instance: { type: 'string' },
    },
    ['type', 'title', 'status', 'detail', 'code'],
    'RFC 9457 problem details',
  );

/** GET /healthz. */
export const HEALTH = obj({ status: { enum: ['ok', 'degraded'] }, database: { type: 'string' } }, ['status', 'database']);
