/**
 * The store, as the service sees it: one interface of repositories, so a PostgreSQL backend can be
 * added beside SQLite without touching the routes. Methods are async for that reason, although
 * the SQLite backend completes each one synchronously (its writes are committed when they return).
 */
import type { BlankStepPolicy, GradeResult } from '../solvers/grade.js';
import type { Problem } from '../engine.js';
import type { Difficulty } from '../solvers/topic.js';
import type { LtiRepo, PassbackJobRepo } from './lti-types.js';

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
  /** The exam version, 1-based (the store keeps it 0-based). */
  examVersion?: number;
  /** The item's 0-based position in its version. */
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
  /** An instructor's try at an exam item: in no result, not counted against the attempt limit. */
  preview?: boolean;
  /** 'paper': typed in from a paper exam by an instructor (absent: submitted online). */
  source?: 'paper';
  createdAt: string;
}

export type NewAttempt = Omit<Attempt, 'id' | 'createdAt' | 'score' | 'maxScore' | 'source'>;

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
  /** Each item's total marks: its steps' marks scaled to this (absent: the steps' own marks). */
  marks?: number;
}

/** One item of an exam version: enough to regenerate its variant exactly. */
export interface ManifestItem {
  topic: string;
  question?: string;
  seed: number;
  difficulty: Difficulty;
  /** The item's total marks, from its blueprint row (absent: its steps' own marks). */
  marks?: number;
}

/** While an unreleased exam is open, a student sees of an attempt: nothing but its receipt, step statuses, or statuses with credit and feedback. */
export type FeedbackPolicy = 'none' | 'status' | 'full';
/** Which of a student's attempts at an item counts: the last (before close), the best, or the first. */
export type CountsPolicy = 'last' | 'best' | 'first';
export const FEEDBACK_POLICIES: readonly FeedbackPolicy[] = ['none', 'status', 'full'];
export const COUNTS_POLICIES: readonly CountsPolicy[] = ['last', 'best', 'first'];

/** The rules an exam is taken under (defaults: always open, 1 attempt, no feedback, last counts, blanks shown). */
export interface ExamRules {
  opensAt?: string;
  closesAt?: string;
  attemptLimit: number;
  feedback: FeedbackPolicy;
  counts: CountsPolicy;
  blankSteps: BlankStepPolicy;
}

export interface Exam extends ExamRules {
  id: string;
  title: string;
  courseId?: string;
  blueprint: BlueprintEntry[];
  versions: number;
  seed: number;
  /** manifest[version][item]: the seed manifest that freezes every variant. */
  manifest: ManifestItem[][];
  /** Share of a carried step's marks withheld in every item (0 full ECF … 1 none); absent: each question's own policy. */
  ecfPenalty?: number;
  releasedAt?: string;
  createdBy: string;
  createdAt: string;
}

/** Rules left out take the exam defaults (always open, 1 attempt, feedback none, last counts, blanks shown). */
export type NewExam = Omit<Exam, 'id' | 'createdAt' | 'releasedAt' | keyof ExamRules> & Partial<ExamRules>;

export interface UserRepo {
  create(input: { name: string; role: Role; ltiIssuer?: string; ltiSubject?: string }): Promise<User>;
  get(id: string): Promise<User | undefined>;
  findByLti(issuer: string, subject: string): Promise<User | undefined>;
  /** Every user with exactly this name, oldest first. */
  findByName(name: string): Promise<User[]>;
  /** The local user with this handle (the command line's own instructor), made now if there is none. */
  local(handle: string, input: { name: string; role: Role }): Promise<User>;
}

export interface KeyRepo {
  /** Creates a key; `secret` may be supplied (the bootstrap key), else one is generated. */
  create(input: { userId: string; role: Role; label: string; expiresAt?: string; secret?: string; scope?: KeyScope }): Promise<{ key: ApiKey; secret: string }>;
  /** The active (unrevoked, unexpired) key with this secret, and its user. */
  authenticate(secret: string): Promise<{ key: ApiKey; user: User } | undefined>;
  /** The key with this secret whatever its state (revoked, expired), for the bootstrap key. */
  findBySecret(secret: string): Promise<ApiKey | undefined>;
  list(userId: string): Promise<ApiKey[]>;
  revoke(id: string): Promise<ApiKey | undefined>;
  /** Active keys of this role with no scope (LTI launch keys do not count). */
  countActive(role: Role): Promise<number>;
}

