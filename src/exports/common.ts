/**
 * What the LMS exporters share: a step's answer elements, numbers and tolerances written without
 * float noise, the statement's Markdown + TeX as HTML, and XML escaping. Moodle XML, QTI 3.0 and
 * GIFT each build their own syntax on top of these.
 */
import { allowance, describeTolerance, type Tolerance } from '../core/tolerance.js';
import type { ExportItem, ExportStep } from './types.js';

export { escapeHtml, markdownToHtml, type HtmlOptions } from './statement-html.js';

// ---------------------------------------------------------------------------------------------
// Answer elements
// ---------------------------------------------------------------------------------------------

/** One answer box of a step: the whole value (scalar, label), one vector entry or one matrix cell. */
export interface AnswerElement {
  /** [] for a scalar or label, [i] for a vector entry, [row, col] for a matrix cell (0-based). */
  index: number[];
  /** The true value; −∞ is a masked entry. */
  truth: number | string;
  /** A masked entry (−∞): shown as given, not answered. */
  masked: boolean;
}

/** The printed form of a masked entry (Unicode minus sign and infinity). */
export const MASKED_TEXT = '\u2212\u221e';

/**
 * The step's answer elements in reading order (row by row). Throws when the expected value does
 * not have the step's kind, or holds NaN / +∞ / a −∞ outside a vector or matrix.
 */
export function stepElements(item: ExportItem, step: ExportStep): AnswerElement[] {
  const where = `item ${JSON.stringify(item.id)}, step ${JSON.stringify(step.id)}`;
  const v = step.expected;
  const num = (x: unknown, index: number[], maskable: boolean): AnswerElement => {
    if (typeof x !== 'number' || Number.isNaN(x) || x === Infinity || (x === -Infinity && !maskable)) {
      throw new TypeError(`${where}: expected a finite number${maskable ? ' or −∞' : ''} at [${index.join(', ')}], got ${String(x)}`);
    }
    return { index, truth: x, masked: x === -Infinity };
  };
  switch (step.kind) {
    case 'label':
      if (typeof v !== 'string' || v.trim() === '') throw new TypeError(`${where}: a label step needs a non-empty string`);
      return [{ index: [], truth: v, masked: false }];
    case 'scalar':
      return [num(v, [], false)];
    case 'vector':
      if (!Array.isArray(v) || v.some((x) => Array.isArray(x))) throw new TypeError(`${where}: a vector step needs an array of numbers`);
      return (v as number[]).map((x, i) => num(x, [i], true));
    case 'matrix': {
      if (!Array.isArray(v) || !v.every((r) => Array.isArray(r))) throw new TypeError(`${where}: a matrix step needs an array of rows`);
      const rows = v as number[][];
      if (rows.some((r) => r.length !== rows[0].length)) throw new TypeError(`${where}: a matrix step needs rows of equal length`);
      return rows.flatMap((r, i) => r.map((x, j) => num(x, [i, j], true)));
    }
    default:
      throw new TypeError(`${where}: unknown kind ${JSON.stringify(step.kind)}`);
  }
}

/** The elements a student answers (every element but the masked ones). */
export function answerable(elements: readonly AnswerElement[]): AnswerElement[] {
  return elements.filter((e) => !e.masked);
}

/** Checks a step's marks: a positive finite number (weights and shares are derived from it). */
export function checkMarks(item: ExportItem, step: ExportStep): number {
  if (typeof step.marks !== 'number' || !Number.isFinite(step.marks) || step.marks <= 0) {
    throw new RangeError(`item ${JSON.stringify(item.id)}, step ${JSON.stringify(step.id)}: marks must be a positive number, got ${String(step.marks)}`);
  }
  return step.marks;
}

/** "element 2", "row 1, column 3" (1-based), or "" for a scalar. */
export function positionText(e: AnswerElement): string {
  if (e.index.length === 1) return `element ${e.index[0] + 1}`;
  if (e.index.length === 2) return `row ${e.index[0] + 1}, column ${e.index[1] + 1}`;
  return '';
}

// ---------------------------------------------------------------------------------------------
// Numbers
// ---------------------------------------------------------------------------------------------

/** Significant digits of exported values: 0.30000000000000004 → 0.3, 1/3 → 0.3333333333. */
export const VALUE_DIGITS = 10;
/**
 * Decimal places exported values are also cut to: a true value below 5e-13 in size is rounding
 * noise of a difference that is exactly 0 (4.857e-17 from 0.1·0.2 − 0.2·0.1) and prints as 0.
 */
export const VALUE_PLACES = 12;
/** Significant digits of exported tolerances (rounded up, so never narrower than Stepwise's). */
export const TOLERANCE_DIGITS = 12;

/**
 * A finite number as a plain decimal (no exponent, so every LMS number parser reads it) with at
 * most `VALUE_DIGITS` significant digits and `VALUE_PLACES` decimal places, nearest rounding;
 * −0 is "0".
 */
