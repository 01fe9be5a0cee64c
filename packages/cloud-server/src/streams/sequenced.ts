import { isCloudSessionEventType, type SnapshotRequiredEvent } from '@open-cowork/shared';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { SequenceBounds } from '../store/events.js';
import type { StreamConnection, StreamEngine, StreamOwner } from './engine.js';

export interface StreamEvent {
  sequence: number;
  type: string;
}

/** A sequenced stream clients subscribe to (a session's events or a user's workspace). */
export interface SequencedSource {
  /** Streams with the same key are one stream: their subscribers share one tail per process. */
  key: string;
  /** Up to `limit` events with `sequence > after`, in order. */
  read(after: number, limit: number): Promise<StreamEvent[]>;
  bounds(): Promise<SequenceBounds>;
  /**
   * Calls `wake` whenever events may have been appended, with the new latest sequence when known,
   * and the appended events themselves when they are at hand (an append in this process); returns
   * the unsubscribe.
   */
  subscribe(wake: (latest?: number, events?: readonly StreamEvent[]) => void): () => void;
  /** What the `snapshot.required` control event says about this stream. */
  scope: { entityType: 'session' | 'workspace'; entityId: string; sessionId?: string };
}

const BATCH = 1000;

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
function resumeCursor(request: FastifyRequest): number {
  const query = request.query as Record<string, unknown> | undefined;
  return Math.max(cursorValue(query?.after), cursorValue(request.headers['last-event-id']));
}

function snapshotRequired(source: SequencedSource, after: number, bounds: SequenceBounds): SnapshotRequiredEvent {
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
    payload: {
      reason: 'event_retention_gap',
      afterSequence: after,
      earliestSequence: bounds.earliest ?? bounds.latest + 1,
      latestSequence: bounds.latest,
    },
  };
}

const frame = (id: number, type: string, data: unknown) => Buffer.from(`id: ${id}\nevent: ${type}\ndata: ${JSON.stringify(data)}\n\n`);

/** A subscriber of a tail: it has been sent everything up to `cursor`. */
interface Member {
  connection: StreamConnection;
  cursor: number;
}

/**
 * The live end of one stream in this process: one store read per wake, each event serialised once,
 * and the frames written to every member that has not had them yet.
 */
interface Tail {
  cursor: number;
  members: Set<Member>;
  reading: boolean;
  again: boolean;
  stop: () => void;
}

/**
 * Sequenced replay with shared tails. A subscriber first replays from its resume cursor in its own
 * keyset batches (waiting for its client between frames); once a read comes back short it joins
 * the stream's tail, where frames are written to it without waiting: falling further behind than
 * the buffer cap drops it, and it resumes from its cursor. Wake-ups come from the event bus (a
 * NOTIFY from any process on the same database) and, as a safety net, every heartbeat.
 */
