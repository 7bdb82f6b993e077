/**
 * Exams: a blueprint (topics or questions × count × difficulty) and N versions become a seed
 * manifest — every item's topic, question, seed and difficulty — from which every variant is
 * generated and frozen in one transaction. The manifest alone regenerates the whole exam.
 */
import { StepwiseError } from '../core/errors.js';
import { DEFAULT_TOLERANCE } from '../core/tolerance.js';
import { BLANK_STEP_POLICIES, checkDifficulty, generateProblem, getQuestion, getTopic, problemStatement, resolve } from '../engine.js';
import type { ExportItem } from '../exports/types.js';
import { MAX_SEED, Rng } from '../generators/rng.js';
import { evaluateSteps } from '../solvers/solve.js';
import {
  COUNTS_POLICIES,
  FEEDBACK_POLICIES,
  type Attempt,
  type BlueprintEntry,
  type Exam,
  type ExamRules,
  type ManifestItem,
  type NewVariant,
  type Store,
  type Variant,
} from '../store/types.js';
import { notFound } from '../api/problem.js';
import { variantFromProblem } from './variants.js';

export interface ExamRequest {
  title: string;
  courseId?: string;
  blueprint: { topic: string; count: number; difficulty?: string }[];
  versions: number;
  seed: number;
  createdBy: string;
  /** Exam rules; absent ones take the exam defaults (see checkRules). */
  opensAt?: string;
  closesAt?: string;
  attemptLimit?: number;
  feedback?: string;
  counts?: string;
  blankSteps?: string;
}

/**
 * The exam's rules with their defaults: open whenever (no times), 1 attempt per item, no feedback
 * while open, the last attempt before close counts, blank steps earn nothing (`shown`). Times are
 * stored as UTC ISO 8601. A bad value is a 422 naming its field.
 */
export function checkRules(r: Partial<Record<keyof ExamRules, unknown>>, path = 'body'): ExamRules {
  const time = (x: unknown, field: string): string | undefined => {
    if (x === undefined) return undefined;
    const ymd = typeof x === 'string' ? /^(\d{4})-(\d{2})-(\d{2})T/.exec(x) : null;
    // Date.parse rolls 30 February over into March: the day must exist in its month.
    const real = ymd !== null && new Date(Date.UTC(+ymd[1], +ymd[2] - 1, +ymd[3])).getUTCDate() === +ymd[3];
    const ms = real ? Date.parse(x as string) : NaN;
    if (!Number.isFinite(ms)) throw new StepwiseError('invalid_request', `${path}.${field} must be an ISO 8601 date-time, got ${JSON.stringify(x)}`, `${path}.${field}`);
    return new Date(ms).toISOString();
  };
  const oneOf = <T extends string>(x: unknown, field: string, allowed: readonly T[], fallback: T): T => {
    if (x === undefined) return fallback;
    if (typeof x === 'string' && (allowed as readonly string[]).includes(x)) return x as T;
    throw new StepwiseError('invalid_request', `${path}.${field} must be one of ${allowed.join(', ')}, got ${JSON.stringify(x)}`, `${path}.${field}`);
  };
  const opensAt = time(r.opensAt, 'opensAt');
  const closesAt = time(r.closesAt, 'closesAt');
  if (opensAt && closesAt && Date.parse(closesAt) <= Date.parse(opensAt)) {
    throw new StepwiseError('invalid_request', `${path}.closesAt (${closesAt}) must be after ${path}.opensAt (${opensAt})`, `${path}.closesAt`);
  }
  const limit = r.attemptLimit ?? 1;
  if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 1) {
    throw new StepwiseError('invalid_request', `${path}.attemptLimit must be a whole number ≥ 1, got ${JSON.stringify(r.attemptLimit)}`, `${path}.attemptLimit`);
  }
  return {
    ...(opensAt ? { opensAt } : {}),
    ...(closesAt ? { closesAt } : {}),
    attemptLimit: limit,
    feedback: oneOf(r.feedback, 'feedback', FEEDBACK_POLICIES, 'none'),
    counts: oneOf(r.counts, 'counts', COUNTS_POLICIES, 'last'),
    blankSteps: oneOf(r.blankSteps, 'blankSteps', BLANK_STEP_POLICIES, 'shown'),
  };
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

export interface ExamResults {
  examId: string;
  title: string;
  released: boolean;
  counts: Exam['counts'];
  students: {
    userId: string;
    name: string;
    /** 1-based. */
    version: number;
    /** The counted attempts' total; null when the student submitted nothing. */
    score: number | null;
    maxScore: number;
    /** Per item of the version: the counted attempt, or nulls when none was submitted. */
    items: { variantId: string; topic: string; attemptId: string | null; score: number | null; maxScore: number; attempts: number }[];
  }[];
}

/**
 * The attempt that counts for one student's item under the exam's `counts` rule, among their
 * attempts in time order: only attempts made before the close count; `last` (default), `first`,
 * or `best` (the highest score, the earliest on a tie).
 */
