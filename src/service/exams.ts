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
import { notFoundError, StepwiseError } from '../core/errors.js';
import { EXAM_QUEUE_LIMIT, requestArtefactRuns } from './artefact-answers.js';
import { checkDifficulty, conceptSectionItems, generateProblem, getQuestion, resolve, type Problem } from '../engine.js';
import type { BlueprintEntry, Exam, ManifestItem, NewVariant, Store, Variant } from '../store/types.js';
import { newId } from '../store/ids.js';
import { checkRules } from './exam-rules.js';
import { variantFromProblem } from './variants.js';

export interface ExamRequest {
  title: string;
  courseId?: string;
  /** `topic`: a topic id or a bank question id; `marks`: each item's total (its steps' marks scaled to it). */
  blueprint: { topic: string; count: number; difficulty?: string; marks?: number }[];
  versions: number;
  seed: number;
  createdBy: string;
  /** Share of a carried step's marks withheld in every item, 0..1 (absent: each question's own ECF policy). */
  ecfPenalty?: number;
  /** The exam id a preview was made under (previewExam), so the frozen exam equals the preview; else a fresh one. */
  id?: string;
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
      const section = conceptSectionItems(entry.ref);
      if (section) {
        items.push(...sectionItems(section, entry, key, v, items.length));
        continue;
      }
      const { topic, question } = resolve(entry.ref);
      for (let k = 0; k < entry.count; k++) {
        const slot = items.length;
        let s: number;
        let counter = 0;
        do s = itemSeed(key, v, slot, counter++);
        while (used.has(`${topic.id}:${s}`));
        used.add(`${topic.id}:${s}`);
        items.push({
          topic: topic.id,
          ...(question ? { question: question.id } : {}),
          seed: s,
          difficulty: question?.difficulty ?? entry.difficulty,
          ...(entry.marks !== undefined ? { marks: entry.marks } : {}),
        });
      }
    }
    manifest.push(items);
  }
  return manifest;
}

/**
 * A `concepts:<section>` row: `count` different items of the section, drawn per version by the
 * slots' secret seeds (so versions differ in which items they ask, and in their order), each shown
 * in its seed's option order.
 */
function sectionItems(section: readonly string[], entry: BlueprintEntry, key: SeedKey, version: number, firstSlot: number): ManifestItem[] {
  const left = [...section];
  const out: ManifestItem[] = [];
  for (let k = 0; k < entry.count; k++) {
    const s = itemSeed(key, version, firstSlot + k);
    const [id] = left.splice(s % left.length, 1);
    out.push({ topic: id, question: id, seed: s, difficulty: getQuestion(id).difficulty, ...(entry.marks !== undefined ? { marks: entry.marks } : {}) });
  }
  return out;
}

/** Largest item total and exam size the blueprint accepts (the API schema says the same). */
export const MAX_ITEM_MARKS = 1000;
const EXAM_ID = /^exm_[A-Za-z0-9_-]{22}$/;

/** A checked blueprint: every row's topic or question exists, difficulty and marks are valid (422 naming the field). */
export function checkBlueprint(rows: ExamRequest['blueprint'], path = 'body'): BlueprintEntry[] {
  if (!Array.isArray(rows) || rows.length === 0) throw new StepwiseError('invalid_request', `${path}.blueprint must list at least one row`, `${path}.blueprint`);
  return rows.map((e, i) => {
    const at = `${path}.blueprint[${i}]`;
    const section = conceptSectionItems(e.topic); // an unknown section: 404 naming the sections
    if (!section) resolve(e.topic); // unknown topic or question: 404 naming it, before anything is stored
    if (!Number.isInteger(e.count) || e.count < 1 || e.count > 20) {
      throw new StepwiseError('invalid_request', `${at}.count must be a whole number from 1 to 20, got ${JSON.stringify(e.count)}`, `${at}.count`);
    }
    if (section && e.count > section.length) {
      throw new StepwiseError('invalid_request', `${at}.count is ${e.count}, but ${e.topic} has ${section.length} items`, `${at}.count`);
    }
    if (e.marks !== undefined && (typeof e.marks !== 'number' || !Number.isFinite(e.marks) || e.marks <= 0 || e.marks > MAX_ITEM_MARKS)) {
      throw new StepwiseError('invalid_request', `${at}.marks must be a number above 0 and at most ${MAX_ITEM_MARKS}, got ${JSON.stringify(e.marks)}`, `${at}.marks`);
    }
    return { ref: e.topic, count: e.count, difficulty: checkDifficulty(e.difficulty, `${at}.difficulty`), ...(e.marks !== undefined ? { marks: e.marks } : {}) };
  });
}

