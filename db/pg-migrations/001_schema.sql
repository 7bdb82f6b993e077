-- The PostgreSQL schema: the same tables, columns and rules as the SQLite store after its
-- migrations 001–015 (db/migrations), so `stepwise db copy` moves rows one to one. Types: TEXT for
-- ids, ISO times and JSON (parsed by the store, as on SQLite); BIGINT for seeds (up to 2^32) and
-- millisecond times; DOUBLE PRECISION for scores; BYTEA for bytes.

CREATE TABLE users (
  id           TEXT PRIMARY KEY,
  name         TEXT NOT NULL,
  role         TEXT NOT NULL CHECK (role IN ('instructor', 'student')),
  lti_issuer   TEXT,
  lti_subject  TEXT,
  created_at   TEXT NOT NULL,
  local_handle TEXT
);
CREATE UNIQUE INDEX users_lti_identity ON users (lti_issuer, lti_subject) WHERE lti_issuer IS NOT NULL;
CREATE UNIQUE INDEX users_local_handle ON users (local_handle) WHERE local_handle IS NOT NULL;

CREATE TABLE courses (
  id         TEXT PRIMARY KEY,
  title      TEXT NOT NULL,
  created_by TEXT NOT NULL REFERENCES users (id),
  created_at TEXT NOT NULL
);

CREATE TABLE course_members (
  course_id TEXT NOT NULL REFERENCES courses (id),
  user_id   TEXT NOT NULL REFERENCES users (id),
  added_at  TEXT NOT NULL,
  PRIMARY KEY (course_id, user_id)
);

CREATE TABLE practice_sessions (
  id         TEXT PRIMARY KEY,
  user_id    TEXT NOT NULL REFERENCES users (id),
  topics     TEXT NOT NULL, -- JSON array of topic ids
  difficulty TEXT NOT NULL,
  created_at TEXT NOT NULL
);

CREATE TABLE exams (
  id            TEXT PRIMARY KEY,
  title         TEXT NOT NULL,
  course_id     TEXT REFERENCES courses (id),
  blueprint     TEXT NOT NULL, -- JSON
  versions      INTEGER NOT NULL CHECK (versions >= 1),
  seed          BIGINT NOT NULL,
  manifest      TEXT NOT NULL, -- JSON: the seed manifest that freezes every variant
  released_at   TEXT,
  created_by    TEXT NOT NULL REFERENCES users (id),
  created_at    TEXT NOT NULL,
  opens_at      TEXT,
  closes_at     TEXT,
  attempt_limit INTEGER NOT NULL DEFAULT 1 CHECK (attempt_limit >= 1),
  feedback      TEXT NOT NULL DEFAULT 'none' CHECK (feedback IN ('none', 'status', 'full')),
  counts        TEXT NOT NULL DEFAULT 'last' CHECK (counts IN ('last', 'best', 'first')),
  blank_steps   TEXT NOT NULL DEFAULT 'shown' CHECK (blank_steps IN ('implied', 'shown')),
  ecf_penalty   DOUBLE PRECISION CHECK (ecf_penalty IS NULL OR (ecf_penalty >= 0 AND ecf_penalty <= 1))
);

CREATE TABLE variants (
  id           TEXT PRIMARY KEY,
  topic        TEXT NOT NULL,
  question     TEXT,
  seed         BIGINT NOT NULL,
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
CREATE INDEX variants_course_topic ON variants (course_id, topic) WHERE course_id IS NOT NULL;

CREATE FUNCTION variants_frozen() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'variants are frozen once created';
END $$;
CREATE TRIGGER variants_frozen BEFORE UPDATE ON variants FOR EACH ROW EXECUTE FUNCTION variants_frozen();

CREATE TABLE exam_assignments (
  exam_id     TEXT NOT NULL REFERENCES exams (id),
  user_id     TEXT NOT NULL REFERENCES users (id),
  version     INTEGER NOT NULL,
  assigned_at TEXT NOT NULL,
  PRIMARY KEY (exam_id, user_id)
);

CREATE TABLE exam_fingerprints (
  variant_id  TEXT PRIMARY KEY REFERENCES variants (id),
  exam_id     TEXT NOT NULL REFERENCES exams (id),
  fingerprint TEXT NOT NULL,
  form        INTEGER NOT NULL
);
CREATE INDEX exam_fingerprints_lookup ON exam_fingerprints (fingerprint);

CREATE TABLE attempts (
  id         TEXT PRIMARY KEY,
  variant_id TEXT NOT NULL REFERENCES variants (id),
  user_id    TEXT NOT NULL REFERENCES users (id),
  answers    TEXT NOT NULL, -- JSON, as submitted
  result     TEXT NOT NULL, -- JSON grade result, including expected values
  score      DOUBLE PRECISION NOT NULL,
  max_score  DOUBLE PRECISION NOT NULL,
  created_at TEXT NOT NULL,
  preview    INTEGER NOT NULL DEFAULT 0,
  source     TEXT NOT NULL DEFAULT 'online' CHECK (source IN ('online', 'paper'))
);
CREATE INDEX attempts_variant ON attempts (variant_id);
CREATE INDEX attempts_user ON attempts (user_id);
CREATE INDEX attempts_user_variant ON attempts (user_id, variant_id);
CREATE INDEX attempts_variant_time ON attempts (variant_id, created_at);
CREATE INDEX attempts_paper ON attempts (user_id, variant_id) WHERE source = 'paper';

-- The store writes each step's outcome note itself (SQLite's trigger fills it from the result only for older writers).
CREATE TABLE attempt_steps (
  attempt_id    TEXT NOT NULL REFERENCES attempts (id),
  step_id       TEXT NOT NULL,
  status        TEXT NOT NULL,
  credit        DOUBLE PRECISION NOT NULL,
  marks         DOUBLE PRECISION NOT NULL,
  misconception TEXT,
  note          TEXT,
  outcome       TEXT,
  PRIMARY KEY (attempt_id, step_id)
);

