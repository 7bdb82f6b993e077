/** Text that is XML, HTML or Cloze syntax in the items must come out as text, the structure intact. */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { toMoodleXml, toQtiItems } from '../../src/exports/index.js';
import type { ExportItem } from '../../src/exports/types.js';
import { clozeSubAnswers, findAll, readNumerical, readShortAnswer, sampleItems, truths, visibleText } from './helpers.js';

const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@_', parseTagValue: false, trimValues: false });

const TITLE = 'Tricky ]]> & <b>bold</b> } # {1:SHORTANSWER:=x} \u0007 item';
const STATEMENT_TEXT = 'Watch: a < b & c ]]> d } e # f {2:NUMERICAL:=1:0} g ~ h / "i" \'j\'';
const LABEL = 'A]]>&<b>}{#~/"\\*';

function trickyItem(): ExportItem {
  const [base] = sampleItems();
  return {
    ...base,
    id: 'tricky ]]> & id',
    title: TITLE,
    statement: `${STATEMENT_TEXT}\n\n${base.statement}`,
    steps: [
      ...base.steps.slice(0, 2),
      { id: 'odd<id>&', label: 'Label with ]]> & < } #', kind: 'label', expected: LABEL, marks: 2, tolerance: { decimals: 2 } },
      { id: 'x', label: 'A scalar', kind: 'scalar', expected: 0.1 + 0.2, marks: 1, tolerance: { decimals: 2 } },
    ],
  };
}

describe('escaping', () => {
  const item = trickyItem();
  // XML 1.0 cannot hold U+0007: the title is exported without it.
  const titleOut = TITLE.replace('\u0007', '');

  it('keeps Moodle XML well-formed and the Cloze intact', () => {
    const xml = toMoodleXml([item], { title: 'Quiz ]]> & <x>' });
    expect(XMLValidator.validate(xml)).toBe(true);
    const doc = parser.parse(xml);
    const [category, q] = doc.quiz.question;
    expect(category.category.text).toBe('$course$/top/Quiz ]]> & <x>');
    expect(q.name.text).toBe(titleOut);
    const html: string = q.questiontext.text;
    expect(visibleText(html)).toContain(STATEMENT_TEXT);
    expect(visibleText(html)).toContain('Label with ]]> & < } #');

    // The braces of text that looks like Cloze are hidden, so only the real sub-answers are found.
    const subs = clozeSubAnswers(html);
    const open = truths(item).filter((t) => t.value !== -Infinity);
    expect(subs).toHaveLength(open.length);
    const label = subs[open.findIndex((t) => t.step.kind === 'label')];
    expect(label.type).toBe('SHORTANSWER');
    expect(readShortAnswer(label.answer)).toBe(LABEL);
    expect(readNumerical(subs[subs.length - 1].answer).value).toBe(0.3);
  });

  it('keeps QTI items well-formed with the title, statement and label as text', () => {
    const [file] = toQtiItems([item]);
    expect(XMLValidator.validate(file.xml)).toBe(true);
    const root = parser.parse(file.xml)['qti-assessment-item'];
    expect(root['@_title']).toBe(titleOut);
    expect(root['@_identifier']).toMatch(/^[A-Za-z_][A-Za-z0-9_.-]*$/);
    expect(file.filename).toMatch(/^items\/[A-Za-z0-9_.-]+\.xml$/);
    expect(visibleText(file.xml.slice(file.xml.indexOf('<qti-item-body>')))).toContain(STATEMENT_TEXT);
    const labelDecl = findAll(root, 'qti-response-declaration').find((d) => d['@_base-type'] === 'string');
    expect(String((labelDecl!['qti-correct-response'] as Record<string, unknown>)['qti-value'])).toBe(LABEL);
  });
});
