/**
 * A question about live model runs (question-bank/artefacts) seen through the engine's eyes: a
 * one-step topic (`answer`) and a bank question with the question's id, so practice, exams, results,
 * statistics and the API treat it as they treat a conceptual item. Its params are `{ seed }`: the
 * seed draws the run seeds (so the runs themselves, and the right answer, differ between students)
 * and the run letters.
 *
 * The right answer is read from the runs' metrics, which takes a training run to know. The engine
 * stays free of storage and of training: whoever computed a (question, seed) — a model worker, the
 * CLI — tells it the answer (`rememberArtefactAnswer`), and until then solving or grading it throws
 * `not_ready`. The service loads answers from the stored model jobs before it reads a variant.
 */
import { StepwiseError } from '../core/errors.js';
import { withinTolerance } from '../core/tolerance.js';
import { MAX_SEED } from '../generators/rng.js';
import { loadArtefactQuestions, type ArtefactQuestion } from '../models/questions.js';
import { runLetters, studentPrompt } from '../models/student.js';
import { legacyOutcome } from '../solvers/outcome.js';
import type { GradeOptions, GradeResult, StepGrade } from '../solvers/grade.js';
import { clipKey, MAX_ANSWER_FIELDS } from '../solvers/grade.js';
import { isBlank, readAnswer } from '../solvers/read-answer.js';
import type { Difficulty, Topic } from '../solvers/topic.js';
import type { Question } from './bank.js';
import { CONCEPT_STEP, CONCEPT_STEP_LABEL } from './concept-grade.js';

export const ARTEFACT_STEP = CONCEPT_STEP;

export interface ArtefactParams {
  seed: number;
}

let bank: Map<string, ArtefactQuestion> | undefined;
const added = new Map<string, ArtefactQuestion>();

/** The built-in artefact questions (loaded on first use: they pull in the labs' definitions). */
function builtIn(): Map<string, ArtefactQuestion> {
  return (bank ??= loadArtefactQuestions().questions);
}

/** An artefact question by id, or undefined. */
export function findArtefact(id: unknown): ArtefactQuestion | undefined {
  if (typeof id !== 'string') return undefined;
  return added.get(id) ?? builtIn().get(id);
}

export function listArtefacts(): ArtefactQuestion[] {
  return [...new Map([...builtIn(), ...added]).values()];
}

/**
 * Adds a question beside the bank's (a test's tiny runs, a course's own folder), checked by the
 * bank loader's rules elsewhere; a later call with the same id replaces it.
 */
export function registerArtefactQuestion(q: ArtefactQuestion): void {
  added.set(q.id, q);
  topics.delete(q.id);
}

// ---- answers known to this process ----

const MAX_KNOWN = 20_000;
const answers = new Map<string, number | string>();
const keyOf = (id: string, seed: number) => `${id}\0${seed}`;

/** The right answer for (question, seed), as the runs computed it (a letter for "which run"). */
export function rememberArtefactAnswer(id: string, seed: number, expected: number | string): void {
  const k = keyOf(id, seed);
  answers.delete(k);
  answers.set(k, expected);
  // Oldest first out: a forgotten answer is loaded again from where it is stored.
  if (answers.size > MAX_KNOWN) answers.delete(answers.keys().next().value as string);
}

export function knownArtefactAnswer(id: string, seed: number): number | string | undefined {
  return answers.get(keyOf(id, seed));
}

export function artefactExpected(q: ArtefactQuestion, p: ArtefactParams): number | string {
  const v = knownArtefactAnswer(q.id, p.seed);
  if (v === undefined) {
    throw new StepwiseError('not_ready', `the model runs of question ${q.id} for seed ${p.seed} are not computed yet; its answer is known once they are`, 'params.seed');
  }
  return v;
}

// ---- params, prompt, grading ----

