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
}

export interface ExportOptions {
  /** Name of the quiz / category / assessment. */
  title: string;
}
