import type {
  ChannelDeliveryRecord,
  CreateChannelDeliveryInput,
  DeadLetterChannelDeliveryInput,
  ListChannelDeliveriesInput,
  RenewChannelDeliveryLeaseInput,
} from '@open-cowork/shared';
import type { channels as channelsSchemas } from '@open-cowork/shared/schemas';
import type { Static } from '@sinclair/typebox';
import type { Principal } from '../auth/principal.js';
import { httpError } from '../errors.js';
import type { IdempotentKey, IdempotentRunner } from '../idempotency.js';
import { newId } from '../ids.js';
import type { DeliveryMatch } from '../store/channel-deliveries.js';
import type { Db, Queryable } from '../store/db.js';
import type { Stores } from '../store/stores.js';
import type { StreamConnection, StreamOwner } from '../streams/engine.js';
import { type ChannelAccess, requireSameProvider, sanitiseObject } from './channel-access.js';
import type { DeliveryStreams } from './deliveries.js';
import { USAGE_EVENT_TYPES, type UsageService } from './usage.js';

/** `target` and `payload` are each capped at 16 KiB of JSON. */
const MAX_JSON_BYTES = 16 * 1024;
const DEFAULT_DEAD_LETTER_ERROR = 'Manually dead-lettered by gateway operator.';

/** How failed deliveries are retried: exponential backoff with jitter, then the dead-letter state. */
export interface RetryPolicy {
  maxAttempts: number;
  retryBaseMs: number;
  retryMaxMs: number;
}

/** The wait before the retry after `attempts` attempts: base × 2^(attempts−1), capped, less up to half of it at random. */
function backoffMs(attempts: number, policy: RetryPolicy): number {
  const full = Math.min(policy.retryMaxMs, policy.retryBaseMs * 2 ** Math.max(0, attempts - 1));
  return Math.round(full / 2 + (Math.random() * full) / 2);
}

type AckBody = Static<typeof channelsSchemas.AckBody>;
type StreamQuery = Static<typeof channelsSchemas.DeliveryStreamQuery>;
type LeaseMatch = DeliveryMatch & { claimedBy: string };

const notFound = () => httpError('channels.delivery_not_found', 'Channel delivery was not found (or is not held by claimedBy).');

/** What REST lists show of a delivery: its target and payload sanitised. */
const publicDelivery = (delivery: ChannelDeliveryRecord): ChannelDeliveryRecord => ({
  ...delivery,
  target: sanitiseObject(delivery.target),
  payload: sanitiseObject(delivery.payload),
});

/**
 * The outbound delivery queue: what a delivery may carry, the claiming stream, the lease actions
 * of a gateway (ack, renew) with the retry/dead-letter state machine, and the operator actions
 * (retry, dead-letter). It is for gateways and admins (`requireGatewayOrAdmin`), a gateway token
 * limited to its bindings. Each action runs in its own transaction under the caller's
 * `Idempotency-Key`, records its audit event there and wakes the delivery streams on commit.
 */
