/**
 * Step-by-step grading with error carried forward, driven by the step graph alone.
 *
 * For every step the student's "effective" value is their own answer when it reads, else the value
 * re-derived from their effective deps (else the truth). A wrong answer that matches the step's
 * compute applied to the student's own deps is `carried`: no per-topic wiring, the graph says which
 * earlier answers a step was built from. Feedback never quotes the true value, so it is safe to show
 * in exam mode; `expected` carries it separately.
 */
import { StepwiseError } from '../core/errors.js';
import { transpose } from '../core/linalg.js';
import { DEFAULT_TOLERANCE, type Tolerance } from '../core/tolerance.js';
import { describePosition, type Matrix, type Value, type Vector } from '../core/values.js';
import { allRight, compareValues, type Comparison } from './compare.js';
import { assumptionWarning, paramsAssumptions, validateParams } from './params.js';
import type { OutcomeNote } from './outcome.js';
import { isBlank, readAnswer } from './read-answer.js';
import { activeSteps, evaluateSteps, nonFinite } from './solve.js';
import type { AnyStep, Params, StepValues, Topic } from './topic.js';

export type StepStatus = 'correct' | 'carried' | 'partial' | 'incorrect' | 'invalid' | 'missing';

/** Most answer fields one grading request may carry. */
export const MAX_ANSWER_FIELDS = 64;

export interface GradeOptions {
  /** The steps asked (default: every step that applies). */
  steps?: readonly string[];
  /** Marks per step (default: the step's own, else 1). */
  marks?: Readonly<Record<string, number>>;
  /** One tolerance for every numeric step (default: each step's own, else the contract default). */
  tolerance?: Tolerance;
  /** Share of a step's marks withheld when it is only carried (0: full marks, the default). */
  ecfPenalty?: number;
  /**
   * Blank steps under a correct answer: `implied` (the default, as in Numbas) gives every blank step
   * a correct answer depends on, transitively, its marks; `shown` credits only what is written.
   */
  blankSteps?: BlankStepPolicy;
  /**
   * Share of a step's marks taken off when the student revealed its hint before submitting
   * (Numbas's rule: the penalty is subtracted, never below 0 credit). None by default.
   */
  hintPenalty?: Readonly<Record<string, number>>;
  /** The steps whose hint the student revealed. */
  hintsUsed?: readonly string[];
}

export type BlankStepPolicy = 'implied' | 'shown';
export const BLANK_STEP_POLICIES: readonly BlankStepPolicy[] = ['implied', 'shown'];

export interface MisconceptionHit {
  id: string;
  explanation: string;
}

export interface StepGrade {
  id: string;
  label: string;
  status: StepStatus;
  credit: number;
  marks: number;
  expected: Value;
  /** The value re-derived from the student's own earlier answers, when the step is carried. */
  carriedValue?: Value;
  feedback: string;
  misconception?: MisconceptionHit;
  /**
   * `implied`: the step was left blank (status stays `missing`, the contract's vocabulary) but earns
   * its marks because a correct answer depends on it (the `implied` blank-step policy).
   */
  note?: 'implied';
  /** The outcome note: a stable id of how the step came out (src/solvers/outcome.ts); statistics read it, not the feedback. */
  outcome: OutcomeNote;
}

export interface GradeResult {
  topic: string;
  score: number;
  maxScore: number;
  steps: StepGrade[];
  /**
   * What was assumed to accept loose params (e.g. `params.priors: The priors sum to 0.8, …`), then
   * answer fields that were ignored, e.g. unknown step ids.
   */
  warnings?: string[];
}

export function grade(topic: Topic, rawParams: unknown, answers: unknown, options: GradeOptions = {}): GradeResult {
  const p = validateParams(topic, rawParams);
  return gradeValidated(topic, p, answers, options);
}

