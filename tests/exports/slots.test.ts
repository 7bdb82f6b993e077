/**
 * An exam's versions kept apart: each format groups the variants of one item slot, across
 * versions, so an LMS gives each student one variant per slot, never all of them. Read back the
 * way each LMS reads the file (Moodle: a category question sets the category of those after it).
 */
import { strFromU8, unzipSync } from 'fflate';
import { XMLParser } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { toGift, toMoodleXml, toQtiPackage } from '../../src/exports/index.js';
import { QTI_TEST_FILE } from '../../src/exports/qti.js';
import type { ExportItem } from '../../src/exports/types.js';
import { readGift } from './gift-reader.js';
import { exportItem, findAll } from './helpers.js';

const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@_', parseTagValue: false });
const TOP = '$course$/top/Midterm';

/** 3 versions × 3 slots: KL (one scalar step), Bayes (several single-answer steps), positional encoding (matrices). */
function exam(): ExportItem[] {
  const slots = [
    (seed: number) => exportItem('kl-discrete', seed, 'easy'),
    (seed: number) => exportItem('bayes-classification', seed, 'medium'),
    (seed: number) => exportItem('positional-encoding', seed, 'medium'),
  ];
  const items: ExportItem[] = [];
  // Listed version by version, as the store returns them: the exporters must regroup by slot.
  for (let version = 1; version <= 3; version++) {
    slots.forEach((make, k) => items.push({ ...make(10 * version + k), id: `v${version}-i${k + 1}`, slot: k + 1, version }));
  }
  return items;
}

/** Moodle XML import: each question in the category the last category question set. */
function moodleCategories(xml: string): Map<string, string[]> {
  const questions = [parser.parse(xml).quiz.question].flat() as Record<string, any>[];
  const out = new Map<string, string[]>();
  let current = '';
  for (const q of questions) {
    if (q['@_type'] === 'category') {
      current = String(q.category.text);
      out.set(current, out.get(current) ?? []);
    } else out.get(current)!.push(String(q.idnumber));
  }
  return out;
}

