/**
 * Grading a conceptual item into the same result shape as a numeric question: one step, `answer`,
 * with status, credit, marks, expected and feedback (exam-safe: it never names the right option;
 * `expected` carries that separately). A chosen distractor's or matched wrong answer's `why` is the
 * feedback, and a named wrong answer is reported like a misconception.
 */
import { legacyOutcome } from '../solvers/outcome.js';
import { StepwiseError } from '../core/errors.js';
import { withinTolerance } from '../core/tolerance.js';
import type { GradeOptions, GradeResult, StepGrade } from '../solvers/grade.js';
import { clipKey, MAX_ANSWER_FIELDS } from '../solvers/grade.js';
import { isBlank } from '../solvers/read-answer.js';
import { norm, type ConceptItem } from './concepts.js';
import { checkConceptParams, conceptTolerance, letter, readConceptAnswer, rightText, type ConceptParams } from './concept-present.js';

export const CONCEPT_STEP = 'answer';
export const CONCEPT_STEP_LABEL = 'Answer';

const round = (x: number): number => Math.round(x * 1e9) / 1e9;

/** The right answer as a student would write it for this presentation (letters as shown). */
export function conceptExpected(item: ConceptItem, p: ConceptParams): string | number {
  switch (item.kind) {
    case 'single':
      return letter(p.options!.findIndex((id) => item.options!.find((o) => o.id === id)!.correct));
    case 'multiple':
      return p.options!.flatMap((id, i) => (item.options!.find((o) => o.id === id)!.correct ? [letter(i)] : [])).join(', ');
    case 'ordering':
      return item.order!.map((o) => letter(p.order!.indexOf(o.id))).join(', ');
    case 'matching':
      return p.lefts!.map((id, i) => `${i + 1}-${letter(p.rights!.indexOf(id))}`).join(', ');
    case 'numeric':
      return item.answer!;
    case 'text':
      return item.accept?.[0] ?? `/${item.patterns![0]}/`;
  }
}

export function gradeConcept(item: ConceptItem, rawParams: unknown, answers: unknown, options: GradeOptions = {}): GradeResult {
  const p = checkConceptParams(item, rawParams);
  if (typeof answers !== 'object' || answers === null || Array.isArray(answers)) {
    throw new StepwiseError('invalid_answers', `answers must be a JSON object: {"${CONCEPT_STEP}": …}`, 'answers');
  }
  const given = answers as Record<string, unknown>;
  const keys = Object.keys(given);
  if (keys.length > MAX_ANSWER_FIELDS) {
    throw new StepwiseError('too_large', `answers has ${keys.length} fields; at most ${MAX_ANSWER_FIELDS} are accepted`, 'answers');
  }
  const warnings = keys.filter((k) => k !== CONCEPT_STEP).map((k) => `answers.${clipKey(k)}: a conceptual item has one answer, "${CONCEPT_STEP}"; ignored`);
  const marks = options.marks?.[CONCEPT_STEP] ?? item.marks ?? 1;
  const g: StepGrade = { id: CONCEPT_STEP, label: CONCEPT_STEP_LABEL, status: 'missing', outcome: 'missing', credit: 0, marks, expected: conceptExpected(item, p), feedback: 'Not answered.' };
  const raw = given[CONCEPT_STEP];
  const blank = isBlank(raw) || (Array.isArray(raw) && raw.length === 0) || (typeof raw === 'object' && raw !== null && !Array.isArray(raw) && Object.values(raw).every((v) => isBlank(v)));
  if (!blank) judgeConcept(item, p, raw, g);
  if (options.steps && !options.steps.includes(CONCEPT_STEP)) warnings.push(`a conceptual item asks only "${CONCEPT_STEP}"`);
  const share = options.hintPenalty?.[CONCEPT_STEP] ?? 0;
  if (share > 0 && options.hintsUsed?.includes(CONCEPT_STEP)) {
    const off = round(Math.min(1, share) * marks);
    g.credit = round(Math.max(0, g.credit - off));
    g.feedback += ` Hint revealed: ${off} ${off === 1 ? 'mark' : 'marks'} off.`;
  }
  // The outcome note from what was judged (statistics read notes, never the feedback text).
  g.outcome = g.status === 'invalid' ? 'invalid:form' : legacyOutcome(g);
  const result: GradeResult = { topic: item.id, score: round(g.credit), maxScore: round(marks), steps: [g] };
  if (warnings.length > 0) result.warnings = warnings;
  return result;
}