export function gradeValidated(topic: Topic, p: Params, answers: unknown, options: GradeOptions = {}): GradeResult {
  if (typeof answers !== 'object' || answers === null || Array.isArray(answers)) {
    throw new StepwiseError('invalid_answers', 'answers must be a JSON object keyed by step id', 'answers');
  }
  const given = answers as Record<string, unknown>;
  const keys = Object.keys(given);
  if (keys.length > MAX_ANSWER_FIELDS) {
    throw new StepwiseError('too_large', `answers has ${keys.length} fields; at most ${MAX_ANSWER_FIELDS} are accepted`, 'answers');
  }
  const truth = evaluateSteps(topic, p);
  const active = activeSteps(topic, p);
  const asked = new Set(options.steps ?? active.map(([id]) => id));
  const warnings = paramsAssumptions(topic, p).map(assumptionWarning);
  warnings.push(...keys
    .filter((k) => !Object.hasOwn(truth, k))
    .map((k) => `answers.${clipKey(k)}: ${Object.hasOwn(topic.steps, k) ? 'this step does not apply to these params' : 'not a step of ' + topic.id}; ignored`));
  const labels = topic.labels?.(p);

  // The student's own chain: their answer where it reads, else re-derived from their chain.
  const effective: StepValues = {};
  const own = new Set<string>(); // steps whose effective value is not simply the truth
  // Steps whose effective value is right within tolerance: a step built only on these and matching
  // the re-derived value is correct, not carried (rounded earlier answers are not an error).
  const accurate = new Set<string>();
  const results: StepGrade[] = [];
  const written = new Set<string>(); // steps with a non-blank answer, readable or not
  let maxScore = 0;

  for (const [id, step] of active) {
    const expected = truth[id];
    const carriedValue = step.deps.some((d) => own.has(d)) ? rederive(step, p, effective) : undefined;
    const raw = given[id];
    if (!isBlank(raw)) written.add(id);
    const read = isBlank(raw) ? undefined : readAnswer(raw, { kind: step.kind, truth: expected, maskable: step.maskable === true, labels });
    const tol = step.kind === 'label' ? DEFAULT_TOLERANCE : (options.tolerance ?? step.tolerance ?? DEFAULT_TOLERANCE);
    const depsAccurate = step.deps.every((d) => accurate.has(d));
    const vsTruth = read?.ok ? compareValues(read.value, tieOr(step, p, truth, read.value, expected), tol) : undefined;
    if (read?.ok) {
      effective[id] = read.value;
      own.add(id);
      if (allRight(vsTruth!)) accurate.add(id);
    } else {
      effective[id] = carriedValue ?? expected;
      if (carriedValue !== undefined) own.add(id);
      if (depsAccurate) accurate.add(id);
    }
    if (!asked.has(id)) continue;

    const marks = options.marks?.[id] ?? step.marks ?? 1;
    const g: StepGrade = { id, label: step.label, status: 'missing', credit: 0, marks, expected, feedback: 'Not answered.', outcome: 'missing' };
    if (read && !read.ok) {
      g.status = 'invalid';
      g.outcome = `invalid:${read.code}`;
      g.feedback = `Cannot read this answer: ${read.reason}.`;
    } else if (read?.ok) {
      const carriedTarget = carriedValue === undefined ? undefined : tieOr(step, p, effective, read.value, carriedValue);
      judge(g, read.value, vsTruth!, carriedTarget, tol, options.ecfPenalty ?? 0, step, depsAccurate);
      if (g.status === 'incorrect' || g.status === 'partial') {
        const hit = matchMisconception(topic, id, p, read.value, truth, effective, tol);
        if (hit) {
          g.misconception = hit;
          if (g.status === 'partial') {
            // The whole answer is a named wrong method: elements that coincide with the truth
            // (a cosine-free column, a zero) are not partly right work, so no partial credit.
            g.status = 'incorrect';
            g.credit = 0;
            g.feedback = 'Not correct.';
          }
          g.outcome = `misconception:${hit.id}`;
          g.feedback += ` ${hit.explanation}`;
        } else if (isTransposeOf(read.value, [expected, carriedTarget], tol)) {
          // A square matrix entered the wrong way round has the right shape, so only this says so.
          g.feedback += ` Your matrix is the transpose of ${id}: rows and columns swapped.`;
        }
      }
    }
    maxScore += marks;
    results.push(g);
  }
  if ((options.blankSteps ?? 'implied') === 'implied') creditImplied(topic, results, written);
  for (const g of results) applyHintPenalty(g, options);
  const score = results.reduce((t, g) => t + g.credit, 0);
  for (const id of asked) {
    if (!Object.hasOwn(truth, id)) warnings.push(`step ${id} was asked but does not apply to these params`);
  }
  const result: GradeResult = { topic: topic.id, score: round(score), maxScore: round(maxScore), steps: results };
  if (warnings.length > 0) result.warnings = warnings;
  return result;
}

