-- Exam secrecy. `secrets` holds the server secret that keys exam item seeds (HMAC-SHA256 over it,
-- the exam id, the version and the slot); it is made at the first start unless STEPWISE_SECRET is
-- set, and is never shown or logged.
CREATE TABLE secrets (
  name       TEXT PRIMARY KEY,
  value      BLOB NOT NULL,
  created_at TEXT NOT NULL
);

-- Each exam item's problem fingerprint (topic and normalised params), for refusing a student the
-- params of an unreleased exam. Kept beside the frozen variants rather than in them, so a change of
-- canonical form (`form`) can be recomputed: the store backfills missing or older rows when it
-- opens, which also covers exams made before migration 003 gave variants a fingerprint.
CREATE TABLE exam_fingerprints (
  variant_id  TEXT PRIMARY KEY REFERENCES variants (id),
  exam_id     TEXT NOT NULL REFERENCES exams (id),
  fingerprint TEXT NOT NULL,
  form        INTEGER NOT NULL
);
CREATE INDEX exam_fingerprints_lookup ON exam_fingerprints (fingerprint);

-- 003's column held the old form, frozen with each variant: superseded by the table above.
DROP INDEX variants_exam_fingerprint;
ALTER TABLE variants DROP COLUMN fingerprint;
