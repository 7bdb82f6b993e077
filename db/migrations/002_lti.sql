-- LTI 1.3 tool: registered platforms and their deployments, OIDC login states, used nonces,
-- resource links with their target (topic, question or exam) and AGS line item, launches (which
-- variant a launched user works on, and where its score goes), an audit of score posts, and the
-- tool's own RSA signing key. Times are ISO-8601 UTC text, as in 001.

CREATE TABLE lti_platforms (
  id             TEXT PRIMARY KEY,
  name           TEXT NOT NULL,
  issuer         TEXT NOT NULL,
  client_id      TEXT NOT NULL,
  auth_login_url TEXT NOT NULL,
  auth_token_url TEXT NOT NULL,
  jwks_url       TEXT NOT NULL,
  created_at     TEXT NOT NULL,
  UNIQUE (issuer, client_id)
);

CREATE TABLE lti_deployments (
  platform_id   TEXT NOT NULL REFERENCES lti_platforms (id),
  deployment_id TEXT NOT NULL,
  created_at    TEXT NOT NULL,
  PRIMARY KEY (platform_id, deployment_id)
);

-- One row per OIDC login initiation; the launch must present the state once, within 10 minutes.
CREATE TABLE lti_login_states (
  state           TEXT PRIMARY KEY,
  nonce           TEXT NOT NULL,
  platform_id     TEXT NOT NULL REFERENCES lti_platforms (id),
  target_link_uri TEXT,
  created_at      TEXT NOT NULL,
  expires_at      TEXT NOT NULL,
  used_at         TEXT
);
CREATE INDEX lti_login_states_expiry ON lti_login_states (expires_at);

-- Every id_token nonce seen, until the token could no longer be valid: a second use is refused.
CREATE TABLE lti_nonces (
  platform_id TEXT NOT NULL REFERENCES lti_platforms (id),
  nonce       TEXT NOT NULL,
  expires_at  TEXT NOT NULL,
  PRIMARY KEY (platform_id, nonce)
);
CREATE INDEX lti_nonces_expiry ON lti_nonces (expires_at);

CREATE TABLE lti_resource_links (
  id               TEXT PRIMARY KEY,
  platform_id      TEXT NOT NULL REFERENCES lti_platforms (id),
  deployment_id    TEXT NOT NULL,
  resource_link_id TEXT NOT NULL,
  context_id       TEXT,
  context_title    TEXT,
  title            TEXT,
  target_kind      TEXT CHECK (target_kind IN ('topic', 'question', 'exam')),
  target_id        TEXT,
  created_at       TEXT NOT NULL,
  updated_at       TEXT NOT NULL,
  UNIQUE (platform_id, deployment_id, resource_link_id)
);

-- The AGS line item of a resource link (from the endpoint claim of its latest launch).
CREATE TABLE lti_line_items (
  resource_link TEXT PRIMARY KEY REFERENCES lti_resource_links (id),
  lineitem_url  TEXT NOT NULL,
  lineitems_url TEXT,
  updated_at    TEXT NOT NULL
);

-- A launch hands a user a variant; an attempt at it is posted to lineitem_url (when set).
CREATE TABLE lti_launches (
  id            TEXT PRIMARY KEY,
  user_id       TEXT NOT NULL REFERENCES users (id),
  resource_link TEXT NOT NULL REFERENCES lti_resource_links (id),
  variant_id    TEXT NOT NULL REFERENCES variants (id),
  lineitem_url  TEXT,
  created_at    TEXT NOT NULL
);
CREATE INDEX lti_launches_variant ON lti_launches (variant_id, user_id);

-- Audit of grade passback: one row per score POST (status NULL when no HTTP answer came).
CREATE TABLE lti_score_posts (
  id            TEXT PRIMARY KEY,
  attempt_id    TEXT NOT NULL REFERENCES attempts (id),
  launch_id     TEXT REFERENCES lti_launches (id),
  url           TEXT NOT NULL,
  score_given   REAL NOT NULL,
  score_maximum REAL NOT NULL,
  status        INTEGER,
  error         TEXT,
  created_at    TEXT NOT NULL
);
CREATE INDEX lti_score_posts_attempt ON lti_score_posts (attempt_id);

-- The tool's RSA key pair (RS256), made on first use; the oldest row signs.
CREATE TABLE lti_tool_keys (
  kid         TEXT PRIMARY KEY,
  private_jwk TEXT NOT NULL,
  public_jwk  TEXT NOT NULL,
  created_at  TEXT NOT NULL
);
