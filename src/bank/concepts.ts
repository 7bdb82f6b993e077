/**
 * The conceptual question bank: question-bank/concepts/<section>.json, one file per notes section,
 * checked against question-bank/concepts/concepts.schema.json and then against what a schema cannot
 * say (exactly one right option, unique ids, regexes that compile). Like the numeric bank, a bad file
 * is reported with its path and the failing field and left out; the rest still loads.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { ValidateFunction } from 'ajv';
import { PACKAGE_ROOT, QUESTION_BANK_DIR } from '../core/paths.js';
import { ajvError, validatorFor } from '../solvers/params.js';
import type { Difficulty } from '../solvers/topic.js';
import { TOPICS } from '../topics/index.js';
import { builtInBank, type BankProblem } from './bank.js';

export const CONCEPTS_DIR = join(QUESTION_BANK_DIR, 'concepts');
export const CONCEPTS_SCHEMA_FILE = 'concepts.schema.json';
export const CONCEPTS_KEY = 'concepts';

export type ConceptKind = 'single' | 'multiple' | 'ordering' | 'matching' | 'numeric' | 'text';
export const CONCEPT_KINDS: readonly ConceptKind[] = ['single', 'multiple', 'ordering', 'matching', 'numeric', 'text'];

export interface ConceptOption {
  id: string;
  text: string;
  correct: boolean;
  why: string;
}

export interface ConceptItem {
  id: string;
  kind: ConceptKind;
  difficulty: Difficulty;
  prompt: string;
  explanation: string;
  source: string;
  marks?: number;
  pinOrder?: boolean;
  why?: string;
  options?: ConceptOption[];
  order?: { id: string; text: string }[];
  pairs?: { id: string; left: string; right: string }[];
  extraRights?: string[];
  answer?: number;
  tolerance?: { absolute?: number; relative?: number };
  accept?: string[];
  patterns?: string[];
  wrong?: { value?: number; pattern?: string; why: string }[];
  /** Set by the loader: the file's section id and title. */
  section: string;
  sectionTitle: string;
}

export interface ConceptBank {
  items: Map<string, ConceptItem>;
  sections: Map<string, { title: string; items: string[] }>;
  problems: BankProblem[];
}

class ConceptError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

let validate: ValidateFunction | undefined;
let defaultBank: ConceptBank | undefined;

/** The built-in conceptual bank, loaded once. */
export function builtInConcepts(): ConceptBank {
  // An item id works wherever a topic or bank question id does, so it may be neither.
  defaultBank ??= loadConcepts(CONCEPTS_DIR, new Set([...TOPICS.map((t) => t.id), ...builtInBank().questions.keys()]));
  return defaultBank;
}

/** Loads every `*.json` in `dir` but the schema; `taken` are ids already used (topics, numeric questions). */
export function loadConcepts(dir: string, taken: ReadonlySet<string> = new Set()): ConceptBank {
  const bank: ConceptBank = { items: new Map(), sections: new Map(), problems: [] };
  let files: string[];
  try {
    files = readdirSync(dir).filter((f) => f.endsWith('.json') && f !== CONCEPTS_SCHEMA_FILE).sort();
  } catch (e) {
    // No concepts folder is an empty conceptual bank, not an error.
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return bank;
    bank.problems.push({ file: dir, field: '', message: `cannot read the folder: ${(e as Error).message}` });
    return bank;
  }
  for (const f of files) {
    const path = join(dir, f);
    const shown = path.startsWith(PACKAGE_ROOT) ? relative(PACKAGE_ROOT, path) : path;
    try {
      const file = parseConceptFile(readFileSync(path, 'utf8'));
      file.items.forEach((item, i) => {
        if (bank.items.has(item.id) || taken.has(item.id)) throw new ConceptError(`items[${i}].id`, `id ${item.id} is already used by another item, topic or question`);
      });
      const section = bank.sections.get(file.section) ?? { title: file.title, items: [] };
      for (const item of file.items) {
        bank.items.set(item.id, item);
        section.items.push(item.id);
      }
      bank.sections.set(file.section, section);
    } catch (e) {
      bank.problems.push({ file: shown, field: e instanceof ConceptError ? e.field : '', message: (e as Error).message });
    }
  }
  return bank;
}

/** Parses and checks one file's text; throws naming the field (e.g. "items[3].options"). */
export function parseConceptFile(text: string): { section: string; title: string; items: ConceptItem[] } {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new ConceptError('', `not valid JSON: ${(e as Error).message}`);
  }
  validate ??= validatorFor(CONCEPTS_KEY, JSON.parse(readFileSync(join(CONCEPTS_DIR, CONCEPTS_SCHEMA_FILE), 'utf8')) as object);
  if (!validate(data)) {
    const errors = validate.errors ?? [];
    const deepest = errors.reduce((best, e) => (e.instancePath.length > best.instancePath.length ? e : best), errors[0]);
    const err = ajvError(deepest, 'invalid_request', 'file');
    throw new ConceptError((err.path ?? 'file').replace(/^file\.?/, ''), err.message);
  }
  const file = data as { section: string; title: string; items: ConceptItem[] };
  const seen = new Set<string>();
  file.items.forEach((item, i) => {
    if (seen.has(item.id)) throw new ConceptError(`items[${i}].id`, `id ${item.id} appears twice in this file`);
    seen.add(item.id);
    checkItem(item, `items[${i}]`);
    item.section = file.section;
    item.sectionTitle = file.title;
  });
  return file;
}

