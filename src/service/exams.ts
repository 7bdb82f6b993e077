/**
 * Exams: a blueprint (topics or questions × count × difficulty) and N versions become a seed
 * manifest — every item's topic, question, seed and difficulty — from which every variant is
 * generated and frozen in one transaction. The manifest alone regenerates the whole exam.
 */
import { DEFAULT_TOLERANCE } from '../core/tolerance.js';
import { checkDifficulty, generateProblem, getQuestion, getTopic, problemStatement, resolve } from '../engine.js';
import type { ExportItem } from '../exports/types.js';
import { MAX_SEED, Rng } from '../generators/rng.js';
import { evaluateSteps } from '../solvers/solve.js';
import type { BlueprintEntry, Exam, ManifestItem, NewVariant, Store, Variant } from '../store/types.js';
import { notFound } from '../api/problem.js';
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

/** manifest[version][item], drawn from the exam seed; no (topic, seed) repeats within an exam. */
export function buildManifest(blueprint: BlueprintEntry[], versions: number, seed: number): ManifestItem[][] {
  const rng = new Rng(seed);
  const used = new Set<string>();
  const manifest: ManifestItem[][] = [];
  for (let v = 0; v < versions; v++) {
    const items: ManifestItem[] = [];
    for (const entry of blueprint) {
      const { topic, question } = resolve(entry.ref);
      for (let k = 0; k < entry.count; k++) {
        let s: number;
        do s = rng.int(0, MAX_SEED);
        while (used.has(`${entry.ref}:${s}`));
        used.add(`${entry.ref}:${s}`);
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
  const manifest = buildManifest(blueprint, r.versions, r.seed);
  const variants = (examId: string): NewVariant[] =>
    manifest.flatMap((items, version) =>
      items.map((item, index) =>
        variantFromProblem(generateProblem(item.question ?? item.topic, item.seed, item.difficulty), {
          mode: 'exam',
          createdBy: r.createdBy,
          courseId: r.courseId,
          examId,
          examVersion: version + 1, // versions are numbered from 1
          examItem: index,
        }),
      ),
    );
  return store.exams.create(
    { title: r.title, ...(r.courseId ? { courseId: r.courseId } : {}), blueprint, versions: r.versions, seed: r.seed, manifest, createdBy: r.createdBy, ...rules },
    variants,
  );
}

export async function getExam(store: Store, id: string): Promise<Exam> {
  const e = await store.exams.get(id);
  if (!e) throw notFound('exam', id);
  return e;
}

/** Frozen variants (an exam's, or any set) as LMS export items: statement, and per asked step its truth, marks and tolerance. */
export function exportItems(setTitle: string, variants: Variant[]): ExportItem[] {
  return variants.map((v, k) => {
    const topic = getTopic(v.topic);
    const q = v.question ? getQuestion(v.question) : undefined;
    const values = evaluateSteps(topic, v.params);
    const where = v.examVersion !== undefined ? `version ${v.examVersion}, item ${(v.examItem ?? 0) + 1}` : `item ${k + 1}`;
    return {
      id: v.id,
      title: `${setTitle} — ${where}: ${q?.title ?? topic.title}`,
      topic: v.topic,
      statement: problemStatement(topic, v.params, values, v.difficulty),
      steps: v.steps.map((id) => ({
        id,
        label: topic.steps[id].label,
        kind: topic.steps[id].kind,
        expected: values[id],
        marks: q?.marks?.[id] ?? topic.steps[id].marks ?? 1,
        tolerance: q?.tolerance ?? topic.steps[id].tolerance ?? DEFAULT_TOLERANCE,
      })),
    };
  });
}