export function checkArtefactParams(raw: unknown): ArtefactParams {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new StepwiseError('invalid_params', 'params must be an object: {"seed": <integer>}', 'params');
  const extra = Object.keys(raw).find((k) => k !== 'seed');
  if (extra !== undefined) throw new StepwiseError('invalid_params', `params.${clipKey(extra)} is not a parameter of a question about model runs (only seed)`, `params.${clipKey(extra)}`);
  const seed = (raw as { seed?: unknown }).seed;
  if (typeof seed !== 'number' || !Number.isInteger(seed) || seed < 0 || seed > MAX_SEED) {
    throw new StepwiseError('invalid_params', `params.seed must be an integer from 0 to ${MAX_SEED}, got ${JSON.stringify(seed) ?? 'nothing'}`, 'params.seed');
  }
  return { seed };
}

const lettersOf = (q: ArtefactQuestion, seed: number): string[] => Object.values(runLetters(q, seed)).sort();

/** The prompt a student reads for this seed: runs named by their letters; the plots come beside it. */
export function artefactPrompt(q: ArtefactQuestion, p: ArtefactParams): string {
  const how = q.answer.type === 'choice' ? `Answer with the run's letter (${lettersOf(q, p.seed).join(' or ')}).` : q.answer.type === 'number' ? 'Answer with a number.' : 'Answer with a word or label.';
  return `${studentPrompt(q, runLetters(q, p.seed))}\n\n*${how} The runs' plots are shown with the question.*\n`;
}

const tolerance = (q: ArtefactQuestion): number => (q.answer.type === 'number' ? (q.answer.tolerance ?? 0) : 0);

const shown = (x: number | string) => (typeof x === 'number' ? String(Number(x.toPrecision(4))) : x);

/** A number as the grader reads it (the page's check reads it the same way); a decimal comma is how many students type one. */
export function readArtefactNumber(raw: unknown) {
  const text = typeof raw === 'string' ? raw.trim().replace(/^([+-]?\d*),(\d+)$/, '$1.$2') : raw;
  return readAnswer(text, { kind: 'scalar', truth: 0, maskable: false });
}

export function gradeArtefact(q: ArtefactQuestion, rawParams: unknown, answers: unknown, options: GradeOptions = {}): GradeResult {
  const p = checkArtefactParams(rawParams);
  if (typeof answers !== 'object' || answers === null || Array.isArray(answers)) {
    throw new StepwiseError('invalid_answers', `answers must be a JSON object: {"${ARTEFACT_STEP}": …}`, 'answers');
  }
  const given = answers as Record<string, unknown>;
  const keys = Object.keys(given);
  if (keys.length > MAX_ANSWER_FIELDS) throw new StepwiseError('too_large', `answers has ${keys.length} fields; at most ${MAX_ANSWER_FIELDS} are accepted`, 'answers');
  const warnings = keys.filter((k) => k !== ARTEFACT_STEP).map((k) => `answers.${clipKey(k)}: a question about model runs has one answer, "${ARTEFACT_STEP}"; ignored`);
  const expected = artefactExpected(q, p);
  const marks = options.marks?.[ARTEFACT_STEP] ?? q.marks ?? 1;
  const g: StepGrade = { id: ARTEFACT_STEP, label: CONCEPT_STEP_LABEL, status: 'missing', outcome: 'missing', credit: 0, marks, expected, feedback: 'Not answered.' };
  const raw = given[ARTEFACT_STEP];
  if (!isBlank(raw)) judge(q, p, expected, raw, g);
  g.outcome = g.status === 'invalid' ? 'invalid:form' : legacyOutcome(g);
  const result: GradeResult = { topic: q.id, score: g.credit, maxScore: marks, steps: [g] };
  if (warnings.length > 0) result.warnings = warnings;
  return result;
}

