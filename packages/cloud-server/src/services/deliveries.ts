import type { ChannelDeliveryRecord } from '@open-cowork/shared';
import { isHttpError } from '../errors.js';
import type { Db, Queryable } from '../store/db.js';
import type { Stores } from '../store/stores.js';
import type { StreamConnection } from '../streams/engine.js';
import type { RetryPolicy } from './channel-deliveries.js';

/** The NOTIFY channel that says "deliveries of this org changed" (payload: the org id). */
const DELIVERIES_CHANNEL = 'open_cowork_channel_deliveries';

/** Tunables of the delivery stream; mutable so that tests can shorten them. */
interface DeliveryStreamSettings extends RetryPolicy {
  /** At most this many deliveries are leased to one stream and not yet acked, unless the stream asks for another number. */
  prefetch: number;
  /** Re-check for due deliveries and ended leases at least this often, even without a NOTIFY. */
  pollMs: number;
  defaultTtlMs: number;
  minTtlMs: number;
  /** Leases are clamped to this: a dead gateway's deliveries come back within it. */
  maxTtlMs: number;
}

const DEFAULT_DELIVERY_STREAM_SETTINGS: DeliveryStreamSettings = {
  prefetch: 2,
  maxAttempts: 8,
  retryBaseMs: 1000,
  retryMaxMs: 5 * 60_000,
  pollMs: 1000,
  defaultTtlMs: 30_000,
  minTtlMs: 100,
  maxTtlMs: 15 * 60_000,
};

/** One consumer of the stream: who claims, for which bindings, with which lease. */
export interface DeliveryConsumer {
  orgId: string;
  /** Null: every binding of the org. */
  scope: string[] | null;
  claimedBy: string;
  /** The gateway token id when token-scoped, else `claimedBy`. */
  lastClaimedBy: string;
  ttlMs: number;
  /** Unacked leases this stream may hold; default `settings.prefetch`. */
  prefetch?: number | undefined;
  /**
   * Runs before first attempts are claimed, with the free slots; answers how many may be claimed.
   * Throwing (e.g. a 429 quota) claims none and is reported on the stream. Retries are not asked
   * about: they were counted at their first attempt.
   */
  beforeClaim?: (capacity: number) => Promise<number>;
  /** Called once per first attempt claimed (usage metering). */
  onClaim?: (delivery: ChannelDeliveryRecord) => Promise<void> | void;
}

const keyOf = (delivery: { channelBindingId: string; deliveryId: string }) => `${delivery.channelBindingId} ${delivery.deliveryId}`;

/**
 * The channel delivery stream, a leased source on the SSE engine. Each stream claims due
 * deliveries in bounded batches and holds at most `prefetch` unacked leases: it claims more only
 * as the consumer acks (or as its leases end). It wakes on a NOTIFY from any server process
 * sharing the database (a delivery created, acked or retried), and re-checks on a timer for retry
 * times and ended leases. A poll that fails is reported once as `event: error`, not every tick.
 */
