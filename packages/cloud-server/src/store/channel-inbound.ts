import type {
  ChannelInteraction,
  ChannelInteractionKind,
  ChannelInteractionStatus,
  ProviderEvent,
  ProviderEventStatus,
  ProviderEventType,
} from '@open-cowork/shared';
import type { Queryable } from './db.js';
import { int, iso, isoOrNull, json, keyOf, textOrNull } from './rows.js';

const toEvent = (row: Record<string, unknown>): ProviderEvent => ({
  eventId: String(row.event_id),
  orgId: String(row.org_id),
  channelBindingId: textOrNull(row.channel_binding_id),
  provider: String(row.provider),
  providerInstanceId: String(row.provider_instance_id),
  externalWorkspaceId: textOrNull(row.external_workspace_id),
  providerEventId: String(row.provider_event_id),
  eventType: row.event_type as ProviderEventType,
  status: row.status as ProviderEventStatus,
  claimedBy: textOrNull(row.claimed_by),
  claimExpiresAt: isoOrNull(row.claim_expires_at),
  attemptCount: int(row.attempt_count),
  retryable: row.retryable === true,
  lastError: textOrNull(row.last_error),
  metadata: (row.metadata as Record<string, unknown>) ?? {},
  processedAt: isoOrNull(row.processed_at),
  createdAt: iso(row.created_at),
  updatedAt: iso(row.updated_at),
});

/** An interaction with the columns the wire never shows. */
export interface StoredInteraction extends ChannelInteraction {
  /** True when `expiresAt` has passed (by the database clock). */
  expired: boolean;
}

const toInteraction = (row: Record<string, unknown>): StoredInteraction => ({
  interactionId: String(row.interaction_id),
  orgId: String(row.org_id),
  agentId: String(row.agent_id),
  channelBindingId: String(row.channel_binding_id),
  sessionBindingId: String(row.session_binding_id),
  sessionId: String(row.session_id),
  provider: String(row.provider),
  externalInteractionId: textOrNull(row.external_interaction_id),
  kind: row.kind as ChannelInteractionKind,
  targetId: String(row.target_id),
  status: row.status as ChannelInteractionStatus,
  createdByIdentityId: textOrNull(row.created_by_identity_id),
  expiresAt: isoOrNull(row.expires_at),
  usedAt: isoOrNull(row.used_at),
  createdAt: iso(row.created_at),
  updatedAt: iso(row.updated_at),
  expired: row.expired === true,
});

export function publicInteraction({ expired: _expired, ...interaction }: StoredInteraction): ChannelInteraction {
  return interaction;
}

const INTERACTION_SELECT = 'SELECT *, (expires_at IS NOT NULL AND expires_at <= now()) AS expired FROM channel_interactions';

export interface ProviderEventKey {
  orgId: string;
  channelBindingId: string | null;
  provider: string;
  providerInstanceId: string;
  externalWorkspaceId: string | null;
  eventType: ProviderEventType;
  providerEventId: string;
}

