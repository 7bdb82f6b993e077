/**
 * What each export format cannot express of Stepwise's grading, and how exam versions are kept
 * apart in it. Written into each export's header (an XML or GIFT comment) and listed in the README,
 * so an instructor knows what the LMS will grade differently.
 */
import type { ExportItem } from './types.js';

export type ExportFormat = 'moodle' | 'qti' | 'gift';

/** Lost in every format: the LMS compares each answer box with its own true value, nothing more. */
const EVERY_FORMAT = [
  'error carried forward: a step computed correctly from the student’s own wrong earlier answer is marked wrong',
  'misconception diagnosis and its feedback',
  'the blank-steps policy (implied or shown): a correct final answer does not earn the blank steps it depends on',
  'math-syntax answers (sqrt(0.9), 1/3): the LMS reads plain numbers only',
  'decimals and significant-figure tolerances become an absolute margin at the true value',
  'exam rules (open and close times, attempt limits, feedback policy, release): set them in the LMS',
];

const BY_FORMAT: Record<ExportFormat, string[]> = {
  moodle: [
    'per-step partial credit rules: each answer box (vector entry, matrix cell) earns its share of the step’s marks on its own',
    'a label is one case-insensitive short answer (no alternative spellings)',
    'conceptual items: a short answer’s regular-expression patterns and named wrong patterns (its accepted answers are kept); ordering needs the ordering question type (qtype_ordering)',
  ],
  qti: [
    'per-step partial credit rules: each answer box (vector entry, matrix cell) earns its share of the step’s marks on its own',
    'a label is one case-insensitive string match (no alternative spellings)',
    'conceptual items: a short answer’s regular-expression patterns and every reason (why) given as feedback; inner spaces are not collapsed before comparing',
  ],
  gift: [
    'vector and matrix steps (a GIFT question holds one answer box): skipped, use the Moodle XML or QTI export',
    'an item as a whole: each scalar or label step is its own question, with its marks in a comment (GIFT has no marks syntax)',
    'a label containing "->" (Moodle reads it as a matching question): skipped',
    'conceptual items: ordering (no GIFT form: skipped), a matching item’s extra right-hand entries, short-answer patterns (an item with patterns only is skipped)',
    'questions about model runs: a GIFT file cannot carry their plots, so an export holding one is refused (use the Moodle XML or QTI export)',
  ],
};

/** How a format keeps exam versions apart (one variant per slot for each student). */
const VERSIONS: Record<ExportFormat, string> = {
  moodle: 'one subcategory per item slot holding that slot’s variants across versions: add one "random question" from each to the quiz',
  qti: 'one section per item slot holding that slot’s variants across versions, with qti-selection select="1"',
  gift:
    'one $CATEGORY per item slot (per slot and step when an item has several steps) holding the variants across versions: add one "random question" from each to the quiz',
};

/** The header lines of an export: what it cannot express, and (for an exam) how its versions are kept apart. */
export function exportLimits(format: ExportFormat, items: readonly ExportItem[]): string[] {
  const lines = ['Not expressed in this format (Stepwise grades these; the LMS will not):'];
  for (const l of [...EVERY_FORMAT, ...BY_FORMAT[format]]) lines.push(`- ${l}`);
  if (items.some((i) => i.slot !== undefined)) lines.push(`Exam versions: ${VERSIONS[format]}.`);
  return lines;
}

/** Every limit of a format, for the README check. */
export function allLimits(format: ExportFormat): string[] {
  return [...EVERY_FORMAT, ...BY_FORMAT[format], VERSIONS[format]];
}
