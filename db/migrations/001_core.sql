-- Stepwise core schema: users and API keys, courses, frozen variants, graded attempts (with one
-- row per graded step for analysis), practice sessions, exams with their seed manifests.
-- Times are ISO-8601 UTC text; JSON columns hold the engine's own objects.

CREATE TABLE users (
  id          TEXT PRIMARY KEY,
  name        TEXT NOT NULL,
  role        TEXT NOT NULL CHECK (role IN ('instructor', 'student')),
  lti_issuer  TEXT,
  lti_subject TEXT,
  created_at  TEXT NOT NULL
);
CREATE UNIQUE INDEX users_lti_identity ON users (lti_issuer, lti_subject) WHERE lti_issuer IS NOT NULL;

-- Secrets are never stored: key_hash is the SHA-256 of the key; prefix is shown to identify it.
CREATE TABLE api_keys (
  id         TEXT PRIMARY KEY,
  user_id    TEXT NOT NULL REFERENCES users (id),
  role       TEXT NOT NULL CHECK (role IN ('instructor', 'student')),
  label      TEXT NOT NULL,
  key_hash   TEXT NOT NULL UNIQUE,
  prefix     TEXT NOT NULL,
  created_at TEXT NOT NULL,
  expires_at TEXT,
  revoked_at TEXT
);
CREATE INDEX api_keys_user ON api_keys (user_id);

CREATE TABLE courses (
  id         TEXT PRIMARY KEY,
  title      TEXT NOT NULL,
  created_by TEXT NOT NULL REFERENCES users (id),
  created_at TEXT NOT NULL
);

CREATE TABLE practice_sessions (
  id         TEXT PRIMARY KEY,
  user_id    TEXT NOT NULL REFERENCES users (id),
  topics     TEXT NOT NULL, -- JSON array of topic ids
  difficulty TEXT NOT NULL,
  created_at TEXT NOT NULL
);

CREATE TABLE exams (
  id          TEXT PRIMARY KEY,
  title       TEXT NOT NULL,
  course_id   TEXT REFERENCES courses (id),
  blueprint   TEXT NOT NULL, -- JSON: [{topic | question, count, difficulty}]
  versions    INTEGER NOT NULL CHECK (versions >= 1),
  seed        INTEGER NOT NULL,
  manifest    TEXT NOT NULL, -- JSON: the seed manifest that freezes every variant
  released_at TEXT,
  created_by  TEXT NOT NULL REFERENCES users (id),
  created_at  TEXT NOT NULL
);

-- A variant is frozen once created: the trigger below refuses any UPDATE.
CREATE TABLE variants (
  id           TEXT PRIMARY KEY,
  topic        TEXT NOT NULL,
  question     TEXT,
  seed         INTEGER NOT NULL,
  difficulty   TEXT NOT NULL,
  params       TEXT NOT NULL, -- JSON
  steps        TEXT NOT NULL, -- JSON array of the step ids asked
  prompt       TEXT NOT NULL,
  mode         TEXT NOT NULL CHECK (mode IN ('practice', 'exam')),
  course_id    TEXT REFERENCES courses (id),
  session_id   TEXT REFERENCES practice_sessions (id),
  exam_id      TEXT REFERENCES exams (id),
  exam_version INTEGER,
  exam_item    INTEGER,
  created_by   TEXT NOT NULL REFERENCES users (id),
  created_at   TEXT NOT NULL
);
CREATE INDEX variants_exam ON variants (exam_id, exam_version, exam_item);
CREATE INDEX variants_session ON variants (session_id);
CREATE TRIGGER variants_frozen BEFORE UPDATE ON variants
BEGIN
  SELECT RAISE(ABORT, 'variants are frozen once created');
END;

CREATE TABLE exam_assignments (
  exam_id     TEXT NOT NULL REFERENCES exams (id),
  user_id     TEXT NOT NULL REFERENCES users (id),
  version     INTEGER NOT NULL,
  assigned_at TEXT NOT NULL,
  PRIMARY KEY (exam_id, user_id)
);

CREATE TABLE attempts (
  id         TEXT PRIMARY KEY,
  variant_id TEXT NOT NULL REFERENCES variants (id),
  user_id    TEXT NOT NULL REFERENCES users (id),
  answers    TEXT NOT NULL, -- JSON, as submitted
  result     TEXT NOT NULL, -- JSON grade result, including expected values
  score      REAL NOT NULL,
  max_score  REAL NOT NULL,
  created_at TEXT NOT NULL
);
CREATE INDEX attempts_variant ON attempts (variant_id);
CREATE INDEX attempts_user ON attempts (user_id);

-- Step statuses and misconception ids, not prose, so results can be compared across students.
CREATE TABLE attempt_steps (
  attempt_id    TEXT NOT NULL REFERENCES attempts (id),
  step_id       TEXT NOT NULL,
  status        TEXT NOT NULL,
  credit        REAL NOT NULL,
  marks         REAL NOT NULL,
  misconception TEXT,
  PRIMARY KEY (attempt_id, step_id)
);
