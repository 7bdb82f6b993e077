/**
 * The question page's view model: the prompt (KaTeX via markdownToHtml), one input per asked step
 * (text box, grid of cells or choice of labels), per-step results in words and an icon, hints and
 * the worked solution. Grading and storing go through the service (submitAttempt, attemptView);
 * "Check step" grades without storing, for practice variants whose answers the caller may see.
 */
import { formatNumber, texValue } from '../core/format.js';
import type { Value } from '../core/values.js';
import { getTopic, gradeAnswers, resolve, stepInputs, type StepGrade } from '../engine.js';
import { Lru } from '../core/lru.js';
import { FormulaCache, markdownToHtml } from '../render/html.js';
import { revealed } from '../service/access.js';
import type { StepView } from '../service/attempts.js';
import type { Caller } from '../service/caller.js';
import { variantAnswers } from '../service/variants.js';
import type { ArtefactFigures } from './artefact-figures.js';
import type { Store, Variant } from '../store/types.js';
import { stepShapes, type StepEntry, type StepShape } from './answers-form.js';
import { gridCells } from './grid.js';
import { HtmlChunk } from './render.js';

const STATUS: Record<string, { icon: string; words: string }> = {
  correct: { icon: '✓', words: 'Correct' },
  carried: { icon: '↪', words: 'Carried' },
  partial: { icon: '◐', words: 'Partly right' },
  incorrect: { icon: '✗', words: 'Incorrect' },
  invalid: { icon: '⚠', words: 'Cannot read this answer' },
  missing: { icon: '○', words: 'Not answered' },
};

export interface StepResult {
  status: string;
  icon: string;
  words: string;
  detail: string;
  credit?: string;
  misconception?: string;
}

/** A step's result as the page says it; `answered` are the steps the student wrote (for "carried"). */
export function stepResult(s: StepView | StepGrade, shapes: StepShape[], answered: Set<string>): StepResult {
  const st = STATUS[s.status] ?? { icon: '?', words: s.status };
  const r: StepResult = { status: s.status, icon: st.icon, words: st.words, detail: s.feedback ?? '' };
  if (typeof s.credit === 'number' && typeof s.marks === 'number') r.credit = `${formatNumber(s.credit, 2)}/${formatNumber(s.marks, 2)}`;
  if (s.status === 'carried') {
    const deps = shapes.find((x) => x.id === s.id)?.deps ?? [];
    const own = deps.filter((d) => answered.has(d));
    // The engine's feedback says the same in other words: one sentence, not two.
    r.detail = `It follows from your own ${joinAnd(own.length > 0 ? own : deps)}: not the true value, but worked correctly from your values (error carried forward).`;
  }
  if (s.status === 'missing' && s.note === 'implied') r.detail = 'Not written, but a later correct answer implies it, so it earns its marks.';
  if (s.misconception) r.misconception = s.misconception.explanation;
  return r;
}

const joinAnd = (xs: readonly string[]): string => (xs.length <= 1 ? (xs[0] ?? '') : `${xs.slice(0, -1).join(', ')} and ${xs[xs.length - 1]}`);

export interface QuestionState {
  entries?: Map<string, StepEntry>;
  /** Per step results to show (all after a submit, one after a check). */
  results?: Map<string, StepResult>;
  total?: string;
  /** The worked solution's HTML (after a submit, when revealed). */
  solutionHtml?: HtmlChunk;
  /** A message for the whole form (nothing graded: why). */
  notice?: string;
  /** The step whose check was asked (to focus its result). */
  checked?: string;
  /** Exam items under `none` feedback: what the receipt says instead of a total. */
  receipt?: string;
  /** Move focus to this item's result on load (the item just submitted). */
  focus?: boolean;
  /** Steps whose hint the student has revealed (recorded: a question may charge for them). */
  hintsRevealed?: ReadonlySet<string>;
  /** The grade's warnings, e.g. what was assumed to accept a real exam's loose numbers. */
  warnings?: readonly string[];
  /** A question about model runs: its pictures, or how far their computing is. */
  figures?: ArtefactFigures;
}

