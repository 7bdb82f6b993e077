/**
 * The question page's form as answers: each asked step's shape (from the problem's own values:
 * only its dimensions are used), the form's flat field names (`answers[<step>]`,
 * `answers[<step>][i]`, `answers[<step>][i][j]`) read back into the raw answers the API takes, and
 * each entry read by the same reader that grades (readAnswer), so an unreadable one is named
 * before anything is graded or stored.
 */
import type { Kind, Value } from '../core/values.js';
import { artefactOf, solveProblem } from '../engine.js';
import { checkArtefactParams, readArtefactNumber } from '../bank/artefact-item.js';
import { runLetters } from '../models/student.js';
import { isBlank, readAnswer, type ReadResult } from '../solvers/read-answer.js';
import { validateParams } from '../solvers/params.js';
import { findTopic } from '../topics/index.js';
import type { Variant } from '../store/types.js';
import { checkConceptParams, letter, readConceptAnswer, rightText, type ConceptParams } from '../bank/concept-present.js';
import { findConcept } from '../bank/concept-topic.js';
import type { ConceptKind } from '../bank/concepts.js';

export interface StepShape {
  id: string;
  label: string;
  kind: Kind;
  /** Vectors: 1 × n; matrices: rows × cols; scalars and labels: 0 × 0. */
  rows: number;
  cols: number;
  maskable: boolean;
  deps: readonly string[];
  /** Label steps: the accepted labels. */
  labels?: readonly string[];
  /** The true value, for its shape only; never sent to a page. */
  truth: Value;
  /** A conceptual item's inputs: radio buttons, checkboxes, position or match selects (letters as shown). */
  concept?: ConceptInput;
}

export interface ConceptInput {
  item: string;
  kind: ConceptKind;
  params: ConceptParams;
  /** Options or entries in the order shown: the letter and the plain text. */
  choices: { letter: string; text: string }[];
  /** Matching: the numbered left entries. */
  lefts: { n: number; text: string }[];
  /** A question about model runs (its item id is no conceptual item): the letters are runs, read by the artefact's own rule. */
  artefact?: true;
}

