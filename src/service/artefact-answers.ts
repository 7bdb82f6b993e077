/**
 * Variants of questions about model runs (question-bank/artefacts) in the service's flows. Their
 * right answers come from training runs, which a model worker computes as a job (`store.models`,
 * keyed by question and seed) and stores with the student's pictures. This store wrapper makes
 * those answers known to the engine whenever a variant is read, so grading, results, statistics,
 * solutions and exports need no code of their own for them. An exam's runs are queued at its
 * freeze (createExam), a practice variant's when a page or the API first shows it.
 */
import { artefactOf, knownArtefactAnswer, rememberArtefactAnswer } from '../engine.js';
import type { ModelJob, Store, Variant, VariantRepo } from '../store/types.js';

/** What the stored view of a computed job holds that the service reads (src/pages/artefact-jobs.ts writes it). */
export interface StoredArtefactView {
  prompt: string;
  letters: string[];
  images: { hash: string; caption: string; width: number; height: number }[];
  expected: number | string;
}

/** How many queued jobs a new exam item may still join: an exam's runs are never refused. */
export const EXAM_QUEUE_LIMIT = 1_000;
/** How many queued jobs a new practice variant may join: a class cannot fill the queue with practice alone. */
export const PRACTICE_QUEUE_LIMIT = 32;
/** A failed job is queued again after this long. */
export const RETRY_FAILED_MS = 60_000;

/** The job's (question, seed) when the variant is a question about model runs. */
export function artefactJobOf(v: Pick<Variant, 'topic' | 'params'>): { questionId: string; seed: number } | undefined {
  if (!artefactOf(v.topic)) return undefined;
  const seed = (v.params as { seed?: unknown }).seed;
  return typeof seed === 'number' ? { questionId: v.topic, seed } : undefined;
}

/** An artefact variant whose answer this process does not know yet. */
export function needsArtefactAnswer(v: Pick<Variant, 'topic' | 'params'>): boolean {
  const job = artefactJobOf(v);
  return job !== undefined && knownArtefactAnswer(job.questionId, job.seed) === undefined;
}

export function storedView(j: ModelJob | undefined): StoredArtefactView | undefined {
  return j?.state === 'done' && j.view ? (JSON.parse(j.view) as StoredArtefactView) : undefined;
}

/** Makes the answers of these variants' computed runs known to the engine; returns how many are not computed yet. */
export async function loadArtefactAnswers(store: Store, variants: readonly Pick<Variant, 'topic' | 'params'>[]): Promise<number> {
  let pending = 0;
  for (const v of variants) {
    const job = artefactJobOf(v);
    if (!job) continue;
    const view = storedView(await store.models.get(job.questionId, job.seed));
    if (view) rememberArtefactAnswer(job.questionId, job.seed, view.expected);
    else pending++;
  }
  return pending;
}

/** The stored job of an artefact variant, queued if it is not there yet ('full' when the queue is). */
export async function requestArtefactRuns(store: Store, v: Pick<Variant, 'topic' | 'params' | 'mode'>, queueLimit = EXAM_QUEUE_LIMIT): Promise<ModelJob | 'full' | undefined> {
  const job = artefactJobOf(v);
  if (!job) return undefined;
  const j = await store.models.request(job.questionId, job.seed, queueLimit, RETRY_FAILED_MS);
  const view = j === 'full' ? undefined : storedView(j);
  if (view) rememberArtefactAnswer(job.questionId, job.seed, view.expected);
  return j;
}

/**
 * The store with its variants' artefact answers loaded on every read, and exam items' runs queued
 * when they are made. Everything else passes through.
 */
export function withArtefactAnswers<S extends Store>(store: S): S {
  const inner = store.variants;
  const loaded = async <T extends Variant | undefined | Variant[]>(p: Promise<T>): Promise<T> => {
    const v = await p;
    if (v) await loadArtefactAnswers(store, Array.isArray(v) ? v : [v]);
    return v;
  };
  const variants: VariantRepo = {
    async create(input) {
      const v = await inner.create(input);
      // (No store path makes exam variants one by one today; this keeps any that does covered.)
      // An exam's runs start computing at its freeze; a practice variant's when a page or the API
      // shows it (under the practice queue's bound, so practice alone cannot fill the queue).
      if (v.mode !== 'practice') await requestArtefactRuns(store, v, EXAM_QUEUE_LIMIT);
      else await loadArtefactAnswers(store, [v]);
      return v;
    },
    get: (id) => loaded(inner.get(id)),
    listByExam: (examId, version) => loaded(inner.listByExam(examId, version)),
    listBySession: (sessionId) => loaded(inner.listBySession(sessionId)),
    inUnreleasedExam: (topic, params) => inner.inUnreleasedExam(topic, params),
  };
  // The same store with its own repositories and methods, except variants. (An exam's items are
  // made in the exam's own transaction: createExam queues their runs.)
  return Object.assign(Object.create(Object.getPrototypeOf(store) as object) as S, store, { variants });
}