export interface CourseRepo {
  create(input: { title: string; createdBy: string }): Promise<Course>;
  get(id: string): Promise<Course | undefined>;
  list(): Promise<Course[]>;
  /** Puts a user on the course's roster (again: no change). */
  addMember(courseId: string, userId: string): Promise<void>;
  /** The course's roster, in the order added. */
  members(courseId: string): Promise<string[]>;
}

export interface VariantRepo {
  create(input: NewVariant): Promise<Variant>;
  get(id: string): Promise<Variant | undefined>;
  listByExam(examId: string, version?: number): Promise<Variant[]>;
  listBySession(sessionId: string): Promise<Variant[]>;
  /**
   * Whether this problem is an item of an exam not yet released: the same topic and the same
   * params once normalised (validated, defaults left out, any key order). False for invalid params.
   */
  inUnreleasedExam(topic: string, params: unknown): Promise<boolean>;
}

/**
 * Checked inside the attempt's write transaction, so two concurrent submissions cannot both pass:
 * the exam is not released, `at` lies within its open window, and the user has fewer than
 * `attemptLimit` attempts at the variant. A failed check throws a StepwiseError and stores nothing.
 */
export interface AttemptGuard {
  examId: string;
  attemptLimit: number;
}

/** Which step rows statistics read: an exam's items, or a course's practice attempts (one topic, or all). */
export type StepOutcomeFilter = { examId: string } | { courseId: string; topic?: string };

/** One attempt's graded steps, as statistics read them: outcome notes, never the feedback. */
export interface AttemptOutcomes {
  attemptId: string;
  userId: string;
  variantId: string;
  createdAt: string;
  /** The attempt's score (the `best` counting rule reads it). */
  score: number;
  /** The variant's topic (course practice only). */
  topic?: string;
  /** A paper attempt typed in by an instructor (counted whatever the close time, as in results). */
  source?: 'paper';
  /** In the order graded. */
  steps: { stepId: string; outcome: string; credit: number; marks: number }[];
}

export interface AttemptRepo {
  /** Stores the attempt and one row per graded step, in one transaction. */
  create(input: NewAttempt, guard?: AttemptGuard): Promise<Attempt>;
  get(id: string): Promise<Attempt | undefined>;
  listByVariant(variantId: string): Promise<Attempt[]>;
  listByExam(examId: string): Promise<Attempt[]>;
  listBySession(sessionId: string): Promise<Attempt[]>;
  /** The graded steps of every non-preview attempt in scope (course practice: students' only), attempts in time order. */
  stepOutcomes(filter: StepOutcomeFilter): Promise<AttemptOutcomes[]>;
  count(): Promise<number>;
  /**
   * Stores the user's paper attempt at the variant (source 'paper'): the one already stored is
   * updated in place (same id, new answers, result and time), else one is made. Held to no exam rule.
   */
  putPaper(input: Omit<NewAttempt, 'preview'>): Promise<Attempt>;
}

export interface SessionRepo {
  create(input: { userId: string; topics: string[]; difficulty: Difficulty }): Promise<PracticeSession>;
  get(id: string): Promise<PracticeSession | undefined>;
}

export interface ExamRepo {
  /**
   * Stores the exam and every version's variants in one transaction. The store makes the id first
   * and `build` derives the manifest and variants from it (item seeds are keyed by the exam id).
   */
  create(
    exam: Omit<NewExam, 'manifest'>,
    build: (examId: string) => { manifest: ManifestItem[][]; variants: NewVariant[] },
    /** The exam id, when the caller chose it beforehand (a previewed exam: its seeds are keyed by it); else a fresh one. */
    id?: string,
  ): Promise<{ exam: Exam; variants: Variant[] }>;
  get(id: string): Promise<Exam | undefined>;
  list(): Promise<Exam[]>;
  /** The user's version (1-based): the stored one, else the next in rotation, stored now. */
  assign(examId: string, userId: string, versions: number): Promise<number>;
  assignment(examId: string, userId: string): Promise<number | undefined>;
  /** Assigns this version (1-based) unless the user has one; returns the user's version either way. */
  assignVersion(examId: string, userId: string, version: number): Promise<number>;
  /** Every user assigned a version (by my-version or an LTI launch), with it (1-based). */
  assignments(examId: string): Promise<{ userId: string; version: number }[]>;
  /** Every exam this user was assigned a version of (1-based), in the order assigned. */
  assignedTo(userId: string): Promise<{ examId: string; version: number }[]>;
  release(id: string): Promise<Exam | undefined>;
}

