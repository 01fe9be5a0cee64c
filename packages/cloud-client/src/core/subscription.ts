import type { CloudSubscription } from './context.js';
import { CloudTransportError, isCloudTransportError } from './errors.js';

/** Runs a caller's callback whose exception has nowhere to go. */
export function safely<Args extends unknown[]>(callback: ((...args: Args) => void) | undefined, ...args: Args): void {
  try {
    callback?.(...args);
  } catch {
    // Nothing is left to report it to.
  }
}

/** `callback` bound to its options object when it is a function, else undefined. */
export function callbackOf<F extends (...args: never[]) => unknown>(owner: object, callback?: F): F | undefined {
  return typeof callback === 'function' ? (callback.bind(owner) as F) : undefined;
}

/**
 * A subscription that never opened. Subscribing never throws, so the error reaches `onError` on a
 * microtask, after the caller holds the handle; closing the handle first silences it.
 */
export function failedSubscription(error: unknown, onError: ((error: CloudTransportError) => void) | undefined): CloudSubscription {
  let closed = false;
  const reported = isCloudTransportError(error)
    ? error
    : new CloudTransportError('request', 'The subscription could not be opened.', { cause: error });
  queueMicrotask(() => {
    if (!closed) safely(onError, reported);
  });
  return { close: () => void (closed = true) };
}
