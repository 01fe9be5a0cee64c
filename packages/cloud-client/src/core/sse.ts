import type { CloudStreamFrame, CloudStreamOptions, CloudSubscription } from './context.js';
import { CloudTransportError, isCloudTransportError } from './errors.js';
import { errorFromResponse, headerOf, networkReason } from './http.js';
import type { CloudEventSourceConstructor, CloudEventSourceLike } from './options.js';
import { buildUrl, type ResolvedTransport } from './request.js';
import { createSseParser, type SseMessage } from './sse-parser.js';
import { safely } from './subscription.js';

/** EventSource.CLOSED: the browser gave up reconnecting. */
const EVENT_SOURCE_CLOSED = 2;

/**
 * The delivery rules shared by both paths: JSON-decode `data`, drop frames whose sequence is not
 * above the highest delivered, shield the stream from callback exceptions, and make sure nothing
 * fires after the subscription ended.
 */
function createDispatcher(options: CloudStreamOptions, url: string) {
  let ended = false;
  let highestSequence = options.afterSequence ?? 0;

  const reportError = (error: CloudTransportError) => {
    if (!ended) safely(() => options.onError?.(error));
  };

  return {
    get ended() {
      return ended;
    },
    reportError,
    /** Ends the subscription; `notify` decides which single callback, if any, tells the caller. */
    end(notify?: CloudTransportError | 'close') {
      if (ended) return;
      if (notify === 'close') {
        ended = true;
        safely(() => options.onClose?.());
      } else {
        if (notify) reportError(notify);
        ended = true;
      }
    },
    deliver(message: SseMessage) {
      if (ended) return;
      let data: unknown;
      try {
        data = JSON.parse(message.data);
      } catch (cause) {
        reportError(
          new CloudTransportError('parse', `An event on ${url} carried data that is not JSON; the stream goes on.`, {
            url,
            body: message.data.slice(0, 1000),
            cause,
          }),
        );
        return;
      }
      const frame: CloudStreamFrame = { type: message.type, id: message.id === '' ? null : message.id, data };
      const sequence = options.sequenceOf?.(frame) ?? null;
      if (sequence !== null) {
        if (sequence <= highestSequence) return;
        highestSequence = sequence;
      }
      try {
        options.onFrame(frame);
      } catch (cause) {
        reportError(new CloudTransportError('sse', `The event callback for ${url} threw; the stream goes on.`, { url, cause }));
      }
    },
  };
}

/**
 * Opens a server-sent event stream. Fetch-based when headers are configured (so Authorization
 * travels), EventSource otherwise (cookies authenticate). Never throws: failures go to `onError`.
 */
export function openStream(transport: ResolvedTransport, options: CloudStreamOptions): CloudSubscription {
  let url = '';
  let headers: Record<string, string>;
  try {
    url = buildUrl(transport, options.path, {
      ...options.query,
      after: options.afterSequence && options.afterSequence > 0 ? options.afterSequence : undefined,
    });
    headers = transport.headers();
  } catch (error) {
    const dispatcher = createDispatcher(options, options.path);
    // Reported asynchronously so the caller has its subscription handle before any callback runs.
    queueMicrotask(() => dispatcher.end(error as CloudTransportError));
    return { close: () => dispatcher.end() };
  }
  const dispatcher = createDispatcher(options, url);
  return Object.keys(headers).length > 0
    ? openFetchStream(transport, headers, url, dispatcher)
    : openEventSourceStream(transport, url, options, dispatcher);
}

type Dispatcher = ReturnType<typeof createDispatcher>;

/**
 * Calls `onSilent` once when `heard()` was not called for `idleMs` (0: never). One timer per
 * silence period rather than one per chunk: a busy stream only stamps the time.
 */
function watchSilence(idleMs: number, onSilent: () => void): { heard(): void; stop(): void } {
  if (idleMs <= 0) return { heard() {}, stop() {} };
  let lastHeard = Date.now();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const check = () => {
    const silentFor = Date.now() - lastHeard;
    if (silentFor >= idleMs) onSilent();
    else timer = setTimeout(check, idleMs - silentFor);
  };
  timer = setTimeout(check, idleMs);
  return {
    heard: () => void (lastHeard = Date.now()),
    stop: () => clearTimeout(timer),
  };
}

