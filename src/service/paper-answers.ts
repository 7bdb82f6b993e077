/**
 * Paper answers back in: a CSV of answers typed in from paper exams (header row; columns student,
 * form, item, step, answer, in any order) graded by the same engine as online attempts (ECF, the
 * exam's blank-step policy) and stored as attempts marked `paper`, so results and statistics cover
 * paper and online alike. Every bad row is reported by its CSV line and field; good rows are kept.
 *
 * The rules (an instructor's action, so no exam window, attempt limit or release applies):
 * - `student` is a user id, or a name that exactly one user has; with `addStudents`, any other
 *   name becomes a new student (a class that sat the exam on paper only).
 * - `form` is the version's letter (A = version 1). A student not yet assigned a version is assigned
 *   the form they sat; one assigned another form has the row refused (their paper must match).
 *   Instructors are never assigned one here (their tries are previews).
 * - `item` is the 1-based position in the form; `step` an asked step's id; `answer` in the engine's
 *   answer syntax (a number, `[[1,2],[3,4]]`, `[1, 2; 3, 4]`, MATLAB `[1 2; 3 4]`, an expression,
 *   a class name); blank means the step was left blank.
 * - One paper attempt per student and item: a later upload re-grades it, its rows replacing those
 *   steps' answers and keeping the others, so a corrected row can be sent alone.
 */
import { parse } from 'csv-parse/sync';
import { StepwiseError } from '../core/errors.js';
import { getTopic } from '../engine.js';
import { answerLimitProblem, isBlank } from '../solvers/read-answer.js';
import type { Attempt, Exam, Store, User, Variant } from '../store/types.js';
import { gradeVariant } from './attempts.js';

/** Largest CSV accepted (about 40 000 typical rows). */
export const MAX_PAPER_CSV_BYTES = 2 * 1024 * 1024;
/** Most data rows in one CSV. */
export const MAX_PAPER_ROWS = 50_000;

export const PAPER_COLUMNS = ['student', 'form', 'item', 'step', 'answer'] as const;
type Column = (typeof PAPER_COLUMNS)[number];

export interface PaperRejection {
  /** The CSV line the row starts on (the header is line 1). */
  line: number;
  /** The column at fault (student, form, item, step, answer), or `row` for a row that does not parse. */
  field: Column | 'row';
  message: string;
}

export interface PaperReport {
  /** Answer rows stored (graded into attempts). */
  stored: number;
  /** Paper attempts written (one per student and item). */
  attempts: number;
  rejected: PaperRejection[];
  /** Students made now (with `addStudents`), by the name the CSV gave. */
  added: { name: string; userId: string }[];
}

export interface PaperOptions {
  /** Called as items are graded: done of total. */
  onProgress?: (done: number, total: number) => void;
  /**
   * A `student` that is no user's id or name becomes a new student of that name (a class that sat
   * the exam on paper only), made when their first answer is stored. Off by default: a typo would
   * otherwise make a student.
   */
  addStudents?: boolean;
}

/** A student the CSV names who is to be made when their first answer is stored. */
const NEW = '\u0000new:';

/** The form letter of a version (1 → A, 27 → AA), as pages and prints name them. */
export function formLetter(version: number): string {
  let s = '';
  for (let n = version; n > 0; n = Math.floor((n - 1) / 26)) s = String.fromCharCode(65 + ((n - 1) % 26)) + s;
  return s;
}

/** The version a form letter names (A → 1), or undefined. */
export function versionOfForm(form: string): number | undefined {
  if (!/^[A-Za-z]{1,3}$/.test(form)) return undefined;
  return [...form.toUpperCase()].reduce((n, c) => n * 26 + (c.charCodeAt(0) - 64), 0);
}

interface Row {
  line: number;
  user: User;
  version: number;
  variant: Variant;
  step: string;
  raw: unknown;
}