function judge(q: ArtefactQuestion, p: ArtefactParams, expected: number | string, raw: unknown, g: StepGrade): void {
  const invalid = (reason: string) => {
    g.status = 'invalid';
    g.feedback = `Cannot read this answer: ${reason}.`;
  };
  let ok: boolean;
  if (q.answer.type === 'number') {
    const read = readArtefactNumber(raw);
    if (!read.ok) return invalid(read.reason);
    const x = read.value as number;
    const tol = tolerance(q);
    ok = withinTolerance(x, Number(expected), { absolute: tol + 1e-9 });
  } else {
    if (typeof raw !== 'string' && typeof raw !== 'number') return invalid('answer with text');
    const text = String(raw).trim();
    if (q.answer.type === 'choice') {
      const letters = lettersOf(q, p.seed);
      if (!letters.includes(text.toUpperCase())) return invalid(`answer with one of the runs: ${letters.join(', ')}`);
    }
    ok = text.toLowerCase() === String(expected).trim().toLowerCase();
  }
  g.status = ok ? 'correct' : 'incorrect';
  g.credit = ok ? g.marks : 0;
  // Exam-safe: the feedback never says the runs' answer; `expected` carries it, shown only as the exam's policy allows.
  const tol = tolerance(q) > 0 ? ` (answers within ${tolerance(q)} of the runs' value are accepted)` : '';
  g.feedback = ok ? 'Correct.' : `Not correct${tol}.`;
}

/** The worked solution: the runs' answer and where it comes from. */
export function artefactSolution(q: ArtefactQuestion, rawParams: unknown): string {
  const p = checkArtefactParams(rawParams);
  const expected = artefactExpected(q, p);
  const a = q.answer;
  // The metric in words ("modesCovered" → "modes covered"): no key of the bank's own in a student's page.
  const words = (path: string) =>
    path
      .split('.')
      .filter((x) => !/^\d+$/.test(x))
      .map((x) => x.replace(/([a-z0-9])([A-Z])/g, '$1 $2').replace(/([A-Z])([A-Z][a-z])/g, '$1 $2').toLowerCase())
      .join(', ');
  const why =
    a.type === 'choice'
      ? `Run ${String(expected)} is the run with the ${a.pick === 'min' ? 'smallest' : 'largest'} value of ${words(a.metric)} of the runs shown, read from their own metrics.`
      : `Read from the run's own metrics (${words(a.metric.split('.').slice(1).join('.'))})${a.type === 'number' && a.tolerance ? `; answers within ${a.tolerance} are accepted` : ''}.`;
  return `**Answer:** ${shown(expected)}\n\n${why}\n`;
}

// ---- as a topic and a question ----

const topics = new Map<string, Topic>();

export function artefactTopic(q: ArtefactQuestion): Topic {
  let t = topics.get(q.id);
  if (!t) {
    t = {
      id: q.id,
      title: q.title ?? q.id,
      summary: `question about live ${q.lab.toUpperCase()} runs`,
      paramsSchema: { type: 'object', additionalProperties: false, required: ['seed'], properties: { seed: { type: 'integer', minimum: 0, maximum: MAX_SEED } } },
      checkParams: (p) => void checkArtefactParams(p),
      steps: {
        [ARTEFACT_STEP]: {
          label: CONCEPT_STEP_LABEL,
          kind: q.answer.type === 'number' ? 'scalar' : 'label',
          deps: [],
          formula: '',
          marks: q.marks ?? 1,
          compute: (p) => artefactExpected(q, checkArtefactParams(p)),
        },
      },
      misconceptions: [],
      generate: (rng) => ({ seed: rng.int(0, MAX_SEED) }),
    };
    topics.set(q.id, t);
  }
  return t;
}

export function artefactQuestion(q: ArtefactQuestion): Question {
  const difficulty: Difficulty = q.difficulty ?? 'medium';
  return { id: q.id, title: q.title ?? q.id, topic: q.id, difficulty, steps: [ARTEFACT_STEP], marks: { [ARTEFACT_STEP]: q.marks ?? 1 } };
}
