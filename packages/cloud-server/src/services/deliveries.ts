import type { ServerResponse } from 'node:http';
import type { ChannelDeliveryRecord } from '@open-cowork/shared';
import type { FastifyBaseLogger, FastifyReply, FastifyRequest } from 'fastify';
import type { ServerConfig } from '../config.js';
import { httpError, isHttpError } from '../errors.js';
import type { ChannelDeliveriesStore } from '../store/channel-deliveries.js';
import type { Db } from '../store/db.js';
import { countOpenStream } from '../metrics.js';

/** The NOTIFY channel that says "deliveries of this org changed" (payload: the org id). */
export const DELIVERIES_CHANNEL = 'open_cowork_channel_deliveries';

/** Tunables of the delivery stream; mutable so that tests can shorten them. */
export interface DeliveryStreamSettings {
  /** At most this many deliveries are leased to one stream and not yet acked (flow control). */
  batchSize: number;
  /** Re-check for due deliveries and ended leases at least this often, even without a NOTIFY. */
  pollMs: number;
  defaultTtlMs: number;
  minTtlMs: number;
  /** Leases are clamped to this: a dead gateway's deliveries come back within it. */
  maxTtlMs: number;
}

export const DEFAULT_DELIVERY_STREAM_SETTINGS: DeliveryStreamSettings = {
  batchSize: 10,
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
  /**
   * Runs before each claim with the free slots; answers how many may be claimed. Throwing (e.g. a
   * 429 quota) skips the claim and is reported on the stream.
   */
  beforeClaim?: (capacity: number) => Promise<number>;
  /** Called once per claimed delivery (usage metering). */
  onClaim?: (delivery: ChannelDeliveryRecord) => Promise<void> | void;
}

const HEADERS = {
  'content-type': 'text/event-stream',
  'cache-control': 'no-store, no-transform',
  connection: 'keep-alive',
  'x-accel-buffering': 'no',
};

const keyOf = (delivery: { channelBindingId: string; deliveryId: string }) => `${delivery.channelBindingId} ${delivery.deliveryId}`;

/**
 * The channel delivery stream. Each stream claims due
 * deliveries in bounded batches and holds at most `batchSize` unacked leases: it claims more only
 * as the consumer acks (or as its leases end). It wakes on a NOTIFY from any server process
 * sharing the database (a delivery created, acked or retried), and re-checks on a timer for retry
 * times and ended leases. A poll that fails is reported once as `event: error`, not every tick.
 */