/** What revealing each step's hint costs, as a share of its marks: the question's hintPenalty (none in plain topic practice). */
export function hintPenalties(v: Pick<Variant, 'topic' | 'question'>): Readonly<Record<string, number>> {
  return resolve(v.question ?? v.topic).question?.hintPenalty ?? {};
}

/** The hints a student revealed on a practice variant, kept with the page's drafts (one row per user and variant). */
const HINTS_FIELD = '_hints';
export async function revealedHints(store: Store, userId: string, variantId: string): Promise<Set<string>> {
  const d = await store.webSessions.draft(userId, variantId);
  const list = d?.fields[HINTS_FIELD];
  return new Set(typeof list === 'string' && list !== '' ? list.split(',') : []);
}
export async function recordHint(store: Store, userId: string, variantId: string, step: string): Promise<Set<string>> {
  const hints = await revealedHints(store, userId, variantId);
  hints.add(step);
  await store.webSessions.saveDraft(userId, variantId, { [HINTS_FIELD]: [...hints].join(',') });
  return hints;
}

/** How an item is shown: a practice question (checks, hints) or an exam item (drafts, no hints). */
export interface ItemOptions {
  mode: 'practice' | 'exam';
  /** Prefix for element ids, unique per item on a page. */
  prefix: string;
  /** Where the form posts; no form when absent (a released exam). */
  action?: string;
  draftSaved?: string;
  /** Heading level of the item's own headings. */
  hl: number;
}

/**
 * The pages' own typeset formulas and whole prompts and hints, by their source: a step's formula is
 * the same in every variant's hint, and a class on an assigned exercise shares the same numbers.
 * Only prompts, hints and revealed solutions go in (never a student's own entry), so their timing
 * tells nobody anything they cannot see.
 */
const formulas = new FormulaCache(4_000_000);
const rendered = new Lru<string, HtmlChunk>(8_000_000, (c) => c.bytes.length);

/** Typeset Markdown with its display maths made scrollable (below), cached as served (bytes). */
async function cachedHtml(markdown: string): Promise<HtmlChunk> {
  let html = rendered.get(markdown);
  if (html === undefined) rendered.set(markdown, (html = new HtmlChunk(scrollableMath(await markdownToHtml(markdown, { formulas })))));
  return html;
}

const promptHtml = (v: Variant): Promise<HtmlChunk> => cachedHtml(v.prompt);

/**
 * Display maths scrolls sideways on a narrow screen (a phone, a 450 px LMS frame: pages.css), so
 * it takes keyboard focus, or a keyboard user could not scroll it (WCAG 2.1.1; axe's
 * scrollable-region-focusable). Only KaTeX's own wrapper, as markdownToHtml writes it.
 */
const scrollableMath = (html: string): string => html.replace(/<span class="katex-display">/g, '<span class="katex-display" tabindex="0">');

/** Hints by question, step and numbers: the same numbers give the same hint, in any variant. */
const hintCache = new Lru<string, HtmlChunk>(8_000_000, (c) => c.bytes.length);

async function hintHtml(v: Variant, step: string, paramsKey: string): Promise<HtmlChunk> {
  const key = `${v.question ?? v.topic}\n${step}\n${paramsKey}`;
  const hit = hintCache.get(key);
  if (hit !== undefined) return hit;
  const html = await hintSource(v, step);
  hintCache.set(key, html);
  return html;
}

async function hintSource(v: Variant, step: string): Promise<HtmlChunk> {
  // The formula and the given values it reads (as the terminal drill's hint); never a step's value.
  // A given vector or matrix is named, not repeated: the prompt above shows it, and typesetting it
  // again in every hint made the page twice as large (KaTeX's HTML for a matrix is kilobytes).
  const { formula, given } = stepInputs(v.topic, v.params, step);
  const params = v.params as Record<string, unknown>;
  const values = given
    .map((k) => {
      const tex = texParam(params[k]);
      return tex === undefined ? `$${texName(k)}$` : `$${texName(k)} = ${tex}$`;
    })
    .join(', ');
  const where = given.some((k) => Array.isArray(params[k])) ? ' (shown in the problem)' : '';
  return cachedHtml(`$$${formula}$$${given.length > 0 ? `\n\nUses the given ${values}${where}.` : ''}`);
}

