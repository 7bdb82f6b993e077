/** Variants: generated from the engine, frozen in the store, rendered for clients. */
import { randomInt } from 'node:crypto';
import { generateProblem, workedSolution, solveProblem } from '../engine.js';
import { MAX_SEED } from '../generators/rng.js';
import { markdownToHtml } from '../render/html.js';
import type { Store, Variant, VariantMode } from '../store/types.js';
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

export async function createVariant(store: Store, r: VariantRequest): Promise<Variant> {
  const p = generateProblem(r.ref, r.seed ?? freshSeed(), r.difficulty);
  return store.variants.create({
    topic: p.topic,
    ...(p.question ? { question: p.question } : {}),
    seed: p.seed,
    difficulty: p.difficulty,
    params: p.params,
    steps: p.steps,
    prompt: p.prompt,
    mode: r.mode,
    ...(r.courseId ? { courseId: r.courseId } : {}),
    ...(r.sessionId ? { sessionId: r.sessionId } : {}),
    createdBy: r.createdBy,
  });
}

export async function getVariant(store: Store, id: string): Promise<Variant> {
  const v = await store.variants.get(id);
  if (!v) throw notFound('variant', id);
  return v;
}

/** The asked steps' true values and the worked solution, Markdown and HTML. */
export async function variantSolution(v: Variant) {
  const solved = solveProblem(v.topic, v.params).steps.filter((s) => v.steps.includes(s.id));
  const markdown = workedSolution(v.topic, v.params);
  return { variantId: v.id, steps: solved, worked: { markdown, html: await markdownToHtml(markdown) } };
}