export function formatExportNumber(x: number): string {
  if (!Number.isFinite(x)) throw new RangeError(`cannot export the number ${x}`);
  if (Math.abs(x) < 0.5 * 10 ** -VALUE_PLACES) return '0';
  if (Math.abs(x) >= 1) return plainDecimal(Number(x.toPrecision(VALUE_DIGITS)));
  // Below 1, round once at whichever is coarser — 10 significant digits or 12 places — since
  // rounding to one and then the other can move a value across a tie twice.
  const places = Math.min(VALUE_PLACES, VALUE_DIGITS - 1 - Math.floor(Math.log10(Math.abs(x))));
  return plainDecimal(Number(x.toFixed(places)));
}

/**
 * An absolute tolerance as a plain decimal with at most `TOLERANCE_DIGITS` significant digits,
 * rounded up: binary noise is dropped first (0.0005000000000000001 → 0.0005), then any digit
 * beyond the 12th rounds the tolerance up, so the LMS accepts at least what Stepwise accepts.
 */
export function formatTolerance(a: number): string {
  if (!Number.isFinite(a) || a < 0) throw new RangeError(`cannot export the tolerance ${a}`);
  if (a === 0) return '0';
  const clean = Number(a.toPrecision(15));
  let r = Number(clean.toPrecision(TOLERANCE_DIGITS));
  if (r < clean) {
    const unit = 10 ** (Math.floor(Math.log10(clean)) - (TOLERANCE_DIGITS - 1));
    r = Number((r + unit).toPrecision(TOLERANCE_DIGITS));
  }
  return plainDecimal(r);
}

/**
 * How far the written answer may sit from the true value, as a share of the LMS's tolerance: the
 * LMS accepts [answer − t, answer + t], so a shift of t/1000 keeps its interval within 0.1% of
 * Stepwise's at either edge.
 */
export const ANSWER_SHIFT = 1e-3;

/**
 * The true value as the answer an LMS compares with: the short form of `formatExportNumber` when
 * the LMS's own rule (answer − t ≤ truth ≤ answer + t, in doubles, as Moodle's NUMERICAL and QTI's
 * qti-equal compute it) accepts the truth with the answer at most `ANSWER_SHIFT`·t away; else more
 * significant digits, up to the shortest round-trip form (which is the truth itself, so it always
 * passes). Large values with a decimals tolerance and tiny tolerances need the extra digits.
 */
export function formatAnswer(truth: number, tolerance: string): string {
  const t = Number(tolerance);
  if (!Number.isFinite(t) || t < 0) throw new RangeError(`cannot export the tolerance ${tolerance}`);
  const accepts = (s: string): boolean => {
    const a = Number(s);
    return a - t <= truth && truth <= a + t && Math.abs(a - truth) <= ANSWER_SHIFT * t;
  };
  const short = formatExportNumber(truth);
  if (accepts(short)) return short;
  for (let digits = VALUE_DIGITS + 1; digits < 17; digits++) {
    const s = plainDecimal(Number(truth.toPrecision(digits)));
    if (accepts(s)) return s;
  }
  return plainDecimal(truth);
}

/** The absolute half-width accepted at this truth, formatted (see `formatTolerance`). */
export function toleranceAt(truth: number, tol: Tolerance): string {
  return formatTolerance(allowance(truth, tol));
}

/** A number written out without an exponent (String() switches to 1e-7 below 1e-6). */
export function plainDecimal(x: number): string {
  const s = String(x);
  if (!/e/i.test(s)) return s === '-0' ? '0' : s;
  const [mantissa, expText] = s.toLowerCase().split('e');
  const negative = mantissa.startsWith('-');
  const m = negative ? mantissa.slice(1) : mantissa;
  const dot = m.indexOf('.');
  const digits = m.replace('.', '');
  const point = (dot < 0 ? m.length : dot) + Number(expText);
  let out: string;
  if (point <= 0) out = `0.${'0'.repeat(-point)}${digits}`;
  else if (point >= digits.length) out = digits + '0'.repeat(point - digits.length);
  else out = `${digits.slice(0, point)}.${digits.slice(point)}`;
  return (negative ? '-' : '') + out;
}

/** "1 mark", "2 marks", "0.5 marks". */
export function marksText(marks: number): string {
  return `${formatExportNumber(marks)} mark${marks === 1 ? '' : 's'}`;
}

// ---------------------------------------------------------------------------------------------
// Tolerance instructions
// ---------------------------------------------------------------------------------------------

/**
 * The tolerance sentence shared by every step of the item ("Give each answer to 3 decimal
 * places."), or undefined when the steps' tolerances differ (each step then states its own).
 */
