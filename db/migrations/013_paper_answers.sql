-- Paper answers. An attempt's source: 'online' (submitted by the student) or 'paper' (typed in from
-- a paper exam by an instructor: one per student and item, re-grading updates it in place).
ALTER TABLE attempts ADD COLUMN source TEXT NOT NULL DEFAULT 'online' CHECK (source IN ('online', 'paper'));
CREATE INDEX attempts_paper ON attempts (user_id, variant_id) WHERE source = 'paper';

-- A user the command line acts as, found again by its handle (e.g. the local instructor that
-- `stepwise exam create` records as an exam's creator when no --as is given).
ALTER TABLE users ADD COLUMN local_handle TEXT;
CREATE UNIQUE INDEX users_local_handle ON users (local_handle) WHERE local_handle IS NOT NULL;