/** Web page sign-in sessions (src/pages): only a hash of each token is stored. */
export interface WebSessionRepo {
  /** Opens a session for a user signed in with this key; returns the token for the cookie. */
  create(input: { userId: string; keyId: string; expiresAt: string; frameAncestors?: string[] }): Promise<{ token: string }>;
  /**
   * The caller of an active session whose key is still active. `frameAncestors` marks an LTI page
   * session (its token travels in form bodies, not a cookie): the origins that may frame its pages.
   */
  authenticate(token: string): Promise<{ caller: { user: User; key: ApiKey }; expiresAt: string; frameAncestors?: string[] } | undefined>;
  delete(token: string): Promise<void>;
  /** The user's practice session on the web pages (one per user, kept across sign-ins). */
  practiceSession(userId: string): Promise<string | undefined>;
  setPracticeSession(userId: string, sessionId: string): Promise<void>;
  /** A draft of one exam item's answer fields (field name → text), saved as the student types. */
  saveDraft(userId: string, variantId: string, fields: Record<string, string>): Promise<{ updatedAt: string }>;
  draft(userId: string, variantId: string): Promise<{ fields: Record<string, string>; updatedAt: string } | undefined>;
}

export interface SecretRepo {
  /** The server secret that keys exam item seeds (STEPWISE_SECRET, else made once and stored). */
  server(): Promise<Uint8Array>;
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
  /** Grade passback's outbox: a job per attempt to post to an LMS. */
  readonly passback: PassbackJobRepo;
  /** Artefact questions' model runs as jobs, and their stored views and pictures. */
  readonly models: ModelJobRepo;
  readonly secrets: SecretRepo;
  readonly webSessions: WebSessionRepo;
  /** Health: the backend answers and its data is sound (SQLite: PRAGMA quick_check). */
  check(): Promise<{ ok: boolean; detail: string }>;
  close(): Promise<void>;
}

/** An artefact question's runs for one seed, as a job (db/migrations/015_model_jobs.sql). */
export interface ModelJob {
  questionId: string;
  seed: number;
  state: 'queued' | 'running' | 'done' | 'failed';
  fraction: number;
  /** The stored view (JSON) once done. */
  view?: string;
  /** Jobs ahead of this one: queued before it, or running (queued jobs only). */
  ahead?: number;
  updatedAt: number;
}

export interface ModelJobRepo {
  get(questionId: string, seed: number): Promise<ModelJob | undefined>;
  /**
   * Queues the job unless it exists (a failed one older than `retryFailedAfterMs` is queued again);
   * 'full' when `queueLimit` jobs are queued already. Returns the job as it stands.
   */
  request(questionId: string, seed: number, queueLimit: number, retryFailedAfterMs: number): Promise<ModelJob | 'full'>;
  /**
   * Claims the oldest queued job of these questions (or a running one whose lease ran out) for
   * `worker` until now + leaseMs.
   */
  claim(worker: string, now: number, leaseMs: number, questionIds: string[]): Promise<ModelJob | undefined>;
  /** Progress of a claimed job; extends its lease. False when the job is no longer this worker's. */
  progress(questionId: string, seed: number, worker: string, fraction: number, leaseUntil: number): Promise<boolean>;
  /** Stores the pictures and the view of a claimed job, in one transaction. */
  finish(questionId: string, seed: number, worker: string, view: string, files: { hash: string; png: Buffer }[]): Promise<void>;
  fail(questionId: string, seed: number, worker: string): Promise<void>;
  file(hash: string): Promise<Buffer | undefined>;
}
