-- Outcome notes: every graded step's stable note (correct, correct-from-rounded, carried, partial,
-- incorrect, misconception:<id>, invalid:<reason>, missing, missing:implied), which statistics read
-- instead of feedback text. Rows stored before this migration keep NULL here until the store,
-- opening the database, backfills them from each attempt's stored grade result (outcomes.ts):
-- SQL alone cannot read the rounded-but-correct case or an invalid answer's reason.
ALTER TABLE attempt_steps ADD COLUMN outcome TEXT;
-- A step row written without its note (a writer that does not know the column) takes the note its
-- attempt's stored result gives that step; the store's own insert writes it directly.
CREATE TRIGGER attempt_steps_outcome AFTER INSERT ON attempt_steps WHEN NEW.outcome IS NULL
BEGIN
  UPDATE attempt_steps SET outcome = (
    SELECT json_extract(j.value, '$.outcome') FROM attempts a, json_each(a.result, '$.steps') j
     WHERE a.id = NEW.attempt_id AND json_extract(j.value, '$.id') = NEW.step_id)
   WHERE attempt_id = NEW.attempt_id AND step_id = NEW.step_id;
END;
CREATE INDEX attempt_steps_outcome_missing ON attempt_steps (attempt_id) WHERE outcome IS NULL;
-- Statistics read an exam's (or a course's practice) step rows by variant: exam → variants
-- (variants_exam), variant → attempts in time order, attempt → steps (the primary key).
CREATE INDEX attempts_variant_time ON attempts (variant_id, created_at);
CREATE INDEX variants_course_topic ON variants (course_id, topic) WHERE course_id IS NOT NULL;
