/**
 * A conceptual item seen through the numeric engine's eyes: a one-step topic (`answer`) and a bank
 * question with the item's id, so every surface that looks a problem's topic up by id (titles,
 * step labels, solving, exports) finds one. The engine dispatches grading, prompts and worked
 * solutions to the concept modules; this only keeps the lookups whole.
 */
import { MAX_SEED } from '../generators/rng.js';
import type { Topic } from '../solvers/topic.js';
import type { Question } from './bank.js';
import { builtInConcepts, type ConceptItem } from './concepts.js';
import { CONCEPT_STEP, CONCEPT_STEP_LABEL, conceptExpected } from './concept-grade.js';
import { checkConceptParams, letter, presentConcept } from './concept-present.js';

export function findConcept(id: unknown): ConceptItem | undefined {
  return typeof id === 'string' ? builtInConcepts().items.get(id) : undefined;
}

/** A title for lists: the prompt's first sentence without Markdown, at most 100 characters. */
export function conceptTitle(item: ConceptItem): string {
  // Short plain maths stays (D, p_g); a formula's TeX source is no title, so it becomes "…".
  const math = (tex: string) => (tex.length <= 12 && !/[\\{}^]/.test(tex) ? tex : '…');
  const plain = item.prompt.replace(/\$\$([^$]*)\$\$|\$([^$]*)\$/g, (_m, d: string | undefined, i: string | undefined) => math(d ?? i ?? '')).replace(/[*_`#>]/g, '').replace(/\s+/g, ' ').trim();
  const first = /^(.*?[.?!])(\s|$)/.exec(plain)?.[1] ?? plain;
  return first.length > 100 ? `${first.slice(0, 97)}...` : first;
}

const topics = new Map<string, Topic>();

export function conceptTopic(item: ConceptItem): Topic {
  let t = topics.get(item.id);
  if (!t) {
    t = {
      id: item.id,
      title: conceptTitle(item),
      summary: `${item.kind} question from ${item.sectionTitle}`,
      paramsSchema: { type: 'object' },
      checkParams: (p) => void checkConceptParams(item, p),
      steps: {
        [CONCEPT_STEP]: {
          label: CONCEPT_STEP_LABEL,
          kind: item.kind === 'numeric' ? 'scalar' : 'label',
          deps: [],
          formula: '',
          marks: item.marks ?? 1,
          compute: (p) => conceptExpected(item, checkConceptParams(item, p)),
        },
      },
      // The named wrong answers (distractors, wrong values), as the instructor pages list misconceptions.
      misconceptions: [
        ...(item.kind === 'single' ? item.options!.filter((o) => !o.correct) : []).map((o) => ({
          id: `option-${o.id}`,
          step: CONCEPT_STEP,
          explanation: o.why,
          compute: (p: object) => letter(checkConceptParams(item, p).options!.indexOf(o.id)),
        })),
        ...(item.kind === 'numeric' ? (item.wrong ?? []) : []).map((w, i) => ({ id: `wrong-${i + 1}`, step: CONCEPT_STEP, explanation: w.why, compute: () => w.value! })),
      ],
      generate: (rng) => presentConcept(item, rng.int(0, MAX_SEED)),
    };
    topics.set(item.id, t);
  }
  return t;
}

export function conceptQuestion(item: ConceptItem): Question {
  return { id: item.id, title: conceptTitle(item), topic: item.id, difficulty: item.difficulty, steps: [CONCEPT_STEP], marks: { [CONCEPT_STEP]: item.marks ?? 1 } };
}
