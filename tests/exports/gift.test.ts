/** GIFT: a question per scalar or label step, read back the way Moodle's GIFT importer reads it. */
import { describe, expect, it } from 'vitest';
import { allowance } from '../../src/core/tolerance.js';
import { escapeHtml } from '../../src/exports/common.js';
import { toGift } from '../../src/exports/index.js';
import type { ExportItem } from '../../src/exports/types.js';
import { closeRel, mathSegments, sampleItems, visibleText } from './helpers.js';

interface GiftQuestion {
  title: string;
  /** The question text, [format] included. */
  text: string;
  /** What is between the braces, unescaped. */
  answer: string;
  /** Physical lines the question took. */
  lines: number;
}

interface GiftFile {
  category?: string;
  comments: string[];
  questions: GiftQuestion[];
}

// Moodle's qformat_gift: escaped reserved characters become placeholders before parsing and
// characters again after; `\\` is one backslash, and `\n` a line break.
const RESERVED: [string, string][] = [
  [':', '\u0001058'],
  ['#', '\u0001035'],
  ['=', '\u0001061'],
  ['{', '\u0001123'],
  ['}', '\u0001125'],
  ['~', '\u0001126'],
  ['n', '\u0001010'],
];

function escapedPre(s: string): string {
  let out = s.split('\\\\').join('\u0001092');
  for (const [c, ph] of RESERVED) out = out.split(`\\${c}`).join(ph);
  return out.split('\u0001092').join('\\');
}

function escapedPost(s: string): string {
  let out = s;
  for (const [c, ph] of RESERVED) out = out.split(ph).join(c === 'n' ? '\n' : c);
  return out;
}

function readGift(text: string): GiftFile {
  const file: GiftFile = { comments: [], questions: [] };
  for (const block of text.split(/\n[ \t]*\n/)) {
    const body: string[] = [];
    for (const line of block.split('\n')) {
      if (line.startsWith('//')) file.comments.push(line.slice(2).trim());
      else if (line.startsWith('$CATEGORY:')) file.category = line.slice('$CATEGORY:'.length).trim();
      else if (line.trim() !== '') body.push(line);
    }
    if (body.length === 0) continue;
    const s = escapedPre(body.join('\n'));
    const title = /^::([\s\S]*?)::/.exec(s);
    if (!title) throw new Error(`question without a title: ${s.slice(0, 80)}`);
    const rest = s.slice(title[0].length);
    const open = rest.indexOf('{');
    const close = rest.indexOf('}', open);
    if (open < 0 || close < 0) throw new Error(`question without an answer: ${s.slice(0, 80)}`);
    file.questions.push({
      title: escapedPost(title[1]),
      text: escapedPost(rest.slice(0, open) + rest.slice(close + 1)),
      answer: escapedPost(rest.slice(open + 1, close)),
      lines: body.length,
    });
  }
  return file;
}

/** "#value:tolerance" of a numerical question. */
function readNumeric(answer: string): { value: number; tolerance: number } {
  const m = /^#\s*([^:]+):(.+)$/.exec(answer);
  if (!m) throw new Error(`not a numerical answer: ${answer}`);
  return { value: Number(m[1]), tolerance: Number(m[2]) };
}

