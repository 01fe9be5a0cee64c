-- Cookie sessions live on the server: the cookie carries only a signed random secret, whose SHA-256
-- names the row. Deleting the row ends the session at once (logout, "end this session", a disabled
-- member). A session opened with an API token keeps that token's id: it ends with the token and never
-- has more scopes or channel bindings than the token has now.
CREATE TABLE auth_sessions (
  session_id text PRIMARY KEY,
  secret_hash text NOT NULL UNIQUE,
  org_id text NOT NULL REFERENCES orgs (org_id),
  user_id text NOT NULL REFERENCES users (user_id),
  token_id text REFERENCES api_tokens (token_id) ON DELETE CASCADE,
  -- 'token': opened with an API token; 'oidc': by the OIDC sign-in or an OIDC access token.
  method text NOT NULL CHECK (method IN ('token', 'oidc')),
  csrf_token text NOT NULL,
  user_agent text,
  created_at timestamptz NOT NULL DEFAULT now(),
  last_seen_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL
);
CREATE INDEX auth_sessions_user ON auth_sessions (org_id, user_id, created_at DESC);
CREATE INDEX auth_sessions_expires ON auth_sessions (expires_at);
