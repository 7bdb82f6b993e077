/**
 * Moodle GIFT: one single-answer question per (item, step) that one answer box can hold.
 *   - scalar step: numerical question {#value:tolerance} (absolute tolerance at the truth, the value
 *     with as many digits as Moodle's rule needs to accept the truth: see `formatAnswer`)
 *   - label step: short-answer question {=%100%name} (Moodle compares case-insensitively; the
 *     explicit weight keeps a label that starts with "%50%" from being read as a weight)
 *   - vector / matrix step: no GIFT question can hold several numbers, so it is skipped with a
 *     `//` comment saying so (use the Moodle XML or QTI export for those).
 * Each question is `::item title — step label::[html]statement + what to find{answer}` on one line;
 * the statement's Markdown is rendered to HTML with TeX kept as \( … \) / \[ … \] for MathJax,
 * and GIFT's reserved characters (~ = # { } : and backslash) are escaped. GIFT has no syntax for
 * a question's mark, so each question's marks are given in the comment line above it.
 *
 * An exam's variants (items with a slot) go into one `$CATEGORY` per slot ("<quiz>/Item 2"), or
 * per slot and step ("<quiz>/Item 2/Step 1 (kl)") when the slot's items ask several single-answer
 * steps, so a quiz draws one random question per category and each student gets one version.
 */
import { StepwiseError } from '../core/errors.js';
import { describeTolerance } from '../core/tolerance.js';
import {
  answerable,
  checkMarks,
  escapeHtml,
  formatAnswer,
  marksText,
  markdownToHtml,
  moodleCategoryPath,
  slotGroups,
  slotName,
  stepElements,
  toleranceAt,
} from './common.js';
import { giftConceptQuestion } from './concepts-gift.js';
import { exportLimits } from './limits.js';
import type { ExportItem, ExportOptions, ExportStep } from './types.js';

export function toGift(items: ExportItem[], opts: ExportOptions): string {
  // GIFT is one text file: it cannot carry a question's pictures, and a question about model runs
  // means nothing without its runs' plots. Refused whole, never exported without them.
  const pictured = items.find((i) => i.artefact || (i.images ?? []).length > 0);
  if (pictured) {
    throw new StepwiseError(
      'invalid_request',
      `${pictured.title} (${pictured.id}) is a question about model runs: its plots cannot travel in a GIFT file; export it as Moodle XML or QTI, which carry them`,
      'format',
    );
  }
  const blocks: string[] = [];
  const count = { questions: 0, skipped: 0 };
  const { loose, slots } = slotGroups(items);
  const top = moodleCategoryPath(opts.title);
  if (loose.length > 0 || slots.length === 0) {
    blocks.push(categoryLine(top));
    for (const item of loose) for (const step of item.steps) blocks.push(giftQuestion(item, step, count));
  }
  for (const { slot, items: group } of slots) {
    // One category per slot when each variant is one GIFT question, else one per slot and step
    // (matched by step id across versions): a random question from a category must stand for
    // the whole of what it replaces.
    const asked = Math.max(...group.map((item) => item.steps.filter((s) => singleAnswer(item, s)).length));
    if (asked <= 1) {
      blocks.push(categoryLine(`${top}/${slotName(slot)}`));
      for (const item of group) for (const step of item.steps) blocks.push(giftQuestion(item, step, count));
      continue;
    }
    const stepIds = [...new Set(group.flatMap((item) => item.steps.map((s) => s.id)))];
    stepIds.forEach((id, k) => {
      const steps = group.flatMap((item) => item.steps.filter((s) => s.id === id).map((step) => ({ item, step })));
      if (steps.some((x) => singleAnswer(x.item, x.step))) {
        blocks.push(categoryLine(`${top}/${slotName(slot)}/Step ${k + 1} (${id.replace(/\//g, '//')})`));
      }
      for (const { item, step } of steps) blocks.push(giftQuestion(item, step, count));
    });
  }
  const { questions, skipped } = count;
  const header = [
    comment(`Stepwise export: ${opts.title} (${questions} question${questions === 1 ? '' : 's'}, ${skipped} step${skipped === 1 ? '' : 's'} skipped)`),
    ...exportLimits('gift', items).map(comment),
  ].join('\n');
  return `${[header, ...blocks].join('\n\n')}\n`;
}