/** A parameter name as TeX: W_Q → W_{Q}. */
const texName = (k: string): string => {
  const i = k.indexOf('_');
  const esc = (x: string) => x.replace(/_/g, '\\_');
  return i > 0 ? `${esc(k.slice(0, i))}_{${esc(k.slice(i + 1))}}` : esc(k);
};

/** A given value as TeX when it is a number or a label; else undefined (named only: vectors and matrices are in the prompt). */
function texParam(x: unknown): string | undefined {
  const plain = (typeof x === 'number' && Number.isFinite(x)) || typeof x === 'string';
  return plain ? texValue(x as Value) : undefined;
}

/** Everything the item partial (templates/pages/_item.hbs) needs. */
export async function questionView(v: Variant, state: QuestionState = {}, opts: ItemOptions = { mode: 'practice', prefix: '', action: `/practice/v/${encodeURIComponent(v.id)}`, hl: 2 }) {
  const practice = opts.mode === 'practice';
  const shapes = stepShapes(v);
  const penalties = practice ? hintPenalties(v) : {};
  const paramsKey = practice ? JSON.stringify(v.params) : '';
  const steps = await Promise.all(
    shapes.map(async (s, n) => {
      const e = state.entries?.get(s.id);
      const grid = s.kind === 'vector' || s.kind === 'matrix';
      const textMode = grid && (e?.text ?? '').trim() !== '';
      const cells = grid ? gridCells(opts.prefix, n, s, e?.cells, textMode) : undefined;
      const { deps } = s;
      return {
        n,
        id: s.id,
        label: s.label,
        kind: s.kind,
        grid,
        rows: s.rows,
        cols: s.cols,
        concept: s.concept ? conceptControls(s, e) : undefined,
        shapeText: s.concept ? CONCEPT_SHAPE[s.concept.kind] : s.kind === 'vector' ? `a vector of ${s.cols}` : s.kind === 'matrix' ? `a ${s.rows} × ${s.cols} matrix` : s.kind === 'label' ? 'one of the classes' : 'a number',
        cells,
        text: e?.text ?? '',
        textMode,
        labels: s.labels?.map((l) => ({ value: l, selected: e?.text === l })),
        problem: e?.problem,
        hint: practice && !s.concept ? await hintView(v, s.id, paramsKey, deps, penalties[s.id] ?? 0, state.hintsRevealed?.has(s.id) ?? false, marksOf(v, s.id)) : undefined,
        result: state.results?.get(s.id),
        checked: state.checked === s.id,
      };
    }),
  );
  return {
    variant: { id: v.id, title: getTopic(v.topic).title, topic: v.topic, question: v.question, ref: v.question ?? v.topic, difficulty: v.difficulty, seed: v.seed },
    promptHtml: await promptHtml(v),
    figures: state.figures,
    steps,
    total: state.total,
    warnings: state.warnings,
    solutionHtml: state.solutionHtml,
    notice: state.notice,
    submitted: state.total !== undefined,
    receipt: state.receipt,
    focus: state.focus ?? practice,
    practice,
    prefix: opts.prefix,
    hl: opts.hl,
    // A practice question about model runs is answered once its pictures are there; an exam's item keeps its drafts.
    form: opts.action && (state.figures?.ready !== false || !practice)
      ? { action: opts.action, draft: !practice, draftSaved: opts.draftSaved, submitLabel: practice ? 'Submit all' : 'Submit this item' }
      : undefined,
  };
}

const CONCEPT_SHAPE: Record<string, string> = {
  single: 'choose one',
  multiple: 'choose every correct option',
  ordering: 'a position for each entry',
  matching: 'a match for each numbered entry',
  numeric: 'a number',
  text: 'a word or short phrase',
};