export function sharedInstruction(item: ExportItem): string | undefined {
  const numeric = item.steps.filter((s) => s.kind !== 'label');
  if (numeric.length === 0) return undefined;
  const keys = new Set(numeric.map((s) => toleranceKey(s.tolerance)));
  return keys.size === 1 ? describeTolerance(numeric[0].tolerance) : undefined;
}

/** The step's own tolerance sentence when the item has no shared one (labels have none). */
export function stepInstruction(item: ExportItem, step: ExportStep): string | undefined {
  if (step.kind === 'label' || sharedInstruction(item) !== undefined) return undefined;
  return describeTolerance(step.tolerance);
}

function toleranceKey(t: Tolerance): string {
  return JSON.stringify(Object.entries(t).sort(([a], [b]) => a.localeCompare(b)));
}

// ---------------------------------------------------------------------------------------------
// XML
// ---------------------------------------------------------------------------------------------

/** Drops characters XML 1.0 cannot hold (C0 controls but tab/newline/CR, lone surrogates, U+FFFE/F). */
export function xmlSafe(s: string): string {
  return s.replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '');
}

/** Text content or attribute value, escaped for XML. */
export function escapeXml(s: string): string {
  return xmlSafe(s)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;')
    .replace(/\r/g, '&#13;');
}

/** An XML comment: no "--" inside and no "-" at the end, which XML forbids. */
export function xmlComment(lines: string[]): string {
  const body = lines.map((l) => xmlSafe(l).replace(/[\r\n]+/g, ' ').replace(/-(?=-)/g, '- ')).join('\n  ');
  return `<!--\n  ${body}\n-->`;
}

/** A CDATA section holding `s` exactly; a `]]>` inside is split across two sections. */
export function cdata(s: string): string {
  return `<![CDATA[${xmlSafe(s).replace(/]]>/g, ']]]]><![CDATA[>')}]]>`;
}

// ---------------------------------------------------------------------------------------------
// Moodle (shared by Moodle XML and GIFT)
// ---------------------------------------------------------------------------------------------

/** The quiz title as a Moodle category path: "$course$/top/<title>", a `/` in the title doubled. */
export function moodleCategoryPath(title: string): string {
  const name = title.replace(/[\r\n]+/g, ' ').trim().replace(/\//g, '//') || 'Stepwise';
  return `$course$/top/${name}`;
}

/** A step's answer boxes laid out as HTML: a one-row table for a vector, a grid for a matrix, else a paragraph. */
export function answerLayout(kind: ExportStep['kind'], elements: readonly AnswerElement[], cell: (e: AnswerElement) => string, indent = ''): string {
  if (kind === 'vector') return `${indent}<table class="stepwise-answer"><tbody><tr>${elements.map((e) => `<td>${cell(e)}</td>`).join('')}</tr></tbody></table>`;
  if (kind === 'matrix') {
    const rows: AnswerElement[][] = [];
    for (const e of elements) (rows[e.index[0]] ??= []).push(e);
    return `${indent}<table class="stepwise-answer"><tbody>${rows.map((r) => `<tr>${r.map((e) => `<td>${cell(e)}</td>`).join('')}</tr>`).join('')}</tbody></table>`;
  }
  return `${indent}<p>${cell(elements[0])}</p>`;
}

// ---------------------------------------------------------------------------------------------
// Exam slots
// ---------------------------------------------------------------------------------------------

/** The variants of one item slot of an exam, across its versions (in version order). */
export interface SlotGroup {
  slot: number;
  items: ExportItem[];
}

/**
 * Items without a slot (a plain set of variants, one question each) and the items of an exam
 * grouped by slot, slots and versions in order. Throws when a slot or version is not a positive
 * integer, or a version appears twice in a slot.
 */
export function slotGroups(items: readonly ExportItem[]): { loose: ExportItem[]; slots: SlotGroup[] } {
  const loose: ExportItem[] = [];
  const bySlot = new Map<number, ExportItem[]>();
  for (const item of items) {
    if (item.slot === undefined) {
      loose.push(item);
      continue;
    }
    for (const [name, n] of [['slot', item.slot], ['version', item.version ?? 1]] as const) {
      if (!Number.isSafeInteger(n) || n < 1) throw new RangeError(`item ${JSON.stringify(item.id)}: ${name} must be a positive integer, got ${String(n)}`);
    }
    const group = bySlot.get(item.slot) ?? [];
    if (item.version !== undefined && group.some((g) => g.version === item.version)) {
      throw new RangeError(`item ${JSON.stringify(item.id)}: slot ${item.slot} has version ${item.version} twice`);
    }
    group.push(item);
    bySlot.set(item.slot, group);
  }
  const slots = [...bySlot.entries()]
    .sort(([a], [b]) => a - b)
    .map(([slot, group]) => ({ slot, items: group.sort((a, b) => (a.version ?? 0) - (b.version ?? 0)) }));
  return { loose, slots };
}

/** The name of a slot's category or section: "Item 3". */
export function slotName(slot: number): string {
  return `Item ${slot}`;
}
