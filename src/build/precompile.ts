/**
 * Build step (after tsc): writes dist/generated/validators.cjs (ajv standalone code for every
 * topic's params schema and the question schema) and dist/generated/templates.cjs (Handlebars
 * templates precompiled). See src/core/precompiled.ts for how they are used and checked.
 */
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import standalone from 'ajv/dist/standalone/index.js';
import Handlebars from 'handlebars';
import {
  GENERATED_DIR,
  QUESTION_SCHEMA_FILE,
  TEMPLATES_FILE,
  templateSources,
  templatesHash,
  VALIDATORS_FILE,
} from '../core/precompiled.js';
import { AJV_OPTIONS, QUESTION_KEY, schemaHash, shapeKey } from '../solvers/params.js';
import { TEMPLATE_OPTIONS } from '../render/templates.js';
import { PACKAGE_ROOT } from '../core/paths.js';
import { CONCEPTS_DIR, CONCEPTS_KEY, CONCEPTS_SCHEMA_FILE } from '../bank/concepts.js';
import { TOPICS } from '../topics/index.js';

mkdirSync(GENERATED_DIR, { recursive: true });

const questionSchema = JSON.parse(readFileSync(QUESTION_SCHEMA_FILE, 'utf8')) as object;
const ajv = new Ajv({ ...AJV_OPTIONS, code: { source: true } });
const exportsMap: Record<string, string> = {};
const hashes: Record<string, string> = {};
const schemas: (readonly [string, object])[] = [
  ...TOPICS.map((t) => [t.id, t.paramsSchema] as const),
  ...TOPICS.flatMap((t) => (t.shapes ? [[shapeKey(t.id), t.shapes] as const] : [])),
  [QUESTION_KEY, questionSchema],
  [CONCEPTS_KEY, JSON.parse(readFileSync(join(CONCEPTS_DIR, CONCEPTS_SCHEMA_FILE), 'utf8')) as object],
];
for (const [key, schema] of schemas) {
  ajv.addSchema(schema, key);
  exportsMap[key] = key;
  hashes[key] = schemaHash(schema);
}
const validators = `${standalone.default(ajv, exportsMap)}\nexports.hashes = ${JSON.stringify(hashes)};\n`;
writeFileSync(join(GENERATED_DIR, VALIDATORS_FILE), validators);

const sources = templateSources();
const specs = sources.map(([name, src]) => `  ${JSON.stringify(name)}: ${Handlebars.precompile(src, TEMPLATE_OPTIONS)}`);
writeFileSync(
  join(GENERATED_DIR, TEMPLATES_FILE),
  `"use strict";\nexports.hash = ${JSON.stringify(templatesHash(sources))};\nexports.specs = {\n${specs.join(',\n')}\n};\n`,
);
console.log(`precompiled ${schemas.length} validators and ${sources.length} templates into ${GENERATED_DIR}`);

// The package's bin (`npx stepwise`, package.json "bin") must be executable: tsc writes it 0644, and
// npm sets the bit only when it links a dependency's bin, not the project's own.
chmodSync(join(PACKAGE_ROOT, 'dist', 'src', 'cli', 'main.js'), 0o755);
