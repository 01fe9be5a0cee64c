-- Tenancy, identity and audit. In this server an org is its own tenant: tenant_id = org_id.

CREATE TABLE orgs (
  org_id text PRIMARY KEY,
  slug text NOT NULL UNIQUE,
  name text NOT NULL,
  plan_key text NOT NULL DEFAULT 'local',
  status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'suspended')),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE users (
  user_id text PRIMARY KEY,
  email text NOT NULL,
  display_name text,
  -- Set for users that signed in with an OIDC access token (issuer + sub claim).
  oidc_issuer text,
  oidc_subject text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (oidc_issuer, oidc_subject)
);
CREATE UNIQUE INDEX users_email_key ON users (lower(email));

CREATE TABLE memberships (
  org_id text NOT NULL REFERENCES orgs (org_id),
  user_id text NOT NULL REFERENCES users (user_id),
  role text NOT NULL CHECK (role IN ('owner', 'admin', 'member')),
  status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'invited', 'disabled')),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (org_id, user_id)
);
CREATE INDEX memberships_user ON memberships (user_id);

-- API / service tokens. Only the SHA-256 of the secret is stored; last4 lets people tell them apart.
CREATE TABLE api_tokens (
  token_id text PRIMARY KEY,
  org_id text NOT NULL REFERENCES orgs (org_id),
  account_id text REFERENCES users (user_id),
  name text NOT NULL,
  token_hash text NOT NULL UNIQUE,
  last4 text NOT NULL,
  scopes text[] NOT NULL,
  expires_at timestamptz,
  revoked_at timestamptz,
  last_used_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX api_tokens_org_created ON api_tokens (org_id, created_at DESC, token_id DESC);

-- The channel bindings a gateway token may serve.
CREATE TABLE api_token_channel_bindings (
  token_id text NOT NULL REFERENCES api_tokens (token_id) ON DELETE CASCADE,
  org_id text NOT NULL REFERENCES orgs (org_id),
  channel_binding_id text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (token_id, channel_binding_id)
);

CREATE TABLE audit_events (
  event_id text PRIMARY KEY,
  org_id text NOT NULL REFERENCES orgs (org_id),
  actor_user_id text,
  actor_token_id text,
  action text NOT NULL,
  target_type text NOT NULL,
  target_id text NOT NULL,
  detail jsonb NOT NULL DEFAULT '{}'::jsonb,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX audit_events_org_created ON audit_events (org_id, created_at DESC, event_id DESC);