/** Takes a revealed hint's penalty off the step's credit (its share of the marks; not below 0). */
function applyHintPenalty(g: StepGrade, options: GradeOptions): void {
  const share = options.hintPenalty?.[g.id] ?? 0;
  if (!(share > 0) || !options.hintsUsed?.includes(g.id)) return;
  const off = round(Math.min(1, share) * g.marks);
  g.credit = round(Math.max(0, g.credit - off));
  g.feedback += ` Hint revealed: ${off} ${off === 1 ? 'mark' : 'marks'} off.`;
}

/**
 * Every blank step that a correct answer depends on, through blank steps only (an answered dep
 * speaks for itself), earns its marks: the student must have had its value to be right.
 */
function creditImplied(topic: Topic, results: StepGrade[], written: ReadonlySet<string>): void {
  const byId = new Map(results.map((g) => [g.id, g]));
  const implied = new Map<string, string>(); // blank step → the correct step that implies it
  for (const g of results) {
    if (g.status !== 'correct') continue;
    const stack = [...topic.steps[g.id].deps];
    while (stack.length > 0) {
      const d = stack.pop()!;
      if (written.has(d) || implied.has(d)) continue;
      implied.set(d, g.id);
      stack.push(...topic.steps[d].deps);
    }
  }
  for (const [id, by] of implied) {
    const g = byId.get(id);
    if (!g || g.status !== 'missing') continue;
    g.credit = g.marks;
    g.note = 'implied';
    g.outcome = 'missing:implied';
    g.feedback = `Not written, but implied by your correct ${by}.`;
  }
}

/** The answer itself when it is one of a label step's tied, equally right labels; else `reference`. */
function tieOr(step: AnyStep, p: Params, values: StepValues, answer: Value, reference: Value): Value {
  if (!step.ties || typeof answer !== 'string' || answer === reference) return reference;
  try {
    return step.ties(p, values).includes(answer) ? answer : reference;
  } catch {
    return reference;
  }
}

/** The step recomputed from the student's chain; undefined when their values break it. */
function rederive(step: AnyStep, p: Params, effective: StepValues): Value | undefined {
  try {
    const v = step.compute(p, effective);
    return nonFinite(v, step.maskable === true) ? undefined : v;
  } catch {
    return undefined; // e.g. the student's evidence is 0: nothing to carry
  }
}

