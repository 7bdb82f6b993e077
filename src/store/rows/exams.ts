/**
 * The exams, courses and practice sessions tables' rows (db/migrations; db/pg-migrations/001_schema.sql
 * has the same columns) and their mapping to and from the domain records, for both backends.
 */
import type { BlankStepPolicy } from '../../solvers/grade.js';
import type { Difficulty } from '../../solvers/topic.js';
import type { BlueprintEntry, Course, CountsPolicy, Exam, ExamRepo, FeedbackPolicy, ManifestItem, NewExam, PracticeSession } from '../types.js';
import { problemFingerprint } from '../fingerprint.js';
import { newId, now } from '../ids.js';
import { json, opt } from './fields.js';
import { variantRow, type VariantRow } from './variants.js';

export interface ExamRow {
  id: string;
  title: string;
  course_id: string | null;
  blueprint: string;
  versions: number;
  seed: number;
  manifest: string;
  released_at: string | null;
  created_by: string;
  created_at: string;
  opens_at: string | null;
  closes_at: string | null;
  attempt_limit: number;
  feedback: FeedbackPolicy;
  counts: CountsPolicy;
  blank_steps: BlankStepPolicy;
  ecf_penalty: number | null;
}

export const toExam = (r: ExamRow): Exam => ({
  id: r.id,
  title: r.title,
  ...opt('courseId', r.course_id),
  blueprint: json<BlueprintEntry[]>(r.blueprint),
  versions: r.versions,
  seed: r.seed,
  manifest: json<ManifestItem[][]>(r.manifest),
  ...opt('releasedAt', r.released_at),
  ...opt('opensAt', r.opens_at),
  ...opt('closesAt', r.closes_at),
  attemptLimit: r.attempt_limit,
  feedback: r.feedback,
  counts: r.counts,
  blankSteps: r.blank_steps,
  ...opt('ecfPenalty', r.ecf_penalty),
  createdBy: r.created_by,
  createdAt: r.created_at,
});

/** A new exam's row (unreleased), with the rules' defaults where the input leaves them out. */
export const examRow = (id: string, exam: Omit<NewExam, 'manifest'>, manifest: ManifestItem[][]): ExamRow => ({
  id,
  title: exam.title,
  course_id: exam.courseId ?? null,
  blueprint: JSON.stringify(exam.blueprint),
  versions: exam.versions,
  seed: exam.seed,
  manifest: JSON.stringify(manifest),
  released_at: null,
  created_by: exam.createdBy,
  created_at: now(),
  opens_at: exam.opensAt ?? null,
  closes_at: exam.closesAt ?? null,
  attempt_limit: exam.attemptLimit ?? 1,
  feedback: exam.feedback ?? 'none',
  counts: exam.counts ?? 'last',
  blank_steps: exam.blankSteps ?? 'shown',
  ecf_penalty: exam.ecfPenalty ?? null,
});

/**
 * A new exam's rows, as ExamRepo.create takes its arguments: the exam (its id `chosenId` or a fresh
 * one, which `build` derives the manifest and variants from), every variant, and each variant's
 * problem fingerprint. The backend writes them in one transaction.
 */
export function newExamRows(...[exam, build, chosenId]: Parameters<ExamRepo['create']>): {
  row: ExamRow;
  variants: VariantRow[];
  prints: { variantId: string; fingerprint: string }[];
} {
  const id = chosenId ?? newId('exm');
  const { manifest, variants } = build(id);
  const row = examRow(id, exam, manifest);
  const rows = variants.map(variantRow);
  const prints = variants.map((v, i) => ({ variantId: rows[i].id, fingerprint: problemFingerprint(v.topic, v.params) }));
  return { row, variants: rows, prints };
}

export interface CourseRow {
  id: string;
  title: string;
  created_by: string;
  created_at: string;
}

export const toCourse = (r: CourseRow): Course => ({ id: r.id, title: r.title, createdBy: r.created_by, createdAt: r.created_at });

export interface SessionRow {
  id: string;
  user_id: string;
  topics: string;
  difficulty: Difficulty;
  created_at: string;
}

export const toSession = (r: SessionRow): PracticeSession => ({
  id: r.id,
  userId: r.user_id,
  topics: json<string[]>(r.topics),
  difficulty: r.difficulty,
  createdAt: r.created_at,
});
