-- The generic `Idempotency-Key` of mutating /api/ routes (src/idempotency.ts). Separate from the
-- `idempotency_keys` table of session and channel commands, which those routes fill inside their
-- own transaction: here a key is scoped by route as well, and it is reserved before the handler
-- runs ('running'), then either completed with the 2xx response ('done') or deleted.
-- The raw key is never stored: `key_hash` identifies it, and the response is sealed with a key
-- derived from the raw key, so a reader of the table cannot replay a secret shown once.

CREATE TABLE idempotent_requests (
  org_id text NOT NULL,
  -- 'token:<tokenId>' for API tokens, 'user:<userId>' for people.
  principal text NOT NULL,
  method text NOT NULL,
  -- The route pattern, e.g. '/api/workflows/:workflowId'.
  route text NOT NULL,
  key_hash text NOT NULL,
  request_hash text NOT NULL,
  -- Who holds a 'running' reservation: only its owner completes or releases it.
  reservation_id text NOT NULL,
  state text NOT NULL CHECK (state IN ('running', 'done')),
  status_code integer,
  content_type text,
  sealed_body text,
  created_at timestamptz NOT NULL,
  -- A 'running' row older than this was abandoned (a crash): another request may take it over.
  locked_until timestamptz NOT NULL,
  expires_at timestamptz NOT NULL,
  PRIMARY KEY (org_id, principal, method, route, key_hash)
);

CREATE INDEX idempotent_requests_by_expiry ON idempotent_requests (expires_at);
