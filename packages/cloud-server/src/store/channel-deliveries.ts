import type { ChannelDeliveryRecord, ChannelDeliveryStatus } from '@open-cowork/shared';
import type { Queryable } from './db.js';
import { int, iso, isoOrNull, json } from './rows.js';

const nullable = (value: unknown): string | null => (value === null || value === undefined ? null : String(value));

const toDelivery = (row: Record<string, unknown>): ChannelDeliveryRecord => ({
  deliveryId: String(row.delivery_id),
  orgId: String(row.org_id),
  agentId: String(row.agent_id),
  channelBindingId: String(row.channel_binding_id),
  sessionBindingId: nullable(row.session_binding_id),
  provider: String(row.provider),
  target: (row.target as Record<string, unknown>) ?? {},
  eventType: String(row.event_type),
  payload: (row.payload as Record<string, unknown>) ?? {},
  status: row.status as ChannelDeliveryStatus,
  attemptCount: int(row.attempt_count),
  claimedBy: nullable(row.claimed_by),
  lastClaimedBy: nullable(row.last_claimed_by),
  claimExpiresAt: isoOrNull(row.claim_expires_at),
  nextAttemptAt: iso(row.next_attempt_at),
  lastError: nullable(row.last_error),
  createdAt: iso(row.created_at),
  updatedAt: iso(row.updated_at),
});

/** Stream order: due time, then age. RETURNING has no order, so claims are sorted here. */
const byDue = (a: ChannelDeliveryRecord, b: ChannelDeliveryRecord) =>
  a.nextAttemptAt.localeCompare(b.nextAttemptAt) || a.createdAt.localeCompare(b.createdAt) || a.deliveryId.localeCompare(b.deliveryId);

/** Which delivery an action is about, and who may act on it. */
export interface DeliveryMatch {
  orgId: string;
  deliveryId: string;
  channelBindingId?: string | undefined;
  /** The bindings a gateway token was granted; null when not restricted. */
  scope: string[] | null;
}

const CLAIMABLE = `((status IN ('pending', 'failed') AND next_attempt_at <= now()) OR (status = 'claimed' AND claim_expires_at <= now()))`;

/** `($n::text IS NULL OR channel_binding_id = $n) AND (scope)` for a match, appended to `params`. */
function matchClause(params: unknown[], match: DeliveryMatch): string {
  params.push(match.channelBindingId ?? null, match.scope);
  const [binding, scope] = [params.length - 1, params.length];
  return `($${binding}::text IS NULL OR channel_binding_id = $${binding}) AND ($${scope}::text[] IS NULL OR channel_binding_id = ANY($${scope}::text[]))`;
}

/**
 * The outbound delivery queue and its leases. Times come from the
 * database clock (`now()`), so several server processes agree on when a lease has ended.
 */
