/**
 * One AbortSignal for one call, fired by whichever comes first: the client-wide signal, the
 * per-call signal, or the timeout. `cause()` tells which, so the error gets the right kind.
 */
export interface LinkedAbort {
  readonly signal: AbortSignal;
  cause(): 'timeout' | 'abort' | null;
  /** Removes the listeners and the timer; call it when the call settles. */
  dispose(): void;
}

export function linkAbort(signals: ReadonlyArray<AbortSignal | undefined>, timeoutMs: number): LinkedAbort {
  const controller = new AbortController();
  let cause: 'timeout' | 'abort' | null = null;
  const abort = (why: 'timeout' | 'abort') => {
    if (cause) return;
    cause = why;
    controller.abort();
  };
  const onAbort = () => abort('abort');
  const sources = signals.filter((signal): signal is AbortSignal => signal !== undefined);
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

const ABORTED = Symbol('aborted');

/**
 * Settles with `work`, or rejects as soon as `signal` aborts — even when an injected fetch or a
 * minimal response object ignores the signal, so a stalled body can never hang a call.
 */
export function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  // The losing promise may still reject later; it must not become an unhandled rejection.
  work.catch(() => undefined);
  if (signal.aborted) return Promise.reject(ABORTED);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(ABORTED);
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
