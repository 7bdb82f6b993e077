/** Moodle XML: a Cloze question per item whose sub-answers are the steps' true elements. */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { allowance } from '../../src/core/tolerance.js';
import { escapeHtml } from '../../src/exports/common.js';
import { toMoodleXml } from '../../src/exports/index.js';
import type { ExportItem } from '../../src/exports/types.js';
import {
  closeRel,
  clozeSubAnswers,
  gcdOf,
  isMasked,
  mathSegments,
  readNumerical,
  readShortAnswer,
  sampleItems,
  truths,
} from './helpers.js';

const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@_', parseTagValue: false, trimValues: false });
const TITLE = 'Deep learning / week 3 practice';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- parsed XML of any shape
type Node = Record<string, any>;

function parseQuiz(xml: string): Node[] {
  expect(XMLValidator.validate(xml)).toBe(true);
  const doc = parser.parse(xml) as Node;
  expect(Object.keys(doc)).toContain('quiz');
  const q = doc.quiz.question;
  return Array.isArray(q) ? q : [q];
}

describe('Moodle XML export', () => {
  const items = sampleItems();
  const xml = toMoodleXml(items, { title: TITLE });
  const questions = parseQuiz(xml);
  const cloze = questions.slice(1);

  it('is a quiz with a category named after the title, then one Cloze question per item', () => {
    expect(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>')).toBe(true);
    expect(questions).toHaveLength(items.length + 1);
    expect(questions[0]['@_type']).toBe('category');
    // Moodle category paths separate levels with "/", so a "/" in a name is doubled.
    expect(questions[0].category.text).toBe(`$course$/top/${TITLE.split('/').join('//')}`);
    cloze.forEach((q, i) => {
      expect(q['@_type']).toBe('cloze');
      expect(q.name.text).toBe(items[i].title);
      expect(q.questiontext['@_format']).toBe('html');
      expect(q.generalfeedback.text).toBe('');
      expect(Number(q.penalty)).toBeGreaterThanOrEqual(0);
      expect(Number(q.penalty)).toBeLessThanOrEqual(1);
      expect(q.hidden).toBe('0');
      expect(q.idnumber).toBe(items[i].id);
    });
  });

  it('has one sub-answer per answerable element, with the true value and the allowance at it', () => {
    cloze.forEach((q, i) => {
      const item = items[i];
      const subs = clozeSubAnswers(q.questiontext.text);
      const open = truths(item).filter((t) => !isMasked(t));
      expect(subs, item.id).toHaveLength(open.length);
      subs.forEach((sub, k) => {
        const t = open[k];
        const where = `${item.id} ${t.step.id} #${k}`;
        if (typeof t.value === 'string') {
          expect(sub.type, where).toBe('SHORTANSWER');
          expect(readShortAnswer(sub.answer), where).toBe(t.value);
          return;
        }
        expect(sub.type, where).toBe('NUMERICAL');
        const { value, tolerance } = readNumerical(sub.answer);
        expect(closeRel(value, t.value), `${where}: ${value} vs ${t.value}`).toBe(true);
        const a = allowance(t.value, t.step.tolerance);
        expect(tolerance, where).toBeGreaterThanOrEqual(a * (1 - 1e-14));
        expect(tolerance - a, where).toBeLessThanOrEqual(1e-12 * Math.max(1, a));
      });
    });
  });

  it('weights every element by its share of its step’s marks, as the smallest whole numbers', () => {
    cloze.forEach((q, i) => {
      const item = items[i];
      const subs = clozeSubAnswers(q.questiontext.text);
      const open = truths(item).filter((t) => !isMasked(t));
      const count = (stepId: string) => open.filter((t) => t.step.id === stepId).length;
      const ratios = subs.map((s, k) => s.weight / (open[k].step.marks / count(open[k].step.id)));
      for (const s of subs) {
        expect(Number.isInteger(s.weight)).toBe(true);
        expect(s.weight).toBeGreaterThanOrEqual(1);
      }
      for (const r of ratios) expect(closeRel(r, ratios[0]), item.id).toBe(true);
      expect(gcdOf(subs.map((s) => s.weight)), item.id).toBe(1);
    });
  });

  it('prints masked entries as −∞ without a sub-answer', () => {
    const i = items.findIndex((it) => truths(it).some(isMasked));
    expect(i, 'the sample has a causal self-attention item').toBeGreaterThanOrEqual(0);
    const html: string = cloze[i].questiontext.text;
    const masked = truths(items[i]).filter(isMasked).length;
    expect(masked).toBeGreaterThan(0);
    expect(html.split('<td>\u2212\u221e</td>').length - 1).toBe(masked);
    const cells = html.match(/<td>[^<]*<\/td>/g) ?? [];
    expect(cells.length).toBe(truths(items[i]).filter((t) => t.step.kind === 'matrix').length);
  });

  it('asks a label step as a case-insensitive SHORTANSWER with the class name', () => {
    const i = items.findIndex((it) => it.steps.some((s) => s.kind === 'label'));
    const step = items[i].steps.find((s) => s.kind === 'label')!;
    const labels = clozeSubAnswers(cloze[i].questiontext.text).filter((s) => s.type.startsWith('SHORTANSWER'));
    expect(labels).toHaveLength(1);
    expect(labels[0].type).toBe('SHORTANSWER');
    expect(readShortAnswer(labels[0].answer)).toBe(step.expected);
  });

  it('keeps the statement’s TeX for MathJax: $…$ as \\( … \\), $$…$$ as \\[ … \\]', () => {
    cloze.forEach((q, i) => {
      const html: string = q.questiontext.text;
      const segments = mathSegments(items[i].statement);
      expect(segments.length).toBeGreaterThan(0);
      for (const m of segments) {
        expect(html, m.tex).toContain(m.display ? `\\[ ${escapeHtml(m.tex)} \\]` : `\\( ${escapeHtml(m.tex)} \\)`);
      }
      expect(html).not.toContain('$');
    });
  });

  it('labels each step section and states the tolerance', () => {
    cloze.forEach((q, i) => {
      const html: string = q.questiontext.text;
      for (const step of items[i].steps) expect(html).toContain(`<code>${escapeHtml(step.id)}</code>`);
    });
    const decimals = items.findIndex((it) => it.steps.every((s) => 'decimals' in s.tolerance));
    expect(cloze[decimals].questiontext.text).toContain('Give each answer to 3 decimal places.');
  });

  it('exports an empty list as a quiz with only the category', () => {
    const empty: ExportItem[] = [];
    expect(parseQuiz(toMoodleXml(empty, { title: 'Nothing' }))).toHaveLength(1);
  });
});
