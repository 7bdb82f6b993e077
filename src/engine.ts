/**
 * The engine as callers use it (CLI, batch, HTTP later): topics and questions by id, validated
 * input, results as plain JSON-ready objects. Everything here throws StepwiseError on bad input.
 */
import { StepwiseError } from './core/errors.js';
import { describeTolerance, type Tolerance } from './core/tolerance.js';
import { texValue } from './core/format.js';
import { builtInBank, gradeOptions, type Question } from './bank/bank.js';
import { checkSeed, generateParams } from './generators/generate.js';
import { render } from './render/templates.js';
import { grade, type GradeOptions, type GradeResult } from './solvers/grade.js';
import { paramsRead } from './solvers/inputs.js';
import { paramsAssumptions, validateParams } from './solvers/params.js';
import { activeSteps, evaluateSteps, solve, type Solution } from './solvers/solve.js';
import { workedCases, type WorkedCase } from './solvers/worked-cases.js';
import { DIFFICULTIES, type Difficulty, type Params, type StepValues, type Topic } from './solvers/topic.js';
import { findTopic, TOPICS } from './topics/index.js';
import { conceptQuestion } from './bank/concept-topic.js';
import { CONCEPT_STEP, CONCEPT_STEP_LABEL } from './bank/concept-grade.js';
import { builtInConcepts } from './bank/concepts.js';
import { artefactQuestion, listArtefacts } from './bank/artefact-item.js';
import { oneStepItem, refuseOneStep } from './bank/one-step-item.js';

export { StepwiseError } from './core/errors.js';
export type { BlankStepPolicy, GradeOptions, GradeResult, StepGrade, StepStatus } from './solvers/grade.js';
export { BLANK_STEP_POLICIES } from './solvers/grade.js';
export { legacyOutcome, misconceptionOf, type OutcomeNote } from './solvers/outcome.js';
export type { Solution } from './solvers/solve.js';
export type { WorkedCase } from './solvers/worked-cases.js';
export type { Difficulty } from './solvers/topic.js';
export { DIFFICULTIES } from './solvers/topic.js';
export { knownArtefactAnswer, rememberArtefactAnswer, registerArtefactQuestion } from './bank/artefact-item.js';
export { artefactOf } from './bank/one-step-item.js';

export interface TopicInfo {
  id: string;
  title: string;
  summary: string;
  steps: { id: string; label: string; kind: string; deps: readonly string[]; optional: boolean }[];
  misconceptions: { id: string; step: string; explanation: string }[];
  paramsSchema: object;
  /** The shape options a bank question may promise (src/generators/shape.ts), when the topic has any. */
  shapes?: object;
}

export interface Problem {
  topic: string;
  question?: string;
  seed: number;
  difficulty: Difficulty;
  params: Params;
  /** The steps asked, in order. */
  steps: string[];
  prompt: string;
}

/** A topic by id; a conceptual item's or run question's id gives its one-step topic (src/bank/one-step-item.ts). */
export function getTopic(id: unknown): Topic {
  const item = oneStepItem(id);
  if (item) return item.topic();
  const topic = typeof id === 'string' ? findTopic(id) : undefined;
  if (!topic) {
    throw new StepwiseError('unknown_topic', `unknown topic ${JSON.stringify(id)}; topics: ${TOPICS.map((t) => t.id).join(', ')}`, 'topic');
  }
  return topic;
}

/**
 * A numeric topic only: what `GET /api/v1/topics/{topic}` describes. A conceptual item is not one
 * (its one-step view would list its distractors' reasons: the answer key of an exam item).
 */
export function getNumericTopic(id: unknown): Topic {
  const item = oneStepItem(id);
  if (item) refuseOneStep(item);
  return getTopic(id);
}

export function getQuestion(id: unknown): Question {
  const item = oneStepItem(id);
  if (item) return item.question();
  const q = typeof id === 'string' ? builtInBank().questions.get(id) : undefined;
  if (!q) throw new StepwiseError('unknown_question', `unknown question ${JSON.stringify(id)}`, 'question');
  return q;
}

/** A topic id, a question id or a conceptual item id, as `generate` accepts. */
export function resolve(ref: unknown): { topic: Topic; question?: Question } {
  const item = oneStepItem(ref);
  if (item) return { topic: item.topic(), question: item.question() };
  if (typeof ref === 'string' && findTopic(ref)) return { topic: getTopic(ref) };
  if (typeof ref === 'string' && builtInBank().questions.has(ref)) {
    const question = getQuestion(ref);
    return { topic: getTopic(question.topic), question };
  }
  throw new StepwiseError(
    'unknown_topic',
    `${JSON.stringify(ref)} is neither a topic nor a question id (bank, conceptual or about model runs); topics: ${TOPICS.map((t) => t.id).join(', ')}`,
    'topic',
  );
}

