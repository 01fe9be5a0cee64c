import type { CloudTransportError } from '../../src/core/errors.js';

/** A fetch response whose body is a stream the test writes to chunk by chunk. */
export function controllableStream() {
  const encoder = new TextEncoder();
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  let cancelled = false;
  const body = new ReadableStream<Uint8Array>({
    start(c) {
      controller = c;
    },
    cancel() {
      cancelled = true;
    },
  });
  return {
    body,
    write: (text: string) => controller.enqueue(encoder.encode(text)),
    end: () => controller.close(),
    fail: (error: unknown) => controller.error(error),
    get cancelled() {
      return cancelled;
    },
  };
}

export function sseResponse(body: ReadableStream<Uint8Array>, status = 200) {
  return {
    ok: status >= 200 && status < 300,
    status,
    headers: { get: (name: string) => (name.toLowerCase() === 'content-type' ? 'text/event-stream; charset=utf-8' : null) },
    text: async () => '',
    body,
  };
}

/** Resolves after pending microtasks and stream reads have run. */
export const settle = (ms = 10) => new Promise((resolve) => setTimeout(resolve, ms));

export function eventFrame(sequence: number, type = 'assistant.message', payload: object = {}) {
  return `id: ${sequence}\nevent: ${type}\ndata: ${JSON.stringify({ eventId: `e${sequence}`, sequence, type, payload })}\n\n`;
}

/** A scriptable EventSource double that implements only what the client uses. */
export class FakeEventSource {
  static instances: FakeEventSource[] = [];
  readyState = 0;
  onmessage: ((event: MessageEvent) => void) | null = null;
  onerror: ((event: Event) => void) | null = null;
  closed = false;
  listeners = new Map<string, Array<(event: MessageEvent) => void>>();
  constructor(
    public url: string,
    public init?: { withCredentials?: boolean },
  ) {
    FakeEventSource.instances.push(this);
  }
  addEventListener(type: string, listener: (event: MessageEvent) => void) {
    this.listeners.set(type, [...(this.listeners.get(type) ?? []), listener]);
  }
  close() {
    this.closed = true;
    this.readyState = 2;
  }
  /** Emits like a browser: `message` to onmessage, named types to their listeners. */
  emit(type: string, data: string, lastEventId = '') {
    const event = new MessageEvent(type, { data, lastEventId });
    if (type === 'message') this.onmessage?.(event);
    else for (const listener of this.listeners.get(type) ?? []) listener(event);
  }
  fail(readyState: 0 | 2) {
    this.readyState = readyState;
    this.onerror?.(new Event('error'));
  }
}

/**
 * Collects what a subscription reports. `options` has every callback; `callbacks` has all but
 * `onEvent`, for subscriptions whose item callback has another name (`onDelivery`).
 */
export function recorder() {
  const events: unknown[] = [];
  const errors: CloudTransportError[] = [];
  let closes = 0;
  const callbacks = {
    onError: (error: CloudTransportError) => void errors.push(error),
    onClose: () => void closes++,
  };
  return {
    events,
    errors,
    closes: () => closes,
    callbacks,
    options: { onEvent: (event: unknown) => void events.push(event), ...callbacks },
  };
}
