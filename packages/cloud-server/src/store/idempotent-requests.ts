import type { Queryable } from './db.js';
import { int } from './rows.js';

/** One key of one caller on one route: the primary key of `idempotent_requests`. */
export interface IdempotentRequestScope {
  orgId: string;
  /** `token:<tokenId>` or `user:<userId>`. */
  principal: string;
  method: string;
  /** The route pattern, e.g. `/api/workflows/:workflowId`. */
  route: string;
  keyHash: string;
}

export interface IdempotentReservation {
  requestHash: string;
  reservationId: string;
  now: string;
  lockedUntil: string;
  expiresAt: string;
}

/** What a key holds when it could not be reserved. */
export interface StoredIdempotentRequest {
  requestHash: string;
  state: 'running' | 'done';
  statusCode: number | null;
  contentType: string | null;
  sealedBody: string | null;
}

export interface IdempotentCompletion {
  statusCode: number;
  contentType: string | null;
  sealedBody: string;
}

const PK = 'org_id = $1 AND principal = $2 AND method = $3 AND route = $4 AND key_hash = $5';
const pk = (scope: IdempotentRequestScope) => [scope.orgId, scope.principal, scope.method, scope.route, scope.keyHash];

/** The reservations and stored responses of the generic `Idempotency-Key` (src/idempotency.ts). */
export function createIdempotentRequestsStore() {
  return {
    /**
     * Reserves the key with one INSERT on the primary key; true when this request now holds it.
     * An expired row, or a 'running' row whose lock ran out (its server died), is taken over in
     * the same statement; anything else is left alone and the caller reads it with `find`.
     */
    async reserve(q: Queryable, scope: IdempotentRequestScope, reservation: IdempotentReservation): Promise<boolean> {
      const { rows } = await q.query(
        `INSERT INTO idempotent_requests
           (org_id, principal, method, route, key_hash, request_hash, reservation_id, state, created_at, locked_until, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, 'running', $8, $9, $10)
         ON CONFLICT (org_id, principal, method, route, key_hash) DO UPDATE SET
           request_hash = EXCLUDED.request_hash, reservation_id = EXCLUDED.reservation_id, state = 'running',
           status_code = NULL, content_type = NULL, sealed_body = NULL,
           created_at = EXCLUDED.created_at, locked_until = EXCLUDED.locked_until, expires_at = EXCLUDED.expires_at
         WHERE idempotent_requests.expires_at <= EXCLUDED.created_at
            OR (idempotent_requests.state = 'running' AND idempotent_requests.locked_until <= EXCLUDED.created_at)
         RETURNING reservation_id`,
        [...pk(scope), reservation.requestHash, reservation.reservationId, reservation.now, reservation.lockedUntil, reservation.expiresAt],
      );
      return rows.length > 0;
    },

    async find(q: Queryable, scope: IdempotentRequestScope): Promise<StoredIdempotentRequest | null> {
      const { rows } = await q.query(
        `SELECT request_hash, state, status_code, content_type, sealed_body FROM idempotent_requests WHERE ${PK}`,
        pk(scope),
      );
      const row = rows[0];
      if (!row) return null;
      return {
        requestHash: String(row.request_hash),
        state: row.state === 'done' ? 'done' : 'running',
        statusCode: row.status_code === null ? null : int(row.status_code),
        contentType: row.content_type === null ? null : String(row.content_type),
        sealedBody: row.sealed_body === null ? null : String(row.sealed_body),
      };
    },

    /** Stores the response of the reservation's holder; false when it no longer holds the key. */
    async complete(q: Queryable, scope: IdempotentRequestScope, reservationId: string, done: IdempotentCompletion): Promise<boolean> {
      const { rowCount } = await q.query(
        `UPDATE idempotent_requests SET state = 'done', status_code = $7, content_type = $8, sealed_body = $9
         WHERE ${PK} AND reservation_id = $6 AND state = 'running'`,
        [...pk(scope), reservationId, done.statusCode, done.contentType, done.sealedBody],
      );
      return rowCount > 0;
    },

    /** Gives the key back (the request failed), so the caller may retry with it. */
    async release(q: Queryable, scope: IdempotentRequestScope, reservationId: string): Promise<void> {
      await q.query(`DELETE FROM idempotent_requests WHERE ${PK} AND reservation_id = $6 AND state = 'running'`, [
        ...pk(scope),
        reservationId,
      ]);
    },

    /** Deletes expired keys; returns how many. */
    async prune(q: Queryable, now: string): Promise<number> {
      const { rowCount } = await q.query('DELETE FROM idempotent_requests WHERE expires_at <= $1', [now]);
      return rowCount;
    },
  };
}
