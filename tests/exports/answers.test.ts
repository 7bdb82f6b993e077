/**
 * An exported answer must pass the LMS's own tolerance rule at the true value: Moodle's NUMERICAL
 * (Cloze and GIFT: answer − t ≤ value ≤ answer + t) and QTI's qti-equal with tolerance-mode
 * absolute (the same interval), each read back from the export the way the LMS reads it.
 */
import fc from 'fast-check';
import { XMLParser } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { allowance, type Tolerance } from '../../src/core/tolerance.js';
import { ANSWER_SHIFT, formatAnswer, formatTolerance } from '../../src/exports/common.js';
import { toGift, toMoodleXml, toQtiItems } from '../../src/exports/index.js';
import type { ExportItem } from '../../src/exports/types.js';
import { giftNumerical, readGift } from './gift-reader.js';
import { clozeSubAnswers, findAll, lmsAccepts, readNumerical } from './helpers.js';

const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@_', parseTagValue: false });

function scalarItem(truth: number, tolerance: Tolerance): ExportItem {
  return { id: 'x', title: 'x', topic: 'kl-discrete', statement: 'Compute.', steps: [{ id: 'v', label: 'Value', kind: 'scalar', expected: truth, marks: 1, tolerance }] };
}

/** [answer, tolerance] as each LMS reads them from each export. */
function readBack(truth: number, tolerance: Tolerance): Record<'moodle' | 'gift' | 'qti', [number, number]> {
  const item = scalarItem(truth, tolerance);
  const q = parser.parse(toMoodleXml([item], { title: 'T' })).quiz.question[1];
  const [sub] = clozeSubAnswers(q.questiontext.text);
  const cloze = readNumerical(sub.answer);
  const gift = giftNumerical(readGift(toGift([item], { title: 'T' })).questions[0].answerRaw);
  const root = parser.parse(toQtiItems([item])[0].xml)['qti-assessment-item'];
  const correct = Number(root['qti-response-declaration']['qti-correct-response']['qti-value']);
  const [equal] = findAll(root['qti-response-processing'], 'qti-equal');
  expect(equal['@_tolerance-mode']).toBe('absolute');
  const [lower, upper] = String(equal['@_tolerance']).split(' ').map(Number);
  expect(lower).toBe(upper);
  return { moodle: [cloze.value, cloze.tolerance], gift: [gift.value, gift.tolerance], qti: [correct, upper] };
}

const tolerances: fc.Arbitrary<Tolerance> = fc.oneof(
  fc.integer({ min: 0, max: 12 }).map((decimals) => ({ decimals })),
  fc.integer({ min: 1, max: 15 }).map((sigfigs) => ({ sigfigs })),
  fc.double({ min: 1e-15, max: 10, noNaN: true }).map((absolute) => ({ absolute })),
  fc.record({ absolute: fc.double({ min: 0, max: 1e-3, noNaN: true }), relative: fc.double({ min: 1e-14, max: 0.1, noNaN: true }) }),
  fc.constant({ absolute: 0 }),
);

const truths = fc.oneof(
  fc.double({ min: -1e15, max: 1e15, noNaN: true }),
  fc.double({ min: -1e-6, max: 1e-6, noNaN: true }),
  fc.integer({ min: -1e9, max: 1e9 }).map((n) => n + 0.123456789012345),
);

describe('exported answers pass the LMS’s own tolerance rule at the true value', () => {
  it('Moodle XML (Cloze NUMERICAL), GIFT numerical and QTI qti-equal, read back from each export', () => {
    fc.assert(
      fc.property(truths, tolerances, (truth, tol) => {
        const a = allowance(truth, tol);
        for (const [format, [answer, t]] of Object.entries(readBack(truth, tol))) {
          const where = `${format}: truth ${truth}, ${JSON.stringify(tol)} → ${answer} ± ${t}`;
          expect(lmsAccepts(answer, t, truth), where).toBe(true);
          // The LMS's tolerance is Stepwise's allowance (rounded up, never narrower) ...
          expect(t, where).toBeGreaterThanOrEqual(a * (1 - 1e-14));
          // ... and its interval is moved by at most a thousandth of it.
          expect(Math.abs(answer - truth), where).toBeLessThanOrEqual(ANSWER_SHIFT * t);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('writes more digits where 10 significant digits fall outside the tolerance', () => {
    // A large value with a decimals tolerance: 10 digits would be 123456.789, 1.2e-5 away.
    const big = 123456.789012345;
    for (const [answer, t] of Object.values(readBack(big, { decimals: 6 }))) expect(lmsAccepts(answer, t, big)).toBe(true);
    expect(formatAnswer(big, formatTolerance(allowance(big, { decimals: 6 })))).toBe('123456.789012345');
    // A tiny tolerance: 1/3 to 10 digits is 3.3e-11 away, to 14 still 3.3e-15 (over t/1000).
    expect(formatAnswer(1 / 3, '0.000000000001')).toBe('0.333333333333333'); // within t/1000 of the truth
    // Below the 12 places the short form keeps: 3e-13 is not 0 when the tolerance is 1e-15.
    expect(formatAnswer(3e-13, '0.000000000000001')).toBe('0.0000000000003');
    // An exact answer (tolerance 0) is the truth itself, to round-trip precision.
    expect(Number(formatAnswer(0.1 + 0.2, '0'))).toBe(0.1 + 0.2);
    // Where the short form passes, it stays short.
    expect(formatAnswer(0.1 + 0.2, '0.005')).toBe('0.3');
  });
});