/** Text for a form control's label: Markdown and TeX delimiters dropped (the prompt above is typeset). */
const plain = (md: string): string => md.replace(/\$/g, '').replace(/[*_`]/g, '').replace(/\s+/g, ' ').trim();

function conceptShape(v: Pick<Variant, 'topic' | 'params' | 'steps'>): StepShape[] | undefined {
  const item = findConcept(v.topic);
  if (!item) return undefined;
  const params = checkConceptParams(item, v.params);
  const text = (id: string): string =>
    plain(item.kind === 'ordering' ? item.order!.find((o) => o.id === id)!.text : item.kind === 'matching' ? rightText(item, id) : item.options!.find((o) => o.id === id)!.text);
  const shown = params.options ?? params.order ?? params.rights ?? [];
  const concept: ConceptInput = {
    item: item.id,
    kind: item.kind,
    params,
    choices: shown.map((id, i) => ({ letter: letter(i), text: text(id) })),
    lefts: (params.lefts ?? []).map((id, i) => ({ n: i + 1, text: plain(item.pairs!.find((x) => x.id === id)!.left) })),
  };
  const kind: Kind = item.kind === 'numeric' ? 'scalar' : 'label';
  return [{ id: 'answer', label: 'Answer', kind, rows: 0, cols: 0, maskable: false, deps: [], truth: 0, concept }];
}

/** A question about model runs: its runs as radio buttons ("which run"), else one text box. */
function artefactShape(v: Pick<Variant, 'topic' | 'params' | 'steps'>): StepShape[] | undefined {
  const q = artefactOf(v.topic);
  if (!q) return undefined;
  const { seed } = checkArtefactParams(v.params);
  const letters = Object.values(runLetters(q, seed)).sort();
  const choice = q.answer.type === 'choice';
  const concept: ConceptInput = {
    item: q.id,
    kind: choice ? 'single' : q.answer.type === 'number' ? 'numeric' : 'text',
    params: {},
    choices: choice ? letters.map((l) => ({ letter: l, text: `Run ${l}` })) : [],
    lefts: [],
    artefact: true,
  };
  return [{ id: 'answer', label: 'Answer', kind: q.answer.type === 'number' ? 'scalar' : 'label', rows: 0, cols: 0, maskable: false, deps: [], truth: 0, concept, ...(choice ? { labels: letters } : {}) }];
}

const shapeCache = new Map<string, StepShape[]>();

export function stepShapes(v: Pick<Variant, 'id' | 'topic' | 'params' | 'steps'>): StepShape[] {
  const hit = shapeCache.get(v.id);
  if (hit) return hit;
  const concept = conceptShape(v) ?? artefactShape(v);
  if (concept) {
    shapeCache.set(v.id, concept);
    return concept;
  }
  const topic = findTopic(v.topic)!;
  const params = validateParams(topic, v.params);
  const values = new Map(solveProblem(v.topic, v.params).steps.map((s) => [s.id, s.value]));
  const labels = topic.labels?.(params);
  const shapes = v.steps.map((id): StepShape => {
    const step = topic.steps[id];
    const truth = values.get(id)!;
    const matrix = Array.isArray(truth) && Array.isArray(truth[0]);
    const rows = step.kind === 'matrix' || matrix ? (truth as unknown[]).length : step.kind === 'vector' ? 1 : 0;
    const cols = matrix ? (truth as unknown[][])[0].length : step.kind === 'vector' ? (truth as unknown[]).length : 0;
    return { id, label: step.label, kind: step.kind, rows, cols, maskable: step.maskable === true, deps: step.deps, truth, ...(step.kind === 'label' && labels ? { labels } : {}) };
  });
  if (shapeCache.size > 1000) shapeCache.clear();
  shapeCache.set(v.id, shapes);
  return shapes;
}

/** What the form sent for one step: the text box (or choice), and the grid's cells. */
export interface StepEntry {
  text: string;
  cells: string[][];
  /** The raw answer to grade: the text when given, else the grid; undefined when blank. */
  raw: unknown;
  /** Why it cannot be read, when it cannot. */
  problem?: string;
  /** A conceptual item's fields as sent (checkboxes, selects), to show them again. */
  fields?: Record<string, string>;
}

const MAX_CELL = 2000;

/** Reads the form body (flat names, urlencoded) into one entry per asked step. */
export function readForm(body: Record<string, unknown>, shapes: StepShape[]): Map<string, StepEntry> {
  const out = new Map<string, StepEntry>();
  for (const s of shapes) {
    if (s.concept) {
      out.set(s.id, readConceptForm(body, s, s.concept));
      continue;
    }
    const field = (name: string): string => {
      const x = body[name];
      return typeof x === 'string' ? x.slice(0, MAX_CELL) : '';
    };
    const text = field(`answers[${s.id}]`);
    const cells: string[][] = [];
    for (let i = 0; i < s.rows; i++) {
      const row: string[] = [];
      for (let j = 0; j < s.cols; j++) row.push(field(s.kind === 'vector' ? `answers[${s.id}][${j}]` : `answers[${s.id}][${i}][${j}]`));
      cells.push(row);
    }
    const entry: StepEntry = { text, cells, raw: undefined };
    if (text.trim() !== '') entry.raw = text;
    else if (cells.some((r) => r.some((c) => c.trim() !== ''))) {
      const empty = emptyCell(cells, s.kind === 'vector');
      if (empty) entry.problem = `${empty} is empty: fill every cell, or clear them all to leave the step blank`;
      else entry.raw = s.kind === 'vector' ? cells[0] : cells;
    }
    if (entry.raw !== undefined) {
      // Read as the grader reads (its "interpreted as" TeX is the preview endpoint's, not needed here).
      const read = readEntry(s, entry.raw);
      if (!read.ok) entry.problem = read.reason;
    }
    out.set(s.id, entry);
  }
  return out;
}

function emptyCell(cells: string[][], vector: boolean): string | undefined {
  for (let i = 0; i < cells.length; i++) {
    for (let j = 0; j < cells[i].length; j++) if (cells[i][j].trim() === '') return vector ? `entry ${j + 1}` : `row ${i + 1}, column ${j + 1}`;
  }
  return undefined;
}

/**
 * A conceptual item's fields: `answers[answer]` (radio or text box), else one field per letter
 * (`answers[answer][B]`: a ticked checkbox, or an entry's position) or per numbered left entry
 * (`answers[answer][2]`: its match). `fields` keeps what was sent, to show it again.
 */
function readConceptForm(body: Record<string, unknown>, s: StepShape, c: ConceptInput): StepEntry {
  const field = (name: string): string => {
    const x = body[name];
    return typeof x === 'string' ? x.slice(0, MAX_CELL) : '';
  };
  const fields: Record<string, string> = {};
  const keep = (name: string) => {
    const x = field(name);
    if (x !== '') fields[name] = x;
    return x.trim();
  };
  const entry: StepEntry = { text: '', cells: [], raw: undefined, fields };
  if (c.kind === 'single' || c.kind === 'numeric' || c.kind === 'text') {
    entry.text = keep(`answers[${s.id}]`);
    if (entry.text !== '') entry.raw = entry.text;
  } else if (c.kind === 'multiple') {
    const ticked = c.choices.filter((o) => keep(`answers[${s.id}][${o.letter}]`) !== '').map((o) => o.letter);
    if (ticked.length > 0) entry.raw = ticked;
  } else if (c.kind === 'ordering') {
    const placed = c.choices.map((o) => ({ letter: o.letter, at: keep(`answers[${s.id}][${o.letter}]`) }));
    const given = placed.filter((x) => x.at !== '');
    if (given.length > 0) {
      const dup = given.find((x, i) => given.findIndex((y) => y.at === x.at) !== i);
      if (given.length < placed.length) entry.problem = `give every entry a position (${placed.length - given.length} without one)`;
      else if (dup) entry.problem = `two entries are in position ${dup.at}`;
      else entry.raw = [...given].sort((a, b) => Number(a.at) - Number(b.at)).map((x) => x.letter);
    }
  } else {
    const matches: Record<string, string> = {};
    for (const l of c.lefts) {
      const x = keep(`answers[${s.id}][${l.n}]`);
      if (x !== '') matches[String(l.n)] = x;
    }
    if (Object.keys(matches).length > 0) entry.raw = matches;
  }
  if (entry.raw !== undefined && entry.problem === undefined) {
    const read = readEntry(s, entry.raw);
    if (!read.ok) entry.problem = read.reason;
  }
  return entry;
}

/** The grader's own reading of one answer (src/solvers/read-answer.ts; a conceptual item's own reader). */
export function readEntry(s: StepShape, raw: unknown): ReadResult {
  if (isBlank(raw)) return { ok: false, reason: 'the answer is empty', code: 'form' }; // the form's own check: the grader calls a blank `missing`
  if (s.concept?.artefact) return readArtefactEntry(s, raw);
  if (s.concept) {
    const r = readConceptAnswer(findConcept(s.concept.item)!, s.concept.params, raw);
    return r.ok ? { ok: true, value: typeof raw === 'number' ? raw : JSON.stringify(raw) } : { ok: false, reason: r.reason, code: 'form' };
  }
  return readAnswer(raw, { kind: s.kind, truth: s.truth, maskable: s.maskable, ...(s.labels ? { labels: s.labels } : {}) });
}

/** An answer to a question about model runs, as its grader reads it: a run's letter, a number (a decimal comma too), or text. */
function readArtefactEntry(s: StepShape, raw: unknown): ReadResult {
  const text = typeof raw === 'string' ? raw.trim() : String(raw);
  if (s.concept!.kind === 'single') {
    const letters = s.labels ?? [];
    return letters.includes(text.toUpperCase()) ? { ok: true, value: text.toUpperCase() } : { ok: false, reason: `answer with one of the runs: ${letters.join(', ')}`, code: 'unknown-label' };
  }
  if (s.concept!.kind === 'numeric') return readArtefactNumber(text);
  return { ok: true, value: text };
}

/** The readable entries, as the answers object the API takes. */
export function answersOf(entries: Map<string, StepEntry>, only?: (id: string) => boolean): Record<string, unknown> {
  const answers: Record<string, unknown> = {};
  for (const [id, e] of entries) if (e.raw !== undefined && e.problem === undefined && (!only || only(id))) answers[id] = e.raw;
  return answers;
}

/** A stored attempt's answers back as form fields, to show what was submitted. */
export function fieldsOf(answers: unknown, shapes: StepShape[]): Record<string, string> {
  const out: Record<string, string> = {};
  if (typeof answers !== 'object' || answers === null) return out;
  for (const s of shapes) {
    const a = (answers as Record<string, unknown>)[s.id];
    if (s.concept) {
      Object.assign(out, conceptFields(s, a));
      continue;
    }
    if (typeof a === 'string' || typeof a === 'number') out[`answers[${s.id}]`] = String(a);
    else if (Array.isArray(a) && s.kind === 'vector') a.forEach((x, j) => (out[`answers[${s.id}][${j}]`] = x === null ? '' : String(x)));
    else if (Array.isArray(a)) a.forEach((row, i) => (Array.isArray(row) ? row : [row]).forEach((x, j) => (out[`answers[${s.id}][${i}][${j}]`] = x === null ? '' : String(x))));
  }
  return out;
}

/** A stored answer to a conceptual item (letters or ids) as its form fields. */
function conceptFields(s: StepShape, a: unknown): Record<string, string> {
  const c = s.concept!;
  const out: Record<string, string> = {};
  if (isBlank(a)) return out;
  if (c.artefact) {
    out[`answers[${s.id}]`] = String(a);
    return out;
  }
  const read = readConceptAnswer(findConcept(c.item)!, c.params, a);
  const shown = c.params.options ?? c.params.order ?? [];
  const L = (id: string) => letter(shown.indexOf(id));
  if (!read.ok) {
    if (typeof a === 'string' || typeof a === 'number') out[`answers[${s.id}]`] = String(a);
  } else if ('single' in read) out[`answers[${s.id}]`] = L(read.single);
  else if ('set' in read) for (const id of read.set) out[`answers[${s.id}][${L(id)}]`] = 'on';
  else if ('sequence' in read) read.sequence.forEach((id, i) => (out[`answers[${s.id}][${L(id)}]`] = String(i + 1)));
  else if ('matches' in read) for (const [left, right] of read.matches) out[`answers[${s.id}][${c.params.lefts!.indexOf(left) + 1}]`] = letter(c.params.rights!.indexOf(right));
  else out[`answers[${s.id}]`] = String(a);
  return out;
}