export function listTopics(): TopicInfo[] {
  return TOPICS.map(topicInfo);
}

export function topicInfo(t: Topic): TopicInfo {
  return {
    id: t.id,
    title: t.title,
    summary: t.summary,
    steps: Object.entries(t.steps).map(([id, s]) => ({ id, label: s.label, kind: s.kind, deps: s.deps, optional: s.when !== undefined })),
    misconceptions: t.misconceptions.map((m) => ({ id: m.id, step: m.step, explanation: m.explanation })),
    paramsSchema: t.paramsSchema,
    ...(t.shapes ? { shapes: t.shapes } : {}),
  };
}

export function solveProblem(topicId: unknown, params: unknown): Solution {
  const item = oneStepItem(topicId);
  if (item) return { topic: item.id, steps: [{ id: CONCEPT_STEP, label: CONCEPT_STEP_LABEL, value: item.expected(params) }] };
  return solve(getTopic(topicId), params);
}

/** Grades against a topic (every step, default marks) or a question (its steps, marks, policy). */
export function gradeAnswers(ref: unknown, params: unknown, answers: unknown, extra: GradeOptions = {}): GradeResult {
  const item = oneStepItem(ref);
  if (item) return item.grade(params, answers, extra);
  const { topic, question } = resolve(ref);
  return grade(topic, params, answers, { ...(question ? gradeOptions(question) : {}), ...extra });
}

export function checkDifficulty(d: unknown, path = 'difficulty'): Difficulty {
  if (d === undefined) return 'medium';
  if (typeof d === 'string' && (DIFFICULTIES as readonly string[]).includes(d)) return d as Difficulty;
  throw new StepwiseError('invalid_request', `${path} must be one of ${DIFFICULTIES.join(', ')}, got ${JSON.stringify(d)}`, path);
}

/** A fresh problem from a topic or question id; a question fixes the difficulty and the steps asked. */
export function generateProblem(ref: unknown, seed: unknown, difficulty?: unknown): Problem {
  const item = oneStepItem(ref);
  if (item) {
    // The params are the presentation: a conceptual item's order of options, entries or matching
    // columns; a run question's seed, which draws its runs and their letters (the answer waits for the runs).
    const s = checkSeed(seed);
    const params = item.present(s);
    return { topic: item.id, question: item.id, seed: s, difficulty: item.question().difficulty, params, steps: [CONCEPT_STEP], prompt: item.prompt(params) };
  }
  const { topic, question } = resolve(ref);
  const s = checkSeed(seed);
  const d = question ? question.difficulty : checkDifficulty(difficulty);
  // A pinned question (fixed exam-style numbers) is the same problem for every seed; the seed is
  // still recorded, so manifests and variants look alike whichever kind of question they hold.
  const { params, values } = question?.params
    ? { params: structuredClone(question.params), values: evaluateSteps(topic, question.params) }
    : generateParams(topic, s, d, question?.shape);
  const steps = question ? question.steps : activeSteps(topic, params).map(([id]) => id);
  const problem: Problem = { topic: topic.id, seed: s, difficulty: d, params, steps, prompt: '' };
  if (question) problem.question = question.id;
  problem.prompt = renderPrompt(topic, params, values, d, steps, question?.tolerance, question?.instructions);
  return problem;
}

export function renderPrompt(
  topic: Topic,
  params: Params,
  values: StepValues,
  difficulty: Difficulty,
  steps: readonly string[],
  tolerance?: Tolerance,
  instructions?: string,
): string {
  return `${problemStatement(topic, params, values, difficulty)}\n${askedSection(topic, steps, tolerance, instructions)}`;
}

/** The problem statement alone (no list of steps): what LMS exports put above their answer boxes. */
export function problemStatement(topic: Topic, params: Params, values: StepValues, difficulty: Difficulty): string {
  const item = oneStepItem(topic.id);
  if (item) return item.prompt(params);
  const text = render(topic.id, 'prompt', { ...params, ...topic.templateData?.(params, values), difficulty });
  // Loose params (a real exam's rounded probabilities, a class left out): the prompt states what
  // the grading assumes, in the topic's own words.
  const assumed = paramsAssumptions(topic, params).map((a) => `*Assumed:* ${a.text}`);
  return assumed.length === 0 ? text : `${text.trimEnd()}\n\n${assumed.join('\n\n')}\n`;
}

