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
 * This file holds what the formats share (weights, plain text, figures); each format's own code is
 * beside it: concepts-moodle.ts, concepts-qti.ts, concepts-gift.ts.
 */
import { escapeXml, plainDecimal } from './common.js';
import type { ExportConcept, ExportImage } from './types.js';

/** A percentage weight as Moodle lists them (5 decimals: 33.33333). */
export const percent = (x: number): string => plainDecimal(Number((x * 100).toFixed(5)));

/** Right-minus-wrong weights of a multiple-choice item: each right option 1/R, each wrong −1/W. */
export function choiceWeight(c: ExportConcept, correct: boolean): number {
  const R = c.options!.filter((o) => o.correct).length;
  const W = c.options!.length - R;
  if (c.kind === 'single') return correct ? 1 : 0;
  return correct ? 1 / R : W === 0 ? 0 : -1 / W;
}

/** Plain text for places that show no markup (Moodle's matching drop-downs): TeX delimiters and Markdown marks dropped. */
export const plain = (md: string): string => md.replace(/\$/g, '').replace(/[*_`]/g, '').replace(/\s+/g, ' ').trim();

/** A picture with its caption as an HTML (and XHTML) figure. */
export function figureHtml(src: string, im: ExportImage): string {
  const size = im.width && im.height ? ` width="${im.width}" height="${im.height}"` : '';
  return `<figure class="stepwise-plot"><img src="${escapeXml(src)}" alt="${escapeXml(im.caption)}"${size}/><figcaption>${escapeXml(im.caption)}</figcaption></figure>`;
}