export function createSequencedStreams(engine: StreamEngine) {
  const tails = new Map<string, Tail>();

  /** Serialises each event once and writes the frames to every member that has not had them. */
  function fanOut(tail: Tail, batch: readonly StreamEvent[]) {
    const frames = batch.map((event) => ({
      sequence: event.sequence,
      frame: isCloudSessionEventType(event.type) ? frame(event.sequence, event.type, event) : null,
    }));
    const whole = Buffer.concat(frames.flatMap((item) => (item.frame ? [item.frame] : [])));
    const first = frames[0]!.sequence;
    const last = frames.at(-1)!.sequence;
    tail.cursor = last;
    for (const member of tail.members) {
      if (member.cursor >= last) continue;
      // The usual case, a member at the tail's cursor with room for it, takes the whole batch in one write.
      if (member.cursor < first && member.connection.buffered + whole.length <= engine.options.maxBufferedBytes)
        member.connection.send(whole);
      else for (const item of frames) if (item.sequence > member.cursor && item.frame) member.connection.send(item.frame);
      member.cursor = last;
    }
  }

  async function pump(source: SequencedSource, tail: Tail): Promise<void> {
    if (tail.reading) {
      tail.again = true;
      return;
    }
    tail.reading = true;
    try {
      do {
        tail.again = false;
        let batch: StreamEvent[];
        do {
          batch = await source.read(tail.cursor, BATCH);
          if (batch.length === 0) break;
          fanOut(tail, batch);
        } while (batch.length === BATCH && tail.members.size > 0);
      } while (tail.again && tail.members.size > 0);
    } catch (error) {
      // The next wake or heartbeat reads again from the same cursor.
      for (const member of tail.members) {
        member.connection.log.error({ err: error }, 'event stream read failed');
        break;
      }
    } finally {
      tail.reading = false;
      if (tail.members.size === 0) dispose(source.key, tail);
    }
  }

  function dispose(key: string, tail: Tail) {
    if (tails.get(key) !== tail || tail.members.size > 0) return;
    tails.delete(key);
    tail.stop();
  }

  /** Adds the subscriber to the stream's tail if it is caught up with it; false when it must read more itself. */
  function join(source: SequencedSource, member: Member): boolean {
    let tail = tails.get(source.key);
    if (tail && member.cursor < tail.cursor) return false;
    if (!tail) {
      const created: Tail = { cursor: member.cursor, members: new Set(), reading: false, again: false, stop: () => undefined };
      const wake = (latest?: number, events?: readonly StreamEvent[]) => {
        if (latest !== undefined && latest <= created.cursor) return;
        // Events handed over by an append in this process that continue the tail need no read.
        if (events?.length && !created.reading && events[0]!.sequence === created.cursor + 1) fanOut(created, events);
        else void pump(source, created);
      };
      const unsubscribe = source.subscribe(wake);
      const stopBeat = engine.onHeartbeat(() => wake());
      created.stop = () => {
        unsubscribe();
        stopBeat();
      };
      tails.set(source.key, created);
      tail = created;
      // Events appended between the subscriber's last read and the subscription were not announced to it.
      void pump(source, created);
    }
    tail.members.add(member);
    const joined = tail;
    member.connection.onEnd(() => {
      joined.members.delete(member);
      if (!joined.reading) dispose(source.key, joined);
    });
    return true;
  }

  /** Serves `source` as an SSE stream: replay from the resume cursor, then the shared live tail. */
  async function serve(request: FastifyRequest, reply: FastifyReply, owner: StreamOwner, source: SequencedSource): Promise<void> {
    const connection = engine.open(request, reply, owner);
    const member: Member = { connection, cursor: resumeCursor(request) };
    // Only a resume (cursor > 0) can miss events: `after=0` is the initial hydration.
    let resuming = member.cursor > 0;
    try {
      while (!connection.ended) {
        // Read before the batch: events appended meanwhile must not look pruned.
        const before = resuming ? await source.bounds() : null;
        resuming = false;
        let batch = await source.read(member.cursor, BATCH);
        const next = batch[0]?.sequence ?? (before && before.latest > member.cursor ? before.latest + 1 : null);
        if (member.cursor > 0 && next !== null && next > member.cursor + 1) {
          // Events after the cursor were pruned: the client must re-fetch the view. The `id:` is
          // the jumped-to cursor, so a reconnect continues after the gap instead of hitting it again.
          const bounds = await source.bounds();
          connection.send(frame(bounds.latest, 'snapshot.required', snapshotRequired(source, member.cursor, bounds)));
          member.cursor = bounds.latest;
          batch = batch.filter((event) => event.sequence > member.cursor);
        }
        for (const event of batch) {
          await connection.ready();
          if (connection.ended) return;
          member.cursor = event.sequence;
          // Types outside the contract are skipped, the cursor still moves past them.
          if (isCloudSessionEventType(event.type)) connection.send(frame(event.sequence, event.type, event));
        }
        if (batch.length < BATCH && !connection.ended && join(source, member)) return;
      }
    } catch (error) {
      request.log.error({ err: error }, 'event stream failed');
      connection.end();
    }
  }

  return { serve };
}

export type SequencedStreams = ReturnType<typeof createSequencedStreams>;
