/**
 * Turns one raw answer (number, array, nested array, math string, class name) into a value of the
 * step's shape, or says in one sentence why it cannot be read. Never throws for any JSON input.
 */
import { evaluateExpression, ExpressionError, MAX_EXPRESSION_LENGTH, type ExprValue } from '../core/math-expr.js';
import { describeShape, type Kind, type Matrix, type Value, type Vector } from '../core/values.js';

/** Most elements one answer may hold (a 32×32 matrix). */
export const MAX_ANSWER_ELEMENTS = 1024;
/** Most characters one answer may hold, all its strings together (one math string is as long). */
export const MAX_ANSWER_CHARS = MAX_EXPRESSION_LENGTH;

/**
 * Why an answer cannot be read, as a stable code (the outcome note `invalid:<code>`; the English
 * `reason` beside it may change): over a size limit, not an answer's form (an object, nested too
 * deep, not a class name), math that does not parse or evaluate, the wrong dimensions, an element
 * that is NaN, infinite or empty, or a class name that is not one of the classes.
 */
export type InvalidReason = 'too-large' | 'form' | 'syntax' | 'shape' | 'non-finite' | 'unknown-label';
export const INVALID_REASONS: readonly InvalidReason[] = ['too-large', 'form', 'syntax', 'shape', 'non-finite', 'unknown-label'];

export type ReadResult = { ok: true; value: Value } | { ok: false; reason: string; code: InvalidReason };

export interface ExpectedShape {
  kind: Kind;
  /** The true value: its dimensions are the shape an answer must have. */
  truth: Value;
  /** May hold −∞ for masked entries (JSON null, "-inf"). */
  maskable: boolean;
  /** For label steps: the accepted labels. */
  labels?: readonly string[];
}

/** Empty answers count as not answered: undefined, null, "", whitespace. */
export function isBlank(raw: unknown): boolean {
  return raw === undefined || raw === null || (typeof raw === 'string' && raw.trim() === '');
}

export function readAnswer(raw: unknown, shape: ExpectedShape): ReadResult {
  const over = answerLimitProblem(raw);
  if (over) return { ok: false, reason: over.reason, code: over.size ? 'too-large' : 'form' };
  try {
    return shape.kind === 'label' ? readLabel(raw, shape.labels ?? []) : readNumeric(raw, shape);
  } catch (e) {
    if (e instanceof ShapeError) return { ok: false, reason: e.message, code: e.code };
    if (e instanceof ExpressionError) return { ok: false, reason: e.message, code: 'syntax' };
    throw e;
  }
}

class ShapeError extends Error {
  constructor(
    message: string,
    readonly code: InvalidReason,
  ) {
    super(message);
  }
}

/** Why an answer cannot be read before reading it: over a size limit, or not of an answer's form. */
export interface LimitProblem {
  reason: string;
  /** Over the characters or elements limit (else: nested too deep, or an object). */
  size: boolean;
}

/**
 * Why a raw answer is over the limits (characters, elements, nesting) or holds an object, or null.
 * Runs before anything reads the answer, in one pass that stops at the first excess, so its cost is
 * bounded by the limits whatever the input's size.
 */
export function answerLimitProblem(raw: unknown): LimitProblem | null {
  // Arrays nest at most two deep, so plain loops do (no stack to allocate: this runs on every answer).
  let chars = 0;
  let elements = 0;
  const leaf = (v: unknown): LimitProblem | null => {
    if (typeof v === 'string') {
      chars += v.length;
      if (chars > MAX_ANSWER_CHARS) return size(`the answer is longer than ${MAX_ANSWER_CHARS} characters`);
    } else if (typeof v === 'object' && v !== null) {
      return form(`expected a number, an array or a math expression, got ${describeShape(v)}`);
    }
    return ++elements > MAX_ANSWER_ELEMENTS ? size(`more than ${MAX_ANSWER_ELEMENTS} elements`) : null;
  };
  if (!Array.isArray(raw)) return leaf(raw);
  if (raw.length > MAX_ANSWER_ELEMENTS) return size(`more than ${MAX_ANSWER_ELEMENTS} elements`);
  for (const row of raw) {
    if (!Array.isArray(row)) {
      const p = leaf(row);
      if (p) return p;
      continue;
    }
    if (row.length > MAX_ANSWER_ELEMENTS) return size(`more than ${MAX_ANSWER_ELEMENTS} elements`);
    for (const cell of row) {
      if (Array.isArray(cell)) return form('arrays are nested more than two deep');
      const p = leaf(cell);
      if (p) return p;
    }
  }
  return null;
}

const size = (reason: string): LimitProblem => ({ reason, size: true });
const form = (reason: string): LimitProblem => ({ reason, size: false });

