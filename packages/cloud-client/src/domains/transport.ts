import {
  CLOUD_SESSION_EVENT_TYPES,
  type CloudSessionEvent,
  type CloudWorkspaceEvent,
  type SnapshotRequiredEvent,
} from '@open-cowork/shared';
import type { CloudClientContext, CloudStreamFrame, CloudSubscription } from '../core/context.js';
import {
  CloudTransportError,
  invalidRequest,
  isCloudTransportError,
  type CloudTransportErrorKind,
} from '../core/errors.js';
import { apiPath } from '../core/path.js';

/**
 * What a session stream delivers: session events, and `snapshot.required` when the resume cursor
 * is older than the retained events (re-fetch the view, then resubscribe from its sequence).
 * Events of types this client does not know are delivered too.
 */
export type CloudSessionStreamEvent = CloudSessionEvent | SnapshotRequiredEvent;

/** What the workspace stream delivers: mirrored session events, and `snapshot.required`. */
export type CloudWorkspaceStreamEvent = CloudWorkspaceEvent | SnapshotRequiredEvent;

/** Callbacks and cursor of an event subscription. */
export interface CloudEventSubscriptionOptions<Event> {
  /**
   * Resume after this sequence (`?after=N` when N > 0): typically the `projection.sequence` of the
   * view just fetched. Events at or below it, or below one already delivered, are dropped.
   */
  afterSequence?: number;
  /** Each event, exactly as parsed from its `data:` line, in arrival order. */
  onEvent(event: Event): void;
  /** Failures: HTTP errors, broken streams, bad payloads, and invalid arguments (kind `request`). */
  onError?(error: CloudTransportError): void;
  /** Fired once when the server ends the stream; never after `close()`. There is no automatic reconnect. */
  onClose?(): void;
}

/**
 * Named event types the EventSource path listens for: a browser EventSource hands a named event
 * only to a listener for that name. Types newer than this contract therefore reach `onEvent` on
 * the fetch path (headers set) only.
 */
const STREAM_EVENT_TYPES: readonly string[] = CLOUD_SESSION_EVENT_TYPES.map((entry) => entry.type);

/**
 * The resume cursor of a session or workspace stream frame, for duplicate suppression.
 * `snapshot.required` carries the cursor from before the gap, which is never above what was
 * delivered, so it yields null and always reaches the caller.
 */
export function streamEventSequence(frame: CloudStreamFrame): number | null {
  return frame.type === 'snapshot.required' ? null : eventSequence(frame.data);
}

function eventSequence(event: unknown): number | null {
  const data = event as { type?: unknown; sequence?: unknown } | null;
  if (data?.type === 'snapshot.required') return null;
  return typeof data?.sequence === 'number' ? data.sequence : null;
}

/** Runs a caller's callback whose exception has nowhere to go. */
function safely<Args extends unknown[]>(callback: ((...args: Args) => void) | undefined, ...args: Args): void {
  try {
    callback?.(...args);
  } catch {
    // Nothing is left to report it to.
  }
}

function requireCursor(after: unknown, name: string): number {
  if (after === undefined) return 0;
  if (typeof after !== 'number' || !Number.isSafeInteger(after) || after < 0) {
    throw invalidRequest(`${name} must be a non-negative integer.`);
  }
  return after;
}

/** A subscription that never opened: the error reaches `onError` after the caller holds the handle. */
function failedSubscription(error: unknown, onError: ((error: CloudTransportError) => void) | undefined) {
  let closed = false;
  const reported = isCloudTransportError(error)
    ? error
    : new CloudTransportError('request', 'The subscription could not be opened.', { cause: error });
  queueMicrotask(() => {
    if (!closed) safely(onError, reported);
  });
  return { close: () => void (closed = true) };
}