function openFetchStream(
  transport: ResolvedTransport,
  headers: Record<string, string>,
  url: string,
  dispatcher: Dispatcher,
): CloudSubscription {
  // One controller, aborted by close(), by the client-wide signal and by the silence watchdog.
  // Lean on purpose: a caller may hold the handle long after the stream failed, and whatever the
  // handle reaches stays in memory with it.
  let controller: AbortController | null = new AbortController();
  const clientSignal = transport.signal;
  let abortedByClient = false;
  const onClientAbort = () => {
    abortedByClient = true;
    controller?.abort();
  };
  if (clientSignal?.aborted) onClientAbort();
  else clientSignal?.addEventListener('abort', onClientAbort, { once: true });
  // A connection that goes silent without closing (a dead peer behind a NAT or proxy) would
  // otherwise never be noticed: report it as a network failure, which a reconnect policy acts on.
  const silence = watchSilence(transport.streamIdleTimeoutMs, () => {
    const message = `Cloud transport SSE subscription heard nothing for ${transport.streamIdleTimeoutMs}ms: ${url}`;
    dispatcher.end(new CloudTransportError('network', message, { method: 'GET', url }));
    controller?.abort();
  });
  const run = async () => {
    const signal = controller!.signal;
    const parser = createSseParser({ onEvent: (message) => dispatcher.deliver(message), onError: dispatcher.reportError });
    const response = await transport.fetch()(url, {
      method: 'GET',
      headers: { ...headers, accept: 'text/event-stream' },
      credentials: transport.credentials,
      signal,
    });
    silence.heard();
    if (!response.ok) {
      const fallback = `Cloud transport SSE subscription failed with HTTP ${response.status}: ${url}`;
      throw errorFromResponse(response, await response.text(), 'GET', url, fallback);
    }
    const contentType = headerOf(response, 'content-type');
    if (contentType !== null && !contentType.toLowerCase().startsWith('text/event-stream')) {
      throw new CloudTransportError('sse', `Cloud transport SSE subscription failed: ${url} answered ${contentType}, not an event stream`, {
        status: response.status,
        method: 'GET',
        url,
      });
    }
    if (!response.body) {
      // A minimal response object without a stream: parse what text() gives as the whole stream.
      parser.feed(await response.text());
      return;
    }
    const reader = response.body.getReader();
    // Node's fetch keeps the signal alive after the stream ends: a listener left on it would keep
    // the reader, and through it the response and the socket, for good.
    const cancel = () => void reader.cancel().catch(() => undefined);
    signal.addEventListener('abort', cancel, { once: true });
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done || signal.aborted) return;
        silence.heard();
        parser.feed(value);
      }
    } finally {
      signal.removeEventListener('abort', cancel);
    }
  };
  const finish = (outcome: { error: unknown } | null) => {
    clientSignal?.removeEventListener('abort', onClientAbort);
    silence.stop();
    // Node's fetch keeps listeners on the signal it was given: let the handle forget it.
    controller = null;
    // Once the caller closed, the dispatcher has ended and this reports nothing.
    if (abortedByClient) {
      dispatcher.end(new CloudTransportError('abort', `Cloud transport SSE subscription was aborted: ${url}`, { method: 'GET', url }));
    } else if (outcome === null) {
      dispatcher.end('close');
    } else {
      dispatcher.end(
        isCloudTransportError(outcome.error)
          ? outcome.error
          : new CloudTransportError(
              'network',
              `Cloud transport network request failed: GET ${url.slice(transport.baseUrl.length)} (${networkReason(outcome.error)})`,
              { method: 'GET', url, cause: outcome.error },
            ),
      );
    }
  };
  run().then(
    () => finish(null),
    (error: unknown) => finish({ error }),
  );
  return {
    close() {
      dispatcher.end();
      silence.stop();
      // Aborting cancels the body, which releases the HTTP connection instead of leaving it open
      // until the server ends it.
      controller?.abort();
    },
  };
}

function openEventSourceStream(
  transport: ResolvedTransport,
  url: string,
  options: CloudStreamOptions,
  dispatcher: Dispatcher,
): CloudSubscription {
  const EventSourceImpl = transport.eventSource ?? (globalThis as { EventSource?: CloudEventSourceConstructor }).EventSource;
  if (!EventSourceImpl) {
    queueMicrotask(() =>
      dispatcher.end(
        new CloudTransportError('sse', 'No EventSource is available: pass `eventSource`, or set `headers` to use fetch-based streaming.', {
          method: 'GET',
          url,
        }),
      ),
    );
    return { close: () => dispatcher.end() };
  }

  let source: CloudEventSourceLike;
  try {
    source = new EventSourceImpl(url, { withCredentials: transport.credentials === 'include' });
  } catch (cause) {
    queueMicrotask(() =>
      dispatcher.end(
        new CloudTransportError('sse', `Cloud transport EventSource subscription failed: ${url}`, { method: 'GET', url, cause }),
      ),
    );
    return { close: () => dispatcher.end() };
  }

  const onMessage = (event: MessageEvent) =>
    dispatcher.deliver({ type: event.type || 'message', data: String(event.data), id: event.lastEventId ?? '' });
  // Polyfills and test doubles often implement only the on* properties, so hook both.
  source.onmessage = onMessage;
  for (const type of options.eventTypes ?? []) {
    if (type !== 'message' && type !== 'error') source.addEventListener(type, onMessage);
  }
  // A server `event: error` frame arrives as an `error` MessageEvent carrying data; a connection
  // failure arrives as a plain Event. Every failure is reported, so the caller can show that the
  // browser is reconnecting; only a CLOSED source (the browser gave up) ends the subscription.
  // While it reconnects, the dispatcher drops the replayed duplicates. A source without
  // `readyState` (many test doubles) counts as still open.
  const onError = (event: Event) => {
    if ('data' in event && typeof (event as MessageEvent).data === 'string') {
      onMessage(event as MessageEvent);
      return;
    }
    dispatcher.reportError(
      new CloudTransportError('sse', `Cloud transport EventSource subscription failed: ${url}`, { method: 'GET', url }),
    );
    if (source.readyState === EVENT_SOURCE_CLOSED) {
      source.close();
      dispatcher.end('close');
    }
  };
  source.onerror = onError;
  const onAbort = () => {
    source.close();
    dispatcher.end(new CloudTransportError('abort', `Cloud transport SSE subscription was aborted: ${url}`, { method: 'GET', url }));
  };
  if (transport.signal?.aborted) queueMicrotask(onAbort);
  else transport.signal?.addEventListener('abort', onAbort, { once: true });

  return {
    close() {
      transport.signal?.removeEventListener('abort', onAbort);
      dispatcher.end();
      source.close();
    },
  };
}
