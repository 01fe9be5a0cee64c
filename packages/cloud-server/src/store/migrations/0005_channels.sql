-- The gateway / headless-agent plane.
-- Optional external ids that take part in a natural key (external_workspace_id, a provider event's
-- channel binding) are stored as '' instead of NULL, so that unique indexes treat "absent" as one
-- value on every PostgreSQL version; the store turns '' back into null.

CREATE TABLE headless_agents (
  agent_id text PRIMARY KEY,
  org_id text NOT NULL REFERENCES orgs (org_id),
  profile_name text NOT NULL,
  name text NOT NULL,
  status text NOT NULL CHECK (status IN ('active', 'disabled')),
  managed boolean NOT NULL DEFAULT false,
  created_by_account_id text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX headless_agents_org ON headless_agents (org_id, created_at, agent_id);

-- credential_ref is a reference (env:NAME, a secret manager path); it is never returned.
CREATE TABLE channel_bindings (
  binding_id text PRIMARY KEY,
  org_id text NOT NULL REFERENCES orgs (org_id),
  agent_id text NOT NULL REFERENCES headless_agents (agent_id),
  provider text NOT NULL,
  external_workspace_id text NOT NULL DEFAULT '',
  display_name text NOT NULL,
  status text NOT NULL CHECK (status IN ('active', 'disabled', 'auth_required', 'error')),
  credential_ref text,
  settings jsonb NOT NULL DEFAULT '{}'::jsonb,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX channel_bindings_org ON channel_bindings (org_id, agent_id, created_at);

CREATE TABLE channel_identities (
  identity_id text PRIMARY KEY,
  org_id text NOT NULL REFERENCES orgs (org_id),
  provider text NOT NULL,
  external_workspace_id text NOT NULL DEFAULT '',
  external_user_id text NOT NULL,
  account_id text REFERENCES users (user_id),
  role text NOT NULL CHECK (role IN ('owner', 'admin', 'member', 'approver', 'viewer')),
  status text NOT NULL CHECK (status IN ('active', 'disabled', 'pending')),
  metadata jsonb NOT NULL DEFAULT '{}'::jsonb,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT channel_identities_natural UNIQUE (org_id, provider, external_workspace_id, external_user_id)
);

-- A chat thread bound to a session. owner_user_id is the account the session belongs to.
CREATE TABLE channel_session_bindings (
  binding_id text PRIMARY KEY,
  org_id text NOT NULL REFERENCES orgs (org_id),
  agent_id text NOT NULL REFERENCES headless_agents (agent_id),
  channel_binding_id text NOT NULL REFERENCES channel_bindings (binding_id),
  provider text NOT NULL,
  external_workspace_id text NOT NULL DEFAULT '',
  external_chat_id text NOT NULL,
  external_thread_id text NOT NULL,
  session_id text NOT NULL REFERENCES sessions (session_id),
  owner_user_id text NOT NULL REFERENCES users (user_id),
  last_event_sequence bigint NOT NULL DEFAULT 0,
  last_workspace_sequence bigint NOT NULL DEFAULT 0,
  last_chat_message_id text,
  status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'archived')),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT channel_session_bindings_thread UNIQUE (org_id, provider, external_workspace_id, external_chat_id, external_thread_id)
);

CREATE TABLE channel_provider_events (
  event_id text PRIMARY KEY,
  org_id text NOT NULL REFERENCES orgs (org_id),
  channel_binding_id text NOT NULL DEFAULT '',
  provider text NOT NULL,
  provider_instance_id text NOT NULL,
  external_workspace_id text NOT NULL DEFAULT '',
  provider_event_id text NOT NULL,
  event_type text NOT NULL CHECK (event_type IN ('message', 'command', 'interaction')),
  status text NOT NULL CHECK (status IN ('received', 'processing', 'processed', 'failed')),
  claimed_by text,
  claim_expires_at timestamptz,
  attempt_count integer NOT NULL DEFAULT 0,
  retryable boolean NOT NULL DEFAULT true,
  last_error text,
  metadata jsonb NOT NULL DEFAULT '{}'::jsonb,
  processed_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT channel_provider_events_natural
    UNIQUE (org_id, channel_binding_id, provider, provider_instance_id, external_workspace_id, event_type, provider_event_id)
);

-- One-time approval/answer buttons. Only the SHA-256 of the token is stored.
CREATE TABLE channel_interactions (
  interaction_id text PRIMARY KEY,
  org_id text NOT NULL REFERENCES orgs (org_id),
  agent_id text NOT NULL REFERENCES headless_agents (agent_id),
  channel_binding_id text NOT NULL REFERENCES channel_bindings (binding_id),
  session_binding_id text NOT NULL REFERENCES channel_session_bindings (binding_id),
  session_id text NOT NULL,
  provider text NOT NULL,
  external_interaction_id text,
  kind text NOT NULL CHECK (kind IN ('permission', 'question')),
  target_id text NOT NULL,
  token_hash text NOT NULL UNIQUE,
  status text NOT NULL CHECK (status IN ('pending', 'used', 'expired', 'revoked')),
  created_by_identity_id text,
  expires_at timestamptz,
  used_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX channel_interactions_external ON channel_interactions (org_id, external_interaction_id)
  WHERE external_interaction_id IS NOT NULL;

-- The outbound queue. A delivery id is unique per org and channel binding (create is idempotent on it).
CREATE TABLE channel_deliveries (
  org_id text NOT NULL REFERENCES orgs (org_id),
  channel_binding_id text NOT NULL REFERENCES channel_bindings (binding_id),
  delivery_id text NOT NULL,
  agent_id text NOT NULL,
  session_binding_id text,
  provider text NOT NULL,
  target jsonb NOT NULL,
  event_type text NOT NULL,
  payload jsonb NOT NULL,
  status text NOT NULL CHECK (status IN ('pending', 'claimed', 'sent', 'failed', 'dead')),
  attempt_count integer NOT NULL DEFAULT 0,
  claimed_by text,
  last_claimed_by text,
  claim_expires_at timestamptz,
  next_attempt_at timestamptz NOT NULL,
  last_error text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (org_id, channel_binding_id, delivery_id)
);
CREATE INDEX channel_deliveries_due ON channel_deliveries (org_id, status, next_attempt_at, created_at);
CREATE INDEX channel_deliveries_by_id ON channel_deliveries (org_id, delivery_id);
CREATE INDEX channel_deliveries_recent ON channel_deliveries (org_id, created_at DESC, delivery_id);
