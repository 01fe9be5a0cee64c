import {
  CLOUD_SESSION_EVENT_TYPE_NAMES,
  type SnapshotRequiredEvent,
  type TypedCloudSessionEvent,
  type TypedCloudWorkspaceEvent,
} from '@open-cowork/shared';
import type { CloudClientContext, CloudStreamFrame, CloudSubscription } from '../../core/context.js';
import type { CloudTransportError } from '../../core/errors.js';
import { callbackOf, failedSubscription } from '../../core/subscription.js';
import { check, requireCursor } from '../../core/validate.js';

/**
 * What a session stream delivers, discriminated on `type`: session events with typed payloads,
 * events of types this contract does not know (`UnknownCloudSessionEvent`), and
 * `snapshot.required` when the resume cursor is older than the retained events (re-fetch the view,
 * then resubscribe from its sequence).
 */
export type CloudSessionStreamEvent = TypedCloudSessionEvent | SnapshotRequiredEvent;

/** What the workspace stream delivers: mirrored session events, and `snapshot.required`. */
export type CloudWorkspaceStreamEvent = TypedCloudWorkspaceEvent | SnapshotRequiredEvent;

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
 * Named event types the EventSource path listens for on every session-event stream (session,
 * workspace, channel session): a browser EventSource hands a named event only to a listener for
 * that name. Types newer than this contract therefore reach `onEvent` on the fetch path only.
 */
const SESSION_STREAM_EVENT_TYPES: readonly string[] = CLOUD_SESSION_EVENT_TYPE_NAMES;

/** The `sequence` of an event, or null for `snapshot.required` and events without one. */
export function eventSequence(event: unknown): number | null {
  const data = event as { type?: unknown; sequence?: unknown } | null;
  if (data?.type === 'snapshot.required') return null;
  return typeof data?.sequence === 'number' ? data.sequence : null;
}

/**
 * The resume cursor of a session or workspace stream frame, for duplicate suppression.
 * `snapshot.required` carries the cursor from before the gap, which is never above what was
 * delivered, so it yields null and always reaches the caller.
 */
export function streamEventSequence(frame: CloudStreamFrame): number | null {
  return frame.type === 'snapshot.required' ? null : eventSequence(frame.data);
}

/**
 * Opens a session-event stream at `pathOf()`. Never throws: a bad path, cursor or callback reaches
 * `onError` (kind `request`) and the handle is a no-op. `method` prefixes the messages of those
 * errors (`'subscribeChannelSessionEvents'`); without it they name the option only.
 */
export function subscribeEventStream<Event>(
  ctx: CloudClientContext,
  pathOf: () => string,
  options: CloudEventSubscriptionOptions<Event>,
  method?: string,
): CloudSubscription {
  const name = (option: string) => (method ? `${method}: ${option}` : option);
  const onError = callbackOf(options ?? {}, options?.onError);
  try {
    const onEvent = callbackOf(options ?? {}, options?.onEvent);
    check(onEvent !== undefined, `${name('onEvent')} must be a function.`);
    const afterSequence = requireCursor(options.afterSequence, name('afterSequence'));
    return ctx.stream({
      path: pathOf(),
      afterSequence,
      sequenceOf: streamEventSequence,
      eventTypes: SESSION_STREAM_EVENT_TYPES,
      onFrame: (frame) => onEvent(frame.data as Event),
      onError,
      onClose: callbackOf(options, options.onClose),
    });
  } catch (error) {
    return failedSubscription(error, onError);
  }
}
