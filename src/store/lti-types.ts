/**
 * What the LTI tool stores: platforms (LMSs) and their deployments, login states, used nonces,
 * resource links with their target, line items, launches, score posts and the tool's key pair.
 * The Store exposes these as `store.lti` (SQLite: src/store/sqlite/lti.ts).
 */

export type TargetKind = 'topic' | 'question' | 'exam';

/** What a resource link opens: a topic or bank question (a fresh practice variant) or an exam. */
export interface LtiTarget {
  kind: TargetKind;
  id: string;
}

export interface LtiPlatform {
  id: string;
  name: string;
  issuer: string;
  clientId: string;
  authLoginUrl: string;
  authTokenUrl: string;
  jwksUrl: string;
  deploymentIds: string[];
  /**
   * Origins that may frame the tool's pages for this platform (Canvas frames from the school's
   * host, https://<school>.instructure.com, not its issuer). Absent: the origins of the
   * registered URLs and of each launch's return URL (src/lti/frames.ts).
   */
  frameOrigins?: string[];
  createdAt: string;
}

export type NewLtiPlatform = Omit<LtiPlatform, 'id' | 'createdAt'>;

export interface LoginState {
  state: string;
  nonce: string;
  platformId: string;
  targetLinkUri?: string;
  /** The login's `lti_storage_target`: the platform frame that keeps the state (postMessage storage). */
  storageTarget?: string;
  createdAt: string;
  expiresAt: string;
  usedAt?: string;
}

export interface LtiResourceLink {
  /** Stepwise's id. */
  id: string;
  platformId: string;
  deploymentId: string;
  /** The platform's resource_link id. */
  resourceLinkId: string;
  contextId?: string;
  contextTitle?: string;
  title?: string;
  target?: LtiTarget;
  lineItemUrl?: string;
  createdAt: string;
  updatedAt: string;
}

export interface LtiLaunch {
  id: string;
  userId: string;
  resourceLink: string;
  variantId: string;
  lineItemUrl?: string;
  createdAt: string;
}

/** The latest launch of a variant by a user, with what grade passback needs. */
export interface LaunchForPassback {
  launch: LtiLaunch;
  platform: LtiPlatform;
  /** The user's LTI subject (`sub`): the AGS userId. */
  subject: string;
}

export interface ScorePost {
  id: string;
  attemptId: string;
  launchId?: string;
  url: string;
  scoreGiven: number;
  scoreMaximum: number;
  /** The HTTP status of the platform's answer; absent when none came (refused, timed out). */
  status?: number;
  error?: string;
  createdAt: string;
}

export interface ToolKey {
  kid: string;
  privateJwk: Record<string, unknown>;
  publicJwk: Record<string, unknown>;
  createdAt: string;
}

export type StateOutcome =
  | { ok: true; state: LoginState }
  | { ok: false; reason: 'unknown' | 'used' | 'expired' };

/** An LMS course: a platform and a context id. */
export interface ExamHome {
  platformId: string;
  contextId?: string;
}

export interface LtiRepo {
  /** Stores a platform and its deployments; undefined when (issuer, clientId) is registered already. */
  createPlatform(input: NewLtiPlatform): Promise<LtiPlatform | undefined>;
  getPlatform(id: string): Promise<LtiPlatform | undefined>;
  /** Platforms with this issuer (and client id, when given). */
  findPlatforms(issuer: string, clientId?: string): Promise<LtiPlatform[]>;
  listPlatforms(): Promise<LtiPlatform[]>;
  /** Sets (or with undefined, clears) the platform's frame origins; undefined when there is no such platform. */
  setFrameOrigins(id: string, origins: string[] | undefined): Promise<LtiPlatform | undefined>;

  createLoginState(input: Omit<LoginState, 'createdAt' | 'usedAt'>): Promise<LoginState>;
  /** Marks the state used and returns it, or why it cannot be used (atomically: one winner). */
  consumeLoginState(state: string, at?: string): Promise<StateOutcome>;
  /** Records a nonce; false when it was seen before for this platform (a replay). */
  useNonce(platformId: string, nonce: string, expiresAt: string): Promise<boolean>;

  /** Creates or updates the link (title, context; the target only when given). */
  upsertResourceLink(
    input: Pick<LtiResourceLink, 'platformId' | 'deploymentId' | 'resourceLinkId' | 'contextId' | 'contextTitle' | 'title' | 'target'>,
  ): Promise<LtiResourceLink>;
  setLineItem(resourceLink: string, lineItemUrl: string, lineItemsUrl?: string): Promise<void>;
  /**
   * The course an exam belongs to in the LMS (undefined while unbound): bound explicitly, with the
   * exam's link code. Only that course's instructors get a launch key over the exam.
   */
  examHome(examId: string): Promise<ExamHome | undefined>;
  /** Binds an unbound exam to the course; returns its home (an earlier binding wins: compare). */
  bindExamHome(examId: string, home: ExamHome & { contextId: string }): Promise<ExamHome>;

  createLaunch(input: Omit<LtiLaunch, 'id' | 'createdAt'>): Promise<LtiLaunch>;
  launchFor(variantId: string, userId: string): Promise<LaunchForPassback | undefined>;

  recordScorePost(input: Omit<ScorePost, 'id' | 'createdAt'>): Promise<ScorePost>;
  /** Score posts, oldest first; of one attempt when given. */
  scorePosts(attemptId?: string): Promise<ScorePost[]>;

  toolKeys(): Promise<ToolKey[]>;
  /** Stores a key unless one exists already; returns the signing key (the oldest). */
  addToolKey(key: Omit<ToolKey, 'createdAt'>): Promise<ToolKey>;
}

/** A grade passback job (the outbox, db/migrations/014_lti_passback_outbox.sql). */
export interface PassbackJob {
  id: number;
  attemptId: string;
  state: 'pending' | 'done' | 'dead';
  tries: number;
  /** When it is next due (pending), ISO. */
  dueAt: string;
  lastError?: string;
  lastStatus?: number;
  createdAt: string;
  doneAt?: string;
}

export interface PassbackJobRepo {
  /** Adds a job for an attempt (exam release: each student's total), due now. */
  enqueue(attemptId: string): Promise<PassbackJob>;
  /**
   * Claims up to `limit` due pending jobs not leased by anyone, leasing them until `now + leaseMs`
   * (one process's claim excludes the others': the write lock is held while claiming).
   */
  claim(now: number, limit: number, leaseMs: number): Promise<PassbackJob[]>;
  /** Posted, or nothing to post. */
  done(id: number, status?: number): Promise<void>;
  /** Failed: due again at `dueAt` (ms), or dead when `dueAt` is undefined. */
  failed(id: number, error: string, status: number | undefined, dueAt: number | undefined): Promise<void>;
  /** Jobs by state, newest first (at most `limit`). */
  list(state: PassbackJob['state'], limit: number): Promise<PassbackJob[]>;
  get(id: number): Promise<PassbackJob | undefined>;
  /** A dead (or pending) job due again now, its tries reset; undefined when no such job. */
  retry(id: number): Promise<PassbackJob | undefined>;
  /** Counts by state. */
  counts(): Promise<Record<PassbackJob['state'], number>>;
  /** Pending jobs due at `now` and held by no lease. */
  dueCount(now: number): Promise<number>;
}