export function createChannelDeliveryService(deps: {
  db: Db;
  idempotent: IdempotentRunner;
  deliveries: Stores['channelDeliveries'];
  channels: Stores['channels'];
  access: ChannelAccess;
  streams: DeliveryStreams;
  usage: UsageService;
}) {
  const { db, idempotent, deliveries: store, channels, access, streams, usage } = deps;
  const { notify, settings: policy } = streams;

  /** Who may act on which delivery: a gateway only within the bindings it was granted. */
  const matchOf = (principal: Principal, deliveryId: string, channelBindingId: string | undefined): DeliveryMatch => {
    access.requireGatewayOrAdmin(principal);
    if (channelBindingId) access.assertGranted(principal, channelBindingId);
    return { orgId: principal.orgId, deliveryId, channelBindingId, scope: access.scopeOf(principal) };
  };

  /** The one delivery `match` names: 404 when none, 409 when several bindings have one with its id. */
  const only = async (tx: Queryable, match: DeliveryMatch): Promise<ChannelDeliveryRecord> => {
    const found = await store.find(tx, match);
    if (found.length === 0) throw notFound();
    if (found.length > 1) {
      throw httpError('channels.delivery_ambiguous', 'Several channel bindings have a delivery with this id: give channelBindingId.');
    }
    return found[0]!;
  };

  /**
   * The hourly delivery quota, asked before a stream claims first attempts: a whole batch if it
   * fits, else one at a time until it is used up (429).
   */
  const quota = (orgId: string) => async (capacity: number) => {
    try {
      await usage.enforceQuota(db, orgId, 'gateway_deliveries:hour', capacity);
      return capacity;
    } catch (error) {
      if (capacity === 1) throw error;
      await usage.enforceQuota(db, orgId, 'gateway_deliveries:hour', 1);
      return 1;
    }
  };

  return {
    /** Queues a delivery on an active binding; an existing (binding, delivery id) answers as it is, with 200. */
    create: (principal: Principal, input: CreateChannelDeliveryInput, key: IdempotentKey | null) =>
      idempotent.transaction(key, async (tx) => {
        access.requireGatewayOrAdmin(principal);
        for (const field of ['target', 'payload'] as const) {
          if (Buffer.byteLength(JSON.stringify(input[field])) > MAX_JSON_BYTES) {
            throw httpError('channels.delivery_too_large', `${field} must be at most 16 KiB of JSON.`);
          }
        }
        const binding = await access.binding(tx, principal, input.channelBindingId);
        if (binding.agentId !== input.agentId) throw httpError('channels.agent_mismatch', 'agentId does not own this channel binding.');
        requireSameProvider(binding, input.provider, 'channel binding');
        if (binding.status !== 'active') throw httpError('channels.binding_inactive', `The channel binding is ${binding.status}.`);
        if (input.sessionBindingId) {
          const sessionBinding = await channels.getSessionBinding(tx, principal.orgId, input.sessionBindingId);
          if (!sessionBinding || sessionBinding.channelBindingId !== binding.bindingId) {
            throw httpError('channels.session_binding_mismatch', 'The session binding does not belong to this channel binding.');
          }
        }
        const { delivery, created } = await store.create(tx, {
          orgId: principal.orgId,
          channelBindingId: binding.bindingId,
          deliveryId: input.deliveryId ?? newId('dlv'),
          agentId: input.agentId,
          sessionBindingId: input.sessionBindingId ?? null,
          provider: input.provider,
          target: input.target,
          eventType: input.eventType,
          payload: input.payload,
          status: input.status ?? 'pending',
          nextAttemptAt: input.nextAttemptAt ?? null,
        });
        if (!created) return { status: 200, body: { delivery } };
        await access.audit(tx, principal, {
          action: 'channel_delivery.created',
          targetType: 'channel_delivery',
          targetId: delivery.deliveryId,
          metadata: { channelBindingId: delivery.channelBindingId, eventType: delivery.eventType, status: delivery.status },
        });
        await notify(tx, principal.orgId);
        return { status: 201, body: { delivery } };
      }),

    async list(principal: Principal, query: ListChannelDeliveriesInput) {
      access.requireGatewayOrAdmin(principal);
      if (query.channelBindingId) access.assertGranted(principal, query.channelBindingId);
      const found = await store.list(db, { ...query, orgId: principal.orgId, scope: access.scopeOf(principal), limit: query.limit ?? 50 });
      return { deliveries: found.map(publicDelivery) };
    },

    /**
     * Serves the caller's delivery stream on the connection `open` starts once the caller may
     * claim: every refusal comes before it, as an ordinary JSON error. First attempts count against
     * the hourly delivery quota and are metered as they are claimed.
     */
    async stream(principal: Principal, query: StreamQuery, open: (owner: StreamOwner) => StreamConnection): Promise<void> {
      // Claiming is a gateway's act: a GET that a page could trigger with a cookie alone must not claim.
      if (principal.authSource === 'cookie') {
        throw httpError(
          'channels.stream_cookie_refused',
          'The delivery stream claims deliveries: call it with a gateway or admin token, not a cookie.',
        );
      }
      access.requireGatewayOrAdmin(principal);
      const requested = query.channelBindingId === undefined ? null : [query.channelBindingId].flat();
      for (const bindingId of requested ?? []) access.assertGranted(principal, bindingId);
      const claimedBy = query.claimedBy ?? principal.tokenId ?? principal.userId;
      const { orgId, userId } = principal;
      await streams.serve(open({ orgId, userId }), {
        orgId,
        scope: requested ?? access.scopeOf(principal),
        claimedBy,
        lastClaimedBy: principal.channelBindingIds && principal.tokenId ? principal.tokenId : claimedBy,
        ttlMs: streams.clampTtl(query.ttlMs),
        prefetch: query.prefetch,
        beforeClaim: quota(orgId),
        onClaim: async (delivery) => {
          await usage.record(db, {
            orgId,
            accountId: principal.accountId,
            eventType: USAGE_EVENT_TYPES.gatewayDelivery,
            quantity: 1,
            unit: 'count',
            metadata: { deliveryId: delivery.deliveryId, channelBindingId: delivery.channelBindingId, claimedBy },
          });
        },
      });
    },

    /**
     * Ends the lease of the claimer (`outcome.claimedBy`, else the token, else the user) with the
     * gateway's outcome. A failure is retried after its backoff, unless it was the last allowed
     * attempt: then it is dead-lettered.
     */
    ack: (principal: Principal, deliveryId: string, outcome: AckBody, key: IdempotentKey | null) =>
      idempotent.transaction(key, async (tx) => {
        const match: LeaseMatch = {
          ...matchOf(principal, deliveryId, outcome.channelBindingId),
          claimedBy: outcome.claimedBy ?? principal.tokenId ?? principal.userId,
        };
        const held = await store.lockClaimed(tx, match);
        if (held.length !== 1) throw notFound();
        const claimed = held[0]!;
        const status = outcome.status === 'failed' && claimed.attemptCount >= policy.maxAttempts ? 'dead' : outcome.status;
        const delivery = await store.settle(tx, claimed, {
          status,
          lastError: outcome.status === 'sent' ? null : (outcome.lastError ?? null),
          nextAttemptAt: outcome.nextAttemptAt ?? null,
          retryInMs: status === 'failed' ? backoffMs(claimed.attemptCount, policy) : 0,
        });
        await access.audit(tx, principal, {
          action: `channel_delivery.acked_${outcome.status}`,
          targetType: 'channel_delivery',
          targetId: delivery.deliveryId,
          metadata: { channelBindingId: delivery.channelBindingId, claimedBy: match.claimedBy, attemptCount: delivery.attemptCount },
        });
        // A slot of the claimer's stream is free (and a `failed` delivery may be due again).
        await notify(tx, principal.orgId);
        return { status: 200, body: { delivery } };
      }),

    /** Extends the lease `claimedBy` holds, and every other lease it holds in scope: one renewal covers them all. */
    renew: (principal: Principal, deliveryId: string, body: RenewChannelDeliveryLeaseInput, key: IdempotentKey | null) =>
      idempotent.transaction(key, async (tx) => {
        const match: LeaseMatch = { ...matchOf(principal, deliveryId, body.channelBindingId), claimedBy: body.claimedBy };
        const ttlMs = streams.clampTtl(body.ttlMs);
        const delivery = await store.renew(tx, match, ttlMs);
        if (!delivery) {
          if ((await store.find(tx, match)).length === 0) throw notFound();
          throw httpError('channels.delivery_lease_not_held', 'The lease of this delivery is not held by claimedBy.');
        }
        await store.renewHeld(tx, match, ttlMs);
        await access.audit(tx, principal, {
          action: 'channel_delivery.lease_renewed',
          targetType: 'channel_delivery',
          targetId: delivery.deliveryId,
          metadata: { claimedBy: match.claimedBy, claimExpiresAt: delivery.claimExpiresAt },
        });
        return { status: 200, body: { delivery } };
      }),

    /**
     * An operator's action on one delivery: `retry` makes it due now, `dead-letter` ends it. Refused
     * when it was sent, and a retry while a gateway holds its lease.
     */
    operate: (
      principal: Principal,
      deliveryId: string,
      verb: 'retry' | 'dead-letter',
      body: DeadLetterChannelDeliveryInput,
      key: IdempotentKey | null,
    ) =>
      idempotent.transaction(key, async (tx) => {
        const match = matchOf(principal, deliveryId, body.channelBindingId);
        const current = (await store.lock(tx, await only(tx, match)))!;
        if (current.status === 'sent') throw httpError('channels.delivery_already_sent', 'This delivery was already sent.');
        if (verb === 'retry' && current.leaseLive) {
          throw httpError('channels.delivery_claimed', 'This delivery is leased to a gateway; retry it once the lease has ended.');
        }
        const delivery =
          verb === 'retry'
            ? await store.setOperatorStatus(tx, current, 'failed', null)
            : await store.setOperatorStatus(tx, current, 'dead', body.lastError ?? DEFAULT_DEAD_LETTER_ERROR);
        await access.audit(tx, principal, {
          action: verb === 'retry' ? 'channel_delivery.retried' : 'channel_delivery.dead_lettered',
          targetType: 'channel_delivery',
          targetId: delivery.deliveryId,
          metadata: { channelBindingId: delivery.channelBindingId, previousStatus: current.status },
        });
        if (verb === 'retry') await notify(tx, principal.orgId);
        return { status: 200, body: { delivery } };
      }),
  };
}

export type ChannelDeliveryService = ReturnType<typeof createChannelDeliveryService>;