/** Grades and stores the CSV's answers to this exam; throws only when the file as a whole is unusable. */
export async function gradePaperAnswers(store: Store, exam: Exam, csv: string, opts: PaperOptions = {}): Promise<PaperReport> {
  if (Buffer.byteLength(csv, 'utf8') > MAX_PAPER_CSV_BYTES) {
    throw new StepwiseError('too_large', `the answers CSV is larger than ${MAX_PAPER_CSV_BYTES} bytes: split it into several files`, 'csv');
  }
  const rejected: PaperRejection[] = [];
  const records = readCsv(csv, rejected);
  if (records.length === 0) throw new StepwiseError('invalid_request', `the answers CSV is empty: it needs a header row (${PAPER_COLUMNS.join(', ')}) and one row per answer`, 'csv');
  const [header, ...body] = records;
  const col = headerColumns(header.record, header.line);
  if (body.length > MAX_PAPER_ROWS) throw new StepwiseError('too_large', `the answers CSV has ${body.length} rows; at most ${MAX_PAPER_ROWS} are accepted`, 'csv');

  const versions = new Map<number, Variant[]>();
  for (const v of await store.variants.listByExam(exam.id)) {
    const list = versions.get(v.examVersion!) ?? [];
    list[v.examItem!] = v;
    versions.set(v.examVersion!, list);
  }
  const students = new Map<string, User | string>();
  const findStudent = async (ref: string): Promise<User | string> => {
    const hit = students.get(ref);
    if (hit !== undefined) return hit;
    let found: User | string;
    const byId = await store.users.get(ref);
    if (byId) found = byId;
    else {
      const named = await store.users.findByName(ref);
      if (named.length === 1) found = named[0];
      else if (named.length > 1) found = `${named.length} users are named ${JSON.stringify(ref)}: use the user id`;
      // A user id that finds nobody is a mistake, never a new student's name.
      else if (opts.addStudents && ref.length <= 200 && !/^usr_[\w-]+$/.test(ref)) found = { id: NEW + ref, name: ref, role: 'student', createdAt: '' };
      else found = `no user has the id or the name ${JSON.stringify(ref)}${opts.addStudents ? '' : ' (to add the students of a paper-only class, grade with addStudents)'}`;
    }
    students.set(ref, found);
    return found;
  };
  // The form each student sat: their stored version, else the first form their rows name.
  const forms = new Map<string, { version: number; assigned: boolean }>();
  const seen = new Map<string, number>();
  const rows: Row[] = [];
  for (const { record, line } of body) {
    const cell = (c: Column) => (record[col[c]] ?? '').trim();
    const reject = (field: Column, message: string) => rejected.push({ line, field, message });
    const ref = cell('student');
    if (ref === '') {
      reject('student', 'the student is empty');
      continue;
    }
    const user = await findStudent(ref);
    if (typeof user === 'string') {
      reject('student', user);
      continue;
    }
    const version = versionOfForm(cell('form'));
    if (version === undefined || version > exam.versions) {
      reject('form', `${JSON.stringify(cell('form'))} is not a form of this exam: it has form${exam.versions === 1 ? ' A' : `s A to ${formLetter(exam.versions)}`}`);
      continue;
    }
    let sat = forms.get(user.id);
    if (!sat) {
      const stored = user.id.startsWith(NEW) ? undefined : await store.exams.assignment(exam.id, user.id);
      if (stored === undefined && user.role === 'instructor') {
        reject('student', `${ref} is an instructor, not assigned a form of this exam: instructors' tries are previews, never results`);
        continue;
      }
      sat = stored === undefined ? { version, assigned: false } : { version: stored, assigned: true };
      forms.set(user.id, sat);
    }
    if (sat.version !== version) {
      reject('form', `${ref} ${sat.assigned ? 'is assigned' : 'sat (by an earlier row)'} form ${formLetter(sat.version)}, not ${formLetter(version)}`);
      continue;
    }
    const items = versions.get(version) ?? [];
    const itemText = cell('item');
    const item = /^\d{1,6}$/.test(itemText) ? Number(itemText) : NaN;
    if (!(item >= 1 && item <= items.length)) {
      reject('item', `${JSON.stringify(itemText)} is not an item of form ${formLetter(version)}: its items are 1 to ${items.length}`);
      continue;
    }
    const variant = items[item - 1];
    const step = cell('step');
    if (!variant.steps.includes(step)) {
      reject('step', `${JSON.stringify(step)} is not a step asked in item ${item} of form ${formLetter(version)}: its steps are ${variant.steps.join(', ')}`);
      continue;
    }
    const key = JSON.stringify([user.id, variant.id, step]);
    const first = seen.get(key);
    if (first !== undefined) {
      reject('step', `a second answer to step ${step} of item ${item} for ${ref}: line ${first} has the first (kept)`);
      continue;
    }
    seen.set(key, line);
    const raw = paperAnswer(cell('answer'), getTopic(variant.topic).steps[step]?.kind === 'matrix');
    const over = answerLimitProblem(raw);
    if (over) {
      reject('answer', over.reason);
      continue;
    }
    rows.push({ line, user, version, variant, step, raw });
  }

  // One attempt per student and item: this upload's rows over the stored paper attempt's answers.
  const groups = new Map<string, Row[]>();
  for (const r of rows) {
    const k = `${r.user.id}\u0000${r.variant.id}`;
    groups.set(k, [...(groups.get(k) ?? []), r]);
  }
  const papers = new Map<string, Attempt>();
  for (const a of await store.attempts.listByExam(exam.id)) if (a.source === 'paper') papers.set(`${a.userId}\u0000${a.variantId}`, a);
  let stored = 0;
  let attempts = 0;
  const made = new Map<string, string>();
  const added: PaperReport['added'] = [];
  let done = 0;
  for (const [k, group] of groups) {
    const { variant, user, version } = group[0];
    const before = (papers.get(k)?.answers ?? {}) as Record<string, unknown>;
    const answers: Record<string, unknown> = { ...before };
    for (const r of group) {
      if (isBlank(r.raw)) delete answers[r.step];
      else answers[r.step] = r.raw;
    }
    let result = gradeVariant(variant, exam, answers);
    // An answer the grader cannot read is refused by its line (the step keeps what it had), and the rest graded again.
    const unreadable = new Map(result.steps.filter((s) => s.status === 'invalid').map((s) => [s.id, s.feedback]));
    let kept = group;
    if (unreadable.size > 0) {
      kept = [];
      for (const r of group) {
        const why = unreadable.get(r.step);
        if (why === undefined) kept.push(r);
        else rejected.push({ line: r.line, field: 'answer', message: why.replace(/^Cannot read this answer: /, '').replace(/\.$/, '') });
      }
      for (const id of unreadable.keys()) {
        if (before[id] === undefined) delete answers[id];
        else answers[id] = before[id];
      }
      result = gradeVariant(variant, exam, answers);
    }
    if (kept.length > 0) {
      let userId = user.id;
      if (userId.startsWith(NEW)) {
        userId = made.get(user.id) ?? (await store.users.create({ name: user.name, role: 'student' })).id;
        if (!made.has(user.id)) added.push({ name: user.name, userId });
        made.set(user.id, userId);
      }
      if (!forms.get(user.id)!.assigned) {
        await store.exams.assignVersion(exam.id, userId, version);
        forms.set(user.id, { version, assigned: true });
      }
      await store.attempts.putPaper({ variantId: variant.id, userId, answers, result });
      stored += kept.length;
      attempts++;
    }
    opts.onProgress?.(++done, groups.size);
  }
  rejected.sort((a, b) => a.line - b.line);
  return { stored, attempts, rejected, added };
}

