/** Variants: generated from the engine, frozen in the store, rendered for clients. */
import { randomInt } from 'node:crypto';
import { forbiddenError, notFoundError } from '../core/errors.js';
import { loadArtefactAnswers, needsArtefactAnswer } from './artefact-answers.js';
import { artefactOf, generateProblem, resolve, workedSolution, solveProblem, type Problem } from '../engine.js';
import { MAX_SEED } from '../generators/rng.js';
import { exactJson } from '../core/exact-json.js';
import { Lru } from '../core/lru.js';
import type { SolvedStep } from '../solvers/solve.js';
import { markdownToHtml } from '../render/html.js';
import type { NewVariant, Store, Variant, VariantMode } from '../store/types.js';

export interface VariantRequest {
  ref: string;
  seed?: number;
  difficulty?: string;
  mode: VariantMode;
  createdBy: string;
  courseId?: string;
  sessionId?: string;
  /**
   * Whether the variant may be an item of an unreleased exam (instructors only). Otherwise such a
   * problem is refused for a requested seed and drawn again for a random one: a practice variant
   * equal to an exam item would serve that item's answer key.
   */
  allowExamItems?: boolean;
}

/** Fresh draws before giving up when random seeds keep landing on exam items (never in practice). */
const MAX_DRAWS = 10;

export const EXAM_ITEM_REFUSAL = 'these params are an item of an exam whose answers have not been released';

/** A seed for a variant the caller did not seed: random, but recorded, so the variant reproduces. */
const freshSeed = (): number => randomInt(0, MAX_SEED);

/** The stored form of a generated problem, with where it belongs (absent fields left out). */
export function variantFromProblem(
  p: Problem,
  where: Pick<NewVariant, 'mode' | 'createdBy'> & Partial<Pick<NewVariant, 'courseId' | 'sessionId' | 'examId' | 'examVersion' | 'examItem'>>,
): NewVariant {
  const placed = Object.fromEntries(Object.entries(where).filter(([, v]) => v !== undefined)) as typeof where;
  return { ...p, ...placed };
}

/**
 * Practice problems asked for by seed, by ref, seed and difficulty: a class on an assigned exercise
 * asks for the same few seeds over and over, and generating one (its params and its prompt's
 * templates) was a tenth of a question page's time. Only caller-chosen practice seeds go in — never
 * an exam's, whose seeds are its secret — and every hit is a copy, so no variant shares mutable
 * params with another. The engine's topics and bank are fixed for the process's life.
 */
const PROBLEMS_MAX = 1000;
const seededPractice = new Lru<string, Problem>(PROBLEMS_MAX);

function generateSeeded(r: VariantRequest, seed: number): Problem {
  if (r.mode !== 'practice' || !Number.isSafeInteger(seed) || Object.is(seed, -0)) return generateProblem(r.ref, seed, r.difficulty);
  const key = JSON.stringify([r.ref, seed, r.difficulty ?? null]);
  let p = seededPractice.get(key);
  if (p === undefined) seededPractice.set(key, (p = generateProblem(r.ref, seed, r.difficulty)));
  return { ...p, params: structuredClone(p.params), steps: [...p.steps] };
}

export async function createVariant(store: Store, r: VariantRequest): Promise<Variant> {
  let p = r.seed !== undefined ? generateSeeded(r, r.seed) : generateProblem(r.ref, freshSeed(), r.difficulty);
  for (let draw = 1; !r.allowExamItems && (await store.variants.inUnreleasedExam(p.topic, p.params)); draw++) {
    // A pinned question is the same problem for every seed: no other seed helps.
    if (resolve(r.ref).question?.params) throw forbiddenError(`${EXAM_ITEM_REFUSAL}: this question's numbers are pinned (every seed gives them), so it cannot be practised until the exam is released`);
    const runs = artefactOf(r.ref);
    if (runs && (runs.runSeeds?.length ?? 1) <= 1) throw forbiddenError(`${EXAM_ITEM_REFUSAL}: this question shows the same model runs for every seed, so it cannot be practised until the exam is released`);
    if (r.seed !== undefined || draw >= MAX_DRAWS) throw forbiddenError(`${EXAM_ITEM_REFUSAL}: choose another seed`);
    p = generateProblem(r.ref, freshSeed(), r.difficulty);
  }
  const v = await store.variants.create(variantFromProblem(p, { mode: r.mode, createdBy: r.createdBy, courseId: r.courseId, sessionId: r.sessionId }));
  // Kept as getVariant would read it back: the student's next request (submitting it) needs no read.
  variantsOf(store).set(v.id, v);
  return v;
}

