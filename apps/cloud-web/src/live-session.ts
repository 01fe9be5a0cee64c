import type { CloudSubscription, CloudTransportAdapter, CloudTransportError } from '@open-cowork/cloud-client';
import {
  applySessionEvent,
  sessionProjectionViewFromCloudView,
  type CloudSessionProjectionView,
  type SnapshotRequiredEvent,
} from '@open-cowork/shared';

// A guard, because an event's `type` is an open string union that `===` alone does not narrow.
const isSnapshotRequired = (event: { type: string }): event is SnapshotRequiredEvent => event.type === 'snapshot.required';

export type Connection = 'connecting' | 'live' | 'reconnecting';

export interface LiveSessionHandlers {
  onView(view: CloudSessionProjectionView): void;
  onConnection(state: Connection): void;
  /** Loading the view failed (the stream's own failures only change the connection state). */
  onError(error: unknown): void;
  /** The stream failed: the page checks whether the cookie session is still alive. */
  onStreamError(error: CloudTransportError): void;
}

/**
 * One open session: its view from `GET /api/sessions/:id`, then every event after the view's
 * sequence folded in with the shared reducer. Reconnects (the browser's EventSource retries, the
 * client's backoff when a stream is closed for good) resume after the last folded sequence, and
 * both the client and the reducer drop anything at or below it, so nothing shows twice.
 */
export function openLiveSession(cloud: CloudTransportAdapter, sessionId: string, handlers: LiveSessionHandlers) {
  let view: CloudSessionProjectionView | null = null;
  let subscription: CloudSubscription | null = null;
  let closed = false;

  async function load(): Promise<void> {
    subscription?.close();
    subscription = null;
    handlers.onConnection('connecting');
    try {
      const fetched = sessionProjectionViewFromCloudView(await cloud.getSession(sessionId));
      if (closed) return;
      view = fetched;
      handlers.onView(fetched);
      subscribe(fetched.sequence);
    } catch (error) {
      if (!closed) handlers.onError(error);
    }
  }

  function subscribe(afterSequence: number): void {
    subscription = cloud.subscribeSessionEventsResumable(sessionId, {
      afterSequence,
      backoffMs: { initial: 500, max: 5_000 },
      onEvent(event) {
        if (closed || !view) return;
        handlers.onConnection('live');
        // The server no longer holds the events after our cursor: start again from a fresh view.
        if (isSnapshotRequired(event)) {
          void load();
          return;
        }
        const next = applySessionEvent(view, event);
        if (next !== view) {
          view = next;
          handlers.onView(next);
        }
      },
      onError(error) {
        if (closed) return;
        handlers.onConnection('reconnecting');
        handlers.onStreamError(error);
      },
    });
    handlers.onConnection('live');
  }

  void load();
  return {
    sessionId,
    close() {
      closed = true;
      subscription?.close();
    },
  };
}

export type LiveSession = ReturnType<typeof openLiveSession>;
