/**
 * Moodle XML: one Embedded Answers (Cloze) question per item, in a category named after the quiz.
 * An exam's variants (items with a slot) go into one subcategory per slot ("<quiz>/Item 2") holding
 * that slot's variants across versions, so a quiz draws one of them per slot ("random question").
 *
 * The question text is HTML: the statement (Markdown rendered, TeX kept as \( … \) and \[ … \] for
 * Moodle's MathJax filter), then one section per step holding its Cloze sub-answers:
 *   - scalar: {w:NUMERICAL:=value:tolerance}
 *   - vector / matrix: one NUMERICAL sub-answer per element, laid out as a table row / a table;
 *     masked entries (−∞) are printed as "−∞" and have no sub-answer
 *   - label: {w:SHORTANSWER:=name} (case-insensitive)
 * The tolerance is Moodle's absolute error margin: Stepwise's allowance at that element's truth;
 * the value has as many digits as Moodle's rule needs to accept the truth (see `formatAnswer`).
 * Every text (names, category paths, question text) is in CDATA: Moodle's XML reader drops the
 * spaces between character references (`a &amp; &lt; b` comes back as "a &<b").
 *
 * Weights: a step's marks are shared equally by its answerable elements, and the shares of the
 * whole item are scaled by the smallest factor that makes every one a whole number (Cloze weights
 * are integers ≥ 1). So the weights are exactly proportional to the marks; Moodle's question mark
 * is their sum (a multiple of the item's marks), and a quiz rescales it to any maximum it likes.
 * E.g. marks 1 on a 3-vector and 2 on a scalar give weights 1, 1, 1 and 6.
 */
import {
  answerLayout,
  answerable,
  cdata,
  checkMarks,
  escapeHtml,
  formatAnswer,
  marksText,
  markdownToHtml,
  MASKED_TEXT,
  moodleCategoryPath,
  sharedInstruction,
  slotGroups,
  slotName,
  stepElements,
  stepInstruction,
  toleranceAt,
  xmlComment,
  type AnswerElement,
} from './common.js';
import { moodleConceptQuestion } from './concepts-moodle.js';
import { exportLimits } from './limits.js';
import type { ExportItem, ExportOptions, ExportStep } from './types.js';

/** Moodle's default penalty per wrong try (interactive behaviours), as Moodle writes it. */
const PENALTY = '0.3333333';

export function toMoodleXml(items: ExportItem[], opts: ExportOptions): string {
  const out: string[] = ['<?xml version="1.0" encoding="UTF-8"?>', xmlComment([`Stepwise export: ${opts.title}`, ...exportLimits('moodle', items)]), '<quiz>'];
  const { loose, slots } = slotGroups(items);
  const top = moodleCategoryPath(opts.title);
  const idnumbers = new Set<string>();
  if (loose.length > 0 || slots.length === 0) {
    out.push(category(top, ''));
    for (const item of loose) out.push(clozeQuestion(item, uniqueIdnumber(item.id, idnumbers)));
  }
  for (const { slot, items: group } of slots) {
    const versions = group.length === 1 ? '1 version' : `${group.length} versions`;
    out.push(category(`${top}/${slotName(slot)}`, `<p>${escapeHtml(slotName(slot))} of the exam, ${versions}: add one random question from this category to the quiz, so each student gets one version of it.</p>`));
    for (const item of group) out.push(clozeQuestion(item, uniqueIdnumber(item.id, idnumbers)));
  }
  out.push('</quiz>', '');
  return out.join('\n');
}

function category(path: string, info: string): string {
  return [
    '  <question type="category">',
    `    <category><text>${cdata(path)}</text></category>`,
    `    <info format="html"><text>${cdata(info)}</text></info>`,
    '  </question>',
  ].join('\n');
}

function clozeQuestion(item: ExportItem, idnumber: string): string {
  if (item.concept) return moodleConceptQuestion(item, idnumber, PENALTY);
  return [
    '  <question type="cloze">',
    `    <name><text>${cdata(item.title)}</text></name>`,
    `    <questiontext format="html"><text>${cdata(clozeText(item))}</text></questiontext>`,
    '    <generalfeedback format="html"><text></text></generalfeedback>',
    `    <penalty>${PENALTY}</penalty>`,
    '    <hidden>0</hidden>',
    `    <idnumber>${cdata(idnumber)}</idnumber>`,
    '  </question>',
  ].join('\n');
}

/** The Cloze question text: statement, then one section per step with its sub-answers. */
export function clozeText(item: ExportItem): string {
  const elements = item.steps.map((s) => stepElements(item, s));
  const weights = clozeWeights(item, elements);
  const parts = [`<div class="stepwise-statement">${markdownToHtml(item.statement, { math: 'tex', text: hideBraces })}</div>`];
  const shared = sharedInstruction(item);
  if (shared) parts.push(`<p><em>${text(shared)}</em></p>`);
  item.steps.forEach((step, k) => {
    parts.push(stepSection(item, step, k, elements[k], weights[k]));
  });
  return parts.join('\n');
}

