import {
  CLOUD_SESSION_EVENT_TYPES,
  type CloudSessionEvent,
  type CloudWorkspaceEvent,
  type SnapshotRequiredEvent,
} from '@open-cowork/shared';
import type { CloudClientContext, CloudStreamFrame, CloudSubscription } from '../core/context.js';
import { CloudTransportError, invalidRequest, isCloudTransportError } from '../core/errors.js';
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
  const data = frame.data as { type?: unknown; sequence?: unknown } | null;
  if (frame.type === 'snapshot.required' || data?.type === 'snapshot.required') return null;
  return typeof data?.sequence === 'number' ? data.sequence : null;
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
    try {
      if (!closed) onError?.(reported);
    } catch {
      // A throwing onError has nowhere left to report to.
    }
  });
  return { close: () => void (closed = true) };
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
  };
}

/** The transport domain's methods. */
export type CloudTransportClient = ReturnType<typeof createCloudTransportClient>;
