/** QTI 3.0: items with one response per answerable element, and a content package. */
import { strFromU8, unzipSync } from 'fflate';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { allowance } from '../../src/core/tolerance.js';
import { toQtiItems, toQtiPackage } from '../../src/exports/index.js';
import { QTI_CP_NAMESPACE, QTI_NAMESPACE, QTI_TEST_FILE } from '../../src/exports/qti.js';
import { closeRel, findAll, isMasked, mathSegments, sampleItems, truths, visibleText } from './helpers.js';

const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@_', parseTagValue: false, trimValues: true });

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- parsed XML of any shape
type Node = Record<string, any>;

function parse(xml: string, root: string): Node {
  expect(XMLValidator.validate(xml)).toBe(true);
  const doc = parser.parse(xml) as Node;
  expect(doc[root], `root element ${root}`).toBeDefined();
  return doc[root];
}

const asArray = <T>(x: T | T[] | undefined): T[] => (x === undefined ? [] : Array.isArray(x) ? x : [x]);

describe('QTI 3.0 items', () => {
  const items = sampleItems();
  const files = toQtiItems(items);
  const roots = files.map((f) => parse(f.xml, 'qti-assessment-item'));

  it('is one assessment item per export item, with unique identifiers and file names', () => {
    expect(files).toHaveLength(items.length);
    const ids = roots.map((r) => r['@_identifier']);
    expect(new Set(ids).size).toBe(items.length);
    expect(new Set(files.map((f) => f.filename.toLowerCase())).size).toBe(items.length);
    roots.forEach((r, i) => {
      expect(r['@_xmlns']).toBe(QTI_NAMESPACE);
      expect(r['@_title']).toBe(items[i].title);
      expect(r['@_adaptive']).toBe('false');
      expect(r['@_time-dependent']).toBe('false');
      expect(r['@_identifier']).toMatch(/^[A-Za-z_][A-Za-z0-9_.-]*$/);
      expect(files[i].filename).toMatch(/\.xml$/);
    });
  });

  it('declares one response and one text-entry interaction per answerable element, with the truth as correct response', () => {
    roots.forEach((r, i) => {
      const open = truths(items[i]).filter((t) => !isMasked(t));
      const decls = asArray<Node>(r['qti-response-declaration']);
      const interactions = findAll(r['qti-item-body'], 'qti-text-entry-interaction');
      expect(decls, items[i].id).toHaveLength(open.length);
      expect(interactions, items[i].id).toHaveLength(open.length);
      expect(new Set(decls.map((d) => d['@_identifier'])).size).toBe(open.length);
      expect(new Set(interactions.map((x) => x['@_response-identifier']))).toEqual(new Set(decls.map((d) => d['@_identifier'])));
      decls.forEach((d, k) => {
        const t = open[k];
        expect(d['@_cardinality']).toBe('single');
        const correct = String(d['qti-correct-response']['qti-value']);
        if (typeof t.value === 'string') {
          expect(d['@_base-type']).toBe('string');
          expect(correct).toBe(t.value);
        } else {
          expect(d['@_base-type']).toBe('float');
          expect(closeRel(Number(correct), t.value), `${items[i].id} ${t.step.id}: ${correct} vs ${t.value}`).toBe(true);
        }
      });
    });
  });

  it('scores each element with its share of the step’s marks, within the allowance at its truth', () => {
    roots.forEach((r, i) => {
      const item = items[i];
      const open = truths(item).filter((t) => !isMasked(t));
      const decls = asArray<Node>(r['qti-response-declaration']);
      const outcomes = asArray<Node>(r['qti-outcome-declaration']);
      const score = outcomes.find((o) => o['@_identifier'] === 'SCORE');
      expect(score?.['@_base-type']).toBe('float');
      const total = item.steps.reduce((sum, s) => sum + s.marks, 0);
      const max = outcomes.find((o) => o['@_identifier'] === 'MAXSCORE');
      expect(Number(max?.['qti-default-value']['qti-value'])).toBeCloseTo(total, 12);

      const rules = asArray<Node>(r['qti-response-processing']['qti-response-condition']).map((c) => c['qti-response-if']);
      expect(rules).toHaveLength(open.length);
      let sum = 0;
      const referenced = new Set<string>();
      rules.forEach((rule, k) => {
        const t = open[k];
        const id = decls[k]['@_identifier'];
        const test: Node = rule['qti-equal'] ?? rule['qti-string-match'];
        expect(test['qti-variable']['@_identifier']).toBe(id);
        expect(test['qti-correct']['@_identifier']).toBe(id);
        referenced.add(id);
        if (typeof t.value === 'string') {
          expect(rule['qti-string-match']['@_case-sensitive']).toBe('false');
        } else {
          expect(test['@_tolerance-mode']).toBe('absolute');
          const bounds = String(test['@_tolerance']).split(' ').map(Number);
          expect(bounds).toHaveLength(2);
          const a = allowance(t.value, t.step.tolerance);
          for (const b of bounds) {
            expect(b).toBeGreaterThanOrEqual(a * (1 - 1e-14));
            expect(b - a).toBeLessThanOrEqual(1e-12 * Math.max(1, a));
          }
        }
        const set: Node = rule['qti-set-outcome-value'];
        expect(set['@_identifier']).toBe('SCORE');
        expect(set['qti-sum']['qti-variable']['@_identifier']).toBe('SCORE');
        const share = Number(set['qti-sum']['qti-base-value']['#text']);
        const n = open.filter((o) => o.step.id === t.step.id).length;
        expect(closeRel(share, t.step.marks / n, 1e-12)).toBe(true);
        sum += share;
      });
      expect(referenced).toEqual(new Set(decls.map((d) => d['@_identifier'])));
      expect(sum).toBeCloseTo(total, 9);
    });
  });

  it('prints masked entries as −∞ and gives them no response', () => {
    const i = items.findIndex((it) => truths(it).some(isMasked));
    const body = files[i].xml.slice(files[i].xml.indexOf('<qti-item-body>'));
    expect(body.split('<td>\u2212\u221e</td>').length - 1).toBe(truths(items[i]).filter(isMasked).length);
  });

  it('writes the statement’s math as MathML, keeping the TeX', () => {
    roots.forEach((r, i) => {
      const annotations = findAll(r['qti-item-body'], 'annotation').map((a) => String(a['#text']));
      for (const m of mathSegments(items[i].statement)) expect(annotations).toContain(m.tex);
      expect(visibleText(files[i].xml)).not.toContain('$');
    });
  });
});

