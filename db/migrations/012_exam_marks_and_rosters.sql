-- Exam-level error-carried-forward policy: the share of a step's marks withheld when it is only
-- carried (0: full ECF; 1: carried steps earn nothing). NULL (every exam made before this
-- migration, and new exams that set none) keeps each question's own policy. Per-item marks live
-- in the blueprint and manifest JSON, so they need no column.
ALTER TABLE exams ADD COLUMN ecf_penalty REAL CHECK (ecf_penalty IS NULL OR (ecf_penalty >= 0 AND ecf_penalty <= 1));

-- Course rosters: the students an instructor added to a course (the instructor pages' courses).
CREATE TABLE course_members (
  course_id TEXT NOT NULL REFERENCES courses (id),
  user_id   TEXT NOT NULL REFERENCES users (id),
  added_at  TEXT NOT NULL,
  PRIMARY KEY (course_id, user_id)
);
