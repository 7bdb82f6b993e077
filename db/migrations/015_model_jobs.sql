-- Model runs as jobs: an artefact question's runs for one seed are computed once, by whichever
-- worker claims the job (`stepwise worker`, or the one inside `stepwise serve`), and its student
-- view and pictures are stored here, so every API node serves the same pictures and grades against
-- the same expected answer. Times are milliseconds since the epoch.
CREATE TABLE model_jobs (
  question_id TEXT NOT NULL,
  seed        INTEGER NOT NULL,
  state       TEXT NOT NULL CHECK (state IN ('queued', 'running', 'done', 'failed')),
  fraction    REAL NOT NULL DEFAULT 0,
  -- The view once done (JSON: title, prompt, letters, images' hashes and captions, expected answer).
  view        TEXT,
  worker      TEXT,
  lease_until INTEGER,
  created_at  INTEGER NOT NULL,
  updated_at  INTEGER NOT NULL,
  PRIMARY KEY (question_id, seed)
);
CREATE INDEX model_jobs_queued ON model_jobs (created_at) WHERE state = 'queued';

-- The pictures of done jobs, by the SHA-256 of their bytes (their URL's name).
CREATE TABLE model_files (
  hash       TEXT PRIMARY KEY,
  png        BLOB NOT NULL,
  created_at INTEGER NOT NULL
);
