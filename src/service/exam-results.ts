/**
 * Exam results: every student assigned a version, each item by the exam's counting rule (the LTI
 * exam total uses the same function), as JSON or as CSV safe to open in a spreadsheet.
 */
import type { Attempt, Exam, Store } from '../store/types.js';
import { countedAttempt } from './exam-rules.js';
import { variantMaxMarks } from './exam-marks.js';

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

/** One student's counted result on their version: per item and in total (also what LTI posts). */
export async function studentExamResult(store: Store, exam: Exam, userId: string, version: number, allAttempts?: readonly Attempt[]) {
  const variants = await store.variants.listByExam(exam.id, version);
  const mine = (allAttempts ?? (await store.attempts.listByExam(exam.id))).filter((a) => a.userId === userId && !a.preview);
  const items = variants.map((v) => {
    const tries = mine.filter((a) => a.variantId === v.id);
    const a = countedAttempt(exam, tries);
    return { variantId: v.id, topic: v.topic, attemptId: a?.id ?? null, score: a?.score ?? null, maxScore: a?.maxScore ?? variantMaxMarks(exam, v), attempts: tries.length };
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
    // Whoever was assigned a version sits the exam, whatever role their user record first got (an
    // LMS user may launch once as an instructor); instructors' own tries are previews, not assigned.
    if (!user) continue;
    const r = await studentExamResult(store, exam, userId, version, attempts);
    students.push({ userId, name: user.name, version, score: r.score, maxScore: r.maxScore, items: r.items });
  }
  students.sort((a, b) => a.name.localeCompare(b.name) || a.userId.localeCompare(b.userId));
  return { examId: exam.id, title: exam.title, released: exam.releasedAt !== undefined, counts: exam.counts, students };
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
