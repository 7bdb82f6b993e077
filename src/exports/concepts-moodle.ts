/** Conceptual items as Moodle XML questions (concepts.ts says which question type each kind becomes). */
import { cdata, escapeXml, formatAnswer, formatTolerance, markdownToHtml, plainDecimal } from './common.js';
import { choiceWeight, figureHtml, percent, plain } from './concepts.js';
import type { ExportItem } from './types.js';

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