export function countedAttempt(rules: Pick<ExamRules, 'counts' | 'closesAt'>, attempts: readonly Attempt[]): Attempt | undefined {
  const close = rules.closesAt === undefined ? Infinity : Date.parse(rules.closesAt);
  const valid = attempts.filter((a) => Date.parse(a.createdAt) < close);
  if (valid.length === 0) return undefined;
  if (rules.counts === 'first') return valid[0];
  if (rules.counts === 'best') return valid.reduce((b, a) => (a.score > b.score ? a : b));
  return valid[valid.length - 1];
}

/** One student's counted result on their version: per item and in total (also what LTI posts). */
export async function studentExamResult(store: Store, exam: Exam, userId: string, version: number, allAttempts?: readonly Attempt[]) {
  const variants = await store.variants.listByExam(exam.id, version);
  const mine = (allAttempts ?? (await store.attempts.listByExam(exam.id))).filter((a) => a.userId === userId);
  const items = variants.map((v) => {
    const tries = mine.filter((a) => a.variantId === v.id);
    const a = countedAttempt(exam, tries);
    return { variantId: v.id, topic: v.topic, attemptId: a?.id ?? null, score: a?.score ?? null, maxScore: a?.maxScore ?? maxScoreOf(v), attempts: tries.length };
  });
  const done = items.filter((i) => i.score !== null);
  return {
    items,
    score: done.length === 0 ? null : round(done.reduce((t, i) => t + i.score!, 0)),
    maxScore: round(items.reduce((t, i) => t + i.maxScore, 0)),
    complete: done.length === items.length,
  };
}

/** Every student assigned a version (by my-version or an LTI launch), attempts or not, each item by the exam's `counts` rule. */
export async function examResults(store: Store, exam: Exam): Promise<ExamResults> {
  const attempts = await store.attempts.listByExam(exam.id);
  const students: ExamResults['students'] = [];
  for (const { userId, version } of await store.exams.assignments(exam.id)) {
    const user = await store.users.get(userId);
    if (!user || user.role !== 'student') continue; // instructors trying the exam are not students
    const r = await studentExamResult(store, exam, userId, version, attempts);
    students.push({ userId, name: user.name, version, score: r.score, maxScore: r.maxScore, items: r.items });
  }
  students.sort((a, b) => a.name.localeCompare(b.name) || a.userId.localeCompare(b.userId));
  return { examId: exam.id, title: exam.title, released: exam.releasedAt !== undefined, counts: exam.counts, students };
}

function maxScoreOf(v: Variant): number {
  const q = v.question ? getQuestion(v.question) : undefined;
  const topic = getTopic(v.topic);
  return v.steps.reduce((t, id) => t + (q?.marks?.[id] ?? topic.steps[id].marks ?? 1), 0);
}

const round = (x: number): number => Math.round(x * 1e9) / 1e9;

/**
 * A CSV cell. Text a spreadsheet would read as a formula (a leading =, +, -, @, tab or CR) gets a
 * leading single quote (OWASP's advice), so a student named "=HYPERLINK(…)" stays text; numbers stay
 * numbers (a negative score is not a formula). Then RFC 4180 quoting.
 */
export function csvCell(x: unknown): string {
  if (x === null || x === undefined) return '';
  let s = typeof x === 'number' ? (Number.isFinite(x) ? String(x) : '') : String(x);
  if (typeof x !== 'number' && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** RFC 4180 CSV: one row per student (blank cells for items not submitted); item columns follow the version's order; versions from 1. */
export function resultsCsv(r: ExamResults): string {
  const width = Math.max(0, ...r.students.map((s) => s.items.length));
  const header = ['user_id', 'name', 'version', ...Array.from({ length: width }, (_, i) => `item_${i + 1}`), 'score', 'max_score'];
  const rows = r.students.map((s) => [s.userId, s.name, s.version, ...Array.from({ length: width }, (_, i) => s.items[i]?.score ?? null), s.score, s.maxScore]);
  return [header, ...rows].map((row) => row.map(csvCell).join(',')).join('\r\n') + '\r\n';
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

/** A student may not see an exam's problems before it opens (409 exam_not_open); instructors may. */
export function assertExamStarted(exam: Exam, isInstructor: boolean, at = Date.now()): void {
  if (!isInstructor && exam.opensAt !== undefined && at < Date.parse(exam.opensAt)) {
    throw new StepwiseError('exam_not_open', `this exam opens at ${exam.opensAt}`);
  }
}

/**
 * Releases the answer keys. Only after the close, so no student can still submit with the key in
 * view; before it (or with no close time) only with `force`, which also ends the exam: attempts
 * are refused once it is released. Releasing twice is harmless.
 */
export async function releaseExam(store: Store, exam: Exam, force: boolean): Promise<Exam> {
  if (exam.releasedAt === undefined && !force) {
    if (exam.closesAt === undefined) {
      throw new StepwiseError('exam_open', 'this exam has no close time, so students may still be answering: release it with {"force": true} to end it now', 'body.force');
    }
    if (Date.now() < Date.parse(exam.closesAt)) {
      throw new StepwiseError('exam_open', `this exam is open until ${exam.closesAt}: release it then, or now with {"force": true}`, 'body.force');
    }
  }
  return (await store.exams.release(exam.id)) ?? exam;
}