export async function createDeliveryStreams(deps: { db: Db; store: Stores['channelDeliveries'] }) {
  const { db, store } = deps;
  const settings: DeliveryStreamSettings = { ...DEFAULT_DELIVERY_STREAM_SETTINGS };
  const wakers = new Map<string, Set<() => void>>();

  const unlisten = await db.listen(
    DELIVERIES_CHANNEL,
    (orgId) => {
      for (const wake of wakers.get(orgId) ?? []) wake();
    },
    () => {
      for (const set of wakers.values()) for (const wake of set) wake();
    },
  );

  /** Wakes the streams of `orgId` in every process; sent through the transaction `q`, it goes out on commit. */
  const notify = (q: Queryable, orgId: string) => q.notify(DELIVERIES_CHANNEL, orgId);

  /** A lease length within the configured bounds. */
  const clampTtl = (ttlMs: number | undefined) =>
    Math.min(settings.maxTtlMs, Math.max(settings.minTtlMs, Math.floor(ttlMs ?? settings.defaultTtlMs)));

  /** Claims deliveries for `consumer` and writes them to `connection` (an open SSE response) until it ends. */
  async function serve(connection: StreamConnection, consumer: DeliveryConsumer): Promise<void> {
    const inFlight = new Map<string, { channelBindingId: string; deliveryId: string }>();
    let pending = true;
    let wakeUp: (() => void) | null = null;
    let reportedError: string | null = null;
    const wake = () => {
      pending = true;
      wakeUp?.();
    };
    const set = wakers.get(consumer.orgId) ?? new Set();
    set.add(wake);
    wakers.set(consumer.orgId, set);
    connection.onEnd(() => {
      set.delete(wake);
      if (set.size === 0 && wakers.get(consumer.orgId) === set) wakers.delete(consumer.orgId);
      wakeUp?.();
    });

    try {
      while (!connection.ended) {
        pending = false;
        let delay = settings.pollMs;
        try {
          // Leases acked, or ended, since the last pass free their slots.
          if (inFlight.size > 0) {
            const leased = await store.stillLeased(db, consumer.orgId, consumer.claimedBy, [...inFlight.values()]);
            for (const key of [...inFlight.keys()]) if (!leased.has(key)) inFlight.delete(key);
          }
          await store.deadLetterLapsed(db, consumer.orgId, settings.maxAttempts);
          let capacity = (consumer.prefetch ?? settings.prefetch) - inFlight.size;
          const send = (delivery: ChannelDeliveryRecord) => {
            inFlight.set(keyOf(delivery), { channelBindingId: delivery.channelBindingId, deliveryId: delivery.deliveryId });
            capacity -= 1;
            // A frame lost with the connection is not a lost delivery: its lease ends and it is claimed again.
            connection.send(`id: ${delivery.deliveryId}\nevent: channel.delivery\ndata: ${JSON.stringify({ delivery })}\n\n`);
          };
          // Retries first: they never count against the quota again.
          for (const delivery of await store.claim(db, { ...consumer, limit: capacity, retries: true })) send(delivery);
          const allowed = capacity > 0 && consumer.beforeClaim ? await consumer.beforeClaim(capacity) : capacity;
          const claimed = connection.ended ? [] : await store.claim(db, { ...consumer, limit: allowed, retries: false });
          for (const delivery of claimed) {
            send(delivery);
            await consumer.onClaim?.(delivery);
          }
          if (capacity > 0) {
            const due = await store.nextDueInMs(db, consumer.orgId, consumer.scope);
            if (due !== null) delay = Math.min(delay, due + 5);
          }
          reportedError = null;
        } catch (error) {
          const coded = isHttpError(error) ? error : null;
          const code = coded?.code ?? 'channels.delivery_poll_failed';
          if (!coded) connection.log.error({ err: error }, 'delivery stream poll failed');
          // Reported once per distinct failure, not on every tick while it persists.
          if (code !== reportedError) {
            const message = coded?.message ?? 'Claiming deliveries failed; the stream keeps trying.';
            connection.send(`event: error\ndata: ${JSON.stringify({ error: message, code })}\n\n`);
            reportedError = code;
          }
        }
        await connection.ready();
        if (!pending && !connection.ended) {
          await new Promise<void>((resolve) => {
            const timer = setTimeout(resolve, delay);
            wakeUp = () => {
              clearTimeout(timer);
              resolve();
            };
          });
        }
        wakeUp = null;
      }
    } catch (error) {
      connection.log.error({ err: error }, 'delivery stream failed');
      connection.end();
    }
  }

  return {
    settings,
    clampTtl,
    notify,
    serve,
    /** Stops listening (the engine ends the streams themselves). */
    async close(): Promise<void> {
      await unlisten().catch(() => undefined);
    },
  };
}

export type DeliveryStreams = Awaited<ReturnType<typeof createDeliveryStreams>>;
