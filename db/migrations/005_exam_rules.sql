-- Exam rules: when an exam is open, how many attempts each item allows, what a student sees of an
-- attempt while the exam is open, which attempt counts, and whether blank steps under a correct
-- answer earn their marks. Exams made before this migration get the exam defaults.
ALTER TABLE exams ADD COLUMN opens_at TEXT;
ALTER TABLE exams ADD COLUMN closes_at TEXT;
ALTER TABLE exams ADD COLUMN attempt_limit INTEGER NOT NULL DEFAULT 1 CHECK (attempt_limit >= 1);
ALTER TABLE exams ADD COLUMN feedback TEXT NOT NULL DEFAULT 'none' CHECK (feedback IN ('none', 'status', 'full'));
ALTER TABLE exams ADD COLUMN counts TEXT NOT NULL DEFAULT 'last' CHECK (counts IN ('last', 'best', 'first'));
ALTER TABLE exams ADD COLUMN blank_steps TEXT NOT NULL DEFAULT 'shown' CHECK (blank_steps IN ('implied', 'shown'));

-- A blank step credited because a correct answer depends on it keeps status 'missing' with note
-- 'implied', so statistics can tell it from a step the student wrote.
ALTER TABLE attempt_steps ADD COLUMN note TEXT;

CREATE INDEX attempts_user_variant ON attempts (user_id, variant_id);