/**
 * A variant as a student may see it: the problem (topic, question, difficulty, params, steps,
 * prompt) and where it belongs, without the seed of an exam variant — seeds are the exam's
 * secret, and a student has no use for one. (The params are in the prompt anyway; the server just
 * never serves their answers before release.) The LTI page and every student route use this.
 */
export type StudentVariant = Omit<Variant, 'seed'> & { seed?: number };

export function studentVariantView(v: Variant): StudentVariant {
  if (v.mode !== 'exam') return v;
  const { seed: _secret, ...rest } = v;
  return rest;
}

// Variants never change once stored (a trigger refuses updates), so they and their answers can be
// cached freely; these caches are what keeps an attempt submission from re-reading and re-solving.
const variantCache = new WeakMap<Store, Lru<string, Variant>>();
const answersCache = new Lru<string, VariantAnswers>(1000);

function variantsOf(store: Store): Lru<string, Variant> {
  let cache = variantCache.get(store);
  if (!cache) variantCache.set(store, (cache = new Lru(1000)));
  return cache;
}

export async function getVariant(store: Store, id: string): Promise<Variant> {
  const cache = variantsOf(store);
  let v = cache.get(id);
  if (!v) {
    v = await store.variants.get(id);
    if (!v) throw notFoundError('variant', id);
    cache.set(id, v);
  } else if (needsArtefactAnswer(v)) {
    // Cached before its runs were done (or the answer was forgotten): the stored job may have it now.
    await loadArtefactAnswers(store, [v]);
  }
  return v;
}

export interface VariantAnswers {
  variantId: string;
  steps: SolvedStep[];
  workedMarkdown: string;
}

/** The asked steps' true values and the worked solution as Markdown (cheap: no typesetting). */
export function variantAnswers(v: Variant): VariantAnswers {
  let a = answersCache.get(v.id);
  if (!a) {
    const { steps, workedMarkdown } = v.mode === 'practice' ? practiceAnswers(v) : solved(v);
    a = { variantId: v.id, steps: steps.filter((s) => v.steps.includes(s.id)), workedMarkdown };
    answersCache.set(v.id, a);
  }
  return a;
}

const solved = (v: Variant): { steps: SolvedStep[]; workedMarkdown: string } => ({ steps: solveProblem(v.topic, v.params).steps, workedMarkdown: workedSolution(v.topic, v.params) });

/**
 * Solutions of practice problems by topic and params: a class on an assigned exercise submits the
 * same numbers in a new variant each time. Practice variants only, so no exam item's answers are
 * ever computed into (or timed out of) a cache a practice request can reach.
 */
const SOLUTIONS_MAX = 500;
const practiceSolutions = new Lru<string, { steps: SolvedStep[]; workedMarkdown: string }>(SOLUTIONS_MAX);

/** How many entries the practice caches hold, and their bounds (tests: they stay bounded). */
export function practiceCacheSizes(): { problems: number; problemsMax: number; solutions: number; solutionsMax: number } {
  return { problems: seededPractice.size, problemsMax: PROBLEMS_MAX, solutions: practiceSolutions.size, solutionsMax: SOLUTIONS_MAX };
}

function practiceAnswers(v: Variant): { steps: SolvedStep[]; workedMarkdown: string } {
  const key = exactJson([v.topic, v.params]);
  if (key === undefined) return solved(v);
  let a = practiceSolutions.get(key);
  if (a === undefined) practiceSolutions.set(key, (a = solved(v)));
  return a;
}

/** The same with the worked solution also typeset as HTML (KaTeX: milliseconds, so only on request). */
export async function variantSolution(v: Variant) {
  const { variantId, steps, workedMarkdown } = variantAnswers(v);
  return { variantId, steps, worked: { markdown: workedMarkdown, html: await markdownToHtml(workedMarkdown) } };
}