export function createChannelDeliveriesStore() {
  return {
    /** Inserts the delivery, or returns the existing one with this (org, binding, delivery id). */
    async create(
      q: Queryable,
      delivery: {
        orgId: string;
        channelBindingId: string;
        deliveryId: string;
        agentId: string;
        sessionBindingId: string | null;
        provider: string;
        target: Record<string, unknown>;
        eventType: string;
        payload: Record<string, unknown>;
        status: 'pending' | 'failed' | 'dead';
        nextAttemptAt: string | null;
      },
    ): Promise<{ delivery: ChannelDeliveryRecord; created: boolean }> {
      const inserted = await q.query(
        `INSERT INTO channel_deliveries (org_id, channel_binding_id, delivery_id, agent_id, session_binding_id, provider, target,
                event_type, payload, status, next_attempt_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, $8, $9::jsonb, $10, coalesce($11::timestamptz, now()))
         ON CONFLICT (org_id, channel_binding_id, delivery_id) DO NOTHING RETURNING *`,
        [
          delivery.orgId,
          delivery.channelBindingId,
          delivery.deliveryId,
          delivery.agentId,
          delivery.sessionBindingId,
          delivery.provider,
          json(delivery.target),
          delivery.eventType,
          json(delivery.payload),
          delivery.status,
          delivery.nextAttemptAt,
        ],
      );
      if (inserted.rows[0]) return { delivery: toDelivery(inserted.rows[0]), created: true };
      const { rows } = await q.query(
        'SELECT * FROM channel_deliveries WHERE org_id = $1 AND channel_binding_id = $2 AND delivery_id = $3',
        [delivery.orgId, delivery.channelBindingId, delivery.deliveryId],
      );
      return { delivery: toDelivery(rows[0]!), created: false };
    },

    /** Newest first. */
    async list(
      q: Queryable,
      filter: {
        orgId: string;
        deliveryId?: string | undefined;
        status?: ChannelDeliveryStatus | undefined;
        channelBindingId?: string | undefined;
        scope: string[] | null;
        limit: number;
      },
    ): Promise<ChannelDeliveryRecord[]> {
      const params: unknown[] = [filter.orgId];
      const where = ['org_id = $1'];
      if (filter.deliveryId !== undefined) {
        params.push(filter.deliveryId);
        where.push(`delivery_id = $${params.length}`);
      }
      if (filter.status !== undefined) {
        params.push(filter.status);
        where.push(`status = $${params.length}`);
      }
      where.push(
        matchClause(params, { orgId: filter.orgId, deliveryId: '', channelBindingId: filter.channelBindingId, scope: filter.scope }),
      );
      params.push(filter.limit);
      const { rows } = await q.query(
        `SELECT * FROM channel_deliveries WHERE ${where.join(' AND ')} ORDER BY created_at DESC, delivery_id LIMIT $${params.length}`,
        params,
      );
      return rows.map(toDelivery);
    },

    /** Every delivery matching `match` (more than one means the id is ambiguous across bindings). */
    async find(q: Queryable, match: DeliveryMatch): Promise<ChannelDeliveryRecord[]> {
      const params: unknown[] = [match.orgId, match.deliveryId];
      const { rows } = await q.query(
        `SELECT * FROM channel_deliveries WHERE org_id = $1 AND delivery_id = $2 AND ${matchClause(params, match)} LIMIT 2`,
        params,
      );
      return rows.map(toDelivery);
    },

    /**
     * Claims up to `limit` due deliveries for `claimedBy` with a lease of `ttlMs`. `SKIP LOCKED`
     * lets concurrent claimers (streams of other gateways, other server processes) take disjoint
     * rows without waiting on each other; a row is claimed by at most one of them.
     */
    async claim(
      q: Queryable,
      input: {
        orgId: string;
        scope: string[] | null;
        limit: number;
        claimedBy: string;
        lastClaimedBy: string;
        ttlMs: number;
        /** Retries (claimed before) or first attempts: only first attempts count against the quota. */
        retries: boolean;
      },
    ): Promise<ChannelDeliveryRecord[]> {
      if (input.limit <= 0) return [];
      const { rows } = await q.query(
        `WITH picked AS (
           SELECT org_id, channel_binding_id, delivery_id FROM channel_deliveries
            WHERE org_id = $1 AND ($2::text[] IS NULL OR channel_binding_id = ANY($2::text[])) AND ${CLAIMABLE}
              AND (attempt_count > 0) = $7
            ORDER BY next_attempt_at, created_at
            LIMIT $3
            FOR UPDATE SKIP LOCKED)
         UPDATE channel_deliveries d SET status = 'claimed', claimed_by = $4, last_claimed_by = $5,
                claim_expires_at = now() + $6::int * interval '1 millisecond', attempt_count = d.attempt_count + 1, updated_at = now()
           FROM picked
          WHERE d.org_id = picked.org_id AND d.channel_binding_id = picked.channel_binding_id AND d.delivery_id = picked.delivery_id
          RETURNING d.*`,
        [input.orgId, input.scope, input.limit, input.claimedBy, input.lastClaimedBy, input.ttlMs, input.retries],
      );
      return rows.map(toDelivery).sort(byDue);
    },

    /** Dead-letters deliveries whose last allowed attempt ended with its lease (the gateway died on it). */
    async deadLetterLapsed(q: Queryable, orgId: string, maxAttempts: number): Promise<void> {
      await q.query(
        `UPDATE channel_deliveries SET status = 'dead', claimed_by = NULL, claim_expires_at = NULL, updated_at = now(),
                last_error = coalesce(last_error, 'The lease of the last attempt ended without an ack.')
          WHERE org_id = $1 AND status = 'claimed' AND claim_expires_at <= now() AND attempt_count >= $2`,
        [orgId, maxAttempts],
      );
    },

    /** How many of `keys` are still leased to `claimedBy` (the stream's deliveries in flight). */
    async stillLeased(
      q: Queryable,
      orgId: string,
      claimedBy: string,
      keys: { channelBindingId: string; deliveryId: string }[],
    ): Promise<Set<string>> {
      if (keys.length === 0) return new Set();
      const { rows } = await q.query(
        `SELECT channel_binding_id, delivery_id FROM channel_deliveries
          WHERE org_id = $1 AND claimed_by = $2 AND status = 'claimed' AND claim_expires_at > now()
            AND (channel_binding_id || ' ' || delivery_id) = ANY($3::text[])`,
        [orgId, claimedBy, keys.map((key) => `${key.channelBindingId} ${key.deliveryId}`)],
      );
      return new Set(rows.map((row) => `${String(row.channel_binding_id)} ${String(row.delivery_id)}`));
    },

    /**
     * The deliveries matching `match` that `claimedBy` claimed, locked for the rest of `tx`: an ack
     * is accepted after the lease ended as long as nobody re-claimed it. More than one row means the
     * id is ambiguous across bindings.
     */
    async lockClaimed(tx: Queryable, match: DeliveryMatch & { claimedBy: string }): Promise<ChannelDeliveryRecord[]> {
      const params: unknown[] = [match.orgId, match.deliveryId, match.claimedBy];
      const { rows } = await tx.query(
        `SELECT * FROM channel_deliveries
          WHERE org_id = $1 AND delivery_id = $2 AND status = 'claimed' AND claimed_by = $3 AND ${matchClause(params, match)}
          FOR UPDATE`,
        params,
      );
      return rows.map(toDelivery);
    },

    /** Ends the lease of a delivery with its outcome; a `failed` one is due again in `retryInMs` unless `nextAttemptAt` says when. */
    async settle(
      tx: Queryable,
      key: { orgId: string; channelBindingId: string; deliveryId: string },
      outcome: { status: 'sent' | 'failed' | 'dead'; lastError: string | null; nextAttemptAt: string | null; retryInMs: number },
    ): Promise<ChannelDeliveryRecord> {
      const { rows } = await tx.query(
        `UPDATE channel_deliveries SET status = $4, claimed_by = NULL, claim_expires_at = NULL, last_error = $5,
                next_attempt_at = coalesce($6::timestamptz, now() + $7::int * interval '1 millisecond'), updated_at = now()
          WHERE org_id = $1 AND channel_binding_id = $2 AND delivery_id = $3 RETURNING *`,
        [key.orgId, key.channelBindingId, key.deliveryId, outcome.status, outcome.lastError, outcome.nextAttemptAt, outcome.retryInMs],
      );
      return toDelivery(rows[0]!);
    },

    /** Extends every other live lease of `claimedBy` in the match's scope as well: a gateway renews all it holds at once. */
    async renewHeld(q: Queryable, match: DeliveryMatch & { claimedBy: string }, ttlMs: number): Promise<void> {
      await q.query(
        `UPDATE channel_deliveries SET claim_expires_at = now() + $3::int * interval '1 millisecond', updated_at = now()
          WHERE org_id = $1 AND status = 'claimed' AND claimed_by = $2 AND claim_expires_at > now()
            AND ($4::text[] IS NULL OR channel_binding_id = ANY($4::text[]))`,
        [match.orgId, match.claimedBy, ttlMs, match.scope],
      );
    },

    /** Extends the lease held by `claimedBy` to now + `ttlMs`; null when it does not hold it. */
    async renew(q: Queryable, match: DeliveryMatch & { claimedBy: string }, ttlMs: number): Promise<ChannelDeliveryRecord | null> {
      const params: unknown[] = [match.orgId, match.deliveryId, match.claimedBy, ttlMs];
      const { rows } = await q.query(
        `UPDATE channel_deliveries SET claim_expires_at = now() + $4::int * interval '1 millisecond', updated_at = now()
          WHERE org_id = $1 AND delivery_id = $2 AND status = 'claimed' AND claimed_by = $3 AND ${matchClause(params, match)}
          RETURNING *`,
        params,
      );
      return rows.length === 1 ? toDelivery(rows[0]!) : null;
    },

    /** Sets a delivery (already found and checked by the caller) to `failed`-now or `dead`, clearing any lease. */
    async setOperatorStatus(
      tx: Queryable,
      key: { orgId: string; channelBindingId: string; deliveryId: string },
      status: 'failed' | 'dead',
      lastError: string | null,
    ): Promise<ChannelDeliveryRecord> {
      const { rows } = await tx.query(
        `UPDATE channel_deliveries SET status = $4, claimed_by = NULL, claim_expires_at = NULL, last_error = $5,
                next_attempt_at = CASE WHEN $4 = 'failed' THEN now() ELSE next_attempt_at END, updated_at = now()
          WHERE org_id = $1 AND channel_binding_id = $2 AND delivery_id = $3 RETURNING *`,
        [key.orgId, key.channelBindingId, key.deliveryId, status, lastError],
      );
      return toDelivery(rows[0]!);
    },

    /** Locks the delivery row for an operator action. */
    async lock(
      tx: Queryable,
      key: { orgId: string; channelBindingId: string; deliveryId: string },
    ): Promise<(ChannelDeliveryRecord & { leaseLive: boolean }) | null> {
      const { rows } = await tx.query(
        `SELECT *, (status = 'claimed' AND claim_expires_at > now()) AS lease_live FROM channel_deliveries
          WHERE org_id = $1 AND channel_binding_id = $2 AND delivery_id = $3 FOR UPDATE`,
        [key.orgId, key.channelBindingId, key.deliveryId],
      );
      return rows[0] ? { ...toDelivery(rows[0]), leaseLive: rows[0].lease_live === true } : null;
    },

    /** Milliseconds until the next delivery in scope becomes due (a retry time or a lease end), or null. */
    async nextDueInMs(q: Queryable, orgId: string, scope: string[] | null): Promise<number | null> {
      const { rows } = await q.query(
        `SELECT extract(epoch FROM (min(due) - now())) * 1000 AS ms FROM (
           SELECT CASE WHEN status = 'claimed' THEN claim_expires_at ELSE next_attempt_at END AS due FROM channel_deliveries
            WHERE org_id = $1 AND ($2::text[] IS NULL OR channel_binding_id = ANY($2::text[])) AND status IN ('pending', 'failed', 'claimed')
         ) due_times`,
        [orgId, scope],
      );
      const ms = rows[0]?.ms;
      return ms === null || ms === undefined ? null : Math.max(0, Number(ms));
    },
  };
}