describe('QTI 3.0 content package', () => {
  const items = sampleItems();
  const files = toQtiItems(items);
  const zip = unzipSync(toQtiPackage(items, { title: 'Week 3 & friends' }));

  it('holds the manifest, the test and every item file as toQtiItems writes it', () => {
    expect(Object.keys(zip).sort()).toEqual(['imsmanifest.xml', QTI_TEST_FILE, ...files.map((f) => f.filename)].sort());
    for (const f of files) expect(strFromU8(zip[f.filename])).toBe(f.xml);
  });

  it('lists every item and the test in the manifest, the test depending on every item', () => {
    const manifest = parse(strFromU8(zip['imsmanifest.xml']), 'manifest');
    expect(manifest['@_xmlns']).toBe(QTI_CP_NAMESPACE);
    const resources = asArray<Node>(manifest.resources.resource);
    const itemIds = files.map((f) => parse(f.xml, 'qti-assessment-item')['@_identifier']);
    const test = resources.filter((r) => r['@_type'] === 'imsqti_test_xmlv3p0');
    expect(test).toHaveLength(1);
    expect(test[0]['@_href']).toBe(QTI_TEST_FILE);
    expect(asArray<Node>(test[0].file).map((f) => f['@_href'])).toEqual([QTI_TEST_FILE]);
    expect(asArray<Node>(test[0].dependency).map((d) => d['@_identifierref'])).toEqual(itemIds);
    const itemResources = resources.filter((r) => r['@_type'] === 'imsqti_item_xmlv3p0');
    expect(itemResources.map((r) => r['@_href'])).toEqual(files.map((f) => f.filename));
    expect(itemResources.map((r) => r['@_identifier'])).toEqual(itemIds);
    for (const r of itemResources) expect(asArray<Node>(r.file).map((f) => f['@_href'])).toEqual([r['@_href']]);
    expect(new Set(resources.map((r) => r['@_identifier'])).size).toBe(resources.length);
  });

  it('has an assessment test referencing every item by identifier and file', () => {
    const test = parse(strFromU8(zip[QTI_TEST_FILE]), 'qti-assessment-test');
    expect(test['@_xmlns']).toBe(QTI_NAMESPACE);
    expect(test['@_title']).toBe('Week 3 & friends');
    const refs = findAll(test, 'qti-assessment-item-ref');
    expect(refs.map((r) => r['@_href'])).toEqual(files.map((f) => f.filename));
    expect(refs.map((r) => r['@_identifier'])).toEqual(files.map((f) => parse(f.xml, 'qti-assessment-item')['@_identifier']));
  });

  it('is the same bytes for the same items', () => {
    expect(toQtiPackage(items, { title: 'x' })).toEqual(toQtiPackage(items, { title: 'x' }));
  });

  it('gives items with clashing or unusual ids distinct, valid identifiers', () => {
    const [a] = sampleItems();
    const clash = [
      { ...a, id: '42' },
      { ...a, id: 'A b' },
      { ...a, id: 'a_b' },
      { ...a, id: 'stepwise-test' },
    ];
    const built = toQtiItems(clash).map((f) => parse(f.xml, 'qti-assessment-item')['@_identifier'] as string);
    expect(new Set(built.map((b) => b.toLowerCase())).size).toBe(clash.length);
    for (const id of built) expect(id).toMatch(/^[A-Za-z_][A-Za-z0-9_.-]*$/);
    const manifest = parse(strFromU8(unzipSync(toQtiPackage(clash, { title: 't' }))['imsmanifest.xml']), 'manifest');
    const ids = asArray<Node>(manifest.resources.resource).map((r) => r['@_identifier']);
    expect(new Set(ids).size).toBe(clash.length + 1);
  });
});
