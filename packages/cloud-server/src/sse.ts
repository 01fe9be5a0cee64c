import type { ServerResponse } from 'node:http';
import { isCloudSessionEventType, type SnapshotRequiredEvent } from '@open-cowork/shared';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ServerConfig } from './config.js';
import { httpError } from './errors.js';
import type { SequenceBounds } from './store/events.js';
import { countOpenStream } from './metrics.js';

/** A sequenced stream a client can subscribe to (a session's events or a user's workspace). */
export interface StreamSource {
  /** Up to `limit` events with `sequence > after`, in order. */
  read(after: number, limit: number): Promise<{ sequence: number; type: string }[]>;
  bounds(): Promise<SequenceBounds>;
  /** Calls `wake` whenever events may have been appended; returns the unsubscribe. */
  subscribe(wake: () => void): () => void;
  /** What the `snapshot.required` control event says about this stream. */
  scope: { entityType: 'session' | 'workspace'; entityId: string; sessionId?: string };
}

export type StreamOptions = ServerConfig['sse'];

const BATCH = 1000;

const HEADERS = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-store, no-transform',
  connection: 'keep-alive',
  'x-accel-buffering': 'no',
};

/** A non-negative integer, else 0. */
function cursorValue(value: unknown): number {
  const text = Array.isArray(value) ? value[0] : value;
  if (typeof text !== 'string' || !/^\d+$/.test(text.trim())) return 0;
  const parsed = Number(text.trim());
  return Number.isSafeInteger(parsed) ? parsed : 0;
}

/**
 * The resume cursor: the larger of `?after=` and `Last-Event-ID`. The first server preferred the
 * query, so a browser's automatic reconnect (same URL, newer Last-Event-ID) replayed everything.
 */
export function resumeCursor(request: FastifyRequest): number {
  const query = request.query as Record<string, unknown> | undefined;
  return Math.max(cursorValue(query?.after), cursorValue(request.headers['last-event-id']));
}

function snapshotRequired(source: StreamSource, after: number, bounds: SequenceBounds): SnapshotRequiredEvent {
  return {
    ...(source.scope.sessionId ? { sessionId: source.scope.sessionId } : {}),
    sequence: after,
    type: 'snapshot.required',
    eventId: `snapshot-required:${after}`,
    entityType: source.scope.entityType,
    entityId: source.scope.entityId,
    operation: 'snapshot_required',
    projectionVersion: after,
    createdAt: new Date().toISOString(),
    payload: { reason: 'event_retention_gap', afterSequence: after, earliestSequence: bounds.earliest ?? bounds.latest + 1, latestSequence: bounds.latest },
  };
}

/** Resolves when `res` can take more data or has closed. */
function drained(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done).off('close', done);
      resolve();
    };
    res.on('drain', done).on('close', done);
  });
}

const frame = (id: number, type: string, data: unknown) => `id: ${id}\nevent: ${type}\ndata: ${JSON.stringify(data)}\n\n`;

/**
 * Serves SSE streams (framing, replay and resume):
 * `: connected`, a `retry:` hint, replay from the resume cursor in keyset batches, then a live
 * tail woken by the event bus and re-read on every `: keep-alive`. Limits: a per-org cap on
 * concurrent streams (429 + Retry-After) and a bounded per-connection buffer (a stalled client is
 * disconnected and resumes from its last `id:`). `close()` ends every stream cleanly.
 */
