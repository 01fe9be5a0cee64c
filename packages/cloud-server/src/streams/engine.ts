import type { ServerResponse } from 'node:http';
import type { FastifyBaseLogger, FastifyReply, FastifyRequest } from 'fastify';
import type { ServerConfig } from '../config.js';
import { httpError } from '../errors.js';

export type StreamOptions = ServerConfig['sse'];

/** Who holds a stream: the caps count per org and per user. */
export interface StreamOwner {
  orgId: string;
  userId: string;
}

/** One open SSE response, as the sources see it. */
export interface StreamConnection {
  readonly ended: boolean;
  readonly log: FastifyBaseLogger;
  /** Bytes written and not yet taken by the client. */
  readonly buffered: number;
  /**
   * Writes a chunk. The one backpressure rule: a chunk that would take the bytes waiting for the
   * client past `maxBufferedBytes` is not written; the connection is dropped instead and the client
   * resumes from its last `id:`. So a client that stops reading costs at most the cap.
   */
  send(chunk: Buffer | string): void;
  /**
   * Resolves once the client has taken what was written (or the stream ended). A source that can
   * wait (replay, claims) calls it between writes, so it never fills the buffer; a client that takes
   * nothing at all for two heartbeats (at least 1 s) has stalled and is dropped.
   */
  ready(): Promise<void>;
  /** Called once when the stream ends, whoever ends it. */
  onEnd(callback: () => void): void;
  end(): void;
}

const HEADERS = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-store, no-transform',
  connection: 'keep-alive',
  'x-accel-buffering': 'no',
};

const KEEP_ALIVE = Buffer.from(': keep-alive\n\n');

/**
 * The one SSE engine: admission (a cap per org and per user, 429 + Retry-After), the headers, the
 * `: connected` comment and `retry:` hint, one heartbeat for every stream of the process (a
 * `: keep-alive` comment, and a wake for the sources so that a lost notice is re-read), and the
 * backpressure rule of `StreamConnection.send`. Sources (src/streams/sequenced.ts, the delivery
 * stream) decide what to write.
 */
export function createStreamEngine(options: StreamOptions) {
  const perOrg = new Map<string, number>();
  const perUser = new Map<string, number>();
  const open = new Set<StreamConnectionImpl>();
  const beats = new Set<() => void>();
  const stallMs = Math.max(2 * options.heartbeatMs, 1000);
  let closing = false;
  let peakBuffered = 0;

  const heartbeat = setInterval(() => {
    for (const connection of open) connection.send(KEEP_ALIVE);
    for (const beat of beats) beat();
  }, options.heartbeatMs);
  heartbeat.unref();

  const count = (map: Map<string, number>, key: string, delta: number) => {
    const next = (map.get(key) ?? 0) + delta;
    if (next > 0) map.set(key, next);
    else map.delete(key);
  };

  type StreamConnectionImpl = StreamConnection & { res: ServerResponse };

  /** Admits the caller and starts the SSE response; throws (429, 503) before any byte is sent. */
  function openStream(request: FastifyRequest, reply: FastifyReply, owner: StreamOwner): StreamConnection {
    if (closing) throw httpError('server.shutting_down', 'The server is shutting down.', { retryAfterMs: 1000 });
    if ((perOrg.get(owner.orgId) ?? 0) >= options.maxStreamsPerOrg) {
      throw httpError('stream.cap_exceeded', 'Too many concurrent event streams for this organisation.', { retryAfterMs: 1000 });
    }
    const userKey = `${owner.orgId} ${owner.userId}`;
    if ((perUser.get(userKey) ?? 0) >= options.maxStreamsPerUser) {
      throw httpError('stream.cap_exceeded', 'Too many concurrent event streams for this user.', { retryAfterMs: 1000 });
    }
    count(perOrg, owner.orgId, 1);
    count(perUser, userKey, 1);

    const res = reply.raw;
    const endCallbacks: (() => void)[] = [];
    let ended = false;

    const finish = (abrupt: boolean) => {
      if (ended) return;
      ended = true;
      open.delete(connection);
      count(perOrg, owner.orgId, -1);
      count(perUser, userKey, -1);
      // A client that stopped reading would never take a clean end: drop the connection instead.
      if (abrupt) res.destroy();
      else if (!res.writableEnded) res.end();
      for (const callback of endCallbacks.splice(0)) callback();
    };

    const connection: StreamConnectionImpl = {
      res,
      log: request.log,
      get ended() {
        return ended;
      },
      get buffered() {
        return res.writableLength;
      },
      send(chunk) {
        if (ended) return;
        const buffered = res.writableLength;
        // A single chunk larger than the cap still goes to a client that has taken everything else.
        if (buffered > 0 && buffered + Buffer.byteLength(chunk) > options.maxBufferedBytes) {
          request.log.warn({ buffered }, 'event stream client fell behind; dropping the connection');
          finish(true);
          return;
        }
        res.write(chunk);
        peakBuffered = Math.max(peakBuffered, res.writableLength);
      },
      async ready() {
        let before = res.writableLength;
        while (!ended && res.writableNeedDrain) {
          let timer: NodeJS.Timeout | undefined;
          let done: () => void = () => undefined;
          const drained = await new Promise<boolean>((resolve) => {
            done = () => resolve(true);
            res.once('drain', done).once('close', done);
            timer = setTimeout(() => resolve(false), stallMs);
          });
          clearTimeout(timer);
          res.off('drain', done).off('close', done);
          if (drained) return;
          // A slow reader that makes progress is waited for; one that took nothing has stalled.
          if (res.writableLength >= before) {
            request.log.warn({ buffered: res.writableLength }, 'event stream client stalled; dropping the connection');
            finish(true);
            return;
          }
          before = res.writableLength;
        }
      },
      onEnd(callback) {
        if (ended) callback();
        else endCallbacks.push(callback);
      },
      end: () => finish(false),
    };

    reply.hijack();
    res.writeHead(200, HEADERS);
    res.on('close', () => finish(false));
    open.add(connection);
    res.write(`: connected\n\nretry: ${options.retryMs}\n\n`);
    return connection;
  }

  return {
    options,
    open: openStream,
    /** Runs `beat` on every heartbeat (a re-read should a wake-up be lost); returns the stop. */
    onHeartbeat(beat: () => void): () => void {
      beats.add(beat);
      return () => beats.delete(beat);
    },
    /** Open streams, the bytes they hold for their clients, and the most one of them ever held. */
    stats() {
      let bufferedBytes = 0;
      for (const connection of open) bufferedBytes += connection.buffered;
      return { streams: open.size, bufferedBytes, peakConnectionBytes: peakBuffered };
    },
    /** Ends every open stream and refuses new ones (503) from now on. */
    close(): void {
      closing = true;
      clearInterval(heartbeat);
      for (const connection of [...open]) connection.end();
    },
  };
}

export type StreamEngine = ReturnType<typeof createStreamEngine>;