function stepSection(item: ExportItem, step: ExportStep, k: number, elements: AnswerElement[], weight: number): string {
  const lines = [
    '<div class="stepwise-step">',
    `<p><strong>${k + 1}. ${text(step.label)}</strong> (<code>${text(step.id)}</code>, ${text(marksText(step.marks))})</p>`,
  ];
  const instruction = stepInstruction(item, step);
  if (instruction) lines.push(`<p><em>${text(instruction)}</em></p>`);
  if (elements.some((e) => e.masked)) lines.push(`<p><small>Entries shown as ${MASKED_TEXT} are masked: they need no answer.</small></p>`);
  const cell = (e: AnswerElement): string => (e.masked ? MASKED_TEXT : subAnswer(step, e, weight));
  lines.push(answerLayout(step.kind, elements, cell));
  lines.push('</div>');
  return lines.join('\n');
}

function subAnswer(step: ExportStep, e: AnswerElement, weight: number): string {
  if (typeof e.truth === 'string') return `{${weight}:SHORTANSWER:=${clozeAnswerText(e.truth)}}`;
  const tolerance = toleranceAt(e.truth, step.tolerance);
  return `{${weight}:NUMERICAL:=${formatAnswer(e.truth, tolerance)}:${tolerance}}`;
}

/**
 * A short answer inside a Cloze sub-answer, written so that Moodle's qtype_multianswer stores
 * exactly `label` as the answer. Moodle ends an answer at a `~`, `#` or `}` not preceded by `\`
 * or `&`, then html-entity-decodes it, then turns `\}` into `}` and then `\#` into `#` (but keeps
 * `\~`, `\/`, `\"`, `\\` as they are, whatever its docs say); its short-answer matching reads a
 * bare `*` as a wildcard and `\*` as an asterisk. So, undoing those steps in reverse order:
 *   1. `*` → `\*` (the stored answer);  2. `#` → `\#`;  3. `}` → `\}` (so a `\}` or `\#` in the
 *   label keeps its backslash);  4. every character the Cloze syntax or HTML reserves
 *   (`& < > " ' ~ # { } / \`) as a numeric character reference, so no raw `~`, `#` or `}` can end
 *   the answer (the `#` of `&#35;` follows `&`, which the parser skips).
 */
export function clozeAnswerText(label: string): string {
  return label
    .replace(/[\r\n]+/g, ' ')
    .replace(/\*/g, '\\*')
    .replace(/#/g, '\\#')
    .replace(/\}/g, '\\}')
    .replace(/[&<>"'~#{}/\\]/g, (c) => `&#${c.codePointAt(0)};`);
}

/**
 * Integer weight of each element of each step (0 for a step with no answerable element): the
 * step's marks split equally among its answerable elements, scaled to the smallest whole numbers.
 * Marks with more than 6 decimals, or shares whose common denominator is huge, fall back to
 * weights rounded to 1/1000 of the smallest share.
 */
export function clozeWeights(item: ExportItem, elements: AnswerElement[][]): number[] {
  const shares = item.steps.map((step, k) => {
    const marks = checkMarks(item, step);
    const n = answerable(elements[k]).length;
    return n === 0 ? null : { marks, n };
  });
  const exact = exactWeights(shares);
  if (exact) return exact;
  const values = shares.map((s) => (s ? s.marks / s.n : 0));
  const smallest = Math.min(...values.filter((v) => v > 0));
  return values.map((v) => (v > 0 ? Math.max(1, Math.round((v / smallest) * 1000)) : 0));
}

const MAX_DENOMINATOR = 1_000_000;

function exactWeights(shares: ({ marks: number; n: number } | null)[]): number[] | null {
  const fractions: ([number, number] | null)[] = [];
  for (const s of shares) {
    if (!s) {
      fractions.push(null);
      continue;
    }
    const f = decimalFraction(s.marks);
    if (!f) return null;
    const den = f[1] * s.n;
    const g = gcd(f[0], den);
    fractions.push([f[0] / g, den / g]);
  }
  let lcm = 1;
  for (const f of fractions) {
    if (!f) continue;
    lcm = (lcm / gcd(lcm, f[1])) * f[1];
    if (lcm > MAX_DENOMINATOR) return null;
  }
  const scaled = fractions.map((f) => (f ? f[0] * (lcm / f[1]) : 0));
  const common = scaled.reduce((g, x) => (x > 0 ? gcd(g, x) : g), 0);
  return scaled.map((x) => (common > 0 ? x / common : x));
}

/** x as numerator / 10^k with k ≤ 6, or null. */
function decimalFraction(x: number): [number, number] | null {
  for (let k = 0, den = 1; k <= 6; k++, den *= 10) {
    const num = Math.round(x * den);
    if (Math.abs(num - x * den) <= 1e-9 * Math.max(1, x * den) && Number.isSafeInteger(num)) return [num, den];
  }
  return null;
}

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return Math.abs(a);
}

/** HTML text outside sub-answers, with braces as character references so no Cloze syntax hides in it. */
function text(s: string): string {
  return hideBraces(escapeHtml(s));
}

function hideBraces(html: string): string {
  return html.replace(/\{/g, '&#123;').replace(/\}/g, '&#125;');
}

/** Moodle's question idnumber (unique in a category, at most 100 characters). */
function uniqueIdnumber(id: string, taken: Set<string>): string {
  const base = id.replace(/[\r\n]+/g, ' ').slice(0, 90) || 'item';
  let candidate = base;
  for (let n = 2; taken.has(candidate); n++) candidate = `${base}-${n}`;
  taken.add(candidate);
  return candidate;
}
