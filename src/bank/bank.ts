/**
 * The question bank: question-bank/*.json, each checked against question-bank/question.schema.json
 * with ajv and against its topic (known topic, real step ids). A bad file is reported with its path
 * and the failing field and left out; it never takes the rest of the bank down.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { ValidateFunction } from 'ajv';
import { PACKAGE_ROOT, QUESTION_BANK_DIR } from '../core/paths.js';
import type { Tolerance } from '../core/tolerance.js';
import type { Shape } from '../generators/shape.js';
import { StepwiseError } from '../core/errors.js';
import { activeSteps, evaluateSteps } from '../solvers/solve.js';
import { ajvError, QUESTION_KEY, shapeKey, validateParams, validatorFor } from '../solvers/params.js';
import type { GradeOptions } from '../solvers/grade.js';
import type { Difficulty, Params } from '../solvers/topic.js';
import { findTopic } from '../topics/index.js';

export interface Question {
  id: string;
  title?: string;
  topic: string;
  difficulty: Difficulty;
  steps: string[];
  marks?: Record<string, number>;
  tolerance?: Tolerance;
  ecf?: { policy: 'full' } | { policy: 'penalty'; penalty: number };
  instructions?: string;
  /** Per asked step, the share of its marks a revealed hint costs (none when absent). */
  hintPenalty?: Record<string, number>;
  /** The shape of problem the question promises (e.g. `{ causal: true }`); every seed keeps to it. */
  shape?: Shape;
  /**
   * Pinned params (checked against the topic when the bank loads): every seed gives this problem,
   * so every version of an exam that sets the question has the same numbers.
   */
  params?: Params;
}

export interface BankProblem {
  /** The file, relative to the package root when inside it. */
  file: string;
  /** The failing field, e.g. "steps[2]", or "" for the whole file. */
  field: string;
  message: string;
}

export interface Bank {
  questions: Map<string, Question>;
  problems: BankProblem[];
}

const SCHEMA_FILE = 'question.schema.json';
let validate: ValidateFunction | undefined;
let defaultBank: Bank | undefined;

/** The built-in bank, loaded once. */
export function builtInBank(): Bank {
  defaultBank ??= loadBank(QUESTION_BANK_DIR);
  return defaultBank;
}

export function loadBank(dir: string): Bank {
  const bank: Bank = { questions: new Map(), problems: [] };
  let files: string[];
  try {
    files = readdirSync(dir).filter((f) => f.endsWith('.json') && f !== SCHEMA_FILE).sort();
  } catch (e) {
    bank.problems.push({ file: dir, field: '', message: `cannot read the folder: ${(e as Error).message}` });
    return bank;
  }
  for (const f of files) {
    const path = join(dir, f);
    const shown = path.startsWith(PACKAGE_ROOT) ? relative(PACKAGE_ROOT, path) : path;
    try {
      const q = parseQuestion(readFileSync(path, 'utf8'));
      if (bank.questions.has(q.id)) throw new BankError('id', `question id ${q.id} is already used by another file`);
      bank.questions.set(q.id, q);
    } catch (e) {
      const field = e instanceof BankError ? e.field : '';
      bank.problems.push({ file: shown, field, message: (e as Error).message });
    }
  }
  return bank;
}

class BankError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

/** Parses and checks one question file's text. Throws BankError naming the field. */
export function parseQuestion(text: string): Question {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new BankError('', `not valid JSON: ${(e as Error).message}`);
  }
  validate ??= validatorFor(QUESTION_KEY, JSON.parse(readFileSync(join(QUESTION_BANK_DIR, SCHEMA_FILE), 'utf8')) as object);
  if (!validate(data)) {
    const err = ajvError(deepestError(validate), 'invalid_request', 'question');
    throw new BankError((err.path ?? 'question').replace(/^question\.?/, ''), err.message);
  }
  const q = data as Question;
  const topic = findTopic(q.topic);
  if (!topic) throw new BankError('topic', `unknown topic "${q.topic}"`);
  q.steps.forEach((s, i) => {
    if (!Object.hasOwn(topic.steps, s)) throw new BankError(`steps[${i}]`, `"${s}" is not a step of ${q.topic} (steps: ${Object.keys(topic.steps).join(', ')})`);
  });
  for (const s of Object.keys(q.marks ?? {})) {
    if (!q.steps.includes(s)) throw new BankError(`marks.${s}`, `marks are given for "${s}", which the question does not ask`);
  }
  for (const s of Object.keys(q.hintPenalty ?? {})) {
    if (!q.steps.includes(s)) throw new BankError(`hintPenalty.${s}`, `a hint penalty is given for "${s}", which the question does not ask`);
  }
  if (q.shape !== undefined) checkShape(q.topic, topic.shapes, q.shape);
  if (q.params !== undefined) q.params = checkPinned(q, topic);
  return q;
}

/**
 * Pinned params pass exactly what the topic's own generator output passes at the edges: its params
 * schema and cross-field checks (loose values the topic accepts included), and they must solve.
 * Every asked step must apply to them.
 */
function checkPinned(q: Question, topic: NonNullable<ReturnType<typeof findTopic>>): Params {
  if (q.shape !== undefined) throw new BankError('shape', 'a question with pinned params has no generator to shape; leave shape out');
  let params: Params;
  try {
    params = validateParams(topic, q.params);
    evaluateSteps(topic, params);
  } catch (e) {
    if (!(e instanceof StepwiseError)) throw e;
    throw new BankError(e.path ?? 'params', `pinned params: ${e.message}`);
  }
  const active = new Set(activeSteps(topic, params).map(([id]) => id));
  q.steps.forEach((s, i) => {
    if (!active.has(s)) throw new BankError(`steps[${i}]`, `"${s}" does not apply to the pinned params`);
  });
  return params;
}

/** A question may promise only the shape options its topic's generator honours. */
function checkShape(topicId: string, schema: object | undefined, shape: Shape): void {
  if (!schema) {
    const first = Object.keys(shape)[0];
    if (first !== undefined) throw new BankError(`shape.${first}`, `${topicId} has no shape options, so a question cannot promise "${first}"`);
    return;
  }
  const validate = validatorFor(shapeKey(topicId), schema);
  if (!validate(shape)) {
    const err = ajvError(deepestError(validate), 'invalid_request', 'shape');
    throw new BankError(err.path ?? 'shape', `${err.message} (${topicId} shape options: ${Object.keys((schema as { properties?: object }).properties ?? {}).join(', ')})`);
  }
}

/** With oneOf, ajv reports every branch; the most specific (longest path) error names the field best. */
function deepestError(v: ValidateFunction) {
  const errors = v.errors ?? [];
  return errors.reduce((best, e) => (e.instancePath.length > best.instancePath.length ? e : best), errors[0]);
}

/** How a question grades: its asked steps, marks, tolerance and ECF policy. */
export function gradeOptions(q: Question): GradeOptions {
  return {
    steps: q.steps,
    marks: q.marks,
    tolerance: q.tolerance,
    ecfPenalty: q.ecf?.policy === 'penalty' ? q.ecf.penalty : 0,
    ...(q.hintPenalty ? { hintPenalty: q.hintPenalty } : {}),
  };
}
