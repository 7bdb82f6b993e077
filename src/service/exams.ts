/**
 * Exams: a blueprint (topics or questions × count × difficulty) and N versions become a seed
 * manifest — every item's topic, question, seed and difficulty — from which every variant is
 * generated and frozen in one transaction. The manifest alone regenerates the whole exam.
 *
 * Item seeds are secret: each is an HMAC-SHA256 under the server secret of the exam id, the exam
 * seed, the version and the slot, so one item's seed tells nothing about another's, nor about the
 * exam seed, and nobody without the secret can derive another version's problems.
 */
import { createHmac } from 'node:crypto';
import { notFoundError } from '../core/errors.js';
import { checkDifficulty, generateProblem, resolve } from '../engine.js';
import type { BlueprintEntry, Exam, ManifestItem, NewVariant, Store, Variant } from '../store/types.js';
import { checkRules } from './exam-rules.js';
import { variantFromProblem } from './variants.js';

export interface ExamRequest {
  title: string;
  courseId?: string;
  blueprint: { topic: string; count: number; difficulty?: string }[];
  versions: number;
  seed: number;
  createdBy: string;
  /** Exam rules; absent ones take the exam defaults (checkRules in exam-rules.ts). */
  opensAt?: string;
  closesAt?: string;
  attemptLimit?: number;
  feedback?: string;
  counts?: string;
  blankSteps?: string;
}

/** What an exam's item seeds are keyed by: the server secret and the exam's identity. */
export interface SeedKey {
  secret: Uint8Array;
  examId: string;
  /** The exam seed, mixed in (a chosen seed cannot predict items without the secret). */
  seed: number;
}

/**
 * The seed of one item: the first 32 bits of HMAC-SHA256(secret, [exam id, exam seed, version,
 * slot, counter]) — every seed the engine takes, uniformly. `counter` re-derives on a collision.
 */
export function itemSeed(key: SeedKey, version: number, slot: number, counter = 0): number {
  const message = JSON.stringify(['stepwise exam item seed', key.examId, key.seed, version, slot, counter]);
  return createHmac('sha256', key.secret).update(message).digest().readUInt32BE(0);
}

/** manifest[version][item], every seed keyed by `key`; no (topic, seed) repeats within an exam. */
export function buildManifest(blueprint: BlueprintEntry[], versions: number, key: SeedKey): ManifestItem[][] {
  const used = new Set<string>();
  const manifest: ManifestItem[][] = [];
  for (let v = 0; v < versions; v++) {
    const items: ManifestItem[] = [];
    for (const entry of blueprint) {
      const { topic, question } = resolve(entry.ref);
      for (let k = 0; k < entry.count; k++) {
        const slot = items.length;
        let s: number;
        let counter = 0;
        do s = itemSeed(key, v, slot, counter++);
        while (used.has(`${topic.id}:${s}`));
        used.add(`${topic.id}:${s}`);
        items.push({ topic: topic.id, ...(question ? { question: question.id } : {}), seed: s, difficulty: question?.difficulty ?? entry.difficulty });
      }
    }
    manifest.push(items);
  }
  return manifest;
}

export async function createExam(store: Store, r: ExamRequest): Promise<{ exam: Exam; variants: Variant[] }> {
  const rules = checkRules(r);
  const blueprint: BlueprintEntry[] = r.blueprint.map((e, i) => {
    resolve(e.topic); // unknown topic or question: 404 naming it, before anything is stored
    return { ref: e.topic, count: e.count, difficulty: checkDifficulty(e.difficulty, `body.blueprint[${i}].difficulty`) };
  });
  const secret = await store.secrets.server();
  // The store makes the exam id first: item seeds are keyed by it.
  const build = (examId: string): { manifest: ManifestItem[][]; variants: NewVariant[] } => {
    const manifest = buildManifest(blueprint, r.versions, { secret, examId, seed: r.seed });
    const variants = manifest.flatMap((items, version) =>
      items.map((item, index) =>
        variantFromProblem(generateProblem(item.question ?? item.topic, item.seed, item.difficulty), {
          mode: 'exam',
          createdBy: r.createdBy,
          courseId: r.courseId,
          examId,
          examVersion: version + 1, // versions are numbered from 1 (seeds are keyed by the 0-based index)
          examItem: index,
        }),
      ),
    );
    return { manifest, variants };
  };
  return store.exams.create(
    { title: r.title, ...(r.courseId ? { courseId: r.courseId } : {}), blueprint, versions: r.versions, seed: r.seed, createdBy: r.createdBy, ...rules },
    build,
  );
}

export async function getExam(store: Store, id: string): Promise<Exam> {
  const e = await store.exams.get(id);
  if (!e) throw notFoundError('exam', id);
  return e;
}