export function createStreamHub(options: StreamOptions) {
  const perOrg = new Map<string, number>();
  const open = new Set<() => void>();
  let closing = false;
  const stallMs = Math.max(2 * options.heartbeatMs, 1000);

  async function serve(request: FastifyRequest, reply: FastifyReply, orgId: string, source: StreamSource): Promise<void> {
    if (closing) throw httpError(503, 'server.shutting_down', 'The server is shutting down.', { retryAfterMs: 1000 });
    const count = perOrg.get(orgId) ?? 0;
    if (count >= options.maxStreamsPerOrg) {
      throw httpError(429, 'stream.cap_exceeded', 'Too many concurrent event streams for this organisation.', { retryAfterMs: 1000 });
    }
    perOrg.set(orgId, count + 1);

    const res: ServerResponse = reply.raw;
    let cursor = resumeCursor(request);
    let ended = false;
    let pending = true;
    let wakeUp: (() => void) | null = null;
    const wake = () => {
      pending = true;
      wakeUp?.();
    };

    const end = (abrupt = false) => {
      if (ended) return;
      ended = true;
      clearInterval(heartbeat);
      unsubscribe();
      open.delete(end);
      perOrg.set(orgId, (perOrg.get(orgId) ?? 1) - 1);
      if (perOrg.get(orgId) === 0) perOrg.delete(orgId);
      wakeUp?.();
      // A client that stopped reading would never take a clean end: drop the connection instead.
      if (abrupt) res.destroy();
      else if (!res.writableEnded) res.end();
    };

    const write = (chunk: string) => {
      if (!ended) res.write(chunk);
    };

    /**
     * Backpressure: once `maxBufferedBytes` are waiting for the client, stop until it drains. A
     * client that takes nothing for two heartbeats has stalled: drop it (it resumes from its last
     * `id:`). So a connection never buffers more than the cap plus one event.
     */
    const keepUp = async () => {
      if (ended || res.writableLength < options.maxBufferedBytes) return;
      let timer: NodeJS.Timeout | undefined;
      const stalled = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(true), stallMs)));
      const gaveUp = await Promise.race([drained(res).then(() => false), stalled]);
      clearTimeout(timer);
      if (gaveUp && !ended) {
        request.log.warn({ buffered: res.writableLength }, 'event stream client stalled; dropping the connection');
        end(true);
      }
    };

    reply.hijack();
    res.writeHead(200, HEADERS);
    countOpenStream(res);
    res.on('close', () => end());
    open.add(end);
    const unsubscribe = source.subscribe(wake);
    write(': connected\n\n');
    write(`retry: ${options.retryMs}\n\n`);
    // Started only now that the headers are out; each beat also re-reads, should a wake be lost.
    const heartbeat = setInterval(() => {
      write(': keep-alive\n\n');
      wake();
    }, options.heartbeatMs);
    heartbeat.unref();

    // Only a resume (cursor > 0) can miss events: `after=0` is the initial hydration.
    let resuming = cursor > 0;
    try {
      while (!ended) {
        pending = false;
        // Read before the batch: events appended meanwhile must not look pruned.
        const before = resuming ? await source.bounds() : null;
        resuming = false;
        let batch = await source.read(cursor, BATCH);
        const next = batch[0]?.sequence ?? (before && before.latest > cursor ? before.latest + 1 : null);
        if (cursor > 0 && next !== null && next > cursor + 1) {
          // Events after the cursor were pruned: the client must re-fetch the view. The `id:` is
          // the jumped-to cursor, so a reconnect continues after the gap instead of hitting it again.
          const bounds = await source.bounds();
          write(frame(bounds.latest, 'snapshot.required', snapshotRequired(source, cursor, bounds)));
          await keepUp();
          cursor = bounds.latest;
          batch = batch.filter((event) => event.sequence > cursor);
        }
        for (const event of batch) {
          cursor = event.sequence;
          // Types outside the contract are skipped, the cursor still moves past them.
          if (!isCloudSessionEventType(event.type)) continue;
          write(frame(event.sequence, event.type, event));
          await keepUp();
          if (ended) break;
        }
        if (ended || batch.length === BATCH) continue;
        if (!pending && !ended) await new Promise<void>((resolve) => (wakeUp = resolve));
        wakeUp = null;
      }
    } catch (error) {
      request.log.error({ err: error }, 'event stream failed');
      end();
    }
  }

  return {
    serve,
    /** Ends every open stream and refuses new ones (503) from now on. */
    close(): void {
      closing = true;
      for (const end of [...open]) end();
    },
  };
}

export type StreamHub = ReturnType<typeof createStreamHub>;