/** A conceptual item's controls, with what was sent ticked or selected again. */
function conceptControls(s: StepShape, e: StepEntry | undefined) {
  const c = s.concept!;
  const sent = (name: string): string => e?.fields?.[name]?.trim() ?? '';
  const name = (key: string) => `answers[${s.id}][${key}]`;
  const positions = c.choices.map((_, i) => String(i + 1));
  return {
    single: c.kind === 'single',
    multiple: c.kind === 'multiple',
    ordering: c.kind === 'ordering',
    matching: c.kind === 'matching',
    typed: c.kind === 'numeric' || c.kind === 'text',
    name: `answers[${s.id}]`,
    choices: c.choices.map((o) => ({
      ...o,
      name: name(o.letter),
      checked: c.kind === 'single' ? sent(`answers[${s.id}]`).toUpperCase() === o.letter : sent(name(o.letter)) !== '',
      positions: c.kind === 'ordering' ? positions.map((p) => ({ value: p, selected: sent(name(o.letter)) === p })) : undefined,
    })),
    lefts: c.lefts.map((l) => ({
      ...l,
      name: name(String(l.n)),
      rights: c.choices.map((o) => ({ value: o.letter, text: o.text, selected: sent(name(String(l.n))).toUpperCase() === o.letter })),
    })),
  };
}

/** A step's marks in this variant's question (for the hint's cost in marks). */
function marksOf(v: Variant, step: string): number {
  const { topic, question } = resolve(v.question ?? v.topic);
  return question?.marks?.[step] ?? topic.steps[step]?.marks ?? 1;
}

/**
 * A step's hint: free hints are in the page (a disclosure); a hint that costs marks stays on the
 * server until the student asks for it with a form post, which records the reveal.
 */
async function hintView(v: Variant, step: string, paramsKey: string, deps: readonly string[], share: number, revealedAlready: boolean, marks: number) {
  const off = Math.round(Math.min(1, share) * marks * 100) / 100;
  const cost = share > 0 ? `${formatNumber(off, 2)} ${off === 1 ? 'mark' : 'marks'} of ${step}’s ${formatNumber(marks, 2)}` : undefined;
  const shown = share <= 0 || revealedAlready;
  return {
    html: shown ? await hintHtml(v, step, paramsKey) : undefined,
    deps: deps.length > 0 ? joinAnd(deps) : undefined,
    cost,
    revealed: share > 0 && revealedAlready,
  };
}

/** Results of a stored attempt's view (the API's own redaction applies). */
export async function submittedState(store: Store, caller: Caller, v: Variant, view: { steps: StepView[]; score?: number; maxScore?: number; revealed: boolean; warnings?: string[] }, entries: Map<string, StepEntry>): Promise<QuestionState> {
  const shapes = stepShapes(v);
  const answered = new Set([...entries].filter(([, e]) => e.raw !== undefined).map(([id]) => id));
  const results = new Map(view.steps.map((s) => [s.id, stepResult(s, shapes, answered)]));
  const state: QuestionState = { entries, results };
  if (view.warnings && view.warnings.length > 0) state.warnings = view.warnings;
  state.total = view.score !== undefined && view.maxScore !== undefined ? `${formatNumber(view.score, 2)}/${formatNumber(view.maxScore, 2)}` : 'recorded';
  // Under the exam's `none` or `status` feedback the API gives no score before release.
  if (view.score === undefined) state.receipt = view.steps.length > 0 ? 'Each step’s status is below; scores and answers come when the exam is released.' : 'Scores, feedback and answers come when the exam is released.';
  if (view.revealed && (await revealed(store, caller, v))) state.solutionHtml = await cachedHtml(variantAnswers(v).workedMarkdown);
  return state;
}

/** "Check step": grades every readable entry (so carried values count) and shows this step's result; nothing is stored. */
export function checkedState(v: Variant, entries: Map<string, StepEntry>, step: string, answers: Record<string, unknown>, hintsRevealed: ReadonlySet<string> = new Set()): QuestionState {
  const shapes = stepShapes(v);
  const result = gradeAnswers(v.question ?? v.topic, v.params, answers, { steps: v.steps, blankSteps: 'shown', hintsUsed: [...hintsRevealed] });
  const g = result.steps.find((s) => s.id === step);
  const answered = new Set(Object.keys(answers));
  return { entries, checked: step, hintsRevealed, results: g ? new Map([[step, stepResult(g, shapes, answered)]]) : new Map() };
}
