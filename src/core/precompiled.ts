/**
 * Build-time artefacts (dist/generated/): ajv validators as standalone code and Handlebars
 * templates precompiled, so a process starts without compiling either — that was about 200 ms of a
 * 10,000-request batch. Each artefact records a hash of its sources; a stale or missing one is
 * ignored and the caller compiles from source as before, so editing a template or schema without
 * rebuilding never serves an old version.
 */
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PACKAGE_ROOT, QUESTION_BANK_DIR, TEMPLATES_DIR } from './paths.js';

export const GENERATED_DIR = join(PACKAGE_ROOT, 'dist', 'generated');
export const VALIDATORS_FILE = 'validators.cjs';
export const TEMPLATES_FILE = 'templates.cjs';
export const QUESTION_SCHEMA_FILE = join(QUESTION_BANK_DIR, 'question.schema.json');

const require = createRequire(import.meta.url);

/** Loads a generated CommonJS module, or undefined when there is none (sources not built). */
export function loadGenerated<T>(file: string): T | undefined {
  try {
    return require(join(GENERATED_DIR, file)) as T;
  } catch {
    return undefined;
  }
}

export function sha1(text: string): string {
  return createHash('sha1').update(text).digest('hex');
}

/** Every template file, relative path → source, in a stable order. */
export function templateSources(): [string, string][] {
  const out: [string, string][] = [];
  for (const dir of readdirSync(TEMPLATES_DIR, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort()) {
    for (const file of readdirSync(join(TEMPLATES_DIR, dir)).filter((f) => f.endsWith('.md.hbs')).sort()) {
      out.push([`${dir}/${file.slice(0, -'.md.hbs'.length)}`, readFileSync(join(TEMPLATES_DIR, dir, file), 'utf8')]);
    }
  }
  return out;
}

export function templatesHash(sources: [string, string][]): string {
  return sha1(JSON.stringify(sources));
}