export async function createDeliveryStreams(deps: { db: Db; store: ChannelDeliveriesStore; sse: ServerConfig['sse']; log: FastifyBaseLogger }) {
  const { db, store, sse, log } = deps;
  const settings: DeliveryStreamSettings = { ...DEFAULT_DELIVERY_STREAM_SETTINGS };
  const wakers = new Map<string, Set<() => void>>();
  const perOrg = new Map<string, number>();
  const open = new Set<() => void>();
  let closing = false;

  const unlisten = await db.listen(DELIVERIES_CHANNEL, (orgId) => {
    for (const wake of wakers.get(orgId) ?? []) wake();
  });

  /** Wakes the streams of `orgId` in every process; inside a transaction it is sent on commit. */
  const notify = (orgId: string) => db.notify(DELIVERIES_CHANNEL, orgId);

  /** A lease length within the configured bounds. */
  const clampTtl = (ttlMs: number | undefined) =>
    Math.min(settings.maxTtlMs, Math.max(settings.minTtlMs, Math.floor(ttlMs ?? settings.defaultTtlMs)));

  async function serve(request: FastifyRequest, reply: FastifyReply, consumer: DeliveryConsumer): Promise<void> {
    if (closing) throw httpError(503, 'server.shutting_down', 'The server is shutting down.', { retryAfterMs: 1000 });
    const count = perOrg.get(consumer.orgId) ?? 0;
    if (count >= sse.maxStreamsPerOrg) {
      throw httpError(429, 'stream.cap_exceeded', 'Too many concurrent event streams for this organisation.', { retryAfterMs: 1000 });
    }
    perOrg.set(consumer.orgId, count + 1);

    const res: ServerResponse = reply.raw;
    const inFlight = new Map<string, { channelBindingId: string; deliveryId: string }>();
    let ended = false;
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

    const end = () => {
      if (ended) return;
      ended = true;
      clearInterval(heartbeat);
      set.delete(wake);
      if (set.size === 0 && wakers.get(consumer.orgId) === set) wakers.delete(consumer.orgId);
      open.delete(end);
      perOrg.set(consumer.orgId, (perOrg.get(consumer.orgId) ?? 1) - 1);
      if (perOrg.get(consumer.orgId) === 0) perOrg.delete(consumer.orgId);
      wakeUp?.();
      if (!res.writableEnded) res.end();
    };
    const write = (chunk: string) => {
      if (ended) return;
      res.write(chunk);
      if (res.writableLength > sse.maxBufferedBytes) end();
    };

    reply.hijack();
    res.writeHead(200, HEADERS);
    countOpenStream(res);
    res.on('close', end);
    open.add(end);
    write(`retry: ${sse.retryMs}\n\n`);
    const heartbeat = setInterval(() => write(': keep-alive\n\n'), sse.heartbeatMs);
    heartbeat.unref();

    try {
      while (!ended) {
        pending = false;
        let delay = settings.pollMs;
        try {
          // Leases acked, or ended, since the last pass free their slots.
          if (inFlight.size > 0) {
            const leased = await store.stillLeased(consumer.orgId, consumer.claimedBy, [...inFlight.values()]);
            for (const key of [...inFlight.keys()]) if (!leased.has(key)) inFlight.delete(key);
          }
          const capacity = settings.batchSize - inFlight.size;
          const allowed = capacity > 0 && consumer.beforeClaim ? await consumer.beforeClaim(capacity) : capacity;
          const claimed = ended ? [] : await store.claim({ ...consumer, limit: allowed });
          for (const delivery of claimed) {
            inFlight.set(keyOf(delivery), { channelBindingId: delivery.channelBindingId, deliveryId: delivery.deliveryId });
            // A frame lost with the connection is not a lost delivery: its lease ends and it is claimed again.
            write(`id: ${delivery.deliveryId}\nevent: channel.delivery\ndata: ${JSON.stringify({ delivery })}\n\n`);
            await consumer.onClaim?.(delivery);
          }
          if (allowed - claimed.length > 0) {
            const due = await store.nextDueInMs(consumer.orgId, consumer.scope);
            if (due !== null) delay = Math.min(delay, due + 5);
          }
          reportedError = null;
        } catch (error) {
          const coded = isHttpError(error) ? error : null;
          const code = coded?.code ?? 'channels.delivery_poll_failed';
          if (!coded) log.error({ err: error }, 'delivery stream poll failed');
          // Reported once per distinct failure, not on every tick while it persists.
          if (code !== reportedError) {
            const message = coded?.message ?? 'Claiming deliveries failed; the stream keeps trying.';
            write(`event: error\ndata: ${JSON.stringify({ error: message, code })}\n\n`);
            reportedError = code;
          }
        }
        if (ended) break;
        if (res.writableNeedDrain) await new Promise((resolve) => res.once('drain', resolve).once('close', resolve));
        if (!pending && !ended) {
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
      request.log.error({ err: error }, 'delivery stream failed');
      end();
    }
  }

  return {
    settings,
    clampTtl,
    notify,
    serve,
    /** Ends every delivery stream and refuses new ones (503). */
    async close(): Promise<void> {
      closing = true;
      for (const end of [...open]) end();
      await unlisten().catch(() => undefined);
    },
  };
}

export type DeliveryStreams = Awaited<ReturnType<typeof createDeliveryStreams>>;
