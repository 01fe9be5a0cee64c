-- Workspace domains: workflows (with triggers, runs and webhook replay guard), thread tags and
-- smart filters, session artifacts (bytes in the database) and settings.

CREATE TABLE workflows (
  workflow_id text PRIMARY KEY,
  tenant_id text NOT NULL REFERENCES orgs (org_id),
  user_id text NOT NULL REFERENCES users (user_id),
  name text NOT NULL,
  description text,
  prompt text NOT NULL,
  profile_name text NOT NULL,
  status text NOT NULL CHECK (status IN ('active', 'paused', 'archived')),
  last_run_at timestamptz,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL
);
CREATE INDEX workflows_owner_recent ON workflows (tenant_id, user_id, updated_at DESC, workflow_id);

CREATE TABLE workflow_triggers (
  trigger_id text PRIMARY KEY,
  workflow_id text NOT NULL REFERENCES workflows (workflow_id) ON DELETE CASCADE,
  type text NOT NULL CHECK (type IN ('manual', 'schedule', 'webhook')),
  cron text,
  next_run_at timestamptz,
  -- Webhook signing secret sealed with AES-256-GCM (key derived from the server secret); only the
  -- one-time reveal shows it in clear.
  webhook_secret_sealed text,
  position integer NOT NULL,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL
);
CREATE INDEX workflow_triggers_by_workflow ON workflow_triggers (workflow_id, position);
CREATE INDEX workflow_triggers_due ON workflow_triggers (next_run_at) WHERE type = 'schedule';

CREATE TABLE workflow_runs (
  run_id text PRIMARY KEY,
  workflow_id text NOT NULL REFERENCES workflows (workflow_id) ON DELETE CASCADE,
  tenant_id text NOT NULL,
  session_id text REFERENCES sessions (session_id) ON DELETE SET NULL,
  -- Session sequence of the run's prompt.submitted: later events tell how the run went.
  prompt_sequence bigint NOT NULL DEFAULT 0,
  trigger_type text NOT NULL CHECK (trigger_type IN ('manual', 'schedule', 'webhook')),
  trigger_payload jsonb,
  status text NOT NULL CHECK (status IN ('queued', 'running', 'completed', 'failed')),
  error text,
  created_at timestamptz NOT NULL,
  started_at timestamptz,
  finished_at timestamptz,
  updated_at timestamptz NOT NULL
);
CREATE INDEX workflow_runs_by_workflow ON workflow_runs (workflow_id, created_at DESC, run_id DESC);

-- One row per accepted webhook signature: a replayed request answers the first run.
CREATE TABLE workflow_webhook_receipts (
  workflow_id text NOT NULL REFERENCES workflows (workflow_id) ON DELETE CASCADE,
  signature text NOT NULL,
  run_id text NOT NULL,
  created_at timestamptz NOT NULL,
  PRIMARY KEY (workflow_id, signature)
);

CREATE TABLE thread_tags (
  tag_id text PRIMARY KEY,
  tenant_id text NOT NULL REFERENCES orgs (org_id),
  user_id text NOT NULL REFERENCES users (user_id),
  name text NOT NULL,
  color text,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL
);
CREATE UNIQUE INDEX thread_tags_owner_name ON thread_tags (tenant_id, user_id, lower(name));

CREATE TABLE thread_tag_assignments (
  tag_id text NOT NULL REFERENCES thread_tags (tag_id) ON DELETE CASCADE,
  session_id text NOT NULL REFERENCES sessions (session_id) ON DELETE CASCADE,
  created_at timestamptz NOT NULL,
  PRIMARY KEY (tag_id, session_id)
);
CREATE INDEX thread_tag_assignments_by_session ON thread_tag_assignments (session_id);

CREATE TABLE thread_smart_filters (
  filter_id text PRIMARY KEY,
  tenant_id text NOT NULL REFERENCES orgs (org_id),
  user_id text NOT NULL REFERENCES users (user_id),
  name text NOT NULL,
  query jsonb NOT NULL,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL
);
CREATE INDEX thread_smart_filters_owner ON thread_smart_filters (tenant_id, user_id, created_at);

CREATE TABLE artifacts (
  artifact_id text PRIMARY KEY,
  tenant_id text NOT NULL,
  user_id text NOT NULL,
  session_id text NOT NULL REFERENCES sessions (session_id) ON DELETE CASCADE,
  filename text NOT NULL,
  content_type text NOT NULL,
  size bigint NOT NULL,
  sha256 text NOT NULL,
  data bytea NOT NULL,
  position integer NOT NULL,
  kind text NOT NULL CHECK (kind IN ('document', 'chart', 'deck', 'spreadsheet', 'draft')),
  status text NOT NULL CHECK (status IN ('draft', 'in-review', 'final')),
  author_agent_id text,
  project_id text,
  task_id text,
  status_updated_by text,
  status_updated_at timestamptz,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL
);
CREATE INDEX artifacts_by_session ON artifacts (session_id, position);
CREATE INDEX artifacts_by_owner ON artifacts (tenant_id, user_id, created_at DESC, artifact_id);

-- owner_id is the user for a personal setting, '' for a tenant-wide one (null userId on the wire).
CREATE TABLE settings (
  tenant_id text NOT NULL REFERENCES orgs (org_id),
  owner_id text NOT NULL,
  key text NOT NULL,
  value jsonb NOT NULL,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  PRIMARY KEY (tenant_id, owner_id, key)
);