CREATE TABLE lti_platforms (
  id             TEXT PRIMARY KEY,
  name           TEXT NOT NULL,
  issuer         TEXT NOT NULL,
  client_id      TEXT NOT NULL,
  auth_login_url TEXT NOT NULL,
  auth_token_url TEXT NOT NULL,
  jwks_url       TEXT NOT NULL,
  created_at     TEXT NOT NULL,
  frame_origins  TEXT,
  -- Insertion order: SQLite breaks ties of created_at by its implicit rowid (db copy inserts in rowid order).
  seq            BIGINT GENERATED ALWAYS AS IDENTITY,
  UNIQUE (issuer, client_id)
);

CREATE TABLE lti_deployments (
  platform_id   TEXT NOT NULL REFERENCES lti_platforms (id),
  deployment_id TEXT NOT NULL,
  created_at    TEXT NOT NULL,
  seq           BIGINT GENERATED ALWAYS AS IDENTITY, -- insertion order (SQLite's rowid)
  PRIMARY KEY (platform_id, deployment_id)
);

CREATE TABLE lti_login_states (
  state           TEXT PRIMARY KEY,
  nonce           TEXT NOT NULL,
  platform_id     TEXT NOT NULL REFERENCES lti_platforms (id),
  target_link_uri TEXT,
  created_at      TEXT NOT NULL,
  expires_at      TEXT NOT NULL,
  used_at         TEXT,
  storage_target  TEXT
);
CREATE INDEX lti_login_states_expiry ON lti_login_states (expires_at);

CREATE TABLE lti_nonces (
  platform_id TEXT NOT NULL REFERENCES lti_platforms (id),
  nonce       TEXT NOT NULL,
  expires_at  TEXT NOT NULL,
  PRIMARY KEY (platform_id, nonce)
);
CREATE INDEX lti_nonces_expiry ON lti_nonces (expires_at);

CREATE TABLE lti_resource_links (
  id               TEXT PRIMARY KEY,
  platform_id      TEXT NOT NULL REFERENCES lti_platforms (id),
  deployment_id    TEXT NOT NULL,
  resource_link_id TEXT NOT NULL,
  context_id       TEXT,
  context_title    TEXT,
  title            TEXT,
  target_kind      TEXT CHECK (target_kind IN ('topic', 'question', 'exam')),
  target_id        TEXT,
  created_at       TEXT NOT NULL,
  updated_at       TEXT NOT NULL,
  UNIQUE (platform_id, deployment_id, resource_link_id)
);

CREATE TABLE lti_line_items (
  resource_link TEXT PRIMARY KEY REFERENCES lti_resource_links (id),
  lineitem_url  TEXT NOT NULL,
  lineitems_url TEXT,
  updated_at    TEXT NOT NULL
);

CREATE TABLE lti_launches (
  id            TEXT PRIMARY KEY,
  user_id       TEXT NOT NULL REFERENCES users (id),
  resource_link TEXT NOT NULL REFERENCES lti_resource_links (id),
  variant_id    TEXT NOT NULL REFERENCES variants (id),
  lineitem_url  TEXT,
  created_at    TEXT NOT NULL,
  seq           BIGINT GENERATED ALWAYS AS IDENTITY -- insertion order (SQLite's rowid)
);
CREATE INDEX lti_launches_variant ON lti_launches (variant_id, user_id);

CREATE TABLE lti_score_posts (
  id            TEXT PRIMARY KEY,
  attempt_id    TEXT NOT NULL REFERENCES attempts (id),
  launch_id     TEXT REFERENCES lti_launches (id),
  url           TEXT NOT NULL,
  score_given   DOUBLE PRECISION NOT NULL,
  score_maximum DOUBLE PRECISION NOT NULL,
  status        INTEGER,
  error         TEXT,
  created_at    TEXT NOT NULL,
  seq           BIGINT GENERATED ALWAYS AS IDENTITY -- insertion order (SQLite's rowid)
);
CREATE INDEX lti_score_posts_attempt ON lti_score_posts (attempt_id);

CREATE TABLE lti_tool_keys (
  kid         TEXT PRIMARY KEY,
  private_jwk TEXT NOT NULL,
  public_jwk  TEXT NOT NULL,
  created_at  TEXT NOT NULL,
  seq         BIGINT GENERATED ALWAYS AS IDENTITY -- insertion order (SQLite's rowid)
);

CREATE TABLE lti_exam_homes (
  exam_id     TEXT PRIMARY KEY REFERENCES exams (id),
  platform_id TEXT NOT NULL REFERENCES lti_platforms (id),
  context_id  TEXT,
  bound_at    TEXT NOT NULL
);

CREATE TABLE api_keys (
  id                  TEXT PRIMARY KEY,
  user_id             TEXT NOT NULL REFERENCES users (id),
  role                TEXT NOT NULL CHECK (role IN ('instructor', 'student')),
  label               TEXT NOT NULL,
  key_hash            TEXT NOT NULL UNIQUE,
  prefix              TEXT NOT NULL,
  created_at          TEXT NOT NULL,
  expires_at          TEXT,
  revoked_at          TEXT,
  scope_resource_link TEXT REFERENCES lti_resource_links (id),
  scope_context       TEXT,
  scope_exam          TEXT
);
CREATE INDEX api_keys_user ON api_keys (user_id);

CREATE TABLE secrets (
  name       TEXT PRIMARY KEY,
  value      BYTEA NOT NULL,
  created_at TEXT NOT NULL
);

CREATE TABLE web_sessions (
  token_hash      TEXT PRIMARY KEY,
  user_id         TEXT NOT NULL REFERENCES users (id),
  key_id          TEXT NOT NULL REFERENCES api_keys (id),
  created_at      TEXT NOT NULL,
  expires_at      TEXT NOT NULL,
  frame_ancestors TEXT
);
CREATE INDEX web_sessions_expiry ON web_sessions (expires_at);

CREATE TABLE web_practice (
  user_id    TEXT PRIMARY KEY REFERENCES users (id),
  session_id TEXT NOT NULL REFERENCES practice_sessions (id)
);

CREATE TABLE exam_drafts (
  user_id    TEXT NOT NULL REFERENCES users (id),
  variant_id TEXT NOT NULL REFERENCES variants (id),
  fields     TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  PRIMARY KEY (user_id, variant_id)
);

-- Grade passback's outbox: a job per attempt that an LMS launch asked a score for, written by the
-- trigger below in the attempt's own transaction.
CREATE TABLE lti_passback_jobs (
  id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  attempt_id  TEXT NOT NULL REFERENCES attempts (id),
  state       TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'done', 'dead')),
  tries       INTEGER NOT NULL DEFAULT 0,
  due_at      BIGINT NOT NULL,
  lease_until BIGINT,
  last_error  TEXT,
  last_status INTEGER,
  created_at  TEXT NOT NULL,
  done_at     TEXT
);
CREATE INDEX lti_passback_jobs_due ON lti_passback_jobs (due_at) WHERE state = 'pending';
CREATE INDEX lti_passback_jobs_state ON lti_passback_jobs (state, id);

CREATE FUNCTION attempts_passback_outbox() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.source = 'online' AND EXISTS (
    SELECT 1 FROM lti_launches WHERE variant_id = NEW.variant_id AND user_id = NEW.user_id AND lineitem_url IS NOT NULL
  ) THEN
    INSERT INTO lti_passback_jobs (attempt_id, due_at, created_at)
    VALUES (NEW.id, (extract(epoch FROM clock_timestamp()) * 1000)::bigint, to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'));
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER attempts_passback_outbox AFTER INSERT ON attempts FOR EACH ROW EXECUTE FUNCTION attempts_passback_outbox();

CREATE TABLE model_jobs (
  question_id TEXT NOT NULL,
  seed        BIGINT NOT NULL,
  state       TEXT NOT NULL CHECK (state IN ('queued', 'running', 'done', 'failed')),
  fraction    DOUBLE PRECISION NOT NULL DEFAULT 0,
  view        TEXT, -- JSON once done
  worker      TEXT,
  lease_until BIGINT,
  created_at  BIGINT NOT NULL,
  updated_at  BIGINT NOT NULL,
  PRIMARY KEY (question_id, seed)
);
CREATE INDEX model_jobs_queued ON model_jobs (created_at) WHERE state = 'queued';

CREATE TABLE model_files (
  hash       TEXT PRIMARY KEY,
  png        BYTEA NOT NULL,
  created_at BIGINT NOT NULL
);
