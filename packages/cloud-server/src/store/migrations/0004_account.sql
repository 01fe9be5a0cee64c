-- Account domains: metered usage and BYOK provider secrets.
-- (The audit log itself is `audit_events` of 0001.)

CREATE TABLE usage_events (
  event_id text PRIMARY KEY,
  org_id text NOT NULL REFERENCES orgs (org_id),
  account_id text,
  event_type text NOT NULL,
  quantity double precision NOT NULL,
  unit text NOT NULL,
  metadata jsonb NOT NULL DEFAULT '{}'::jsonb,
  created_at timestamptz NOT NULL
);
CREATE INDEX usage_events_org_recent ON usage_events (org_id, created_at DESC, event_id DESC);
CREATE INDEX usage_events_org_type ON usage_events (org_id, event_type, created_at);

-- One provider secret per org and provider. The secret is AES-256-GCM ciphertext under the server's
-- BYOK key (`key_id` names that key); only last4 and a keyed fingerprint are ever read back out.
CREATE TABLE byok_secrets (
  secret_id text PRIMARY KEY,
  org_id text NOT NULL REFERENCES orgs (org_id),
  provider_id text NOT NULL,
  status text NOT NULL CHECK (status IN ('pending_validation', 'active', 'disabled', 'expired', 'invalid', 'unsupported')),
  credential_kind text NOT NULL CHECK (credential_kind IN ('plaintext', 'kms_ref')),
  ciphertext text,
  iv text,
  auth_tag text,
  key_id text,
  kms_ref text,
  last4 text,
  key_fingerprint text,
  last_validated_at timestamptz,
  validation_error text,
  override_reason text,
  created_by text,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  UNIQUE (org_id, provider_id)
);