/** Options of `subscribeSessionEventsResumable`. */
export interface ResumableSessionSubscriptionOptions {
  /** Resume after this sequence, as with `subscribeSessionEvents`. */
  afterSequence?: number;
  /** Each event, exactly as parsed, never one at or below a sequence already delivered. */
  onEvent(event: CloudSessionStreamEvent): void;
  /** Every failure, also the transient ones it reconnects after. */
  onError?(error: CloudTransportError): void;
  /** The new cursor after each event that advanced it (called after `onEvent`): persist it to resume later. */
  onCursor?(sequence: number): void;
  /** Fired once when it stops for good (an incurable failure, or `maxAttempts` spent); never after `close()`. */
  onClose?(): void;
  /** Reconnect n waits min(max, initial × 2^(n−1)) ms, or a 429's Retry-After when longer. Default 1000 / 30000. */
  backoffMs?: { initial: number; max: number };
  /** Reconnects in a row without an event before giving up. Default unlimited. */
  maxAttempts?: number;
}

/** Failures a new connection can cure; `parse` is per event and the stream goes on. */
const RECONNECTABLE: ReadonlySet<CloudTransportErrorKind> = new Set([
  'network',
  'timeout',
  'server',
  'rate_limited',
  'sse',
]);

function requireDelay(value: unknown, name: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw invalidRequest(`${name} must be a non-negative number of milliseconds.`);
  }
  return value;
}

/**
 * Keeps a session subscription alive: reconnects with exponential backoff from the last delivered
 * sequence whenever the stream ends or fails in a way a new connection can cure.
 */
function resumeSessionEvents(
  open: (afterSequence: number, options: CloudEventSubscriptionOptions<CloudSessionStreamEvent>) => CloudSubscription,
  options: ResumableSessionSubscriptionOptions,
): CloudSubscription {
  const { onEvent, onError, onCursor, onClose } = options;
  let cursor = requireCursor(options.afterSequence, 'afterSequence');
  const initial = requireDelay(options.backoffMs?.initial ?? 1000, 'backoffMs.initial');
  const max = requireDelay(options.backoffMs?.max ?? 30_000, 'backoffMs.max');
  const maxAttempts = options.maxAttempts ?? Number.POSITIVE_INFINITY;
  if (maxAttempts !== Number.POSITIVE_INFINITY && !(Number.isSafeInteger(maxAttempts) && maxAttempts >= 0)) {
    throw invalidRequest('maxAttempts must be a non-negative integer.');
  }
  let attempts = 0;
  let current: CloudSubscription | null = null;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let stopped = false;

  const stop = (notify: boolean) => {
    if (stopped) return;
    stopped = true;
    clearTimeout(timer);
    current?.close();
    if (notify) safely(onClose?.bind(options));
  };
  const reconnect = (retryAfterMs: number | null) => {
    current?.close();
    attempts += 1;
    if (attempts > maxAttempts) {
      stop(true);
      return;
    }
    timer = setTimeout(connect, Math.max(Math.min(max, initial * 2 ** (attempts - 1)), retryAfterMs ?? 0));
  };
  const connect = () => {
    if (stopped) return;
    current = open(cursor, {
      onEvent: (event) => {
        attempts = 0;
        try {
          onEvent.call(options, event);
        } catch (cause) {
          const error = new CloudTransportError('sse', 'The event callback threw; the stream goes on.', { cause });
          safely(onError?.bind(options), error);
        }
        const sequence = eventSequence(event);
        if (sequence !== null && sequence > cursor) {
          cursor = sequence;
          safely(onCursor?.bind(options), cursor);
        }
      },
      onError: (error) => {
        safely(onError?.bind(options), error);
        if (RECONNECTABLE.has(error.kind)) reconnect(error.retryAfterMs);
        else if (error.kind !== 'parse') stop(true);
      },
      // A clean end (the server's stream lifetime, a deploy) is not a failure: start the backoff afresh.
      onClose: () => {
        attempts = 0;
        reconnect(null);
      },
    });
  };
  connect();
  return { close: () => stop(false) };
}

