import { isCloudTransportError, type CloudSubscription, type CloudTransportAdapter } from '@open-cowork/cloud-client';
import {
  applySessionEvent,
  createEmptySessionProjectionView,
  sessionProjectionViewFromCloudView,
  type CloudSessionProjectionView,
  type SessionRecord,
  type SnapshotRequiredEvent,
} from '@open-cowork/shared';

// A guard, because an event's `type` is an open string union that `===` alone does not narrow.
const isSnapshotRequired = (event: { type: string }): event is SnapshotRequiredEvent => event.type === 'snapshot.required';

/**
 * `live`: the cloud answered and the stream is open. `reconnecting`: the stream failed and the
 * page is retrying. `offline`: the retries keep failing, the stream ended for good or the browser
 * says it has no network; the page keeps retrying and goes back to `live` on its own.
 */
export type Connection = 'connecting' | 'live' | 'reconnecting' | 'offline';

/** What the page shows of a session: its folded view, and the turns that were stopped. */
export interface SessionState {
  record: SessionRecord;
  view: CloudSessionProjectionView;
  /** Sequences of the `session.aborted` events: where a turn was stopped. */
  stops: number[];
}

export interface LiveSessionHandlers {
  onState(state: SessionState): void;
  onConnection(state: Connection): void;
  /** Opening the session failed for a reason retrying cannot cure (not found, signed out…). */
  onError(error: unknown): void;
  /** The stream failed: the page checks whether the cookie session is still alive. */
  onStreamError(error: unknown): void;
}

/** Failures that retrying can cure: the cloud is down, slow or restarting. */
const TRANSIENT = new Set(['network', 'timeout', 'server', 'rate_limited', 'sse']);
/** Failed retries in a row after which `reconnecting` becomes `offline`. */
const OFFLINE_AFTER = 3;

/**
 * One open session. It shows the stored projection at once, and replays the session's events from
 * the start over the same stream that then follows it live: the replay finds where turns were
 * stopped, which the projection does not keep. Both the client and the reducer drop anything at
 * or below the folded sequence, so nothing shows twice. When the stream fails, the page probes the
 * cloud with backoff (`GET /api/sessions/:id`) and resumes after the last folded sequence once it
 * answers: `live` is only shown when the cloud has answered.
 */
export function openLiveSession(cloud: CloudTransportAdapter, sessionId: string, handlers: LiveSessionHandlers) {
  let record: SessionRecord | null = null;
  let folded: CloudSessionProjectionView | null = null;
  let stops: number[] = [];
  /** The replay is shown once it reaches the projection's sequence. */
  let shownFrom = 0;
  let subscription: CloudSubscription | null = null;
  let retryTimer: ReturnType<typeof setTimeout> | undefined;
  let failures = 0;
  let closed = false;
  let connection: Connection = 'connecting';

  function setConnection(next: Connection): void {
    if (next === connection) return;
    connection = next;
    handlers.onConnection(next);
  }

  function show(): void {
    if (record && folded && folded.sequence >= shownFrom) handlers.onState({ record, view: folded, stops });
  }

  /** Fetches the session; starts the replay the first time, resumes after `folded` afterwards. */
  async function connect(): Promise<void> {
    subscription?.close();
    subscription = null;
    try {
      const fetched = await cloud.getSession(sessionId);
      if (closed) return;
      record = fetched.session;
      failures = 0;
      if (!folded) {
        const projection = sessionProjectionViewFromCloudView(fetched);
        handlers.onState({ record, view: projection, stops });
        shownFrom = projection.sequence;
        folded = createEmptySessionProjectionView(sessionId, { title: record.title, profileName: record.profileName });
      }
      subscribe(folded.sequence);
      setConnection('live');
      show();
    } catch (error) {
      if (closed) return;
      if (isCloudTransportError(error) && TRANSIENT.has(error.kind)) retry();
      else handlers.onError(error);
    }
  }

  function retry(): void {
    subscription?.close();
    subscription = null;
    failures += 1;
    setConnection(failures >= OFFLINE_AFTER || navigator.onLine === false ? 'offline' : 'reconnecting');
    clearTimeout(retryTimer);
    retryTimer = setTimeout(() => void connect(), Math.min(5_000, 400 * 2 ** (failures - 1)));
  }

  function subscribe(afterSequence: number): void {
    subscription = cloud.subscribeSessionEvents(sessionId, {
      afterSequence,
      onEvent(event) {
        if (closed || !folded) return;
        // The cloud no longer holds the events after our cursor: start again from its projection.
        if (isSnapshotRequired(event)) {
          folded = null;
          stops = [];
          void connect();
          return;
        }
        if (event.type === 'session.aborted' && !stops.includes(event.sequence)) stops = [...stops, event.sequence];
        const next = applySessionEvent(folded, event);
        if (next === folded) return;
        folded = next;
        show();
      },
      onError(error) {
        if (closed) return;
        handlers.onStreamError(error);
        retry();
      },
      onClose() {
        if (!closed) retry();
      },
    });
  }

  const goOffline = () => setConnection('offline');
  const goOnline = () => {
    failures = 0;
    void connect();
  };
  window.addEventListener('offline', goOffline);
  window.addEventListener('online', goOnline);

  void connect();
  return {
    sessionId,
    /** The record changed elsewhere on the page (renamed, closed). */
    updateRecord(next: SessionRecord): void {
      record = next;
      show();
    },
    close() {
      closed = true;
      clearTimeout(retryTimer);
      subscription?.close();
      window.removeEventListener('offline', goOffline);
      window.removeEventListener('online', goOnline);
    },
  };
}

export type LiveSession = ReturnType<typeof openLiveSession>;
