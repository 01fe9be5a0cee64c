-- Sessions, their commands and events, the per-user workspace stream and the projections.
-- Sequences are counters on a row (sessions.last_sequence, workspace_cursors.last_sequence) that
-- an append increments in the same transaction as its inserts: the row lock serialises appenders,
-- so commit order equals sequence order and a rolled-back append leaves no gap.

CREATE TABLE sessions (
  session_id text PRIMARY KEY,
  tenant_id text NOT NULL REFERENCES orgs (org_id),
  user_id text NOT NULL REFERENCES users (user_id),
  opencode_session_id text,
  profile_name text NOT NULL,
  status text NOT NULL DEFAULT 'idle' CHECK (status IN ('idle', 'running', 'closed', 'errored')),
  title text,
  project_source jsonb,
  last_sequence bigint NOT NULL DEFAULT 0,
  -- Sequence of the latest session.aborted: runtime events of a turn started before it are refused.
  aborted_sequence bigint NOT NULL DEFAULT 0,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL
);
CREATE INDEX sessions_owner_recent ON sessions (tenant_id, user_id, updated_at DESC, session_id);

CREATE TABLE session_events (
  session_id text NOT NULL REFERENCES sessions (session_id) ON DELETE CASCADE,
  sequence bigint NOT NULL,
  event_id text NOT NULL,
  tenant_id text NOT NULL,
  type text NOT NULL,
  payload jsonb NOT NULL,
  created_at timestamptz NOT NULL,
  CONSTRAINT session_events_sequence_unique UNIQUE (session_id, sequence),
  CONSTRAINT session_events_event_id_unique UNIQUE (session_id, event_id)
);

CREATE TABLE workspace_cursors (
  tenant_id text NOT NULL,
  user_id text NOT NULL,
  last_sequence bigint NOT NULL,
  PRIMARY KEY (tenant_id, user_id)
);

CREATE TABLE workspace_events (
  tenant_id text NOT NULL,
  user_id text NOT NULL,
  sequence bigint NOT NULL,
  event_id text NOT NULL,
  session_id text,
  entity_type text NOT NULL,
  entity_id text NOT NULL,
  operation text NOT NULL,
  projection_version bigint NOT NULL,
  type text NOT NULL,
  payload jsonb NOT NULL,
  created_at timestamptz NOT NULL,
  CONSTRAINT workspace_events_sequence_unique UNIQUE (tenant_id, user_id, sequence)
);

CREATE TABLE session_projections (
  session_id text PRIMARY KEY REFERENCES sessions (session_id) ON DELETE CASCADE,
  tenant_id text NOT NULL,
  sequence bigint NOT NULL,
  view jsonb NOT NULL,
  updated_at timestamptz NOT NULL
);

CREATE TABLE session_commands (
  command_id text PRIMARY KEY,
  tenant_id text NOT NULL,
  user_id text NOT NULL,
  session_id text NOT NULL REFERENCES sessions (session_id) ON DELETE CASCADE,
  kind text NOT NULL CHECK (kind IN ('prompt', 'abort', 'permission.respond', 'question.reply', 'question.reject')),
  payload jsonb NOT NULL,
  status text NOT NULL CHECK (status IN ('pending', 'running', 'acked', 'failed')),
  created_sequence bigint NOT NULL,
  attempt_count integer NOT NULL DEFAULT 0,
  error text,
  last_error_code text,
  created_at timestamptz NOT NULL,
  acked_at timestamptz
);
CREATE INDEX session_commands_by_session ON session_commands (session_id, created_at);

-- One row per (caller, Idempotency-Key): the request fingerprint and the first response.
CREATE TABLE idempotency_keys (
  tenant_id text NOT NULL,
  user_id text NOT NULL,
  idempotency_key text NOT NULL,
  request_hash text NOT NULL,
  status_code integer NOT NULL,
  response jsonb NOT NULL,
  created_at timestamptz NOT NULL,
  PRIMARY KEY (tenant_id, user_id, idempotency_key)
);

CREATE TABLE project_snapshots (
  snapshot_id text PRIMARY KEY,
  tenant_id text NOT NULL,
  user_id text NOT NULL,
  object_key text NOT NULL,
  title text,
  file_count integer NOT NULL,
  byte_count bigint NOT NULL,
  files jsonb NOT NULL,
  manifest jsonb NOT NULL,
  created_at timestamptz NOT NULL
);