function judge(
  g: StepGrade,
  answer: Value,
  vsTruth: Comparison,
  carried: Value | undefined,
  tol: Tolerance,
  penalty: number,
  step: AnyStep,
  depsAccurate: boolean,
): void {
  if (allRight(vsTruth)) {
    g.status = 'correct';
    g.outcome = 'correct';
    g.credit = g.marks;
    g.feedback = 'Correct.';
    return;
  }
  const vsCarried = carried === undefined ? undefined : compareValues(answer, carried, tol);
  const deps = step.deps.join(', ');
  if (vsCarried && allRight(vsCarried) && depsAccurate) {
    // Built correctly on earlier answers that were right to the asked precision: the drift is
    // rounding, not an error, so no ECF penalty applies.
    g.status = 'correct';
    g.outcome = 'correct-from-rounded';
    g.credit = g.marks;
    g.feedback = `Correct, from your rounded ${deps}.`;
    return;
  }
  if (vsCarried && allRight(vsCarried)) {
    g.status = 'carried';
    g.outcome = 'carried';
    g.credit = g.marks * (1 - penalty);
    g.carriedValue = carried;
    g.feedback = `Not the true value, but it follows correctly from your own ${deps} (error carried forward)${penalty > 0 ? `; ${pct(penalty)} of the marks withheld` : ''}.`;
    return;
  }
  const truthShare = share(vsTruth);
  const carriedShare = vsCarried ? share(vsCarried) * (1 - penalty) : 0;
  const best: Comparison = vsCarried && carriedShare > truthShare ? vsCarried : vsTruth;
  if (best.right > 0) {
    g.status = 'partial';
    g.outcome = 'partial';
    g.credit = g.marks * Math.max(truthShare, carriedShare);
    const wrong = best.total - best.right;
    const where = describePosition(answer as number | Vector | Matrix, best.firstWrong);
    g.feedback = `${best.right} of ${best.total} elements are right${best === vsCarried ? ' (given your earlier answers)' : ''}; ${wrong > 1 ? `${wrong} are not, the first at ${where}` : `${where} is not`}.`;
  } else {
    g.status = 'incorrect';
    g.outcome = 'incorrect';
    g.feedback = typeof answer === 'string' || typeof answer === 'number'
      ? 'Not correct.'
      : `Not correct: no element is within tolerance (first: ${describePosition(answer, vsTruth.firstWrong)}).`;
  }
}

function matchMisconception(
  topic: Topic,
  stepId: string,
  p: Params,
  answer: Value,
  truth: StepValues,
  effective: StepValues,
  tol: Tolerance,
): MisconceptionHit | undefined {
  for (const m of topic.misconceptions) {
    if (m.step !== stepId || (m.applies && !m.applies(p))) continue;
    // The wrong method applied to the true deps, then to the student's own deps.
    for (const basis of [truth, effective]) {
      let wrong: Value;
      try {
        wrong = m.compute(p, basis);
      } catch {
        continue;
      }
      if (nonFinite(wrong, true) !== null || !sameShape(wrong, answer)) continue;
      if (allRight(compareValues(answer, wrong, tol))) return { id: m.id, explanation: m.explanation };
    }
  }
  return undefined;
}

/** Whether a (non-symmetric) square matrix answer is, transposed, one of the targets within tolerance. */
function isTransposeOf(answer: Value, targets: (Value | undefined)[], tol: Tolerance): boolean {
  if (!Array.isArray(answer) || !Array.isArray(answer[0]) || answer.length !== answer[0].length) return false;
  const t = transpose(answer as Matrix);
  return targets.some((target) => target !== undefined && sameShape(t, target) && allRight(compareValues(t, target, tol)));
}

function sameShape(a: Value, b: Value): boolean {
  if (typeof a !== typeof b) return false;
  if (!Array.isArray(a) || !Array.isArray(b)) return true;
  if (a.length !== b.length) return false;
  const am = Array.isArray(a[0]);
  return am === Array.isArray(b[0]) && (!am || (a as Matrix).every((row, i) => row.length === (b as Matrix)[i].length));
}

/** A field name as quoted back in a warning: a client's 100,000-character key is not echoed whole. */
export const clipKey = (k: string): string => (k.length > 64 ? `${k.slice(0, 61)}...` : k);
const share = (c: Comparison): number => (c.total === 0 ? 1 : c.right / c.total);
const pct = (x: number): string => `${+(x * 100).toFixed(1)}%`;
// Credits are sums of fractions of marks: keep 0.30000000000000004 out of reports.
const round = (x: number): number => Math.round(x * 1e9) / 1e9;
