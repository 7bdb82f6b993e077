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
import { artefactOf } from '../engine.js';
import { StepwiseError } from '../core/errors.js';
import type { Store } from '../store/types.js';
import { artefactMaterials, variantWhere, type ArtefactMaterial, type ArtefactMaterials } from './artefact-pictures.js';

/** Any set of variants, one question each, numbered in the order given ("item 3"; an exam's variant says where it is from). */
export function exportItems(setTitle: string, variants: Variant[], materials?: ArtefactMaterials): ExportItem[] {
  return variants.map((v, k) =>
    exportItem(v, `${setTitle} — ${v.examVersion !== undefined ? `version ${v.examVersion}, item ${(v.examItem ?? 0) + 1}` : `item ${k + 1}`}`, undefined, materials),
  );
}

/** `exportItems` with the pictures and answers of any questions about model runs read from the store first (not_ready names an item not computed yet). */
export async function storedExportItems(store: Store, setTitle: string, variants: Variant[]): Promise<ExportItem[]> {
  return exportItems(setTitle, variants, await artefactMaterials(store, variants));
}

/** `examExportItems` with the artefact items' pictures and answers read from the store first. */
export async function storedExamExportItems(store: Store, exam: Pick<Exam, 'title' | 'manifest' | 'ecfPenalty'>, variants: Variant[]): Promise<ExportItem[]> {
  return examExportItems(exam.title, variants, exam, await artefactMaterials(store, variants));
}

/**
 * An exam's variants, grouped for the exporters: slot (the 0-based examItem + 1) and version (1-based already),
 * ordered by slot then version ("Midterm — item 2, version 3").
 */
export function examExportItems(examTitle: string, variants: Variant[], exam?: Pick<Exam, 'manifest' | 'ecfPenalty'>, materials?: ArtefactMaterials): ExportItem[] {
  return variants
    .map((v) => {
      if (v.examVersion === undefined || v.examItem === undefined) throw new TypeError(`variant ${v.id} is not an exam variant`);
      const slot = v.examItem + 1;
      const version = v.examVersion; // already 1-based
      return { ...exportItem(v, `${examTitle} — item ${slot}, version ${version}`, exam, materials), slot, version };
    })
    .sort((a, b) => a.slot - b.slot || a.version - b.version);
}

/** `exam`: the exam whose item marks scale the steps' marks (as its grading does). */
function exportItem(v: Variant, where: string, exam?: Pick<Exam, 'manifest' | 'ecfPenalty'>, materials?: ArtefactMaterials): ExportItem {
  if (artefactOf(v.topic)) {
    const m = materials?.get(v.id);
    if (!m) throw new StepwiseError('not_ready', `${variantWhere(v)}: the pictures of its model runs are not loaded (are the runs computed?); nothing was exported`, 'variants');
    return artefactExportItem(v, where, m, stepMarks(exam, v, 'answer'));
  }
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

/**
 * A question about model runs as the LMS sees it: the student's prompt (letters only), its plots,
 * and the runs' answer as a native question: single choice over the run letters, numeric with the
 * question's absolute tolerance, or a short answer. Nothing else of the runs goes in.
 */
function artefactExportItem(v: Variant, where: string, m: ArtefactMaterial, marks: number): ExportItem {
  const q = artefactOf(v.topic)!;
  const topic = getTopic(v.topic);
  const statement = problemStatement(topic, v.params, {}, v.difficulty);
  const a = q.answer;
  const explanation = "The answer is read from the runs' own training metrics.";
  let concept: ExportConcept;
  if (a.type === 'choice') {
    const expected = String(m.expected).toUpperCase();
    concept = {
      kind: 'single',
      marks,
      prompt: statement,
      explanation,
      // Letters stay in order: "Run A" must be the first option, as in the pictures.
      pinned: true,
      options: m.letters.map((l) => ({ id: l, text: `Run ${l}`, correct: l === expected, why: '' })),
    };
  } else if (a.type === 'number') {
    concept = { kind: 'numeric', marks, prompt: statement, explanation, pinned: false, answer: Number(m.expected), margin: a.tolerance ?? 0 };
  } else {
    concept = { kind: 'text', marks, prompt: statement, explanation, pinned: false, accept: [String(m.expected)] };
  }
  return {
    id: v.id,
    title: `${where}: ${q.title ?? q.id}`,
    topic: v.topic,
    statement,
    steps: [
      {
        id: 'answer',
        label: topic.steps.answer.label,
        kind: topic.steps.answer.kind,
        expected: a.type === 'number' ? Number(m.expected) : String(m.expected),
        marks,
        tolerance: { absolute: a.type === 'number' ? (a.tolerance ?? 0) : 0 },
      },
    ],
    concept,
    artefact: { answer: a.type },
    images: m.pictures.map((p) => ({ name: p.name, caption: p.caption, png: p.png, width: p.width, height: p.height })),
  };
}
