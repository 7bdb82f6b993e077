/** Variants: generated from the engine, frozen in the store, rendered for clients. */
import { randomInt } from 'node:crypto';
import { generateProblem, workedSolution, solveProblem, type Problem } from '../engine.js';
import { MAX_SEED } from '../generators/rng.js';
import { Lru } from '../core/lru.js';
import type { SolvedStep } from '../solvers/solve.js';
import { markdownToHtml } from '../render/html.js';
import type { NewVariant, Store, Variant, VariantMode } from '../store/types.js';
import { notFound } from '../api/problem.js';

export interface VariantRequest {
  ref: string;
  seed?: number;
  difficulty?: string;
  mode: VariantMode;
  createdBy: string;
  courseId?: string;
  sessionId?: string;
}

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

export async function createVariant(store: Store, r: VariantRequest): Promise<Variant> {
  const p = generateProblem(r.ref, r.seed ?? freshSeed(), r.difficulty);
  return store.variants.create(variantFromProblem(p, { mode: r.mode, createdBy: r.createdBy, courseId: r.courseId, sessionId: r.sessionId }));
}

// Variants never change once stored (a trigger refuses updates), so they and their answers can be
// cached freely; these caches are what keeps an attempt submission from re-reading and re-solving.
const variantCache = new WeakMap<Store, Lru<string, Variant>>();
const answersCache = new Lru<string, VariantAnswers>(1000);

export async function getVariant(store: Store, id: string): Promise<Variant> {
  let cache = variantCache.get(store);
  if (!cache) variantCache.set(store, (cache = new Lru(1000)));
  let v = cache.get(id);
  if (!v) {
    v = await store.variants.get(id);
    if (!v) throw notFound('variant', id);
    cache.set(id, v);
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
    a = {
      variantId: v.id,
      steps: solveProblem(v.topic, v.params).steps.filter((s) => v.steps.includes(s.id)),
      workedMarkdown: workedSolution(v.topic, v.params),
    };
    answersCache.set(v.id, a);
  }
  return a;
}

/** The same with the worked solution also typeset as HTML (KaTeX: milliseconds, so only on request). */
export async function variantSolution(v: Variant) {
  const { variantId, steps, workedMarkdown } = variantAnswers(v);
  return { variantId, steps, worked: { markdown: workedMarkdown, html: await markdownToHtml(workedMarkdown) } };
}
