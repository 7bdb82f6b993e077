/** The OpenAPI 3.1 document, built from the route list and the same schemas ajv checks. */
import { COMPONENTS, REQUESTS, SCHEMA_BASE } from './schemas/index.js';
import type { RouteSpec } from './route.js';

/** Rewrites ajv refs (https://stepwise.dev/schemas/X) to OpenAPI component refs. */
function toOpenApi(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(toOpenApi);
  if (schema === null || typeof schema !== 'object') return schema;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(schema)) {
    out[k] = k === '$ref' && typeof v === 'string' && v.startsWith(SCHEMA_BASE) ? `#/components/schemas/${v.slice(SCHEMA_BASE.length)}` : toOpenApi(v);
  }
  return out;
}

export function openApiDocument(routes: readonly RouteSpec[], version: string): object {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of routes) {
    const path = r.path.replace(/:(\w+)/g, '{$1}');
    const parameters = [
      ...[...r.path.matchAll(/:(\w+)/g)].map((m) => ({ name: m[1], in: 'path', required: true, schema: { type: 'string' } })),
      ...Object.entries(r.query ?? {}).map(([name, q]) => ({
        name,
        in: 'query',
        required: false,
        description: q.description,
        schema: q.enum ? { type: 'string', enum: q.enum } : { type: 'string' },
      })),
    ];
    const responses: Record<string, unknown> = {};
    for (const [status, spec] of Object.entries(r.responses)) {
      const content: Record<string, unknown> = {};
      if (spec.schema) content['application/json'] = { schema: { $ref: `#/components/schemas/${spec.schema}` } };
      for (const type of [...(spec.contentType ? [spec.contentType] : []), ...(spec.also ?? [])]) content[type] = { schema: { type: 'string' } };
      responses[status] = { description: spec.description, ...(Object.keys(content).length > 0 ? { content } : {}) };
    }
    if (r.access !== 'public') {
      responses['401'] = problemResponse('missing, unknown or revoked API key');
      if (r.access === 'instructor') responses['403'] = problemResponse('the key is not an instructor key');
      responses['429'] = problemResponse('rate limited');
    }
    if (r.body) responses['422'] ??= problemResponse('the body does not match its schema (the problem names the field)');
    (paths[path] ??= {})[r.method] = {
      summary: r.summary,
      tags: [r.tag],
      operationId: `${r.method}${path.replace(/[{}]/g, '').replace(/[^A-Za-z0-9]+(.)?/g, (_m, c: string | undefined) => (c ? c.toUpperCase() : ''))}`,
      ...(parameters.length > 0 ? { parameters } : {}),
      ...(r.access === 'public' ? { security: [] } : {}),
      ...(r.body
        ? {
            requestBody: {
              required: !('schema' in r.body && r.body.optional),
              content:
                'schema' in r.body
                  ? { 'application/json': { schema: { $ref: `#/components/schemas/${r.body.schema}` } } }
                  : { [r.body.contentType]: { schema: { type: 'string' } } },
            },
          }
        : {}),
      responses,
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Stepwise API',
      version,
      description: 'Exam practice and step-by-step grading with error carried forward, for LMS integrations. Errors are application/problem+json (RFC 9457).',
    },
    servers: [{ url: '/' }],
    security: [{ bearer: [] }],
    paths,
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'an API key: Authorization: Bearer sw_…' } },
      schemas: toOpenApi({ ...COMPONENTS, ...REQUESTS }),
    },
  };
}

function problemResponse(description: string) {
  return { description, content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } } };
}
