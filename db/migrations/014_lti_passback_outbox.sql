-- Grade passback as an outbox: a job per attempt to post, written by a trigger in the same
-- transaction as the attempt (so an acknowledged attempt never lacks its job, and the request
-- never waits for the LMS); background workers in every server process claim due jobs with a
-- lease, post, and retry with backoff for a day, after which a job is dead until an instructor
-- retries it. Times are milliseconds since the epoch (due, lease) or ISO text (created, done).
CREATE TABLE lti_passback_jobs (
  id          INTEGER PRIMARY KEY,
  attempt_id  TEXT NOT NULL REFERENCES attempts (id),
  -- pending: to post (when due_at has come and no lease holds it); done: posted or nothing to post;
  -- dead: gave up (a permanent refusal, or a day of failures).
  state       TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'done', 'dead')),
  tries       INTEGER NOT NULL DEFAULT 0,
  due_at      INTEGER NOT NULL,
  lease_until INTEGER,
  last_error  TEXT,
  last_status INTEGER,
  created_at  TEXT NOT NULL,
  done_at     TEXT
);
CREATE INDEX lti_passback_jobs_due ON lti_passback_jobs (due_at) WHERE state = 'pending';
CREATE INDEX lti_passback_jobs_state ON lti_passback_jobs (state, id);

-- Every online attempt at a variant its student launched from an LMS line item gets a job.
CREATE TRIGGER attempts_passback_outbox AFTER INSERT ON attempts
WHEN NEW.source = 'online' AND EXISTS (
  SELECT 1 FROM lti_launches WHERE variant_id = NEW.variant_id AND user_id = NEW.user_id AND lineitem_url IS NOT NULL
)
BEGIN
  INSERT INTO lti_passback_jobs (attempt_id, due_at, created_at)
  VALUES (NEW.id, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER), strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));
END;
