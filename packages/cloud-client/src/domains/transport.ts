import type { CloudClientContext, CloudSubscription } from '../core/context.js';
import { apiPath } from '../core/path.js';
import { callbackOf, failedSubscription } from '../core/subscription.js';
import { check, requireCursor } from '../core/validate.js';
import { resumeSessionEvents, type ResumableSessionSubscriptionOptions } from './transport/resumable.js';
import {
  subscribeEventStream,
  type CloudEventSubscriptionOptions,
  type CloudSessionStreamEvent,
  type CloudWorkspaceStreamEvent,
} from './transport/stream.js';

export type { ResumableSessionSubscriptionOptions } from './transport/resumable.js';
export {
  streamEventSequence,
  type CloudEventSubscriptionOptions,
  type CloudSessionStreamEvent,
  type CloudWorkspaceStreamEvent,
} from './transport/stream.js';

/** URLs of the session and workspace event streams, and subscriptions to them. */
export function createCloudTransportClient(ctx: CloudClientContext) {
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
      return subscribeEventStream(ctx, () => '/api/events', options);
    },

    /**
     * `GET /api/sessions/:id/events` (SSE): the session's events after `afterSequence`, then live.
     * Never throws: a bad session id reaches `onError` (kind `request`) and the handle is a no-op.
     */
    subscribeSessionEvents(sessionId: string, options: CloudEventSubscriptionOptions<CloudSessionStreamEvent>): CloudSubscription {
      return subscribeEventStream(ctx, () => apiPath`/api/sessions/${sessionId}/events`, options);
    },

    /**
     * Opt-in helper over `subscribeSessionEvents` that reconnects with backoff from the last
     * delivered sequence (reported through `onCursor`) after the stream ends or fails with a
     * curable kind (`network`, a silent connection included; `timeout`, `server`, `rate_limited`, `sse`). Other failures stop it
     * and fire `onClose`. On `snapshot.required`, re-fetch the view, close this, and subscribe again
     * from the view's sequence. Never throws: invalid options reach `onError` (kind `request`).
     */
    subscribeSessionEventsResumable(sessionId: string, options: ResumableSessionSubscriptionOptions): CloudSubscription {
      const onError = callbackOf(options ?? {}, options?.onError);
      try {
        const path = apiPath`/api/sessions/${sessionId}/events`;
        check(typeof options?.onEvent === 'function', 'onEvent must be a function.');
        const open = (afterSequence: number, handlers: CloudEventSubscriptionOptions<CloudSessionStreamEvent>) =>
          subscribeEventStream(ctx, () => path, { ...handlers, afterSequence });
        return resumeSessionEvents(open, options);
      } catch (error) {
        return failedSubscription(error, onError);
      }
    },
  };
}

/** The transport domain's methods. */
export type CloudTransportClient = ReturnType<typeof createCloudTransportClient>;
