/**
 * Frozen variants as LMS export items: the statement, and per asked step its truth, marks and
 * tolerance. An exam's items carry their slot and version so the exporters keep versions apart
 * (one category or section per slot); any other set of variants is one question per variant.
 */
import { DEFAULT_TOLERANCE } from '../core/tolerance.js';
import { getQuestion, getTopic, problemStatement } from '../engine.js';
import type { ExportItem } from '../exports/types.js';
import { evaluateSteps } from '../solvers/solve.js';
import type { Exam, Variant } from '../store/types.js';
import { stepMarks } from './exam-marks.js';
import { findConcept } from '../bank/concept-topic.js';
import { checkConceptParams } from '../bank/concept-present.js';
import { allowance } from '../core/tolerance.js';
import type { ExportConcept } from '../exports/types.js';
import type { ConceptItem } from '../bank/concepts.js';

/** Any set of variants, one question each, numbered in the order given ("item 3"; an exam's variant says where it is from). */
export function exportItems(setTitle: string, variants: Variant[]): ExportItem[] {
  return variants.map((v, k) =>
    exportItem(v, `${setTitle} — ${v.examVersion !== undefined ? `version ${v.examVersion}, item ${(v.examItem ?? 0) + 1}` : `item ${k + 1}`}`),
  );
}

/**
 * An exam's variants, grouped for the exporters: slot (the 0-based examItem + 1) and version (1-based already),
 * ordered by slot then version ("Midterm — item 2, version 3").
 */
export function examExportItems(examTitle: string, variants: Variant[], exam?: Pick<Exam, 'manifest' | 'ecfPenalty'>): ExportItem[] {
  return variants
    .map((v) => {
      if (v.examVersion === undefined || v.examItem === undefined) throw new TypeError(`variant ${v.id} is not an exam variant`);
      const slot = v.examItem + 1;
      const version = v.examVersion; // already 1-based
      return { ...exportItem(v, `${examTitle} — item ${slot}, version ${version}`, exam), slot, version };
    })
    .sort((a, b) => a.slot - b.slot || a.version - b.version);
}

/** `exam`: the exam whose item marks scale the steps' marks (as its grading does). */
function exportItem(v: Variant, where: string, exam?: Pick<Exam, 'manifest' | 'ecfPenalty'>): ExportItem {
  const topic = getTopic(v.topic);
  const q = v.question ? getQuestion(v.question) : undefined;
  const values = evaluateSteps(topic, v.params);
  const concept = findConcept(v.topic);
  return {
    ...(concept ? { concept: exportConcept(concept, v.params, stepMarks(exam, v, 'answer')) } : {}),
    id: v.id,
    title: `${where}: ${q?.title ?? topic.title}`,
    topic: v.topic,
    statement: problemStatement(topic, v.params, values, v.difficulty),
    steps: v.steps.map((id) => ({
      id,
      label: topic.steps[id].label,
      kind: topic.steps[id].kind,
      expected: values[id],
      marks: stepMarks(exam, v, id),
      tolerance: q?.tolerance ?? topic.steps[id].tolerance ?? DEFAULT_TOLERANCE,
    })),
  };
}

/** A conceptual item for the native question types, its options in this variant's order. */
function exportConcept(item: ConceptItem, params: unknown, marks: number): ExportConcept {
  const p = checkConceptParams(item, params);
  const c: ExportConcept = { kind: item.kind, marks, prompt: item.prompt, explanation: item.explanation, pinned: item.pinOrder === true };
  if (p.options) c.options = p.options.map((id) => item.options!.find((o) => o.id === id)!);
  if (item.order) c.order = item.order;
  if (item.pairs) c.pairs = p.lefts!.map((id) => item.pairs!.find((x) => x.id === id)!);
  if (item.extraRights) c.extraRights = item.extraRights;
  if (item.answer !== undefined) {
    c.answer = item.answer;
    c.margin = allowance(item.answer, item.tolerance ?? DEFAULT_TOLERANCE);
  }
  if (item.wrong) c.wrong = item.wrong;
  if (item.accept) c.accept = item.accept;
  if (item.patterns) c.patterns = item.patterns;
  return c;
}
