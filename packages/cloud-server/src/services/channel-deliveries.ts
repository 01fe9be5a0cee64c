import type { ChannelDeliveryRecord } from '@open-cowork/shared';
import type { Principal } from '../auth/principal.js';
import { httpError } from '../errors.js';
import { newId } from '../ids.js';
import type { ChannelDeliveriesStore, DeliveryMatch } from '../store/channel-deliveries.js';
import type { ChannelsStore, StoredChannelBinding } from '../store/channels.js';
import type { Queryable } from '../store/db.js';
import type { AuditEntry } from './audit.js';
import { requireSameProvider } from './channels.js';

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

interface NewDelivery {
  agentId: string;
  channelBindingId: string;
  sessionBindingId?: string | undefined;
  deliveryId?: string | undefined;
  provider: string;
  target: Record<string, unknown>;
  eventType: string;
  payload: Record<string, unknown>;
  status?: 'pending' | 'failed' | 'dead' | undefined;
  nextAttemptAt?: string | undefined;
}

type LeaseMatch = DeliveryMatch & { claimedBy: string };

const notFound = () => httpError('channels.delivery_not_found', 'Channel delivery was not found (or is not held by claimedBy).');

/**
 * The rules of the outbound delivery queue: what a delivery may carry, the lease actions of a
 * gateway (ack, renew) and the retry/dead-letter state machine, and the operator actions (retry,
 * dead-letter). Every action runs in the caller's transaction `tx`, records its audit event there
 * and wakes the delivery streams on commit. Who may act is the route's access rule.
 */
export function createChannelDeliveryService(deps: {
  store: ChannelDeliveriesStore;
  channels: ChannelsStore;
  /** The caller's binding: 404 when absent, 403 when a gateway token was not granted it. */
  binding: (tx: Queryable, principal: Principal, bindingId: string) => Promise<StoredChannelBinding>;
  audit: (tx: Queryable, principal: Principal, entry: AuditEntry) => Promise<unknown>;
  /** Wakes the delivery streams of an org (on commit). */
  notify: (tx: Queryable, orgId: string) => Promise<void>;
  policy: RetryPolicy;
}) {
  const { store, channels, binding: bindingOf, audit, notify, policy } = deps;

  /** The one delivery `match` names: 404 when none, 409 when several bindings have one with its id. */
  const only = async (tx: Queryable, match: DeliveryMatch): Promise<ChannelDeliveryRecord> => {
    const found = await store.find(tx, match);
    if (found.length === 0) throw notFound();
    if (found.length > 1) {
      throw httpError('channels.delivery_ambiguous', 'Several channel bindings have a delivery with this id: give channelBindingId.');
    }
    return found[0]!;
  };

  return {
    /** Queues a delivery on an active binding; an existing (binding, delivery id) answers as it is, `created: false`. */
    async create(tx: Queryable, principal: Principal, input: NewDelivery): Promise<{ delivery: ChannelDeliveryRecord; created: boolean }> {
      for (const field of ['target', 'payload'] as const) {
        if (Buffer.byteLength(JSON.stringify(input[field])) > MAX_JSON_BYTES) {
          throw httpError('channels.delivery_too_large', `${field} must be at most 16 KiB of JSON.`);
        }
      }
      const binding = await bindingOf(tx, principal, input.channelBindingId);
      if (binding.agentId !== input.agentId) throw httpError('channels.agent_mismatch', 'agentId does not own this channel binding.');
      requireSameProvider(binding, input.provider, 'channel binding');
      if (binding.status !== 'active') throw httpError('channels.binding_inactive', `The channel binding is ${binding.status}.`);
      if (input.sessionBindingId) {
        const sessionBinding = await channels.getSessionBinding(tx, principal.orgId, input.sessionBindingId);
        if (!sessionBinding || sessionBinding.channelBindingId !== binding.bindingId) {
          throw httpError('channels.session_binding_mismatch', 'The session binding does not belong to this channel binding.');
        }
      }
      const result = await store.create(tx, {
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
      if (!result.created) return result;
      const { delivery } = result;
      await audit(tx, principal, {
        action: 'channel_delivery.created',
        targetType: 'channel_delivery',
        targetId: delivery.deliveryId,
        metadata: { channelBindingId: delivery.channelBindingId, eventType: delivery.eventType, status: delivery.status },
      });
      await notify(tx, principal.orgId);
      return result;
    },

    /**
     * Ends the lease of `match.claimedBy` with the gateway's outcome. A failure is retried after its
     * backoff, unless it was the last allowed attempt: then it is dead-lettered.
     */
    async ack(
      tx: Queryable,
      principal: Principal,
      match: LeaseMatch,
      outcome: { status: 'sent' | 'failed' | 'dead'; lastError?: string | null | undefined; nextAttemptAt?: string | undefined },
    ): Promise<ChannelDeliveryRecord> {
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
      await audit(tx, principal, {
        action: `channel_delivery.acked_${outcome.status}`,
        targetType: 'channel_delivery',
        targetId: delivery.deliveryId,
        metadata: { channelBindingId: delivery.channelBindingId, claimedBy: match.claimedBy, attemptCount: delivery.attemptCount },
      });
      // A slot of the claimer's stream is free (and a `failed` delivery may be due again).
      await notify(tx, principal.orgId);
      return delivery;
    },

    /** Extends the lease `match.claimedBy` holds, and every other lease it holds in scope: one renewal covers them all. */
    async renew(tx: Queryable, principal: Principal, match: LeaseMatch, ttlMs: number): Promise<ChannelDeliveryRecord> {
      const delivery = await store.renew(tx, match, ttlMs);
      if (!delivery) {
        if ((await store.find(tx, match)).length === 0) throw notFound();
        throw httpError('channels.delivery_lease_not_held', 'The lease of this delivery is not held by claimedBy.');
      }
      await store.renewHeld(tx, match, ttlMs);
      await audit(tx, principal, {
        action: 'channel_delivery.lease_renewed',
        targetType: 'channel_delivery',
        targetId: delivery.deliveryId,
        metadata: { claimedBy: match.claimedBy, claimExpiresAt: delivery.claimExpiresAt },
      });
      return delivery;
    },

    /**
     * An operator's action on one delivery: `retry` makes it due now, `dead-letter` ends it. Refused
     * when it was sent, and a retry while a gateway holds its lease.
     */
    async operate(
      tx: Queryable,
      principal: Principal,
      match: DeliveryMatch,
      verb: 'retry' | 'dead-letter',
      lastError?: string | undefined,
    ): Promise<ChannelDeliveryRecord> {
      const current = (await store.lock(tx, await only(tx, match)))!;
      if (current.status === 'sent') throw httpError('channels.delivery_already_sent', 'This delivery was already sent.');
      if (verb === 'retry' && current.leaseLive) {
        throw httpError('channels.delivery_claimed', 'This delivery is leased to a gateway; retry it once the lease has ended.');
      }
      const delivery =
        verb === 'retry'
          ? await store.setOperatorStatus(tx, current, 'failed', null)
          : await store.setOperatorStatus(tx, current, 'dead', lastError ?? DEFAULT_DEAD_LETTER_ERROR);
      await audit(tx, principal, {
        action: verb === 'retry' ? 'channel_delivery.retried' : 'channel_delivery.dead_lettered',
        targetType: 'channel_delivery',
        targetId: delivery.deliveryId,
        metadata: { channelBindingId: delivery.channelBindingId, previousStatus: current.status },
      });
      if (verb === 'retry') await notify(tx, principal.orgId);
      return delivery;
    },
  };
}

export type ChannelDeliveryService = ReturnType<typeof createChannelDeliveryService>;
