/**
 * What a printed exam is made of, format-free: per form (A, B, C… = versions 1, 2, 3…) its items
 * in order, each with the problem statement (Markdown + TeX, without the list of asked steps: each
 * step gets its own answer space), and per asked step its shape, marks and, for the answer key,
 * its value, tolerance, error-carried-forward rule and the misconceptions the grader recognises
 * there. The HTML and LaTeX writers are functions of this; nothing here knows of files or browsers.
 */
import { stepMarks } from '../service/exam-marks.js';
import { DEFAULT_TOLERANCE, describeTolerance, type Tolerance } from '../core/tolerance.js';
import { StepwiseError } from '../core/errors.js';
import type { Kind, Value } from '../core/values.js';
import { getQuestion, getTopic, problemStatement, workedSolution } from '../engine.js';
import { evaluateSteps } from '../solvers/solve.js';
import { validateParams } from '../solvers/params.js';
import type { Exam, Variant } from '../store/types.js';
import { artefactOf } from '../engine.js';
import { variantWhere, type ArtefactMaterial, type ArtefactMaterials, type ArtefactPicture } from '../service/artefact-pictures.js';

export interface PrintMisconception {
  id: string;
  explanation: string;
  /** The value the slip gives for this variant's numbers (what a grader sees on the paper), if it computes. */
  value?: Value;
}

export interface PrintStep {
  id: string;
  label: string;
  kind: Kind;
  /** Vectors 1 × n, matrices rows × cols, scalars and labels 0 × 0. */
  rows: number;
  cols: number;
  marks: number;
  /** Label steps: the choices. */
  labels?: readonly string[];
  // The key's part (never printed on a form):
  value: Value;
  tolerance: Tolerance;
  /** The steps this one is computed from (its error-carried-forward basis). */
  deps: readonly string[];
  misconceptions: PrintMisconception[];
}

export interface PrintItem {
  /** 1-based position in the form. */
  n: number;
  variantId: string;
  title: string;
  topic: string;
  statement: string;
  steps: PrintStep[];
  marks: number;
  /** The item's tolerance instruction when all its numeric steps share one, e.g. "Give each answer to 4 decimal places." */
  toleranceNote?: string;
  workedMarkdown: string;
  /** A question about model runs: the runs' plots the student must look at (letters and neutral captions only). */
  images?: ArtefactPicture[];
}

export interface PrintForm {
  examId: string;
  title: string;
  /** "A", "B", … */
  letter: string;
  version: number;
  items: PrintItem[];
  marks: number;
  /** The rules a grader applies to every item. */
  rules: { ecfPenalty: number; blankSteps: string };
}

/** Form letters: A … Z, then AA, AB … (an exam with more than 26 versions is unusual but legal). */
export function formLetter(version: number): string {
  let n = version;
  let s = '';
  while (n > 0) {
    const r = (n - 1) % 26;
    s = String.fromCharCode(65 + r) + s;
    n = Math.floor((n - 1) / 26);
  }
  return s;
}

/** The version (1-based) a letter names in an exam of `versions` forms; a clear error otherwise. */
export function formVersion(letter: string, versions: number): number {
  const up = letter.trim().toUpperCase();
  for (let v = 1; v <= versions; v++) if (formLetter(v) === up) return v;
  throw new StepwiseError(
    'invalid_request',
    `no form ${JSON.stringify(letter)}: this exam has ${versions} form${versions === 1 ? '' : 's'} (${Array.from({ length: versions }, (_, i) => formLetter(i + 1)).join(', ')})`,
    'forms',
  );
}

/** Every form of the exam, or those named (letters, in the order given, no repeats). */
/** `materials`: the pictures and answers of the exam's questions about model runs (`artefactMaterials`), needed when it has any. */
export function printForms(exam: Exam, variants: Variant[], letters?: readonly string[], materials?: ArtefactMaterials): PrintForm[] {
  const versions = letters && letters.length > 0 ? [...new Set(letters.map((l) => formVersion(l, exam.versions)))] : Array.from({ length: exam.versions }, (_, i) => i + 1);
  return versions.map((v) => printForm(exam, variants, v, materials));
}

export function printForm(exam: Exam, variants: Variant[], version: number, materials?: ArtefactMaterials): PrintForm {
  const own = variants.filter((x) => x.examId === exam.id && x.examVersion === version).sort((a, b) => (a.examItem ?? 0) - (b.examItem ?? 0));
  if (own.length === 0) throw new StepwiseError('not_found', `exam ${exam.id} has no items in version ${version}`);
  const items = own.map((v, i) => {
    if (!artefactOf(v.topic)) return printItem(exam, v, i + 1);
    const m = materials?.get(v.id);
    if (!m) throw new StepwiseError('not_ready', `${variantWhere(v)}: the pictures of its model runs are not loaded (are the runs computed?); nothing was printed`, 'variants');
    return artefactPrintItem(exam, v, i + 1, m);
  });
  // The exam's ECF penalty (absent: full error carried forward, the grader's default).
  const ecfPenalty = exam.ecfPenalty ?? 0;
  return {
    examId: exam.id,
    title: exam.title,
    letter: formLetter(version),
    version,
    items,
    marks: round(items.reduce((s, it) => s + it.marks, 0)),
    rules: { ecfPenalty, blankSteps: exam.blankSteps },
  };
}

