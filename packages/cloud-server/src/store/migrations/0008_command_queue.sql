-- Durable command execution (src/services/workers.ts). A prompt is recorded 'pending' with its
-- `prompt.submitted` event; a runtime worker holding the session's lease runs it ('running') and
-- settles it ('acked' or 'failed').

ALTER TABLE session_commands
  -- The worker and lease that last claimed the command.
  ADD COLUMN claimed_by text,
  ADD COLUMN claimed_lease_token text,
  -- Not run before this time (a retry after a worker died before the turn produced anything).
  ADD COLUMN available_at timestamptz;

CREATE INDEX session_commands_queued ON session_commands (session_id, created_sequence) WHERE status IN ('pending', 'running');

-- One row per session that ever had queued work. `worker_id` is null while nobody holds it; a
-- lease whose `expires_at` has passed belongs to a dead worker and may be taken over. The token
-- changes with every claim and fences the holder's writes.
CREATE TABLE session_leases (
  session_id text PRIMARY KEY REFERENCES sessions (session_id) ON DELETE CASCADE,
  worker_id text,
  lease_token text,
  expires_at timestamptz,
  acquired_at timestamptz
);
CREATE INDEX session_leases_by_worker ON session_leases (worker_id) WHERE worker_id IS NOT NULL;

-- Live runtime workers, for `GET /api/runtime/status`; each renews its heartbeat with its leases.
CREATE TABLE runtime_workers (
  worker_id text PRIMARY KEY,
  started_at timestamptz NOT NULL,
  heartbeat_at timestamptz NOT NULL
);
