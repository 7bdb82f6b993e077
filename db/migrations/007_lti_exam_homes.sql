-- LTI: the course an exam belongs to (its home), bound explicitly.
--
-- Only the home course's instructors get a launch key over the exam (results, versions, release,
-- export). An exam is bound with its link code (an HMAC of its id under the server secret, shown
-- to instructor keys only): through deep linking, or a launch whose custom parameters carry
-- exam=<id> and exam_code=<code>. Before, the first resource link to target an exam made its
-- home, so any LMS instructor could claim an exam by linking it first.
CREATE TABLE lti_exam_homes (
  exam_id     TEXT PRIMARY KEY REFERENCES exams (id),
  platform_id TEXT NOT NULL REFERENCES lti_platforms (id),
  context_id  TEXT,
  bound_at    TEXT NOT NULL
);

-- Existing deployments keep their homes: the course of each exam's first resource link.
INSERT INTO lti_exam_homes (exam_id, platform_id, context_id, bound_at)
SELECT l.target_id, l.platform_id, l.context_id, l.created_at
  FROM lti_resource_links l
 WHERE l.target_kind = 'exam'
   AND l.target_id IN (SELECT id FROM exams)
   AND l.rowid = (SELECT f.rowid FROM lti_resource_links f
                   WHERE f.target_kind = 'exam' AND f.target_id = l.target_id
                   ORDER BY f.created_at, f.rowid LIMIT 1);