/** URLs of the session and workspace event streams, and subscriptions to them (wire contract §2.15). */
export function createCloudTransportClient(ctx: CloudClientContext) {
  const subscribe = <Event>(
    pathOf: () => string,
    options: CloudEventSubscriptionOptions<Event>,
  ): CloudSubscription => {
    // Subscribing never throws: a bad id, cursor or callback is reported through onError.
    const onError = typeof options?.onError === 'function' ? options.onError.bind(options) : undefined;
    try {
      if (typeof options?.onEvent !== 'function') throw invalidRequest('onEvent must be a function.');
      const afterSequence = requireCursor(options.afterSequence, 'afterSequence');
      const onEvent = options.onEvent.bind(options);
      const onClose = typeof options.onClose === 'function' ? options.onClose.bind(options) : undefined;
      return ctx.stream({
        path: pathOf(),
        afterSequence,
        sequenceOf: streamEventSequence,
        eventTypes: STREAM_EVENT_TYPES,
        onFrame: (frame) => onEvent(frame.data as Event),
        onError,
        onClose,
      });
    } catch (error) {
      return failedSubscription(error, onError);
    }
  };

  return {
    /**
     * Absolute URL of the workspace stream, `/api/events`, with `?after=N` only when N > 0.
     * Throws `request` on a bad cursor.
     */
    workspaceEventsUrl(after = 0): string {
      const cursor = requireCursor(after, 'after');
      return ctx.url('/api/events', { after: cursor > 0 ? cursor : undefined });
    },

    /**
     * Absolute URL of a session's stream, `/api/sessions/:id/events`, with `?after=N` only when
     * N > 0. Throws `request` on a bad id or cursor.
     */
    sessionEventsUrl(sessionId: string, after = 0): string {
      const path = apiPath`/api/sessions/${sessionId}/events`;
      const cursor = requireCursor(after, 'after');
      return ctx.url(path, { after: cursor > 0 ? cursor : undefined });
    },

    /**
     * `GET /api/events` (SSE): every projected event of the caller's sessions, mirrored with its own
     * per-user sequence. Never throws; no automatic reconnect.
     */
    subscribeWorkspaceEvents(options: CloudEventSubscriptionOptions<CloudWorkspaceStreamEvent>): CloudSubscription {
      return subscribe(() => '/api/events', options);
    },

    /**
     * `GET /api/sessions/:id/events` (SSE): the session's events after `afterSequence`, then live.
     * Never throws: a bad session id reaches `onError` (kind `request`) and the handle is a no-op.
     */
    subscribeSessionEvents(
      sessionId: string,
      options: CloudEventSubscriptionOptions<CloudSessionStreamEvent>,
    ): CloudSubscription {
      return subscribe(() => apiPath`/api/sessions/${sessionId}/events`, options);
    },

    /**
     * Opt-in helper over `subscribeSessionEvents` that reconnects with backoff from the last
     * delivered sequence (reported through `onCursor`) after the stream ends or fails with a
     * curable kind (`network`, `timeout`, `server`, `rate_limited`, `sse`). Other failures stop it
     * and fire `onClose`. On `snapshot.required`, re-fetch the view, close this, and subscribe again
     * from the view's sequence. Never throws: invalid options reach `onError` (kind `request`).
     */
    subscribeSessionEventsResumable(
      sessionId: string,
      options: ResumableSessionSubscriptionOptions,
    ): CloudSubscription {
      const onError = typeof options?.onError === 'function' ? options.onError.bind(options) : undefined;
      try {
        const path = apiPath`/api/sessions/${sessionId}/events`;
        if (typeof options?.onEvent !== 'function') throw invalidRequest('onEvent must be a function.');
        const open = (afterSequence: number, handlers: CloudEventSubscriptionOptions<CloudSessionStreamEvent>) =>
          subscribe(() => path, { ...handlers, afterSequence });
        return resumeSessionEvents(open, options);
      } catch (error) {
        return failedSubscription(error, onError);
      }
    },
  };
}

/** The transport domain's methods. */
export type CloudTransportClient = ReturnType<typeof createCloudTransportClient>;