/**
 * A typed-in answer as the grader takes it: MATLAB rows `[1 2; 3 4]` (no commas; the engine's own
 * reader takes JSON and `[1, 2; 3, 4]`) become rows of strings, as the pages' grid sends them;
 * anything else goes to the grader as written.
 */
export function paperAnswer(text: string, matrix: boolean): unknown {
  const m = /^\[([^[\],]*)\]$/.exec(text.trim());
  if (!m || !/\S\s+\S|;/.test(m[1])) return text;
  const rows = m[1].split(';').map((r) => r.trim().split(/\s+/).filter((x) => x !== ''));
  if (rows.some((r) => r.length === 0)) return text; // an empty row: let the reader say what is wrong
  return rows.length === 1 && !matrix ? rows[0] : rows;
}

interface CsvRecord {
  record: string[];
  line: number;
}

/** The CSV's records with the line each starts on; a record that does not parse is rejected by its line. */
function readCsv(csv: string, rejected: PaperRejection[]): CsvRecord[] {
  let records: { record: string[]; info: { lines: number } }[];
  try {
    records = parse(csv, {
      bom: true,
      info: true,
      relax_column_count: true,
      skip_empty_lines: true,
      skip_records_with_error: true,
      on_skip: (err) => {
        if (err) rejected.push({ line: typeof err.lines === 'number' ? err.lines : 0, field: 'row', message: err.message });
        return undefined;
      },
    }) as unknown as { record: string[]; info: { lines: number } }[];
  } catch (e) {
    const err = e as Error & { lines?: unknown };
    throw new StepwiseError('invalid_request', `the answers CSV cannot be read${typeof err.lines === 'number' ? ` at line ${err.lines}` : ''}: ${err.message}`, 'csv');
  }
  // info.lines is the line a record ends on; a quoted field may span lines.
  return records.map(({ record, info }) => ({ record, line: info.lines - record.reduce((n, f) => n + (f.match(/\n/g)?.length ?? 0), 0) }));
}

function headerColumns(header: string[], line: number): Record<Column, number> {
  const names = header.map((h) => h.trim().toLowerCase());
  const out = {} as Record<Column, number>;
  for (const c of PAPER_COLUMNS) {
    const i = names.indexOf(c);
    if (i < 0) {
      throw new StepwiseError('invalid_request', `the answers CSV's header (line ${line}) has no column ${JSON.stringify(c)}: it needs ${PAPER_COLUMNS.join(', ')}`, 'csv.header');
    }
    out[c] = i;
  }
  return out;
}
