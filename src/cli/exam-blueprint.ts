/**
 * An exam blueprint file (YAML or JSON) read into the API's exam request and checked by the very
 * schema POST /api/v1/exams checks (NewExamRequest), so the file takes exactly what the API takes
 * and new fields there work here unchanged. A problem names the field and the file's line.
 */
import { readFileSync, statSync } from 'node:fs';
import { extname } from 'node:path';
import { LineCounter, parseDocument, type Document } from 'yaml';
import { StepwiseError } from '../core/errors.js';
import { checkRequest } from '../api/checks.js';

/** Largest blueprint file read. */
export const MAX_BLUEPRINT_BYTES = 1024 * 1024;

export interface Blueprint {
  /** The exam request, as POST /api/v1/exams takes it. */
  request: Record<string, unknown>;
  /** `blueprint[0].count` → "exam.yaml line 5": where a field sits in the file. */
  where(path: string): string;
}

export function readBlueprintFile(file: string): Blueprint {
  const ext = extname(file).toLowerCase();
  if (!['.yaml', '.yml', '.json'].includes(ext)) throw new StepwiseError('invalid_request', `--blueprint must be a .yaml, .yml or .json file, got ${JSON.stringify(file)}`, 'blueprint');
  let text: string;
  try {
    if (statSync(file).size > MAX_BLUEPRINT_BYTES) throw new StepwiseError('too_large', `${file} is larger than ${MAX_BLUEPRINT_BYTES} bytes`, 'blueprint');
    text = readFileSync(file, 'utf8');
  } catch (e) {
    if (e instanceof StepwiseError) throw e;
    throw new StepwiseError('invalid_request', `cannot read ${file}: ${(e as Error).message}`, 'blueprint');
  }
  return readBlueprint(text, file, ext === '.json' ? 'json' : 'yaml');
}

/** Reads and checks a blueprint's text; `name` is how messages call the file. */
export function readBlueprint(text: string, name: string, format: 'yaml' | 'json'): Blueprint {
  const lines = new LineCounter();
  let value: unknown;
  if (format === 'json') {
    try {
      value = JSON.parse(text);
    } catch (e) {
      const at = /position (\d+)/.exec((e as Error).message);
      const line = at ? text.slice(0, Number(at[1])).split('\n').length : undefined;
      throw new StepwiseError('invalid_request', `${name}${line ? ` line ${line}` : ''}: not valid JSON: ${(e as Error).message}`, 'blueprint');
    }
  }
  // JSON is YAML too: the YAML document of either file tells which line a field is on.
  const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: true, prettyErrors: true });
  if (format === 'yaml') {
    const err = doc.errors[0];
    if (err) {
      const line = err.linePos?.[0].line;
      throw new StepwiseError('invalid_request', `${name}${line ? ` line ${line}` : ''}: not valid YAML: ${err.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '')}`, 'blueprint');
    }
    // Aliases are capped, so a small file cannot expand into a huge one.
    value = doc.toJS({ maxAliasCount: 100 });
  }
  const where = (path: string): string => {
    const line = lineOf(doc, lines, path);
    return line === undefined ? name : `${name} line ${line}`;
  };
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new StepwiseError('invalid_request', `${name}: the blueprint must be a mapping with title, blueprint (rows of topic, count, difficulty), versions and seed`, 'blueprint');
  }
  try {
    checkRequest('NewExamRequest', value);
  } catch (e) {
    throw located(e, where);
  }
  return { request: value as Record<string, unknown>, where };
}

/** A request error (path `body.x`) as one about the file: the field without `body.` and its line. */
export function located(e: unknown, where: (path: string) => string): unknown {
  if (!(e instanceof StepwiseError) || e.path === undefined || !/^body(\.|\[|$)/.test(e.path)) return e;
  const path = e.path.replace(/^body\.?/, '');
  const message = e.message.replace(/\bbody\.(?=[\w[])/g, '').replace(/\bbody\b/g, 'the blueprint');
  return new StepwiseError(e.code, `${where(path)}: ${message}`, path || 'blueprint');
}

/** The line of the deepest node on `path` (`blueprint[0].count`) that the file has. */
function lineOf(doc: Document, lines: LineCounter, path: string): number | undefined {
  const segments = [...path.matchAll(/[^.[\]]+/g)].map((m) => (/^\d+$/.test(m[0]) ? Number(m[0]) : m[0]));
  for (let n = segments.length; n >= 0; n--) {
    const node = n === 0 ? doc.contents : doc.getIn(segments.slice(0, n), true);
    const range = (node as { range?: [number, number, number] } | null | undefined)?.range;
    if (range) return lines.linePos(range[0]).line;
  }
  return undefined;
}