describe('GIFT export', () => {
  const items = sampleItems();
  const title = 'Week 3: {practice} / #1';
  const gift = toGift(items, { title });
  const file = readGift(gift);
  const single = items.flatMap((item) => item.steps.filter((s) => s.kind === 'scalar' || s.kind === 'label').map((step) => ({ item, step })));

  it('has a category and one single-line question per scalar or label step', () => {
    expect(file.category).toBe(`$course$/top/${title.split('/').join('//')}`);
    expect(file.questions).toHaveLength(single.length);
    file.questions.forEach((q, k) => {
      expect(q.title).toBe(`${single[k].item.title} \u2014 ${single[k].step.label}`);
      expect(q.text.startsWith('[html]')).toBe(true);
      expect(q.lines).toBe(1);
    });
  });

  it('asks numeric scalars as {#value:tolerance} with the truth and the allowance at it', () => {
    file.questions.forEach((q, k) => {
      const { step } = single[k];
      if (step.kind !== 'scalar') return;
      const truth = step.expected as number;
      const { value, tolerance } = readNumeric(q.answer);
      expect(closeRel(value, truth), `${step.id}: ${value} vs ${truth}`).toBe(true);
      const a = allowance(truth, step.tolerance);
      expect(tolerance).toBeGreaterThanOrEqual(a * (1 - 1e-14));
      expect(tolerance - a).toBeLessThanOrEqual(1e-12 * Math.max(1, a));
    });
    expect(single.filter((s) => s.step.kind === 'scalar').length).toBeGreaterThan(2);
  });

  it('asks label steps as short answers {=name}', () => {
    const labels = single.map((s, k) => ({ ...s, q: file.questions[k] })).filter((s) => s.step.kind === 'label');
    expect(labels.length).toBeGreaterThan(0);
    for (const { step, q } of labels) expect(q.answer).toBe(`=${step.expected as string}`);
  });

  it('skips vector and matrix steps with a comment naming them', () => {
    const skipped = items.flatMap((item) => item.steps.filter((s) => s.kind === 'vector' || s.kind === 'matrix').map((step) => ({ item, step })));
    expect(skipped.length).toBeGreaterThan(0);
    for (const { item, step } of skipped) {
      expect(file.comments.some((c) => c.startsWith(`${item.id}: step ${step.id} `) && c.includes('skipped'))).toBe(true);
    }
    expect(file.comments.filter((c) => c.includes('skipped:'))).toHaveLength(skipped.length);
  });

  it('keeps the statement and its TeX, with $$…$$ as \\[ … \\]', () => {
    file.questions.forEach((q, k) => {
      for (const m of mathSegments(single[k].item.statement)) {
        expect(q.text).toContain(m.display ? `\\[ ${escapeHtml(m.tex)} \\]` : `\\( ${escapeHtml(m.tex)} \\)`);
      }
      expect(q.text).toContain(`<code>${escapeHtml(single[k].step.id)}</code>`);
    });
  });

  it('escapes GIFT’s reserved characters in titles, statements, labels and answers', () => {
    const tricky: ExportItem = {
      id: 'tricky',
      title: 'Set {A}:: x = ~y # 1 \\ end',
      topic: 'bayes-classification',
      statement: 'Classes {a, b}: cost #1 = ~2, and a back\\slash; also $$ \\frac{a}{b} = c $$ done.',
      steps: [
        { id: 'value', label: 'Value {v}: =', kind: 'scalar', expected: -0.125, marks: 1, tolerance: { decimals: 2 } },
        { id: 'pick', label: 'Pick {one}: #~', kind: 'label', expected: 'A{b}#c:d=e~f\\g*', marks: 1, tolerance: { decimals: 2 } },
        { id: 'vec', label: 'A vector', kind: 'vector', expected: [1, 2], marks: 1, tolerance: { decimals: 2 } },
      ],
    };
    const read = readGift(toGift([tricky], { title: 'T' }));
    expect(read.questions).toHaveLength(2);
    const [num, label] = read.questions;
    expect(num.title).toBe(`${tricky.title} \u2014 ${tricky.steps[0].label}`);
    expect(label.title).toBe(`${tricky.title} \u2014 ${tricky.steps[1].label}`);
    expect(readNumeric(num.answer).value).toBe(-0.125);
    expect(readNumeric(num.answer).tolerance).toBe(allowance(-0.125, { decimals: 2 }));
    // Moodle's short answer reads `*` as a wildcard, `\*` as a literal asterisk.
    expect(label.answer.replace(/\\\*/g, '*')).toBe(`=${tricky.steps[1].expected as string}`);
    expect(visibleText(num.text)).toContain('Classes {a, b}: cost #1 = ~2, and a back\\slash; also');
    expect(num.text).toContain('\\[ \\frac{a}{b} = c \\]');
    expect(visibleText(label.text)).toContain(tricky.steps[1].label);
  });
});
