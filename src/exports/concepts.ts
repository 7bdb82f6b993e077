/**
 * Conceptual items in each LMS's native question types (README › Exports › Conceptual items):
 *   Moodle XML: multichoice (single; multiple with right +100/R %, wrong −100/W %: Moodle's own
 *   right-minus-wrong, its total floored at 0), ordering (qtype_ordering, absolute position),
 *   matching (extra rights as unmatched subquestions), numerical (named wrong values at 0 % with
 *   their reason), shortanswer (case-insensitive accepted answers).
 *   QTI 3.0: qti-choice-interaction (single: match correct; multiple: a mapping +marks/R, −marks/W,
 *   lower bound 0), qti-order-interaction (marks/n per entry in its position, by qti-index),
 *   qti-match-interaction (directedPair mapping, marks/n per right pair), qti-text-entry-interaction
 *   (numbers: qti-equal with the absolute margin; text: case-insensitive qti-string-match).
 *   GIFT: multiple choice (weights as in Moodle XML), matching, numerical, short answer; an
 *   ordering item has no GIFT form and is skipped with a comment.
 * Every reason (`why`) goes in as the option's or answer's feedback where the format has one.
 */
import { cdata, escapeXml, formatAnswer, formatTolerance, markdownToHtml, plainDecimal } from './common.js';
import type { ExportConcept, ExportImage, ExportItem } from './types.js';

/** A percentage weight as Moodle lists them (5 decimals: 33.33333). */
export const percent = (x: number): string => plainDecimal(Number((x * 100).toFixed(5)));

/** Right-minus-wrong weights of a multiple-choice item: each right option 1/R, each wrong −1/W. */
function choiceWeight(c: ExportConcept, correct: boolean): number {
  const R = c.options!.filter((o) => o.correct).length;
  const W = c.options!.length - R;
  if (c.kind === 'single') return correct ? 1 : 0;
  return correct ? 1 / R : W === 0 ? 0 : -1 / W;
}