/** A step one GIFT question can hold: a scalar, or a label without "->" (Moodle's matching syntax). */
function singleAnswer(item: ExportItem, step: ExportStep): boolean {
  if (item.concept) return item.concept.kind !== 'ordering';
  if (step.kind !== 'scalar' && step.kind !== 'label') return false;
  const open = answerable(stepElements(item, step));
  return open.length === 1 && !(typeof open[0].truth === 'string' && open[0].truth.includes('->'));
}

/** The question for one step, or a comment saying why it is skipped. */
function giftQuestion(item: ExportItem, step: ExportStep, count: { questions: number; skipped: number }): string {
  if (item.concept) {
    const q = giftConceptQuestion(item, giftEscape, giftAnswerText);
    if (q === null) {
      count.skipped++;
      const why = item.concept.kind === 'ordering' ? 'GIFT has no ordering question' : 'it has only answer patterns, which GIFT cannot express';
      return comment(`${item.id}: ${item.concept.kind} item skipped: ${why}; use the Moodle XML or QTI export for it.`);
    }
    count.questions++;
    return [comment(`${item.id}: ${item.concept.kind} item, ${marksText(item.concept.marks)}`), q].join('\n');
  }
  const marks = checkMarks(item, step);
  const open = answerable(stepElements(item, step));
  if (!singleAnswer(item, step)) {
    count.skipped++;
    const why =
      step.kind === 'label'
        ? 'its answer contains "->", which GIFT reads as a matching question'
        : `a ${step.kind} has ${open.length} answer boxes and a GIFT question holds one`;
    return comment(`${item.id}: step ${step.id} (${step.label}) skipped: ${why}; use the Moodle XML (Cloze) or QTI export for it.`);
  }
  count.questions++;
  const truth = open[0].truth;
  let answer: string;
  if (typeof truth === 'string') answer = `{=%100%${giftAnswerText(truth)}}`;
  else {
    const tolerance = toleranceAt(truth, step.tolerance);
    answer = `{#${formatAnswer(truth, tolerance)}:${tolerance}}`;
  }
  const statement = markdownToHtml(item.statement, { math: 'tex' });
  return [
    comment(`${item.id}: step ${step.id}, ${marksText(marks)}`),
    `::${giftEscape(`${item.title} \u2014 ${step.label}`)}::[html]${giftEscape(`${statement}\n${stepPrompt(step)}`)}${answer}`,
  ].join('\n');
}

/**
 * A `$CATEGORY:` line. Moodle reads the rest of the line as the path without undoing GIFT escapes
 * (an escaped `\:` would stay a placeholder), so nothing is escaped but the backslash, which its
 * reader turns from `\\` back into one.
 */
function categoryLine(path: string): string {
  return `$CATEGORY: ${oneLine(path).replace(/\\/g, '\\\\')}`;
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

/**
 * A short answer: GIFT-escaped, and `*` escaped because a short answer reads it as a wildcard; a
 * label starting with `[` gets a `[plain]` format tag in front, which Moodle strips, so a label
 * like "[html]x" is not read as a format tag itself.
 */
export function giftAnswerText(label: string): string {
  const text = oneLine(label).trim();
  return (text.startsWith('[') ? '[plain]' : '') + giftEscape(text).replace(/\*/g, '\\*');
}

function comment(text: string): string {
  return `// ${oneLine(text)}`;
}

function oneLine(s: string): string {
  return s.replace(/[\r\n]+/g, ' ');
}
