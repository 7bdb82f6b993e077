/**
 * What an LMS export is made from: frozen variants (a seed manifest's items), each with its
 * problem statement and, per asked step, the true value, the marks and the tolerance. The exporters
 * (Moodle XML, QTI 3.0, GIFT) are pure functions of these; the HTTP layer builds them from the store.
 */
import type { Tolerance } from '../core/tolerance.js';
import type { Kind, Value } from '../core/values.js';

export interface ExportStep {
  id: string;
  label: string;
  kind: Kind;
  /** The true value; −∞ marks a masked entry (a causal attention score). */
  expected: Value;
  marks: number;
  tolerance: Tolerance;
}

/**
 * A conceptual item as the exporters need it, for the LMS's native question types (multichoice,
 * ordering, matching, numerical, short answer) instead of answer boxes. Texts are Markdown + TeX.
 */
export interface ExportConcept {
  kind: 'single' | 'multiple' | 'ordering' | 'matching' | 'numeric' | 'text';
  marks: number;
  /** The item's own prompt, without the lettered list (the LMS shows its own choices). */
  prompt: string;
  explanation: string;
  /** Keep the options in the order given (an "all of the above" item): the LMS must not shuffle. */
  pinned: boolean;
  /** single / multiple: the options in this variant's order, each with its reason. */
  options?: { id: string; text: string; correct: boolean; why: string }[];
  /** ordering: the entries in the CORRECT order (a delivery shuffles them). */
  order?: { id: string; text: string }[];
  /** matching: the pairs, and right-hand texts that match nothing. */
  pairs?: { id: string; left: string; right: string }[];
  extraRights?: string[];
  /** numeric: the answer and its absolute margin. */
  answer?: number;
  margin?: number;
  /** numeric wrong values / text wrong patterns, with their reasons. */
  wrong?: { value?: number; pattern?: string; why: string }[];
  /** text: accepted answers (case-insensitive) and patterns (JS regex source). */
  accept?: string[];
  patterns?: string[];
}

export interface ExportItem {
  /** Stable id (the variant id), used for identifiers in the output. */
  id: string;
  /** Short title, e.g. "Self-attention with a residual connection (version 2, item 1)". */
  title: string;
  topic: string;
  /** The problem statement, Markdown with TeX math ($…$ and $$…$$), without the list of steps. */
  statement: string;
  steps: ExportStep[];
  /**
   * For an exam's variants: the item slot (1-based position in a version) and the version
   * (1-based). The exporters group an exam's variants by slot so an LMS gives each student one
   * variant per slot; items without a slot are one question each.
   */
  slot?: number;
  version?: number;
  /** A conceptual item: exported as its native question type; `steps` then holds its one `answer` step. */
  concept?: ExportConcept;
  /**
   * A question about model runs: its answer is in `concept` (single choice over the run letters,
   * numeric with its absolute tolerance, or short text) and the runs' plots are in `images`.
   */
  artefact?: { answer: 'choice' | 'number' | 'text' };
  /** Pictures the student must see (PNG), in order; names are unique within the item. */
  images?: ExportImage[];
}

/** A picture of an item: a neutral file name ("plot-1.png"), its caption ("Run A: …") and bytes. */
export interface ExportImage {
  name: string;
  caption: string;
  png: Uint8Array;
  width?: number;
  height?: number;
}

export interface ExportOptions {
  /** Name of the quiz / category / assessment. */
  title: string;
}
