/**
 * Courses and practice sessions in PostgreSQL (../sqlite/exams.ts holds them on SQLite). A file of
 * their own here, beside pg/exams.ts, which holds the exams.
 */
import type { Course, CourseRepo, PracticeSession, SessionRepo } from '../types.js';
import { newId, now } from '../ids.js';
import { toCourse, toSession, type CourseRow, type SessionRow } from '../rows/exams.js';
import { sqlOf, type Pool } from './db.js';

export function pgCourses(pool: Pool): CourseRepo {
  const sql = sqlOf(pool);
  return {
    async create(input) {
      const c: Course = { id: newId('crs'), title: input.title, createdBy: input.createdBy, createdAt: now() };
      await sql.query('INSERT INTO courses (id, title, created_by, created_at) VALUES ($1, $2, $3, $4)', [c.id, c.title, c.createdBy, c.createdAt]);
      return c;
    },
    async get(id) {
      const [r] = await sql.query<CourseRow>('SELECT * FROM courses WHERE id = $1', [id]);
      return r && toCourse(r);
    },
    async list() {
      return (await sql.query<CourseRow>('SELECT * FROM courses ORDER BY created_at, seq')).map(toCourse);
    },
    async addMember(courseId, userId) {
      // Again: no change (INSERT OR IGNORE on SQLite).
      await sql.query('INSERT INTO course_members (course_id, user_id, added_at) VALUES ($1, $2, $3) ON CONFLICT (course_id, user_id) DO NOTHING', [courseId, userId, now()]);
    },
    async members(courseId) {
      return (await sql.query<{ user_id: string }>('SELECT user_id FROM course_members WHERE course_id = $1 ORDER BY added_at, seq', [courseId])).map((r) => r.user_id);
    },
  };
}

export function pgSessions(pool: Pool): SessionRepo {
  const sql = sqlOf(pool);
  return {
    async create(input) {
      const s: PracticeSession = { id: newId('prs'), userId: input.userId, topics: input.topics, difficulty: input.difficulty, createdAt: now() };
      await sql.query('INSERT INTO practice_sessions (id, user_id, topics, difficulty, created_at) VALUES ($1, $2, $3, $4, $5)', [
        s.id,
        s.userId,
        JSON.stringify(s.topics),
        s.difficulty,
        s.createdAt,
      ]);
      return s;
    },
    async get(id) {
      const [r] = await sql.query<SessionRow>('SELECT * FROM practice_sessions WHERE id = $1', [id]);
      return r && toSession(r);
    },
  };
}