// The "Find" list depends only on the topic, the steps asked and the question's wording, so it is
// rendered once per combination (a batch of generate requests renders it a handful of times).
const askedCache = new Map<string, string>();

function askedSection(topic: Topic, steps: readonly string[], tolerance?: Tolerance, instructions?: string): string {
  const key = JSON.stringify([topic.id, steps, tolerance ?? null, instructions ?? null]);
  let text = askedCache.get(key);
  if (text === undefined) {
    text = render('common', 'asked', {
      steps: steps.map((id) => ({ id, label: topic.steps[id].label })),
      instruction: tolerance ? describeTolerance(tolerance) : '',
      instructions: instructions ?? '',
    });
    if (askedCache.size < 1000) askedCache.set(key, text);
  }
  return text;
}

/** What a step is computed from: its formula (TeX), the given params it reads and the earlier steps it uses. */
export function stepInputs(ref: unknown, rawParams: unknown, stepId: string): { formula: string; given: string[]; deps: readonly string[] } {
  if (oneStepItem(ref)) return { formula: '', given: [], deps: [] };
  const { topic } = resolve(ref);
  const params = validateParams(topic, rawParams);
  const step = topic.steps[stepId];
  if (!step) throw new StepwiseError('invalid_request', `"${stepId}" is not a step of ${topic.id}`, 'step');
  return { formula: step.formula, given: paramsRead(topic, params, evaluateSteps(topic, params), stepId), deps: step.deps };
}

/** The worked solution as Markdown, walking the same steps that are graded. */
export function workedSolution(topicId: unknown, rawParams: unknown): string {
  const item = oneStepItem(topicId);
  if (item) return item.solution(rawParams);
  const topic = getTopic(topicId);
  const params = validateParams(topic, rawParams);
  const values = evaluateSteps(topic, params);
  const steps = activeSteps(topic, params).map(([id, s]) => ({
    id,
    label: s.label,
    formula: s.formula,
    valueTex: texValue(values[id]),
    value: values[id],
  }));
  const byId = Object.fromEntries(steps.map((s) => [s.id, s]));
  return render(topic.id, 'solution', { ...params, ...topic.templateData?.(params, values), steps, step: byId });
}

/** The bank's questions, by id: what the instructor pages list beside the topics. */
export function listQuestions(): { id: string; title: string; topic: string; difficulty: Difficulty; steps: string[]; pinned: boolean }[] {
  return [...builtInBank().questions.values(), ...[...builtInConcepts().items.values()].map(conceptQuestion), ...listArtefacts().map(artefactQuestion)]
    // pinned: fixed params, the same numbers for every seed (and so in every exam version).
    .map((q) => ({ id: q.id, title: q.title ?? q.id, topic: q.topic, difficulty: q.difficulty, steps: q.steps, pinned: q.params !== undefined }))
    .sort((a, b) => a.id.localeCompare(b.id));
}

/**
 * A problem's worked cases graded as its topic or question grades (solvers/worked-cases.ts): the
 * true values earn full marks, each asked step's misconception is recognised by name.
 */
export function runWorkedCases(ref: unknown, params: unknown, steps?: readonly string[]): WorkedCase[] {
  const item = oneStepItem(ref);
  if (item) return item.workedCases(params);
  const { topic, question } = resolve(ref);
  const options = question ? gradeOptions(question) : {};
  return workedCases(topic, params, { ...options, steps: steps ?? question?.steps ?? activeSteps(topic, validateParams(topic, params)).map(([id]) => id) });
}

/** An exam blueprint row may name a whole section of conceptual items: `concepts:<section>`. */
export const CONCEPT_SECTION_PREFIX = 'concepts:';

/** The item ids of the section a `concepts:<section>` ref names; undefined for any other ref; throws for an unknown section. */
export function conceptSectionItems(ref: unknown): string[] | undefined {
  if (typeof ref !== 'string' || !ref.startsWith(CONCEPT_SECTION_PREFIX)) return undefined;
  const id = ref.slice(CONCEPT_SECTION_PREFIX.length);
  const section = builtInConcepts().sections.get(id);
  if (!section) {
    const known = [...builtInConcepts().sections.keys()].join(', ');
    throw new StepwiseError('unknown_topic', `unknown section of conceptual items ${JSON.stringify(id)}; sections: ${known}`, 'topic');
  }
  return section.items;
}
