/**
 * The question page's form as answers: each asked step's shape (from the problem's own values:
 * only its dimensions are used), the form's flat field names (`answers[<step>]`,
 * `answers[<step>][i]`, `answers[<step>][i][j]`) read back into the raw answers the API takes, and
 * each entry read by the same reader that grades (readAnswer), so an unreadable one is named
 * before anything is graded or stored.
 */
import type { Kind, Value } from '../core/values.js';
import { solveProblem } from '../engine.js';
import { isBlank, readAnswer, type ReadResult } from '../solvers/read-answer.js';
import { validateParams } from '../solvers/params.js';
import { findTopic } from '../topics/index.js';
import type { Variant } from '../store/types.js';

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
}

const shapeCache = new Map<string, StepShape[]>();

export function stepShapes(v: Pick<Variant, 'id' | 'topic' | 'params' | 'steps'>): StepShape[] {
  const hit = shapeCache.get(v.id);
  if (hit) return hit;
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
}

const MAX_CELL = 2000;

/** Reads the form body (flat names, urlencoded) into one entry per asked step. */
export function readForm(body: Record<string, unknown>, shapes: StepShape[]): Map<string, StepEntry> {
  const out = new Map<string, StepEntry>();
  for (const s of shapes) {
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

/** The grader's own reading of one answer (src/solvers/read-answer.ts). */
export function readEntry(s: StepShape, raw: unknown): ReadResult {
  if (isBlank(raw)) return { ok: false, reason: 'the answer is empty', code: 'form' }; // the form's own check: the grader calls a blank `missing`
  return readAnswer(raw, { kind: s.kind, truth: s.truth, maskable: s.maskable, ...(s.labels ? { labels: s.labels } : {}) });
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
    if (typeof a === 'string' || typeof a === 'number') out[`answers[${s.id}]`] = String(a);
    else if (Array.isArray(a) && s.kind === 'vector') a.forEach((x, j) => (out[`answers[${s.id}][${j}]`] = x === null ? '' : String(x)));
    else if (Array.isArray(a)) a.forEach((row, i) => (Array.isArray(row) ? row : [row]).forEach((x, j) => (out[`answers[${s.id}][${i}][${j}]`] = x === null ? '' : String(x))));
  }
  return out;
}