function readLabel(raw: unknown, labels: readonly string[]): ReadResult {
  if (typeof raw !== 'string') return { ok: false, reason: `expected a class name, got ${describeShape(raw)}`, code: 'form' };
  const text = raw.trim();
  const match = labels.find((l) => l.toLowerCase() === text.toLowerCase());
  if (match === undefined) {
    return { ok: false, reason: `"${clip(text)}" is not one of the classes: ${labels.join(', ')}`, code: 'unknown-label' };
  }
  return { ok: true, value: match };
}

function readNumeric(raw: unknown, shape: ExpectedShape): ReadResult {
  // Fast path: plain finite numbers already in the truth's shape (what JSON clients send) are used
  // as they are, without a copy; values are never mutated downstream.
  if (plainNumbers(raw, shape.truth)) return { ok: true, value: raw as Value };
  const counter = { n: 0 };
  const v = toNumbers(raw, 0, counter, shape.maskable);
  const problem = shapeProblem(v, shape.truth);
  if (problem) return { ok: false, reason: problem, code: 'shape' };
  return { ok: true, value: v as Value };
}

/** Raw JSON to numbers: strings are math; nulls are masked entries; nesting at most 2 deep. */
function toNumbers(raw: unknown, depth: number, counter: { n: number }, maskable: boolean): ExprValue {
  if (typeof raw === 'number') return checkNumber(raw, maskable && depth > 0, counter);
  // A string is math, at any level: a whole matrix, a row, or one element ("-inf" masks one).
  if (typeof raw === 'string') return checkTree(evaluateExpression(raw), depth, counter, maskable);
  if (raw === null) {
    if (maskable && depth > 0) return checkNumber(-Infinity, true, counter);
    throw new ShapeError('an element is empty (null)', 'non-finite');
  }
  if (Array.isArray(raw)) {
    if (depth >= 2) throw new ShapeError('arrays are nested more than two deep', 'form');
    if (raw.length > MAX_ANSWER_ELEMENTS) throw new ShapeError(`more than ${MAX_ANSWER_ELEMENTS} elements`, 'too-large');
    return raw.map((x) => toNumbers(x, depth + 1, counter, maskable));
  }
  throw new ShapeError(`expected a number, an array or a math expression, got ${describeShape(raw)}`, 'form');
}

function checkTree(v: ExprValue, depth: number, counter: { n: number }, maskable: boolean): ExprValue {
  if (typeof v === 'number') return checkNumber(v, maskable && depth > 0, counter);
  if (depth >= 2) throw new ShapeError('arrays are nested more than two deep', 'form');
  return v.map((x) => checkTree(x, depth + 1, counter, maskable));
}

function checkNumber(x: number, maskable: boolean, counter: { n: number }): number {
  if (++counter.n > MAX_ANSWER_ELEMENTS) throw new ShapeError(`more than ${MAX_ANSWER_ELEMENTS} elements`, 'too-large');
  if (Number.isNaN(x)) throw new ShapeError('the value is not a number (NaN)', 'non-finite');
  if (x === -Infinity && maskable) return x;
  if (!Number.isFinite(x)) throw new ShapeError('the value is infinite', 'non-finite');
  return x;
}

function plainNumbers(raw: unknown, truth: Value): boolean {
  if (typeof truth === 'number') return typeof raw === 'number' && Number.isFinite(raw);
  if (!Array.isArray(raw) || !Array.isArray(truth) || raw.length !== truth.length) return false;
  for (let i = 0; i < raw.length; i++) {
    const r = raw[i];
    const t = truth[i];
    if (typeof t === 'number') {
      if (typeof r !== 'number' || !Number.isFinite(r)) return false;
    } else {
      if (!Array.isArray(r) || r.length !== t.length) return false;
      for (let j = 0; j < r.length; j++) if (typeof r[j] !== 'number' || !Number.isFinite(r[j])) return false;
    }
  }
  return true;
}

/** Null when `v` has the truth's shape, else what differs. */
function shapeProblem(v: ExprValue, truth: Value): string | null {
  return sameShape(v, truth) ? null : `expected ${describeShape(truth)}, got ${describeShape(v)}`;
}

function sameShape(v: ExprValue, truth: Value): boolean {
  if (typeof truth === 'number') return typeof v === 'number';
  const t = truth as Vector | Matrix;
  if (!Array.isArray(v) || v.length !== t.length) return false;
  const matrix = t.length > 0 && Array.isArray(t[0]);
  const cols = matrix ? (t as Matrix)[0].length : 0;
  for (const row of v) {
    if (Array.isArray(row) !== matrix) return false;
    if (matrix && (row as ExprValue[]).length !== cols) return false;
  }
  return true;
}

function clip(s: string): string {
  return s.length > 40 ? `${s.slice(0, 37)}...` : s;
}