describe('exam exports keep versions apart', () => {
  const items = exam();

  it('Moodle XML: one category per slot holding that slot’s variants across versions', () => {
    const cats = moodleCategories(toMoodleXml(items, { title: 'Midterm' }));
    expect([...cats.keys()]).toEqual([`${TOP}/Item 1`, `${TOP}/Item 2`, `${TOP}/Item 3`]);
    for (let slot = 1; slot <= 3; slot++) expect(cats.get(`${TOP}/Item ${slot}`)).toEqual([1, 2, 3].map((v) => `v${v}-i${slot}`));
  });

  it('QTI 3: one section per slot with qti-selection select="1"', () => {
    const zip = unzipSync(toQtiPackage(items, { title: 'Midterm' }));
    const test = parser.parse(strFromU8(zip[QTI_TEST_FILE]))['qti-assessment-test'];
    const sections = findAll(test, 'qti-assessment-section');
    expect(sections).toHaveLength(3);
    sections.forEach((section, k) => {
      expect((section['qti-selection'] as Record<string, string>)['@_select']).toBe('1');
      const refs = findAll(section, 'qti-assessment-item-ref').map((r) => String(r['@_identifier']));
      expect(refs).toEqual([1, 2, 3].map((v) => `v${v}-i${k + 1}`));
    });
    // Every item file is referenced once.
    expect(findAll(test, 'qti-assessment-item-ref')).toHaveLength(items.length);
  });

  it('GIFT: a $CATEGORY per slot, per slot and step where a variant has several questions', () => {
    const file = readGift(toGift(items, { title: 'Midterm' }));
    const bySlotCategory = new Map<string, string[]>();
    for (const q of file.questions) bySlotCategory.set(q.category!, [...(bySlotCategory.get(q.category!) ?? []), q.title]);
    // Slot 1 (one scalar step): one category with the three versions.
    expect(bySlotCategory.get(`${TOP}/Item 1`)).toHaveLength(3);
    // Slot 2 (several steps): one category per step, each with one question per version.
    const bayes = items.find((i) => i.slot === 2)!;
    const stepCats = [...bySlotCategory.keys()].filter((c) => c.startsWith(`${TOP}/Item 2/`));
    expect(stepCats.length).toBe(bayes.steps.filter((s) => s.kind === 'scalar' || s.kind === 'label').length);
    expect(stepCats.length).toBeGreaterThan(1);
    for (const c of stepCats) {
      const titles = bySlotCategory.get(c)!;
      expect(titles).toHaveLength(3);
      expect(new Set(titles.map((t) => t.split(' \u2014 ').at(-1))).size, c).toBe(1); // the same step of each version
    }
    // No category mixes slots.
    for (const [c, titles] of bySlotCategory) {
      const slot = /Item (\d)/.exec(c)![1];
      for (const t of titles) expect(items.find((i) => t.startsWith(i.title))!.slot, `${t} in ${c}`).toBe(Number(slot));
    }
  });

  it('says how the versions are kept apart in each header', () => {
    expect(toMoodleXml(items, { title: 'Midterm' })).toMatch(/<!--[\s\S]*Exam versions: one subcategory per item slot[\s\S]*-->/);
    expect(strFromU8(unzipSync(toQtiPackage(items, { title: 'Midterm' }))[QTI_TEST_FILE])).toMatch(/<!--[\s\S]*Exam versions: one section per item slot/);
    expect(readGift(toGift(items, { title: 'Midterm' })).comments.some((c) => c.startsWith('Exam versions: one $CATEGORY per item slot'))).toBe(true);
  });

  it('keeps a set of variants without slots as one question each, in one category or section', () => {
    const loose = items.map(({ slot: _s, version: _v, ...rest }) => rest);
    const cats = moodleCategories(toMoodleXml(loose, { title: 'Midterm' }));
    expect([...cats.keys()]).toEqual([TOP]);
    expect(cats.get(TOP)).toHaveLength(items.length);
    const test = parser.parse(strFromU8(unzipSync(toQtiPackage(loose, { title: 'Midterm' }))[QTI_TEST_FILE]))['qti-assessment-test'];
    const sections = findAll(test, 'qti-assessment-section');
    expect(sections).toHaveLength(1);
    expect(sections[0]['qti-selection']).toBeUndefined();
    expect(new Set(readGift(toGift(loose, { title: 'Midterm' })).questions.map((q) => q.category))).toEqual(new Set([TOP]));
  });

  it('refuses a slot or version that is not a positive integer, or a version twice in a slot', () => {
    const [a] = items;
    expect(() => toMoodleXml([{ ...a, slot: 0 }], { title: 'x' })).toThrow(/slot must be a positive integer/);
    expect(() => toGift([{ ...a, slot: 1, version: 1.5 }], { title: 'x' })).toThrow(/version must be a positive integer/);
    expect(() => toQtiPackage([a, { ...a, id: 'other' }], { title: 'x' })).toThrow(/version 1 twice/);
  });
});

describe('exam export identifiers', () => {
  it('QTI: an item id that equals a section identifier gets another one', () => {
    const items: ExportItem[] = [1, 2].map((version) => ({ ...exportItem('kl-discrete', version, 'easy'), id: version === 1 ? 'slot-1' : 'section-1', slot: 1, version }));
    const test = parser.parse(strFromU8(unzipSync(toQtiPackage(items, { title: 'M' }))[QTI_TEST_FILE]))['qti-assessment-test'];
    const ids = [...findAll(test, 'qti-assessment-section'), ...findAll(test, 'qti-assessment-item-ref')].map((n) => String(n['@_identifier']));
    expect(ids).toHaveLength(3);
    expect(new Set(ids.map((i) => i.toLowerCase())).size).toBe(3);
  });
});

describe('GIFT step categories', () => {
  it('match steps by id across versions, whatever their order', () => {
    const a = { ...exportItem('bayes-classification', 1, 'medium'), id: 'v1', slot: 1, version: 1 };
    const b = { ...exportItem('bayes-classification', 2, 'medium'), id: 'v2', slot: 1, version: 2 };
    const reversed: ExportItem = { ...b, steps: [...b.steps].reverse() };
    const file = readGift(toGift([a, reversed], { title: 'M' }));
    const byCategory = new Map<string, string[]>();
    for (const q of file.questions) byCategory.set(q.category!, [...(byCategory.get(q.category!) ?? []), q.title.split(' \u2014 ').at(-1)!]);
    expect(byCategory.size).toBeGreaterThan(1);
    for (const [c, labels] of byCategory) {
      expect(labels, c).toHaveLength(2);
      expect(new Set(labels).size, c).toBe(1);
    }
  });
});
