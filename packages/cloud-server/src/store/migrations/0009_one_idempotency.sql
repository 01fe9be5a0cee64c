-- Session commands now keep their Idempotency-Key in `idempotent_requests` (src/idempotency.ts,
-- `runIdempotent`), like every other route: hashed keys, sealed replies, 24-hour expiry. The raw
-- keys and plain responses of their old table go with it; a retry of a command sent before the
-- upgrade runs as a new request.
DROP TABLE idempotency_keys;
