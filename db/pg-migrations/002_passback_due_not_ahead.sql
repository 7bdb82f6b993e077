-- The outbox trigger's due time in whole milliseconds rounded down, as SQLite's CAST truncates:
-- `::bigint` rounds to the nearest, so a job written in the second half of a millisecond was due up
-- to 0.5 ms in the future, and a claim made in that same millisecond (Date.now()) passed it over.
CREATE OR REPLACE FUNCTION attempts_passback_outbox() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.source = 'online' AND EXISTS (
    SELECT 1 FROM lti_launches WHERE variant_id = NEW.variant_id AND user_id = NEW.user_id AND lineitem_url IS NOT NULL
  ) THEN
    INSERT INTO lti_passback_jobs (attempt_id, due_at, created_at)
    VALUES (NEW.id, floor(extract(epoch FROM clock_timestamp()) * 1000)::bigint, to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'));
  END IF;
  RETURN NEW;
END $$;