/** Inbound traffic: provider-event claims and one-time interactions. */
export function createChannelInboundStore() {
  return {
    /**
     * Claims the event with this natural key for `claimedBy`: new, `received`,
     * `failed && retryable`, or `processing` with an expired claim ⇒ claimed; otherwise a duplicate.
     * The row lock makes concurrent claims of one event yield exactly one winner.
     */
    async claimProviderEvent(
      tx: Queryable,
      key: ProviderEventKey,
      claim: { eventId: string; claimedBy: string; ttlMs: number; metadata: Record<string, unknown> },
    ): Promise<{ event: ProviderEvent; claimed: boolean }> {
      const params = [
        key.orgId,
        keyOf(key.channelBindingId),
        key.provider,
        key.providerInstanceId,
        keyOf(key.externalWorkspaceId),
        key.eventType,
        key.providerEventId,
      ];
      const inserted = await tx.query(
        `INSERT INTO channel_provider_events (event_id, org_id, channel_binding_id, provider, provider_instance_id, external_workspace_id,
                event_type, provider_event_id, status, claimed_by, claim_expires_at, attempt_count, metadata)
         VALUES ($8, $1, $2, $3, $4, $5, $6, $7, 'processing', $9, now() + $10::int * interval '1 millisecond', 1, $11::jsonb)
         ON CONFLICT ON CONSTRAINT channel_provider_events_natural DO NOTHING RETURNING *`,
        [...params, claim.eventId, claim.claimedBy, claim.ttlMs, json(claim.metadata)],
      );
      if (inserted.rows[0]) return { event: toEvent(inserted.rows[0]), claimed: true };
      const reclaimed = await tx.query(
        `UPDATE channel_provider_events SET status = 'processing', claimed_by = $8,
                claim_expires_at = now() + $9::int * interval '1 millisecond', attempt_count = attempt_count + 1,
                last_error = NULL, updated_at = now()
          WHERE org_id = $1 AND channel_binding_id = $2 AND provider = $3 AND provider_instance_id = $4
            AND external_workspace_id = $5 AND event_type = $6 AND provider_event_id = $7
            AND (status = 'received' OR (status = 'failed' AND retryable) OR (status = 'processing' AND claim_expires_at <= now()))
          RETURNING *`,
        [...params, claim.claimedBy, claim.ttlMs],
      );
      if (reclaimed.rows[0]) return { event: toEvent(reclaimed.rows[0]), claimed: true };
      const { rows } = await tx.query(
        `SELECT * FROM channel_provider_events
          WHERE org_id = $1 AND channel_binding_id = $2 AND provider = $3 AND provider_instance_id = $4
            AND external_workspace_id = $5 AND event_type = $6 AND provider_event_id = $7`,
        params,
      );
      return { event: toEvent(rows[0]!), claimed: false };
    },

    /** Completes a claim held by `claimedBy`; null when no such claim is in progress. */
    async completeProviderEvent(
      q: Queryable,
      orgId: string,
      eventId: string,
      outcome: {
        claimedBy: string;
        status: 'processed' | 'failed';
        channelBindingId?: string | undefined;
        scope: string[] | null;
        retryable?: boolean | undefined;
        lastError?: string | undefined;
      },
    ): Promise<ProviderEvent | null> {
      const { rows } = await q.query(
        `UPDATE channel_provider_events SET status = $4, claim_expires_at = NULL,
                retryable = coalesce($5, retryable), last_error = CASE WHEN $4 = 'failed' THEN $6 ELSE NULL END,
                processed_at = CASE WHEN $4 = 'processed' THEN now() ELSE processed_at END, updated_at = now()
          WHERE org_id = $1 AND event_id = $2 AND claimed_by = $3 AND status = 'processing'
            AND ($7::text IS NULL OR channel_binding_id = $7)
            AND ($8::text[] IS NULL OR channel_binding_id = ANY($8::text[]))
          RETURNING *`,
        [
          orgId,
          eventId,
          outcome.claimedBy,
          outcome.status,
          outcome.retryable ?? null,
          outcome.lastError ?? null,
          outcome.channelBindingId ?? null,
          outcome.scope,
        ],
      );
      return rows[0] ? toEvent(rows[0]) : null;
    },

    async getProviderEvent(q: Queryable, orgId: string, eventId: string): Promise<ProviderEvent | null> {
      const { rows } = await q.query('SELECT * FROM channel_provider_events WHERE org_id = $1 AND event_id = $2', [orgId, eventId]);
      return rows[0] ? toEvent(rows[0]) : null;
    },

    // ------------------------------------------------------------ interactions
    /** Null when the interaction id or the external interaction id is taken. */
    async insertInteraction(
      q: Queryable,
      interaction: Omit<ChannelInteraction, 'status' | 'usedAt' | 'createdAt' | 'updatedAt'> & { tokenHash: string },
    ): Promise<StoredInteraction | null> {
      const { rows } = await q.query(
        `INSERT INTO channel_interactions (interaction_id, org_id, agent_id, channel_binding_id, session_binding_id, session_id, provider,
                external_interaction_id, kind, target_id, token_hash, status, created_by_identity_id, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 'pending', $12, $13)
         ON CONFLICT DO NOTHING RETURNING *, false AS expired`,
        [
          interaction.interactionId,
          interaction.orgId,
          interaction.agentId,
          interaction.channelBindingId,
          interaction.sessionBindingId,
          interaction.sessionId,
          interaction.provider,
          interaction.externalInteractionId,
          interaction.kind,
          interaction.targetId,
          interaction.tokenHash,
          interaction.createdByIdentityId,
          interaction.expiresAt,
        ],
      );
      return rows[0] ? toInteraction(rows[0]) : null;
    },

    /** The interaction with this token hash or external id, row-locked for the resolving transaction. */
    async lockInteraction(
      tx: Queryable,
      orgId: string,
      by: { tokenHash: string } | { externalInteractionId: string },
    ): Promise<StoredInteraction | null> {
      const [column, value] = 'tokenHash' in by ? ['token_hash', by.tokenHash] : ['external_interaction_id', by.externalInteractionId];
      const { rows } = await tx.query(`${INTERACTION_SELECT} WHERE org_id = $1 AND ${column} = $2 FOR UPDATE`, [orgId, value]);
      return rows[0] ? toInteraction(rows[0]) : null;
    },

    async setInteractionStatus(tx: Queryable, interactionId: string, status: 'used' | 'expired'): Promise<StoredInteraction> {
      const { rows } = await tx.query(
        `UPDATE channel_interactions SET status = $2, used_at = CASE WHEN $2 = 'used' THEN now() ELSE used_at END, updated_at = now()
          WHERE interaction_id = $1 RETURNING *, (expires_at IS NOT NULL AND expires_at <= now()) AS expired`,
        [interactionId, status],
      );
      return toInteraction(rows[0]!);
    },
  };
}