function printItem(exam: Exam, v: Variant, n: number): PrintItem {
  const topic = getTopic(v.topic);
  const q = v.question ? getQuestion(v.question) : undefined;
  const params = validateParams(topic, v.params);
  const values = evaluateSteps(topic, params);
  const labels = topic.labels?.(params);
  const steps = v.steps.map((id): PrintStep => {
    const spec = topic.steps[id];
    const value = values[id];
    const matrix = Array.isArray(value) && Array.isArray(value[0]);
    const misconceptions = topic.misconceptions
      .filter((m) => m.step === id && (!m.applies || m.applies(params)))
      .map((m): PrintMisconception => {
        let wrong: Value | undefined;
        try {
          wrong = m.compute(params, values);
        } catch {
          wrong = undefined;
        }
        return { id: m.id, explanation: m.explanation, ...(wrong !== undefined && finiteOrMasked(wrong) ? { value: wrong } : {}) };
      });
    return {
      id,
      label: spec.label,
      kind: spec.kind,
      rows: matrix ? (value as unknown[]).length : spec.kind === 'vector' ? 1 : 0,
      cols: matrix ? (value as unknown[][])[0].length : spec.kind === 'vector' ? (value as unknown[]).length : 0,
      marks: stepMarks(exam, v, id), // as graded: scaled where the exam sets the item's marks
      ...(spec.kind === 'label' && labels ? { labels } : {}),
      value,
      tolerance: q?.tolerance ?? spec.tolerance ?? DEFAULT_TOLERANCE,
      deps: spec.deps,
      misconceptions,
    };
  });
  const numeric = steps.filter((s) => s.kind !== 'label');
  const notes = new Set(numeric.map((s) => describeTolerance(s.tolerance)));
  return {
    n,
    variantId: v.id,
    title: q?.title ?? topic.title,
    topic: topic.id,
    statement: problemStatement(topic, params, values, v.difficulty),
    steps,
    marks: round(steps.reduce((s, x) => s + x.marks, 0)),
    ...(notes.size === 1 ? { toleranceNote: [...notes][0] } : {}),
    workedMarkdown: workedSolution(v.topic, v.params),
  };
}

/**
 * A question about model runs on paper: its prompt (run letters only) with the runs' plots, one
 * answer: a letter to tick for "which run", a box for a number or a word; the key holds the runs'
 * answer and, for a number, its absolute tolerance.
 */
function artefactPrintItem(exam: Exam, v: Variant, n: number, m: ArtefactMaterial): PrintItem {
  const q = artefactOf(v.topic)!;
  const topic = getTopic(v.topic);
  const spec = topic.steps.answer;
  const marks = stepMarks(exam, v, 'answer');
  const a = q.answer;
  const step: PrintStep = {
    id: 'answer',
    label: spec.label,
    kind: spec.kind,
    rows: 0,
    cols: 0,
    marks,
    ...(a.type === 'choice' ? { labels: m.letters.map((l) => `Run ${l}`) } : {}),
    value: a.type === 'number' ? Number(m.expected) : a.type === 'choice' ? `Run ${String(m.expected)}` : String(m.expected),
    tolerance: { absolute: a.type === 'number' ? (a.tolerance ?? 0) : 0 },
    deps: [],
    misconceptions: [],
  };
  return {
    n,
    variantId: v.id,
    title: q.title ?? q.id,
    topic: v.topic,
    statement: problemStatement(topic, v.params, {}, v.difficulty),
    steps: [step],
    marks: round(marks),
    workedMarkdown: workedSolution(v.topic, v.params),
    images: m.pictures,
  };
}

const finiteOrMasked = (v: Value): boolean =>
  typeof v === 'string' || (typeof v === 'number' ? Number.isFinite(v) : (v as unknown[]).flat().every((x) => typeof x === 'number' && (Number.isFinite(x) || x === -Infinity)));

const round = (x: number): number => Math.round(x * 1e6) / 1e6;

/** A tolerance as a grader reads it: "±0.001 + 1%", "4 d.p.", "3 s.f."; labels are exact. */
export function toleranceShort(kind: Kind, t: Tolerance): string {
  if (kind === 'label') return 'exact';
  if ('decimals' in t) return `${t.decimals} d.p. (±${0.5 * 10 ** -t.decimals})`;
  if ('sigfigs' in t) return `${t.sigfigs} s.f.`;
  const parts = [t.absolute ? `±${t.absolute}` : '', t.relative ? `${+(t.relative * 100).toPrecision(6)}% of the value` : ''].filter(Boolean);
  return parts.length === 0 ? 'exact' : parts.join(' + ');
}

/** The error-carried-forward rule of a step, in a grader's words. */
export function ecfRule(step: PrintStep, penalty: number): string {
  if (step.deps.length === 0) return 'No ECF: computed from the given data only.';
  const from = step.deps.join(', ');
  const share = penalty > 0 ? `${+(100 - penalty * 100).toPrecision(6)}% of the marks` : 'full marks';
  return `ECF from ${from}: when not the true value but correct from the student's own ${from}, ${share}.`;
}
