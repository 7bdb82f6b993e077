-- Sign-in sessions of the web pages (src/pages): a browser signs in with an API key and gets an
-- httpOnly cookie holding a random session token. Only the token's SHA-256 is stored (a stolen
-- database gives no usable session), with the key it was opened with: revoking or expiring that
-- key ends the session too. Rows past expires_at are refused and swept at the next sign-in.
CREATE TABLE web_sessions (
  token_hash  TEXT PRIMARY KEY,
  user_id     TEXT NOT NULL REFERENCES users (id),
  key_id      TEXT NOT NULL REFERENCES api_keys (id),
  created_at  TEXT NOT NULL,
  expires_at  TEXT NOT NULL
);
CREATE INDEX web_sessions_expiry ON web_sessions (expires_at);

-- Each student's practice session on the web pages (all topics): the mastery the home page shows
-- and where "practise my weakest topic" draws from; kept across sign-ins.
CREATE TABLE web_practice (
  user_id     TEXT PRIMARY KEY REFERENCES users (id),
  session_id  TEXT NOT NULL REFERENCES practice_sessions (id)
);

-- Drafts of exam answers on the web pages, saved as a student types and restored on reload: the
-- form's answer fields of one item (a JSON object of field name → text), one row per user and item.
-- Only what the form sends for the item's own steps is kept, within the pages' body limits.
CREATE TABLE exam_drafts (
  user_id     TEXT NOT NULL REFERENCES users (id),
  variant_id  TEXT NOT NULL REFERENCES variants (id),
  fields      TEXT NOT NULL,
  updated_at  TEXT NOT NULL,
  PRIMARY KEY (user_id, variant_id)
);