/** Plain text for places that show no markup (Moodle's matching drop-downs): TeX delimiters and Markdown marks dropped. */
const plain = (md: string): string => md.replace(/\$/g, '').replace(/[*_`]/g, '').replace(/\s+/g, ' ').trim();

// ---------------------------------------------------------------------------------------------
// Moodle XML
// ---------------------------------------------------------------------------------------------

const moodleHtml = (md: string): string => markdownToHtml(md, { math: 'tex' });

export function moodleConceptQuestion(item: ExportItem, idnumber: string, penalty: string): string {
  const c = item.concept!;
  const type = { single: 'multichoice', multiple: 'multichoice', ordering: 'ordering', matching: 'matching', numeric: 'numerical', text: 'shortanswer' }[c.kind];
  const lines = [
    `  <question type="${type}">`,
    `    <name><text>${cdata(item.title)}</text></name>`,
    `    <questiontext format="html"><text>${cdata(moodleHtml(c.prompt) + moodleFigures(item))}</text>${moodleFiles(item)}</questiontext>`,
    `    <generalfeedback format="html"><text>${cdata(moodleHtml(c.explanation))}</text></generalfeedback>`,
    `    <defaultgrade>${plainDecimal(c.marks)}</defaultgrade>`,
    `    <penalty>${penalty}</penalty>`,
    '    <hidden>0</hidden>',
    `    <idnumber>${cdata(idnumber)}</idnumber>`,
  ];
  const feedback = (why: string) => `<feedback format="html"><text>${cdata(moodleHtml(why))}</text></feedback>`;
  switch (c.kind) {
    case 'single':
    case 'multiple':
      lines.push(
        `    <single>${c.kind === 'single'}</single>`,
        `    <shuffleanswers>${c.pinned ? 0 : 1}</shuffleanswers>`,
        // The options of a question about model runs are "Run A", "Run B": lettering them again would confuse.
        `    <answernumbering>${item.artefact ? 'none' : 'ABCD'}</answernumbering>`,
      );
      for (const o of c.options!) {
        lines.push(`    <answer fraction="${percent(choiceWeight(c, o.correct))}" format="html"><text>${cdata(moodleHtml(o.text))}</text>${feedback(o.why)}</answer>`);
      }
      break;
    case 'ordering':
      // qtype_ordering: the answers in their right order (fraction = position); the student's order is graded by absolute position.
      lines.push(
        '    <layouttype>VERTICAL</layouttype>',
        '    <selecttype>ALL</selecttype>',
        '    <selectcount>0</selectcount>',
        '    <gradingtype>ABSOLUTE_POSITION</gradingtype>',
        '    <showgrading>SHOW</showgrading>',
        '    <numberingstyle>none</numberingstyle>',
      );
      c.order!.forEach((o, i) => lines.push(`    <answer fraction="${i + 1}" format="html"><text>${cdata(moodleHtml(o.text))}</text></answer>`));
      break;
    case 'matching':
      lines.push(`    <shuffleanswers>${c.pinned ? 'false' : 'true'}</shuffleanswers>`);
      for (const x of c.pairs!) lines.push(`    <subquestion format="html"><text>${cdata(moodleHtml(x.left))}</text><answer><text>${cdata(plain(x.right))}</text></answer></subquestion>`);
      // A subquestion with no text is an extra wrong choice in every drop-down.
      for (const r of c.extraRights ?? []) lines.push(`    <subquestion format="html"><text></text><answer><text>${cdata(plain(r))}</text></answer></subquestion>`);
      break;
    case 'numeric': {
      const t = formatTolerance(c.margin!);
      lines.push(`    <answer fraction="100"><text>${formatAnswer(c.answer!, t)}</text><tolerance>${t}</tolerance>${feedback('Correct.')}</answer>`);
      for (const w of c.wrong ?? []) lines.push(`    <answer fraction="0"><text>${formatAnswer(w.value!, t)}</text><tolerance>${t}</tolerance>${feedback(w.why)}</answer>`);
      break;
    }
    case 'text':
      lines.push('    <usecase>0</usecase>');
      // A bare * is Moodle's wildcard.
      for (const a of c.accept ?? []) lines.push(`    <answer fraction="100" format="plain_text"><text>${cdata(a.replace(/\*/g, '\\*'))}</text>${feedback('Correct.')}</answer>`);
      break;
  }
  lines.push('  </question>');
  return lines.join('\n');
}

/** The item's pictures after its prompt, each from the question's own file area (`@@PLUGINFILE@@`). */
function moodleFigures(item: ExportItem): string {
  return (item.images ?? []).map((im) => `\n${figureHtml(`@@PLUGINFILE@@/${encodeURIComponent(im.name)}`, im)}`).join('');
}

/** The pictures as files of the question text, base64 (Moodle XML's own way to carry them). */
function moodleFiles(item: ExportItem): string {
  return (item.images ?? []).map((im) => `<file name="${escapeXml(im.name)}" path="/" encoding="base64">${Buffer.from(im.png).toString('base64')}</file>`).join('');
}

/** A picture with its caption as an HTML (and XHTML) figure. */
export function figureHtml(src: string, im: ExportImage): string {
  const size = im.width && im.height ? ` width="${im.width}" height="${im.height}"` : '';
  return `<figure class="stepwise-plot"><img src="${escapeXml(src)}" alt="${escapeXml(im.caption)}"${size}/><figcaption>${escapeXml(im.caption)}</figcaption></figure>`;
}

// ---------------------------------------------------------------------------------------------
// QTI 3.0
// ---------------------------------------------------------------------------------------------

const qtiHtml = (md: string): string => markdownToHtml(md, { math: 'mathml', xhtml: true });
/** One paragraph's HTML without its <p> wrapper (choices are short). */
const qtiInline = (md: string): string => {
  const html = qtiHtml(md).trim();
  const m = /^<p>([\s\S]*)<\/p>$/.exec(html);
  return m && !m[1].includes('<p>') ? m[1] : html;
};
const choiceId = (id: string): string => `choice-${id.replace(/[^A-Za-z0-9_.-]/g, '_')}`;
const num = (x: number): string => plainDecimal(Number(x.toPrecision(12)));

/** The response declaration, the interaction and the SCORE rules of a conceptual item. */
/** `imageSrc`: where the k-th picture of the item lies, relative to the item's file. */
export function qtiConceptParts(item: ExportItem, imageSrc: (k: number) => string = (k) => item.images![k].name): { declarations: string[]; body: string[]; rules: string[]; maxScore: number } {
  const c = item.concept!;
  const marks = c.marks;
  const R = 'RESPONSE';
  const mapScore = `    <qti-set-outcome-value identifier="SCORE"><qti-map-response identifier="${R}"/></qti-set-outcome-value>`;
  const body = [`    <div class="stepwise-statement">${qtiHtml(c.prompt)}</div>`, ...(item.images ?? []).map((im, k) => `    ${figureHtml(imageSrc(k), im)}`)];
  const ifThen = (test: string, add: number) =>
    [
      '    <qti-response-condition>',
      '      <qti-response-if>',
      `        ${test}`,
      `        <qti-set-outcome-value identifier="SCORE"><qti-sum><qti-variable identifier="SCORE"/><qti-base-value base-type="float">${num(add)}</qti-base-value></qti-sum></qti-set-outcome-value>`,
      '      </qti-response-if>',
      '    </qti-response-condition>',
    ].join('\n');
  switch (c.kind) {
    case 'single':
    case 'multiple': {
      const right = c.options!.filter((o) => o.correct);
      const declaration = [
        `  <qti-response-declaration identifier="${R}" cardinality="${c.kind === 'single' ? 'single' : 'multiple'}" base-type="identifier">`,
        `    <qti-correct-response>${right.map((o) => `<qti-value>${choiceId(o.id)}</qti-value>`).join('')}</qti-correct-response>`,
      ];
      if (c.kind === 'multiple') {
        declaration.push(`    <qti-mapping default-value="0" lower-bound="0" upper-bound="${num(marks)}">`);
        for (const o of c.options!) declaration.push(`      <qti-map-entry map-key="${choiceId(o.id)}" mapped-value="${num(marks * choiceWeight(c, o.correct))}"/>`);
        declaration.push('    </qti-mapping>');
      }
      declaration.push('  </qti-response-declaration>');
      body.push(
        `    <qti-choice-interaction response-identifier="${R}" shuffle="${!c.pinned}" max-choices="${c.kind === 'single' ? 1 : 0}">`,
        ...c.options!.map((o) => `      <qti-simple-choice identifier="${choiceId(o.id)}"${c.pinned ? ' fixed="true"' : ''}>${qtiInline(o.text)}</qti-simple-choice>`),
        '    </qti-choice-interaction>',
      );
      const rules =
        c.kind === 'single'
          ? [ifThen(`<qti-match><qti-variable identifier="${R}"/><qti-correct identifier="${R}"/></qti-match>`, marks)]
          : [mapScore];
      return { declarations: [declaration.join('\n')], body, rules, maxScore: marks };
    }
    case 'ordering': {
      const n = c.order!.length;
      body.push(
        `    <qti-order-interaction response-identifier="${R}" shuffle="true">`,
        ...c.order!.map((o) => `      <qti-simple-choice identifier="${choiceId(o.id)}">${qtiInline(o.text)}</qti-simple-choice>`),
        '    </qti-order-interaction>',
      );
      const declaration = [
        `  <qti-response-declaration identifier="${R}" cardinality="ordered" base-type="identifier">`,
        `    <qti-correct-response>${c.order!.map((o) => `<qti-value>${choiceId(o.id)}</qti-value>`).join('')}</qti-correct-response>`,
        '  </qti-response-declaration>',
      ].join('\n');
      // Each entry in its right position earns marks/n (qti-index is 1-based; a missing one is NULL, no match).
      const rules = c.order!.map((o, i) =>
        ifThen(`<qti-match><qti-index n="${i + 1}"><qti-variable identifier="${R}"/></qti-index><qti-base-value base-type="identifier">${choiceId(o.id)}</qti-base-value></qti-match>`, marks / n),
      );
      return { declarations: [declaration], body, rules, maxScore: marks };
    }
    case 'matching': {
      const pairs = c.pairs!;
      const left = (id: string) => `L-${id.replace(/[^A-Za-z0-9_.-]/g, '_')}`;
      const right = (id: string) => `R-${id.replace(/[^A-Za-z0-9_.-]/g, '_')}`;
      const extras = (c.extraRights ?? []).map((text, i) => ({ id: `X-${i + 1}`, text }));
      const declaration = [
        `  <qti-response-declaration identifier="${R}" cardinality="multiple" base-type="directedPair">`,
        `    <qti-correct-response>${pairs.map((x) => `<qti-value>${left(x.id)} ${right(x.id)}</qti-value>`).join('')}</qti-correct-response>`,
        `    <qti-mapping default-value="0" lower-bound="0" upper-bound="${num(marks)}">`,
        ...pairs.map((x) => `      <qti-map-entry map-key="${left(x.id)} ${right(x.id)}" mapped-value="${num(marks / pairs.length)}"/>`),
        '    </qti-mapping>',
        '  </qti-response-declaration>',
      ].join('\n');
      body.push(
        `    <qti-match-interaction response-identifier="${R}" shuffle="${!c.pinned}" max-associations="${pairs.length}">`,
        '      <qti-simple-match-set>',
        ...pairs.map((x) => `        <qti-simple-associable-choice identifier="${left(x.id)}" match-max="1">${qtiInline(x.left)}</qti-simple-associable-choice>`),
        '      </qti-simple-match-set>',
        '      <qti-simple-match-set>',
        ...pairs.map((x) => `        <qti-simple-associable-choice identifier="${right(x.id)}" match-max="1">${qtiInline(x.right)}</qti-simple-associable-choice>`),
        ...extras.map((x) => `        <qti-simple-associable-choice identifier="${x.id}" match-max="1">${qtiInline(x.text)}</qti-simple-associable-choice>`),
        '      </qti-simple-match-set>',
        '    </qti-match-interaction>',
      );
      return { declarations: [declaration], body, rules: [mapScore], maxScore: marks };
    }
    case 'numeric': {
      const t = formatTolerance(c.margin!);
      const declaration = [
        `  <qti-response-declaration identifier="${R}" cardinality="single" base-type="float">`,
        `    <qti-correct-response><qti-value>${formatAnswer(c.answer!, t)}</qti-value></qti-correct-response>`,
        '  </qti-response-declaration>',
      ].join('\n');
      body.push(`    <p><qti-text-entry-interaction response-identifier="${R}" expected-length="12"/></p>`);
      const test = `<qti-equal tolerance-mode="absolute" tolerance="${t} ${t}"><qti-variable identifier="${R}"/><qti-correct identifier="${R}"/></qti-equal>`;
      return { declarations: [declaration], body, rules: [ifThen(test, marks)], maxScore: marks };
    }
    case 'text': {
      const accept = c.accept ?? [];
      const declaration = [
        `  <qti-response-declaration identifier="${R}" cardinality="single" base-type="string">`,
        ...(accept.length > 0 ? [`    <qti-correct-response><qti-value>${escapeXml(accept[0])}</qti-value></qti-correct-response>`] : []),
        '  </qti-response-declaration>',
      ].join('\n');
      body.push(`    <p><qti-text-entry-interaction response-identifier="${R}" expected-length="20"/></p>`);
      const matches = accept.map((a) => `<qti-string-match case-sensitive="false"><qti-variable identifier="${R}"/><qti-base-value base-type="string">${escapeXml(a)}</qti-base-value></qti-string-match>`);
      const rules = matches.length === 0 ? [] : [ifThen(matches.length === 1 ? matches[0] : `<qti-or>${matches.join('')}</qti-or>`, marks)];
      return { declarations: [declaration], body, rules, maxScore: marks };
    }
  }
}

// ---------------------------------------------------------------------------------------------
// GIFT
// ---------------------------------------------------------------------------------------------

/**
 * The GIFT question of a conceptual item, or null when GIFT cannot hold it (ordering). `esc` is
 * GIFT's escaping, `answerText` its short-answer escaping (both from gift.ts).
 */
export function giftConceptQuestion(item: ExportItem, esc: (s: string) => string, answerText: (s: string) => string): string | null {
  const c = item.concept!;
  const html = (md: string) => esc(markdownToHtml(md, { math: 'tex' }));
  const fb = (why: string) => `#${html(why)}`;
  let answers: string;
  switch (c.kind) {
    case 'single':
      answers = c.options!.map((o) => `${o.correct ? '=' : '~'}${html(o.text)}${fb(o.why)}`).join(' ');
      break;
    case 'multiple':
      answers = c.options!.map((o) => `~%${percent(choiceWeight(c, o.correct))}%${html(o.text)}${fb(o.why)}`).join(' ');
      break;
    case 'matching':
      // GIFT matching takes plain pairs: no extra right-hand entries, no feedback.
      answers = c.pairs!.map((x) => `=${esc(plain(x.left))} -> ${esc(plain(x.right))}`).join(' ');
      break;
    case 'numeric': {
      const t = formatTolerance(c.margin!);
      answers = `#=${formatAnswer(c.answer!, t)}:${t}${(c.wrong ?? []).map((w) => ` =%0%${formatAnswer(w.value!, t)}:${t}${fb(w.why)}`).join('')}`;
      break;
    }
    case 'text':
      if ((c.accept ?? []).length === 0) return null;
      answers = c.accept!.map((a) => `=%100%${answerText(a)}`).join(' ');
      break;
    default:
      return null;
  }
  return `::${esc(item.title)}::[html]${html(c.prompt)}{${answers} ####${html(c.explanation)}}`;
}

