/** GIFT: a question per scalar or label step, read back the way Moodle's GIFT importer reads it. */
import { describe, expect, it } from 'vitest';
import { allowance } from '../../src/core/tolerance.js';
import { escapeHtml } from '../../src/exports/common.js';
import { toGift } from '../../src/exports/index.js';
import type { ExportItem } from '../../src/exports/types.js';
import { giftNumerical, giftShortAnswers, readGift } from './gift-reader.js';
import { closeRel, mathSegments, sampleItems, shortAnswerMatches, visibleText } from './helpers.js';

describe('GIFT export', () => {
  const items = sampleItems();
  const title = 'Week 3: {practice} / #1';
  const gift = toGift(items, { title });
  const file = readGift(gift);
  const single = items.flatMap((item) => item.steps.filter((s) => s.kind === 'scalar' || s.kind === 'label').map((step) => ({ item, step })));

  it('has a category and one single-line question per scalar or label step', () => {
    expect(file.categories).toEqual([`$course$/top/${title.split('/').join('//')}`]);
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
      const { value, tolerance } = giftNumerical(q.answerRaw);
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
    for (const { step, q } of labels) expect(giftShortAnswers(q.answerRaw)).toEqual([{ answer: step.expected, fraction: 1 }]);
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
    expect(giftNumerical(num.answerRaw).value).toBe(-0.125);
    expect(giftNumerical(num.answerRaw).tolerance).toBe(allowance(-0.125, { decimals: 2 }));
    // Moodle's short answer reads `*` as a wildcard, `\*` as a literal asterisk.
    const [stored] = giftShortAnswers(label.answerRaw);
    expect(stored.fraction).toBe(1);
    expect(shortAnswerMatches(stored.answer, tricky.steps[1].expected as string)).toBe(true);
    expect(shortAnswerMatches(stored.answer, 'A{b}#c:d=e~f\\gX')).toBe(false);
    expect(visibleText(num.text)).toContain('Classes {a, b}: cost #1 = ~2, and a back\\slash; also');
    expect(num.text).toContain('\\[ \\frac{a}{b} = c \\]');
    expect(visibleText(label.text)).toContain(tricky.steps[1].label);
  });
});
