-- An instructor's attempt at an exam item is a preview: held to no exam rule, never counted in
-- results or against the attempt limit, whatever role the same user later takes (an LMS user who
-- launched once as an instructor and sits the exam as a student).
ALTER TABLE attempts ADD COLUMN preview INTEGER NOT NULL DEFAULT 0;
