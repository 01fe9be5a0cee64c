import type { CloudSubscription } from '../../core/context.js';
import { CloudTransportError, type CloudTransportErrorKind } from '../../core/errors.js';
import { safely } from '../../core/subscription.js';
import { check, requireCursor } from '../../core/validate.js';
import { eventSequence, type CloudEventSubscriptionOptions, type CloudSessionStreamEvent } from './stream.js';

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
const RECONNECTABLE: ReadonlySet<CloudTransportErrorKind> = new Set(['network', 'timeout', 'server', 'rate_limited', 'sse']);

function requireDelay(value: unknown, name: string): number {
  const valid = typeof value === 'number' && Number.isFinite(value) && value >= 0;
  check(valid, `${name} must be a non-negative number of milliseconds.`);
  return value;
}

/**
 * Keeps a session subscription alive: reconnects with exponential backoff from the last delivered
 * sequence whenever the stream ends or fails in a way a new connection can cure.
 */
export function resumeSessionEvents(
  open: (afterSequence: number, options: CloudEventSubscriptionOptions<CloudSessionStreamEvent>) => CloudSubscription,
  options: ResumableSessionSubscriptionOptions,
): CloudSubscription {
  const { onEvent, onError, onCursor, onClose } = options;
  let cursor = requireCursor(options.afterSequence, 'afterSequence');
  const initial = requireDelay(options.backoffMs?.initial ?? 1000, 'backoffMs.initial');
  const max = requireDelay(options.backoffMs?.max ?? 30_000, 'backoffMs.max');
  const maxAttempts = options.maxAttempts ?? Number.POSITIVE_INFINITY;
  const validAttempts = maxAttempts === Number.POSITIVE_INFINITY || (Number.isSafeInteger(maxAttempts) && maxAttempts >= 0);
  check(validAttempts, 'maxAttempts must be a non-negative integer.');
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
