/**
 * Moodle GIFT: one single-answer question per (item, step) that one answer box can hold.
 *   - scalar step: numerical question {#value:tolerance} (absolute tolerance at the truth)
 *   - label step: short-answer question {=name} (Moodle compares case-insensitively)
 *   - vector / matrix step: no GIFT question can hold several numbers, so it is skipped with a
 *     `//` comment saying so (use the Moodle XML or QTI export for those).
 * Each question is `::item title — step label::[html]statement + what to find{answer}` on one line;
 * the statement's Markdown is rendered to HTML with TeX kept as \( … \) / \[ … \] for MathJax,
 * and GIFT's reserved characters (~ = # { } : and backslash) are escaped. GIFT has no syntax for
 * a question's mark, so each question's marks are given in the comment line above it.
 */
import { describeTolerance } from '../core/tolerance.js';
import {
  answerable,
  checkMarks,
  escapeHtml,
  formatExportNumber,
  marksText,
  markdownToHtml,
  moodleCategoryPath,
  stepElements,
  toleranceAt,
} from './common.js';
import type { ExportItem, ExportOptions, ExportStep } from './types.js';

export function toGift(items: ExportItem[], opts: ExportOptions): string {
  const blocks: string[] = [];
  let questions = 0;
  let skipped = 0;
  for (const item of items) {
    const statement = markdownToHtml(item.statement, { math: 'tex' });
    for (const step of item.steps) {
      const marks = checkMarks(item, step);
      const open = answerable(stepElements(item, step));
      if (step.kind === 'vector' || step.kind === 'matrix' || open.length !== 1) {
        skipped++;
        blocks.push(
          comment(
            `${item.id}: step ${step.id} (${step.label}) skipped: a ${step.kind} has ${open.length} answer boxes and a GIFT question holds one; use the Moodle XML (Cloze) or QTI export for it.`,
          ),
        );
        continue;
      }
      questions++;
      const truth = open[0].truth;
      const answer =
        typeof truth === 'string'
          ? `{=${giftAnswerText(truth)}}`
          : `{#${formatExportNumber(truth)}:${toleranceAt(truth, step.tolerance)}}`;
      const prompt = stepPrompt(step);
      blocks.push(
        [
          comment(`${item.id}: step ${step.id}, ${marksText(marks)}`),
          `::${giftEscape(`${item.title} \u2014 ${step.label}`)}::[html]${giftEscape(`${statement}\n${prompt}`)}${answer}`,
        ].join('\n'),
      );
    }
  }
  const header = [
    comment(`Stepwise export: ${opts.title} (${questions} question${questions === 1 ? '' : 's'}, ${skipped} vector or matrix step${skipped === 1 ? '' : 's'} skipped)`),
    `$CATEGORY: ${oneLine(moodleCategoryPath(opts.title))}`,
  ].join('\n');
  return `${[header, ...blocks].join('\n\n')}\n`;
}

/** What the question asks for, as HTML: the step's label and id, and how precisely to answer. */
function stepPrompt(step: ExportStep): string {
  const find = `<p><strong>${escapeHtml(step.label)}</strong> (<code>${escapeHtml(step.id)}</code>)</p>`;
  return step.kind === 'label' ? find : `${find}\n<p><em>${escapeHtml(describeTolerance(step.tolerance))}</em></p>`;
}

/**
 * Text with GIFT's reserved characters escaped (`\` first, so it cannot escape what follows), and
 * line breaks as `\n`, so every question stays on one line and no blank line can end it early.
 */
export function giftEscape(s: string): string {
  return s
    .replace(/[\\~=#{}:]/g, (c) => `\\${c}`)
    .replace(/\r\n?|\n/g, '\\n');
}

/** A short answer: GIFT-escaped, and `*` escaped because a short answer reads it as a wildcard. */
function giftAnswerText(label: string): string {
  return giftEscape(oneLine(label)).replace(/\*/g, '\\*');
}

function comment(text: string): string {
  return `// ${oneLine(text)}`;
}

function oneLine(s: string): string {
  return s.replace(/[\r\n]+/g, ' ');
}
