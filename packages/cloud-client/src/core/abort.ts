/**
 * What can abort one call: the client-wide signal, the per-call signal and the timeout. `signal` is
 * what goes to fetch; `cause()` tells which fired, so the error gets the right kind.
 */
export interface LinkedAbort {
  /** Undefined when nothing can abort the call. */
  readonly signal: AbortSignal | undefined;
  cause(): 'timeout' | 'abort' | null;
  /** Removes the listeners and the timer; call it when the call settles. */
  dispose(): void;
}

const NOTHING_TO_ABORT: LinkedAbort = { signal: undefined, cause: () => null, dispose() {} };

/**
 * Links the signals and the timeout (0: none) into one. Lean on purpose, as it runs on every
 * request: without a timeout it creates nothing for zero signals and passes a single signal as it
 * is; only a timeout or two signals need a controller of their own.
 */
export function linkAbort(signals: ReadonlyArray<AbortSignal | undefined>, timeoutMs: number): LinkedAbort {
  const sources = signals.filter((signal): signal is AbortSignal => signal !== undefined);
  if (timeoutMs <= 0 && sources.length <= 1) {
    const only = sources[0];
    return only ? { signal: only, cause: () => (only.aborted ? 'abort' : null), dispose() {} } : NOTHING_TO_ABORT;
  }
  const controller = new AbortController();
  let cause: 'timeout' | 'abort' | null = null;
  const abort = (why: 'timeout' | 'abort') => {
    if (cause) return;
    cause = why;
    controller.abort();
  };
  const onAbort = () => abort('abort');
  for (const signal of sources) {
    if (signal.aborted) abort('abort');
    else signal.addEventListener('abort', onAbort, { once: true });
  }
  const timer = timeoutMs > 0 && !cause ? setTimeout(() => abort('timeout'), timeoutMs) : undefined;
  return {
    signal: controller.signal,
    cause: () => cause,
    dispose() {
      if (timer !== undefined) clearTimeout(timer);
      for (const signal of sources) signal.removeEventListener('abort', onAbort);
    },
  };
}

/**
 * Settles with `work`, or rejects with the signal's reason as soon as it aborts — even when an
 * injected fetch or a minimal response object ignores the signal, so a stalled body can never hang
 * a call.
 */
export function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) {
    // The losing promise may still reject later; it must not become an unhandled rejection.
    work.catch(() => undefined);
    return Promise.reject(signal.reason);
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}
