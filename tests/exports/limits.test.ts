/** Each export's header says what its format cannot express, and the README lists the same. */
import { readFileSync } from 'node:fs';
import { strFromU8, unzipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { toGift, toMoodleXml, toQtiPackage } from '../../src/exports/index.js';
import { allLimits, type ExportFormat } from '../../src/exports/limits.js';
import { QTI_TEST_FILE } from '../../src/exports/qti.js';
import type { ExportItem } from '../../src/exports/types.js';
import { readGift } from './gift-reader.js';
import { sampleItems } from './helpers.js';

const FORMATS: ExportFormat[] = ['moodle', 'qti', 'gift'];
const items = sampleItems();
const exam: ExportItem[] = items.map((item, k) => ({ ...item, slot: k + 1, version: 1 }));

/** The header of an export as text: the leading XML comment, or the GIFT comments. */
function header(format: ExportFormat, list = exam): string {
  if (format === 'gift') return readGift(toGift(list, { title: 'T -- x' })).comments.join('\n');
  const xml = format === 'moodle' ? toMoodleXml(list, { title: 'T -- x' }) : strFromU8(unzipSync(toQtiPackage(list, { title: 'T -- x' }))[QTI_TEST_FILE]);
  const m = /<!--([\s\S]*?)-->/.exec(xml);
  expect(m, format).not.toBeNull();
  // XML forbids "--" in a comment: the title's is written "- -".
  expect(m![1]).not.toContain('--');
  return m![1];
}

describe('what a format cannot express', () => {
  it('is listed in each export’s header, with how an exam’s versions are kept apart', () => {
    for (const format of FORMATS) {
      const text = header(format).replace(/\s+/g, ' ');
      for (const limit of allLimits(format)) expect(text, `${format}: ${limit}`).toContain(limit);
      expect(text).toMatch(/error carried forward/);
      expect(header(format, items)).not.toMatch(/Exam versions/); // a plain set has no versions
    }
  });

  it('is listed in the README, word for word', () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8').replace(/\s+/g, ' ');
    for (const format of FORMATS) for (const limit of allLimits(format)) expect(readme, `${format}: ${limit}`).toContain(limit);
  });
});
