/**
 * The store, as the service sees it: one interface of repositories, so a PostgreSQL backend can be
 * added beside SQLite without touching the routes. Methods are async for that reason, although
 * the SQLite backend completes each one synchronously (its writes are committed when they return).
 */
import type { GradeResult } from '../solvers/grade.js';
import type { Problem } from '../engine.js';
import type { Difficulty } from '../solvers/topic.js';
import type { LtiRepo } from '../lti/types.js';

export type Role = 'instructor' | 'student';
export type VariantMode = 'practice' | 'exam';

export interface User {
  id: string;
  name: string;
  role: Role;
  ltiIssuer?: string;
  ltiSubject?: string;
  createdAt: string;
}

export interface ApiKey {
  id: string;
  userId: string;
  role: Role;
  label: string;
  /** The first characters of the secret, to tell keys apart; the secret itself is never stored. */
  prefix: string;
  createdAt: string;
  expiresAt?: string;
  revokedAt?: string;
  /** Set on keys an LTI launch mints: what the key may reach (see src/api/auth.ts). */
  scope?: KeyScope;
}

/**
 * The reach of an LTI launch key: the resource link it was launched from, that link's course
 * (context) and, when the link opens an exam, that exam. A scoped instructor key may read and
 * release that exam's results and work on variants, nothing server-wide.
 */
export interface KeyScope {
  /** Stepwise's id of the LTI resource link. */
  resourceLink: string;
  contextId?: string;
  examId?: string;
}

export interface Course {
  id: string;
  title: string;
  createdBy: string;
  createdAt: string;
}

/** A generated problem, frozen: the engine's Problem with where it was served. */
export interface Variant extends Problem {
  id: string;
  mode: VariantMode;
  courseId?: string;
  sessionId?: string;
  examId?: string;
  examVersion?: number;
  examItem?: number;
  createdBy: string;
  createdAt: string;
}

export type NewVariant = Omit<Variant, 'id' | 'createdAt'>;

export interface Attempt {
  id: string;
  variantId: string;
  userId: string;
  answers: unknown;
  result: GradeResult;
  score: number;
  maxScore: number;
  createdAt: string;
}

export type NewAttempt = Omit<Attempt, 'id' | 'createdAt' | 'score' | 'maxScore'>;

export interface PracticeSession {
  id: string;
  userId: string;
  topics: string[];
  difficulty: Difficulty;
  createdAt: string;
}

export interface BlueprintEntry {
  /** A topic id or a question id. */
  ref: string;
  count: number;
  difficulty: Difficulty;
}

/** One item of an exam version: enough to regenerate its variant exactly. */
export interface ManifestItem {
  topic: string;
  question?: string;
  seed: number;
  difficulty: Difficulty;
}

export interface Exam {
  id: string;
  title: string;
  courseId?: string;
  blueprint: BlueprintEntry[];
  versions: number;
  seed: number;
  /** manifest[version][item]: the seed manifest that freezes every variant. */
  manifest: ManifestItem[][];
  releasedAt?: string;
  createdBy: string;
  createdAt: string;
}

export type NewExam = Omit<Exam, 'id' | 'createdAt' | 'releasedAt'>;

export interface UserRepo {
  create(input: { name: string; role: Role; ltiIssuer?: string; ltiSubject?: string }): Promise<User>;
  get(id: string): Promise<User | undefined>;
  findByLti(issuer: string, subject: string): Promise<User | undefined>;
}

export interface KeyRepo {
  /** Creates a key; `secret` may be supplied (the bootstrap key), else one is generated. */
  create(input: { userId: string; role: Role; label: string; expiresAt?: string; secret?: string; scope?: KeyScope }): Promise<{ key: ApiKey; secret: string }>;
  /** The active (unrevoked, unexpired) key with this secret, and its user. */
  authenticate(secret: string): Promise<{ key: ApiKey; user: User } | undefined>;
  list(userId: string): Promise<ApiKey[]>;
  revoke(id: string): Promise<ApiKey | undefined>;
  /** Active keys of this role with no scope (LTI launch keys do not count). */
  countActive(role: Role): Promise<number>;
}

export interface CourseRepo {
  create(input: { title: string; createdBy: string }): Promise<Course>;
  get(id: string): Promise<Course | undefined>;
  list(): Promise<Course[]>;
}

export interface VariantRepo {
  create(input: NewVariant): Promise<Variant>;
  get(id: string): Promise<Variant | undefined>;
  listByExam(examId: string, version?: number): Promise<Variant[]>;
  listBySession(sessionId: string): Promise<Variant[]>;
  /** Whether this exact problem (topic and params) is a variant of an exam not yet released. */
  inUnreleasedExam(topic: string, params: unknown): Promise<boolean>;
}

export interface AttemptRepo {
  /** Stores the attempt and one row per graded step, in one transaction. */
  create(input: NewAttempt): Promise<Attempt>;
  get(id: string): Promise<Attempt | undefined>;
  listByVariant(variantId: string): Promise<Attempt[]>;
  listByExam(examId: string): Promise<Attempt[]>;
  listBySession(sessionId: string): Promise<Attempt[]>;
  count(): Promise<number>;
}

export interface SessionRepo {
  create(input: { userId: string; topics: string[]; difficulty: Difficulty }): Promise<PracticeSession>;
  get(id: string): Promise<PracticeSession | undefined>;
}

export interface ExamRepo {
  /** Stores the exam and every version's variants in one transaction. */
  create(exam: NewExam, variants: (examId: string) => NewVariant[]): Promise<{ exam: Exam; variants: Variant[] }>;
  get(id: string): Promise<Exam | undefined>;
  list(): Promise<Exam[]>;
  /** The user's version (0-based): the stored one, else the next in rotation, stored now. */
  assign(examId: string, userId: string, versions: number): Promise<number>;
  assignment(examId: string, userId: string): Promise<number | undefined>;
  release(id: string): Promise<Exam | undefined>;
}

export interface Store {
  readonly users: UserRepo;
  readonly keys: KeyRepo;
  readonly courses: CourseRepo;
  readonly variants: VariantRepo;
  readonly attempts: AttemptRepo;
  readonly sessions: SessionRepo;
  readonly exams: ExamRepo;
  readonly lti: LtiRepo;
  /** Health: the backend answers and its data is sound (SQLite: PRAGMA quick_check). */
  check(): Promise<{ ok: boolean; detail: string }>;
  close(): Promise<void>;
}
