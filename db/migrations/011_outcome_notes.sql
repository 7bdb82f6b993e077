-- Outcome notes: every graded step's stable note (correct, correct-from-rounded, carried, partial,
-- incorrect, misconception:<id>, invalid:<reason>, missing, missing:implied), which statistics read
-- instead of feedback text. Rows stored before this migration keep NULL here until the store,
-- opening the database, backfills them from each attempt's stored grade result (outcomes.ts):
-- SQL alone cannot read the rounded-but-correct case or an invalid answer's reason.
ALTER TABLE attempt_steps ADD COLUMN outcome TEXT;
CREATE INDEX attempt_steps_outcome_missing ON attempt_steps (attempt_id) WHERE outcome IS NULL;
-- Statistics read an exam's (or a course's practice) step rows by variant: exam → variants
-- (variants_exam), variant → attempts in time order, attempt → steps (the primary key).
CREATE INDEX attempts_variant_time ON attempts (variant_id, created_at);
CREATE INDEX variants_course_topic ON variants (course_id, topic) WHERE course_id IS NOT NULL;
