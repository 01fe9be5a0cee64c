import type { Queryable } from './db.js';
import { int, json } from './rows.js';

export interface IdempotencyScope {
  tenantId: string;
  userId: string;
  key: string;
}

/** What a key already holds: the fingerprint of its first request and the response to replay. */
export interface StoredIdempotentResponse {
  requestHash: string;
  statusCode: number;
  response: unknown;
}

export function createIdempotencyStore() {
  return {
    /**
     * Claims the key inside the caller's transaction. A concurrent request with the same key waits
     * on the unique index until the first one commits, then sees its stored response; so the
     * first request is the only one that ever executes. Returns null when the claim is new.
     */
    async claim(tx: Queryable, scope: IdempotencyScope, requestHash: string, now: string): Promise<StoredIdempotentResponse | null> {
      const inserted = await tx.query(
        `INSERT INTO idempotency_keys (tenant_id, user_id, idempotency_key, request_hash, status_code, response, created_at)
         VALUES ($1, $2, $3, $4, 0, 'null'::jsonb, $5) ON CONFLICT DO NOTHING RETURNING idempotency_key`,
        [scope.tenantId, scope.userId, scope.key, requestHash, now],
      );
      if (inserted.rows.length > 0) return null;
      const { rows } = await tx.query(
        `SELECT request_hash, status_code, response FROM idempotency_keys
         WHERE tenant_id = $1 AND user_id = $2 AND idempotency_key = $3`,
        [scope.tenantId, scope.userId, scope.key],
      );
      const row = rows[0]!;
      return { requestHash: String(row.request_hash), statusCode: int(row.status_code), response: row.response };
    },

    async complete(tx: Queryable, scope: IdempotencyScope, statusCode: number, response: unknown): Promise<void> {
      await tx.query(
        `UPDATE idempotency_keys SET status_code = $4, response = $5::jsonb
         WHERE tenant_id = $1 AND user_id = $2 AND idempotency_key = $3`,
        [scope.tenantId, scope.userId, scope.key, statusCode, json(response)],
      );
    },
  };
}

export type IdempotencyStore = ReturnType<typeof createIdempotencyStore>;