function judgeConcept(item: ConceptItem, p: ConceptParams, raw: unknown, g: StepGrade): void {
  const read = readConceptAnswer(item, p, raw);
  if (!read.ok) {
    g.status = 'invalid';
    g.feedback = `Cannot read this answer: ${read.reason}.`;
    return;
  }
  const score = (share: number, feedback: string) => {
    g.credit = round(g.marks * share);
    g.status = share >= 1 ? 'correct' : share > 0 ? 'partial' : 'incorrect';
    g.feedback = feedback;
  };
  if ('single' in read) {
    const o = item.options!.find((x) => x.id === read.single)!;
    score(o.correct ? 1 : 0, o.correct ? 'Correct.' : `Not correct: ${o.why}`);
    if (!o.correct) g.misconception = { id: `option-${o.id}`, explanation: o.why };
  } else if ('set' in read) {
    const opts = item.options!;
    const R = opts.filter((o) => o.correct).length;
    const W = opts.length - R;
    const chosen = opts.filter((o) => read.set.includes(o.id));
    const r = chosen.filter((o) => o.correct).length;
    const wrong = chosen.filter((o) => !o.correct);
    // Right minus wrong: each right option earns 1/R, each wrong one costs 1/W; never below zero.
    const share = Math.max(0, r / R - (W === 0 ? 0 : wrong.length / W));
    const parts = [`${r} of ${R} correct option${R === 1 ? '' : 's'} chosen`];
    if (wrong.length > 0) parts.push(`${wrong.length} wrong: ${wrong.map((o) => `${letter(p.options!.indexOf(o.id))} (${o.why})`).join('; ')}`);
    score(share, r === R && wrong.length === 0 ? 'Correct.' : `${parts.join('; ')}.`);
  } else if ('sequence' in read) {
    const right = read.sequence.filter((id, i) => item.order![i].id === id).length;
    const n = item.order!.length;
    score(right / n, right === n ? 'Correct.' : `${right} of ${n} entries are in the right place.`);
  } else if ('matches' in read) {
    const right = item.pairs!.filter((x) => read.matches.get(x.id) === x.id).length;
    const n = item.pairs!.length;
    const extras = [...read.matches.values()].filter((k) => k.startsWith('~'));
    const note = extras.length > 0 ? ` ${extras.length === 1 ? 'One match uses' : `${extras.length} matches use`} an entry that belongs to none: "${rightText(item, extras[0])}".` : '';
    score(right / n, right === n ? 'Correct.' : `${right} of ${n} matched correctly.${note}`);
  } else if ('number' in read) {
    const tol = conceptTolerance(item);
    if (withinTolerance(read.number, item.answer!, tol)) return score(1, 'Correct.');
    const w = item.wrong?.findIndex((x) => x.value !== undefined && withinTolerance(read.number, x.value, tol)) ?? -1;
    score(0, w >= 0 ? `Not correct: ${item.wrong![w].why}` : 'Not correct.');
    if (w >= 0) g.misconception = { id: `wrong-${w + 1}`, explanation: item.wrong![w].why };
  } else {
    const t = read.text;
    const ok = (item.accept ?? []).some((a) => norm(a) === t) || (item.patterns ?? []).some((src) => new RegExp(src, 'i').test(t));
    if (ok) return score(1, 'Correct.');
    const w = item.wrong?.findIndex((x) => new RegExp(x.pattern!, 'i').test(t)) ?? -1;
    score(0, w >= 0 ? `Not correct: ${item.wrong![w].why}` : 'Not correct.');
    if (w >= 0) g.misconception = { id: `wrong-${w + 1}`, explanation: item.wrong![w].why };
  }
}

/** The worked solution: the right answer for this presentation, the explanation and every distractor's reason. */
export function conceptSolution(item: ConceptItem, rawParams: unknown): string {
  const p = checkConceptParams(item, rawParams);
  const lines = [`**Answer:** ${conceptExpected(item, p)}`, '', item.explanation.trim()];
  if (item.kind === 'single' || item.kind === 'multiple') {
    lines.push('');
    p.options!.forEach((id, i) => {
      const o = item.options!.find((x) => x.id === id)!;
      lines.push(`- **${letter(i)}** (${o.correct ? 'right' : 'wrong'}): ${o.why}`);
    });
  }
  if (item.kind === 'ordering') {
    lines.push('', ...item.order!.map((o, i) => `${i + 1}. ${o.text}`));
    if (item.why) lines.push('', item.why.trim());
  }
  if (item.kind === 'matching') lines.push('', ...item.pairs!.map((x) => `- ${x.left} → ${x.right}`));
  if (item.kind === 'numeric' || item.kind === 'text') {
    for (const w of item.wrong ?? []) lines.push('', `- ${w.value !== undefined ? w.value : `/${w.pattern}/`} is wrong: ${w.why}`);
  }
  lines.push('', `*Source: ${item.source}*`);
  return `${lines.join('\n').trim()}\n`;
}
