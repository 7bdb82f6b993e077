/** Exams (blueprint, seed manifest, release), courses and practice sessions in SQLite. */
import type { Course, CourseRepo, ExamRepo, PracticeSession, SessionRepo } from '../types.js';
import { newId, now } from '../ids.js';
import { StepwiseError } from '../../core/errors.js';
import { newExamRows, toCourse, toExam, toSession, type CourseRow, type ExamRow, type SessionRow } from '../rows/exams.js';
import { toVariant } from '../rows/variants.js';
import { writeTransaction, type Db } from './db.js';
import { examFingerprints } from './fingerprints.js';
import { insertVariantStatement } from './variants.js';

export function sqliteExams(db: Db): ExamRepo {
  const insert = db.prepare(
    `INSERT INTO exams (id, title, course_id, blueprint, versions, seed, manifest, released_at, created_by, created_at,
                        opens_at, closes_at, attempt_limit, feedback, counts, blank_steps, ecf_penalty)
     VALUES (@id, @title, @course_id, @blueprint, @versions, @seed, @manifest, @released_at, @created_by, @created_at,
             @opens_at, @closes_at, @attempt_limit, @feedback, @counts, @blank_steps, @ecf_penalty)`,
  );
  const insertVariant = insertVariantStatement(db);
  const fingerprints = examFingerprints(db);
  const byId = db.prepare<[string], ExamRow>('SELECT * FROM exams WHERE id = ?');
  const all = db.prepare<[], ExamRow>('SELECT * FROM exams ORDER BY created_at, rowid');
  const release = db.prepare('UPDATE exams SET released_at = ? WHERE id = ? AND released_at IS NULL');
  const getAssignment = db.prepare<[string, string], { version: number }>('SELECT version FROM exam_assignments WHERE exam_id = ? AND user_id = ?');
  const insertAssignment = db.prepare('INSERT INTO exam_assignments (exam_id, user_id, version, assigned_at) VALUES (?, ?, ?, ?)');
  const countAssigned = db.prepare<[string], { n: number }>('SELECT count(*) AS n FROM exam_assignments WHERE exam_id = ?');
  const allAssigned = db.prepare<[string], { user_id: string; version: number }>(
    'SELECT user_id, version FROM exam_assignments WHERE exam_id = ? ORDER BY assigned_at, rowid',
  );
  // No index leads with user_id (the key is exam, user): a scan, small beside a page's other reads.
  const byUser = db.prepare<[string], { exam_id: string; version: number }>('SELECT exam_id, version FROM exam_assignments WHERE user_id = ? ORDER BY assigned_at, rowid');
  // Versions go round in turn, so a class spreads evenly over them; a student keeps theirs.
  // Stored 0-based; the domain (and every JSON and CSV) numbers versions from 1.
  const assign = writeTransaction(db, (examId: string, userId: string, versions: number): number => {
    const existing = getAssignment.get(examId, userId);
    if (existing) return existing.version + 1;
    const version = (countAssigned.get(examId)?.n ?? 0) % versions;
    insertAssignment.run(examId, userId, version, now());
    return version + 1;
  });
  const assignVersion = writeTransaction(db, (examId: string, userId: string, version: number): number => {
    const existing = getAssignment.get(examId, userId);
    if (existing) return existing.version + 1;
    insertAssignment.run(examId, userId, version - 1, now());
    return version;
  });
  return {
    async create(exam, build, chosenId) {
      const { row, variants: rows, prints } = newExamRows(exam, build, chosenId);
      const id = row.id;
      // The exam, every variant of every version and their fingerprints commit together.
      writeTransaction(db, () => {
        // A previewed id frozen twice at once: the second insert finds the first (a conflict, not a crash).
        if (chosenId !== undefined && byId.get(id)) throw new StepwiseError('conflict', `exam ${id} is already frozen`, 'body.id');
        insert.run(row);
        rows.forEach((v, i) => {
          insertVariant.run(v);
          fingerprints.add(v.id, id, prints[i].fingerprint);
        });
      })();
      return { exam: toExam(row), variants: rows.map(toVariant) };
    },
    async get(id) {
      const r = byId.get(id);
      return r && toExam(r);
    },
    async list() {
      return all.all().map(toExam);
    },
    async assign(examId, userId, versions) {
      return assign(examId, userId, versions);
    },
    async assignVersion(examId, userId, version) {
      return assignVersion(examId, userId, version);
    },
    async assignment(examId, userId) {
      const r = getAssignment.get(examId, userId);
      return r && r.version + 1;
    },
    async assignments(examId) {
      return allAssigned.all(examId).map((r) => ({ userId: r.user_id, version: r.version + 1 }));
    },
    async assignedTo(userId) {
      return byUser.all(userId).map((r) => ({ examId: r.exam_id, version: r.version + 1 }));
    },
    async release(id) {
      release.run(now(), id);
      const r = byId.get(id);
      return r && toExam(r);
    },
  };
}

export function sqliteCourses(db: Db): CourseRepo {
  const insert = db.prepare('INSERT INTO courses (id, title, created_by, created_at) VALUES (@id, @title, @createdBy, @createdAt)');
  const byId = db.prepare<[string], CourseRow>('SELECT * FROM courses WHERE id = ?');
  const all = db.prepare<[], CourseRow>('SELECT * FROM courses ORDER BY created_at, rowid');
  const addMember = db.prepare('INSERT OR IGNORE INTO course_members (course_id, user_id, added_at) VALUES (?, ?, ?)');
  const members = db.prepare<[string], { user_id: string }>('SELECT user_id FROM course_members WHERE course_id = ? ORDER BY added_at, rowid');
  return {
    async create(input) {
      const c: Course = { id: newId('crs'), title: input.title, createdBy: input.createdBy, createdAt: now() };
      insert.run(c);
      return c;
    },
    async get(id) {
      const r = byId.get(id);
      return r && toCourse(r);
    },
    async list() {
      return all.all().map(toCourse);
    },
    async addMember(courseId, userId) {
      addMember.run(courseId, userId, now());
    },
    async members(courseId) {
      return members.all(courseId).map((r) => r.user_id);
    },
  };
}

export function sqliteSessions(db: Db): SessionRepo {
  const insert = db.prepare('INSERT INTO practice_sessions (id, user_id, topics, difficulty, created_at) VALUES (?, ?, ?, ?, ?)');
  const byId = db.prepare<[string], SessionRow>('SELECT * FROM practice_sessions WHERE id = ?');
  return {
    async create(input) {
      const s: PracticeSession = { id: newId('prs'), userId: input.userId, topics: input.topics, difficulty: input.difficulty, createdAt: now() };
      insert.run(s.id, s.userId, JSON.stringify(s.topics), s.difficulty, s.createdAt);
      return s;
    },
    async get(id) {
      const r = byId.get(id);
      return r && toSession(r);
    },
  };
}