/** The fields each kind may carry (beyond the common ones). */
const KIND_FIELDS: Record<ConceptKind, readonly string[]> = {
  single: ['options', 'pinOrder'],
  multiple: ['options', 'pinOrder'],
  ordering: ['order', 'why'],
  matching: ['pairs', 'extraRights', 'pinOrder'],
  numeric: ['answer', 'tolerance', 'wrong'],
  text: ['accept', 'patterns', 'wrong'],
};
const COMMON = new Set(['id', 'kind', 'difficulty', 'prompt', 'explanation', 'source', 'marks', 'section', 'sectionTitle']);

/** The field each kind cannot do without. */
const KIND_REQUIRED: Partial<Record<ConceptKind, string>> = { single: 'options', multiple: 'options', ordering: 'order', matching: 'pairs', numeric: 'answer' };

function checkItem(item: ConceptItem, at: string): void {
  const needed = KIND_REQUIRED[item.kind];
  if (needed !== undefined && !Object.hasOwn(item, needed)) throw new ConceptError(`${at}.${needed}`, `a ${item.kind} item needs "${needed}"`);
  for (const k of Object.keys(item)) {
    if (!COMMON.has(k) && !KIND_FIELDS[item.kind].includes(k)) throw new ConceptError(`${at}.${k}`, `a ${item.kind} item has no field "${k}"`);
  }
  const unique = (ids: string[], field: string) => {
    const dup = ids.find((id, i) => ids.indexOf(id) !== i);
    if (dup !== undefined) throw new ConceptError(`${at}.${field}`, `id "${dup}" appears twice`);
  };
  if (item.kind === 'single' || item.kind === 'multiple') {
    const opts = item.options!;
    unique(opts.map((o) => o.id), 'options');
    const right = opts.filter((o) => o.correct).length;
    if (item.kind === 'single' && right !== 1) throw new ConceptError(`${at}.options`, `a single-choice item needs exactly one correct option, has ${right}`);
    if (item.kind === 'multiple' && right < 1) throw new ConceptError(`${at}.options`, 'a multiple-choice item needs at least one correct option');
  }
  if (item.kind === 'ordering') unique(item.order!.map((o) => o.id), 'order');
  if (item.kind === 'matching') {
    unique(item.pairs!.map((p) => p.id), 'pairs');
    const rights = [...item.pairs!.map((p) => norm(p.right)), ...(item.extraRights ?? []).map(norm)];
    const dup = rights.find((r, i) => rights.indexOf(r) !== i);
    if (dup !== undefined) throw new ConceptError(`${at}.pairs`, `the right-hand text "${dup}" appears twice, so a match would be ambiguous`);
  }
  if (item.kind === 'text') {
    // The first accepted answer is the one a key, a worked solution and "test this question" show: patterns alone give none.
    if ((item.accept?.length ?? 0) === 0) throw new ConceptError(`${at}.accept`, 'a text item needs at least one accepted answer (patterns may add more)');
    item.patterns?.forEach((p, j) => compiles(p, `${at}.patterns[${j}]`));
  }
  item.wrong?.forEach((w, j) => {
    const field = `${at}.wrong[${j}]`;
    if (item.kind === 'numeric' && w.value === undefined) throw new ConceptError(field, 'a numeric item\'s wrong answer needs a "value"');
    if (item.kind === 'text' && w.pattern === undefined) throw new ConceptError(field, 'a text item\'s wrong answer needs a "pattern"');
    if (item.kind === 'numeric' && w.pattern !== undefined) throw new ConceptError(`${field}.pattern`, 'a numeric item\'s wrong answer has a value, not a pattern');
    if (item.kind === 'text' && w.value !== undefined) throw new ConceptError(`${field}.value`, 'a text item\'s wrong answer has a pattern, not a value');
    if (w.pattern !== undefined) compiles(w.pattern, `${field}.pattern`);
  });
}

function compiles(source: string, field: string): void {
  try {
    new RegExp(source, 'i');
  } catch (e) {
    throw new ConceptError(field, `not a valid regular expression: ${(e as Error).message}`);
  }
}

/** Text answers compare trimmed, case-insensitive, inner whitespace collapsed. */
export function norm(s: string): string {
  return s.trim().replace(/\s+/g, ' ').toLowerCase();
}