/** The exam-level ECF penalty: absent, or a number from 0 (full ECF) to 1 (carried steps earn nothing). */
export function checkEcfPenalty(x: unknown, path = 'body'): number | undefined {
  if (x === undefined) return undefined;
  if (typeof x !== 'number' || !Number.isFinite(x) || x < 0 || x > 1) {
    throw new StepwiseError('invalid_request', `${path}.ecfPenalty must be a number from 0 (full error carried forward) to 1 (carried steps earn nothing), got ${JSON.stringify(x)}`, `${path}.ecfPenalty`);
  }
  return x;
}

function checkVersions(x: unknown, path: string): number {
  if (!Number.isInteger(x) || (x as number) < 1 || (x as number) > 50) throw new StepwiseError('invalid_request', `${path}.versions must be a whole number from 1 to 50, got ${JSON.stringify(x)}`, `${path}.versions`);
  return x as number;
}

/** Every version's problems for this manifest (version 1 first), generated, not stored. */
function problemsOf(manifest: ManifestItem[][]): Problem[][] {
  return manifest.map((items) => items.map((item) => generateProblem(item.question ?? item.topic, item.seed, item.difficulty)));
}

/**
 * What an exam would be, without storing it: a fresh exam id and, under the same secret-keyed
 * seeds createExam uses for that id, every version's manifest and problems. Freezing with the same
 * request and `id` stores exactly these (instructors only: the problems are the exam's).
 */
export async function previewExam(store: Store, r: Omit<ExamRequest, 'createdBy' | 'id'>): Promise<{ id: string; manifest: ManifestItem[][]; problems: Problem[][] }> {
  const blueprint = checkBlueprint(r.blueprint);
  checkRules(r);
  checkEcfPenalty(r.ecfPenalty);
  const versions = checkVersions(r.versions, 'body');
  const id = newId('exm');
  const manifest = buildManifest(blueprint, versions, { secret: await store.secrets.server(), examId: id, seed: r.seed });
  return { id, manifest, problems: problemsOf(manifest) };
}

export async function createExam(store: Store, r: ExamRequest): Promise<{ exam: Exam; variants: Variant[] }> {
  const rules = checkRules(r);
  const blueprint = checkBlueprint(r.blueprint);
  const ecfPenalty = checkEcfPenalty(r.ecfPenalty);
  checkVersions(r.versions, 'body');
  if (r.id !== undefined) {
    if (!EXAM_ID.test(r.id)) throw new StepwiseError('invalid_request', `body.id must be an exam id from a preview, got ${JSON.stringify(r.id)}`, 'body.id');
    if (await store.exams.get(r.id)) throw new StepwiseError('conflict', `exam ${r.id} is already frozen`, 'body.id');
  }
  const secret = await store.secrets.server();
  // The store makes the exam id first (or takes the previewed one): item seeds are keyed by it.
  const build = (examId: string): { manifest: ManifestItem[][]; variants: NewVariant[] } => {
    const manifest = buildManifest(blueprint, r.versions, { secret, examId, seed: r.seed });
    const variants = problemsOf(manifest).flatMap((items, version) =>
      items.map((problem, index) =>
        variantFromProblem(problem, {
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
  const made = await store.exams.create(
    {
      title: r.title,
      ...(r.courseId ? { courseId: r.courseId } : {}),
      blueprint,
      versions: r.versions,
      seed: r.seed,
      createdBy: r.createdBy,
      ...rules,
      ...(ecfPenalty !== undefined ? { ecfPenalty } : {}),
    },
    build,
    r.id,
  );
  // The runs of its questions about model runs start computing at the freeze (the store makes an
  // exam's variants in one transaction, past the variant repository that queues them otherwise).
  for (const v of made.variants) await requestArtefactRuns(store, v, EXAM_QUEUE_LIMIT);
  return made;
}

export async function getExam(store: Store, id: string): Promise<Exam> {
  const e = await store.exams.get(id);
  if (!e) throw notFoundError('exam', id);
  return e;
}
