/**
 * Conceptual items in the LMS exports: native multichoice (right-minus-wrong weights), ordering,
 * matching, numerical and short answer in Moodle XML and GIFT, and QTI 3.0 interactions that
 * validate against the official schemas (xmllint, as qti-schema.test.ts; skipped without them).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { generateProblem } from '../../src/engine.js';
import { toGift, toMoodleXml } from '../../src/exports/index.js';
import { toQtiItems } from '../../src/exports/qti.js';
import type { ExportItem } from '../../src/exports/types.js';
import { exportItems } from '../../src/service/export-items.js';
import type { Variant } from '../../src/store/types.js';

const IDS = ['example-gan-discriminator-goal', 'example-bert-masking-rule', 'example-rlhf-stages', 'example-lm-objectives', 'example-optimal-d-equilibrium', 'example-bert-cls-token'];

function items(): ExportItem[] {
  const variants = IDS.map((id, k) => ({ ...generateProblem(id, 7), id: `var_${k}`, mode: 'practice', createdBy: 'u', createdAt: '2026-01-01T00:00:00Z' }) as unknown as Variant);
  return exportItems('Concepts', variants);
}
const byKind = (kind: string) => items().find((i) => i.concept?.kind === kind)!;

describe('conceptual items in Moodle XML', () => {
  const xml = toMoodleXml(items(), { title: 'Concepts' });
  const question = (type: string) => new RegExp(`<question type="${type}">[\\s\\S]*?</question>`).exec(xml)?.[0] ?? '';

  it('single choice: multichoice, one answer at 100 %, the others 0 % with their reasons', () => {
    const q = xml.split('<question type="multichoice">')[1].split('</question>')[0];
    expect(q).toContain('<single>true</single>');
    expect(q.match(/fraction="100"/g)).toHaveLength(1);
    expect(q.match(/fraction="0"/g)).toHaveLength(3);
    expect(q).toContain('That is the generator');
  });

  it('multiple choice: right options +100/R %, wrong −100/W % (Moodle floors the total at 0)', () => {
    const q = xml.split('<question type="multichoice">')[2].split('</question>')[0];
    expect(q).toContain('<single>false</single>');
    expect(q.match(/fraction="33.33333"/g)).toHaveLength(3); // R = 3
    expect(q.match(/fraction="-100"/g)).toHaveLength(1); // W = 1
  });

  it('ordering, matching, numerical and short answer in their own types', () => {
    const ordering = question('ordering');
    expect([...ordering.matchAll(/<answer fraction="(\d)"/g)].map((m) => m[1])).toEqual(['1', '2', '3', '4']);
    expect(ordering.indexOf('Supervised fine-tuning')).toBeLessThan(ordering.indexOf('Train a reward model'));
    expect(ordering).toContain('<gradingtype>ABSOLUTE_POSITION</gradingtype>');
    const matching = question('matching');
    expect(matching.match(/<subquestion /g)).toHaveLength(4);
    expect(matching).toContain('<subquestion format="html"><text></text><answer><text><![CDATA[Contrastive image–text matching]]></text></answer>');
    const numerical = question('numerical');
    expect(numerical).toMatch(/<answer fraction="100"><text>0.5<\/text><tolerance>0.001<\/tolerance>/);
    expect(numerical).toMatch(/<answer fraction="0"><text>1<\/text><tolerance>0.001<\/tolerance>/);
    const short = question('shortanswer');
    expect(short.match(/<answer fraction="100"/g)).toHaveLength(4);
    expect(short).toContain('<usecase>0</usecase>');
  });
});

describe('conceptual items in GIFT', () => {
  const gift = toGift(items(), { title: 'Concepts' });

  it('multiple choice with weights, matching, numerical with a named wrong value, short answer; ordering skipped with why', () => {
    expect(gift).toContain(' =<p>The log-probability of assigning the correct label'); // single choice: the right one with =
    expect(gift).toContain('~<p>The reconstruction error of real samples</p>#<p>A GAN discriminator reconstructs nothing');
    expect(gift.match(/~%33.33333%/g)).toHaveLength(3);
    expect(gift).toContain('~%-100%');
    expect(gift).toMatch(/=BERT -> Masked language modelling/);
    expect(gift).toMatch(/\{#=0.5:0.001 =%0%1:0.001#/);
    expect(gift).toContain('{=%100%[plain][CLS] =%100%CLS =%100%the CLS token');
    expect(gift).toContain('// var_2: ordering item skipped: GIFT has no ordering question');
    expect(gift).toContain('(5 questions, 1 step skipped)');
  });
});

const xsdDir = process.env.STEPWISE_QTI_XSD_DIR ?? path.resolve(import.meta.dirname, '../../../shared/external-xsd/qti3');
const haveXmllint = spawnSync('xmllint', ['--version']).status === 0 && existsSync(path.join(xsdDir, 'catalog.xml'));

describe('conceptual items in QTI 3.0', () => {
  const files = toQtiItems(items());
  const xmlOf = (kind: string) => files[items().findIndex((i) => i.concept?.kind === kind)].xml;

  it('uses choice, order, match and text-entry interactions with right-minus-wrong and per-position scoring', () => {
    expect(xmlOf('single')).toContain('<qti-choice-interaction response-identifier="RESPONSE" shuffle="true" max-choices="1">');
    const multiple = xmlOf('multiple');
    expect(multiple).toContain('cardinality="multiple" base-type="identifier"');
    expect(multiple.match(/mapped-value="0.333333333333"/g)).toHaveLength(3);
    expect(multiple).toContain('mapped-value="-1"');
    expect(multiple).toContain('lower-bound="0"');
    const ordering = xmlOf('ordering');
    expect(ordering).toContain('cardinality="ordered"');
    expect(ordering.match(/<qti-index n="\d"/g)).toHaveLength(4);
    expect(xmlOf('matching')).toContain('base-type="directedPair"');
    expect(xmlOf('numeric')).toContain('tolerance="0.001 0.001"');
    expect(xmlOf('text')).toContain('<qti-string-match case-sensitive="false">');
    expect(byKind('matching').concept?.extraRights).toHaveLength(1);
  });

  const dir = mkdtempSync(path.join(tmpdir(), 'stepwise-qti-concepts-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  it.skipIf(!haveXmllint)('every kind validates against QTI 3.0 and 3.0.1', () => {
    const paths = files.map((f, i) => {
      const p = path.join(dir, `item-${i}.xml`);
      writeFileSync(p, f.xml);
      return p;
    });
    for (const schema of ['imsqti_asiv3p0_v1p0.nsfixed.xsd', 'imsqti_asiv3p0p1_v1p0.xsd']) {
      const r = spawnSync('xmllint', ['--nonet', '--noout', '--schema', path.join(xsdDir, schema), ...paths], {
        encoding: 'utf8',
        env: { ...process.env, XML_CATALOG_FILES: path.join(xsdDir, 'catalog.xml') },
        timeout: 120_000,
      });
      expect(r.status, `${schema}\n${r.stdout}${r.stderr}`).toBe(0);
    }
  }, 180_000);
});
