/**
 * Bank items of one step, `answer`, that are not worked from a topic's formulas: conceptual items
 * (question-bank/concepts) and questions about model runs (question-bank/artefacts). The engine's
 * entry points ask `oneStepItem(ref)` once and let the item present, solve and grade itself, rather
 * than asking each kind in turn at every entry point.
 */
import { StepwiseError } from '../core/errors.js';
import type { GradeOptions, GradeResult } from '../solvers/grade.js';
import type { Params, Topic } from '../solvers/topic.js';
import type { WorkedCase } from '../solvers/worked-cases.js';
import { findTopic } from '../topics/index.js';
import type { ArtefactQuestion } from '../models/questions.js';
import { builtInBank, type Question } from './bank.js';
import { artefactPrompt, artefactQuestion, artefactSolution, artefactTopic, checkArtefactParams, findArtefact, gradeArtefact, artefactExpected } from './artefact-item.js';
import { conceptSolution, gradeConcept, CONCEPT_STEP, conceptExpected } from './concept-grade.js';
import { checkConceptParams, conceptPrompt, letter, presentConcept } from './concept-present.js';
import { conceptQuestion, conceptTopic, findConcept } from './concept-topic.js';
import type { ConceptItem } from './concepts.js';

export interface OneStepItem {
  kind: 'concept' | 'artefact';
  id: string;
  /** What the item is called where a numeric topic was asked for ("a conceptual item"). */
  what: string;
  topic(): Topic;
  question(): Question;
  /** The params for a seed: a conceptual item's order of options; a run question's seed, which draws its runs. */
  present(seed: number): Params;
  prompt(params: unknown): string;
  /** The right answer (a run question's throws not_ready until its runs are computed). */
  expected(params: unknown): number | string;
  grade(params: unknown, answers: unknown, options: GradeOptions): GradeResult;
  /** The worked solution as Markdown. */
  solution(params: unknown): string;
  workedCases(params: unknown): WorkedCase[];
}

/**
 * A question about model runs, by id. Looked up only for an id that is no topic, bank question or
 * conceptual item, so the common lookups never load the labs' definitions.
 */
export function artefactOf(ref: unknown): ArtefactQuestion | undefined {
  if (typeof ref !== 'string' || findTopic(ref) || builtInBank().questions.has(ref) || findConcept(ref)) return undefined;
  return findArtefact(ref);
}

/** The one-step item a ref names, or undefined for a topic, a bank question or an unknown id. */
export function oneStepItem(ref: unknown): OneStepItem | undefined {
  const concept = findConcept(ref);
  if (concept) return conceptItem(concept);
  const artefact = artefactOf(ref);
  return artefact ? artefactItem(artefact) : undefined;
}

function conceptItem(c: ConceptItem): OneStepItem {
  const item: OneStepItem = {
    kind: 'concept',
    id: c.id,
    what: 'a conceptual item',
    topic: () => conceptTopic(c),
    question: () => conceptQuestion(c),
    present: (seed) => presentConcept(c, seed),
    prompt: (params) => conceptPrompt(c, checkConceptParams(c, params)),
    expected: (params) => conceptExpected(c, checkConceptParams(c, params)),
    grade: (params, answers, options) => gradeConcept(c, params, answers, options),
    solution: (params) => conceptSolution(c, params),
    workedCases: (params) => conceptWorkedCases(c, params),
  };
  return item;
}

function artefactItem(q: ArtefactQuestion): OneStepItem {
  return {
    kind: 'artefact',
    id: q.id,
    what: 'a question about model runs',
    topic: () => artefactTopic(q),
    question: () => artefactQuestion(q),
    present: (seed) => ({ seed }),
    prompt: (params) => artefactPrompt(q, checkArtefactParams(params)),
    expected: (params) => artefactExpected(q, checkArtefactParams(params)),
    grade: (params, answers, options) => gradeArtefact(q, params, answers, options),
    solution: (params) => artefactSolution(q, params),
    workedCases: (params) => artefactWorkedCases(q, params),
  };
}

/** A question about model runs: its runs' answer scores full marks (once they are computed). */
function artefactWorkedCases(q: ArtefactQuestion, params: unknown): WorkedCase[] {
  const expected = artefactExpected(q, checkArtefactParams(params));
  const g = gradeArtefact(q, params, { [CONCEPT_STEP]: expected });
  const ok = g.score === g.maxScore;
  return [{ name: 'correct', kind: 'correct', outcome: ok ? 'pass' : 'fail', detail: `The runs' answer ${String(expected)} scores ${g.score}/${g.maxScore}.` }];
}

/** A conceptual item's worked cases: its expected answer scores full marks, each distractor none. */
function conceptWorkedCases(concept: ConceptItem, params: unknown): WorkedCase[] {
  const p = checkConceptParams(concept, params);
  const expected = conceptExpected(concept, p);
  const cases: WorkedCase[] = [];
  if (!(concept.kind === 'text' && concept.accept === undefined)) {
    const g = gradeConcept(concept, p, { [CONCEPT_STEP]: expected });
    const ok = g.score === g.maxScore;
    cases.push({ name: 'correct', kind: 'correct', outcome: ok ? 'pass' : 'fail', detail: `The expected answer ${expected} scores ${g.score}/${g.maxScore}.` });
  }
  const wrongs: [string, unknown][] =
    concept.kind === 'single'
      ? concept.options!.filter((o) => !o.correct).map((o) => [`option-${o.id}`, letter(p.options!.indexOf(o.id))])
      : concept.kind === 'numeric'
        ? (concept.wrong ?? []).map((w, i) => [`wrong-${i + 1}`, w.value])
        : [];
  for (const [name, answer] of wrongs) {
    const s = gradeConcept(concept, p, { [CONCEPT_STEP]: answer }).steps[0];
    const ok = s.status === 'incorrect' && s.misconception?.id === name;
    cases.push({ name, kind: 'misconception', step: CONCEPT_STEP, outcome: ok ? 'pass' : 'fail', detail: `${String(answer)} is graded ${s.status}${s.misconception ? ` as ${s.misconception.id}` : ''}.`, entered: answer as number | string });
  }
  return cases;
}

/** Refuses a one-step item where a numeric topic is asked for (its one-step view would list a key). */
export function refuseOneStep(item: OneStepItem): never {
  throw new StepwiseError('unknown_topic', `${JSON.stringify(item.id)} is ${item.what}, not a topic`, 'topic');
}
