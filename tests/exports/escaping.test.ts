/**
 * Text that is XML, HTML, Cloze or GIFT syntax in the items must come out as text, the structure
 * intact, read back the way each LMS reads it: hostile titles and labels.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { toGift, toMoodleXml, toQtiItems } from '../../src/exports/index.js';
import type { ExportItem } from '../../src/exports/types.js';
import { giftShortAnswers, giftType, readGift } from './gift-reader.js';
import { clozeSubAnswers, findAll, readNumerical, readShortAnswer, sampleItems, shortAnswerMatches, truths, visibleText } from './helpers.js';

const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@_', parseTagValue: false, trimValues: false });

const TITLE = 'Tricky ]]> & <b>bold</b> } # {1:SHORTANSWER:=x} \u0007 item';
const STATEMENT_TEXT = 'Watch: a < b & c ]]> d } e # f {2:NUMERICAL:=1:0} g ~ h / "i" \'j\'';
const LABEL = 'A]]>&<b>}{#~/"\\*';

/** Labels an LMS could misread: Cloze and GIFT syntax, escapes, weights, format tags, wildcards, references. */
const HOSTILE_LABELS = [
  '\\}',
  '\\#',
  'a\\}b\\#c',
  'x}y#z~w',
  '%50%A',
  '%100%',
  '[html]bold',
  '[plain]',
  '*',
  'x\\*y',
  '\\\\}',
  '&amp; &#35; &lt;',
  'a / b "c" \\ d',
  '=a',
  ':b::c',
  'T',
];

/** Titles Moodle could mangle: spaces between characters it escapes, CDATA ends, Cloze and GIFT syntax. */
const HOSTILE_TITLES = ['a & < > b', '< >  & "x" \'y\'', 'Q ]]> R', '::x:: {=y} ~z #w', '%50% heavy', '  two  spaces  '];

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

function labelItem(label: string, title = `label ${label}`): ExportItem {
  return {
    id: `label-${label}`,
    title,
    topic: 'bayes-classification',
    statement: 'Pick the class.',
    steps: [{ id: 'decision', label: 'Decision', kind: 'label', expected: label, marks: 1, tolerance: { decimals: 2 } }],
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
    const stored = readShortAnswer(label.answer);
    expect(shortAnswerMatches(stored, LABEL)).toBe(true);
    expect(shortAnswerMatches(stored, LABEL.replace('*', 'zz'))).toBe(false);
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

  it('Moodle Cloze: every hostile label is stored so that exactly it matches (a \\} keeps its backslash)', () => {
    for (const label of HOSTILE_LABELS) {
      const xml = toMoodleXml([labelItem(label)], { title: 'T' });
      const q = parser.parse(xml).quiz.question[1];
      const subs = clozeSubAnswers(q.questiontext.text);
      expect(subs, label).toHaveLength(1);
      expect(subs[0].type).toBe('SHORTANSWER');
      const stored = readShortAnswer(subs[0].answer);
      expect(shortAnswerMatches(stored, label), `${label} stored as ${stored}`).toBe(true);
      expect(shortAnswerMatches(stored, label.toUpperCase()), label).toBe(true); // case-insensitive
      expect(shortAnswerMatches(stored, `${label}x`), label).toBe(false);
      expect(shortAnswerMatches(stored, `x${label}`), label).toBe(false);
    }
  });

  it('GIFT: every hostile label is a full-weight short answer that exactly it matches', () => {
    for (const label of HOSTILE_LABELS) {
      const file = readGift(toGift([labelItem(label)], { title: 'T' }));
      expect(file.questions, label).toHaveLength(1);
      const q = file.questions[0];
      expect(giftType(q.answerRaw), label).toBe('shortanswer');
      const answers = giftShortAnswers(q.answerRaw);
      expect(answers, label).toHaveLength(1);
      expect(answers[0].fraction, label).toBe(1);
      expect(shortAnswerMatches(answers[0].answer, label), `${label} stored as ${answers[0].answer}`).toBe(true);
      expect(shortAnswerMatches(answers[0].answer, `${label}x`), label).toBe(false);
    }
  });

  it('GIFT: a label with "->" (Moodle’s matching syntax) is skipped with a comment, not misread', () => {
    const gift = toGift([labelItem('a->b')], { title: 'T' });
    const file = readGift(gift);
    expect(file.questions).toHaveLength(0);
    expect(file.comments.some((c) => c.includes('step decision') && c.includes('skipped') && c.includes('->'))).toBe(true);
  });

  it('keeps hostile titles intact: Moodle XML in CDATA, GIFT escaped, QTI as an attribute', () => {
    for (const title of HOSTILE_TITLES) {
      const item = { ...labelItem('A'), title };
      const xml = toMoodleXml([item], { title });
      // In CDATA, so Moodle's reader sees one run of text (no references whose spaces it drops).
      expect(xml, title).toMatch(/<name><text><!\[CDATA\[/);
      expect(xml).not.toMatch(/<name><text>[^<]*&/);
      const [category, q] = parser.parse(xml).quiz.question;
      expect(q.name.text, title).toBe(title);
      expect(category.category.text, title).toBe(`$course$/top/${title.trim()}`);
      const gift = readGift(toGift([item], { title }));
      expect(gift.questions[0].title, title).toBe(`${title} \u2014 Decision`);
      const [file] = toQtiItems([item]);
      expect(parser.parse(file.xml)['qti-assessment-item']['@_title'], title).toBe(title);
    }
  });

  it('GIFT: a backslash in the quiz title survives the $CATEGORY line (which Moodle does not unescape)', () => {
    const file = readGift(toGift([labelItem('A')], { title: 'a\\:b {c}' }));
    expect(file.categories).toEqual(['$course$/top/a\\:b {c}']);
  });
});
