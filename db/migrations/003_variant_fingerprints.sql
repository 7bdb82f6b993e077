-- A fingerprint of each variant's problem (topic and canonical params), so the stateless routes
-- can refuse a student the params of an exam that has not been released. Variants stored before
-- this migration keep NULL (they cannot be updated: variants are frozen).
ALTER TABLE variants ADD COLUMN fingerprint TEXT;
CREATE INDEX variants_exam_fingerprint ON variants (fingerprint) WHERE exam_id IS NOT NULL;
