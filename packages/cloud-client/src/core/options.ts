import { check } from './validate.js';

/** The response shape the client needs; a real `Response` fits, and so does a minimal object. */
export interface CloudFetchResponse {
  ok: boolean;
  status: number;
  headers?: { get(name: string): string | null } | null;
  text(): Promise<string>;
  /** Streamed by fetch-based SSE; when absent, the whole `text()` is parsed as one stream. */
  body?: ReadableStream<Uint8Array> | null;
}

export interface CloudFetchInit {
  method: string;
  headers: Record<string, string>;
  body?: string;
  credentials?: 'include';
  /** Absent when nothing can abort the call (no signal, timeout disabled). */
  signal?: AbortSignal;
}

export type CloudFetch = (url: string, init: CloudFetchInit) => Promise<CloudFetchResponse>;

/** The subset of the browser `EventSource` the client uses. */
export interface CloudEventSourceLike {
  readonly readyState: number;
  onmessage: ((event: MessageEvent) => void) | null;
  onerror: ((event: Event) => void) | null;
  addEventListener(type: string, listener: (event: MessageEvent) => void): void;
  close(): void;
}

export type CloudEventSourceConstructor = new (url: string, init?: { withCredentials?: boolean }) => CloudEventSourceLike;

export interface CloudTransportAdapterOptions {
  /**
   * Origin (and optional path prefix) of the cloud, e.g. `https://cloud.example.com`: an absolute
   * `http:` or `https:` URL without query or fragment, trailing `/` stripped. `''` gives
   * same-origin relative URLs (a browser page served by the cloud).
   */
  baseUrl: string;
  /**
   * Sent on every request and fetch-based SSE subscription, e.g. `{ authorization: 'Bearer …' }`.
   * Every value must be a string. A function is called per request, so a refreshed token is picked
   * up. Non-empty headers select fetch-based SSE; without headers, subscriptions use `EventSource`.
   */
  headers?: Record<string, string> | (() => Record<string, string>);
  /** `'include'` sends cookies (fetch `credentials`, EventSource `withCredentials`). */
  credentials?: 'include';
  /** Sent as `x-csrf-token` on POST/PUT/PATCH/DELETE. A function is read per request. */
  csrfToken?: string | (() => string | null | undefined);
  /**
   * Bound on each request, response body included, in milliseconds. Default 30 000; clamped to
   * 100…120 000; 0 disables it. Anything but `null`, `undefined` or a finite number ≥ 0 is refused.
   * Subscriptions are not bound by it.
   */
  requestTimeoutMs?: number | null;
  /**
   * How long a subscription may hear nothing, not even the server's `: keep-alive` comment (sent
   * every 15 s), before it ends with a `network` error that a reconnect policy can act on.
   * Default 45 000 (three missed keep-alives); 0 disables it. Applies to fetch-based streams; an
   * `EventSource` watches its own connection.
   */
  streamIdleTimeoutMs?: number;
  /** Aborts every in-flight request and subscription of this client. */
  signal?: AbortSignal;
  /**
   * Injected fetch; default `globalThis.fetch`. Wrap it to log, trace or retry requests: it receives
   * the full URL and the init the client built.
   */
  fetch?: CloudFetch;
  /** Injected EventSource constructor; default `globalThis.EventSource`. */
  eventSource?: CloudEventSourceConstructor;
}

export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;
export const MIN_REQUEST_TIMEOUT_MS = 100;
export const MAX_REQUEST_TIMEOUT_MS = 120_000;
/** Three of the server's 15-second keep-alives. */
export const DEFAULT_STREAM_IDLE_TIMEOUT_MS = 45_000;

const isMilliseconds = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value) && value >= 0;

/**
 * The package doc's rule: null/undefined ⇒ the default; 0 ⇒ disabled; else floored and clamped to
 * 100…120 000. A negative, non-finite or non-number value is a `request` error.
 */
export function normalizeRequestTimeoutMs(value: number | null | undefined): number {
  if (value === null || value === undefined) return DEFAULT_REQUEST_TIMEOUT_MS;
  check(isMilliseconds(value), `requestTimeoutMs must be a number of milliseconds ≥ 0 (0 disables the timeout), got ${describe(value)}.`);
  if (value === 0) return 0;
  return Math.min(MAX_REQUEST_TIMEOUT_MS, Math.max(MIN_REQUEST_TIMEOUT_MS, Math.floor(value)));
}

function normalizeStreamIdleTimeoutMs(value: unknown): number {
  if (value === undefined) return DEFAULT_STREAM_IDLE_TIMEOUT_MS;
  check(
    isMilliseconds(value),
    `streamIdleTimeoutMs must be a number of milliseconds ≥ 0 (0 disables the watchdog), got ${describe(value)}.`,
  );
  return Math.floor(value);
}

/** `''`, or an absolute http(s) URL without query or fragment; trailing slashes stripped. */
function normalizeBaseUrl(baseUrl: unknown): string {
  const hint = "Pass the cloud's origin, e.g. baseUrl: 'https://cloud.example.com', or '' for same-origin relative URLs";
  check(typeof baseUrl === 'string', `baseUrl is required. ${hint} (got ${describe(baseUrl)}).`);
  const trimmed = baseUrl.trim().replace(/\/+$/, '');
  if (trimmed === '') return '';
  let parsed: URL | null = null;
  try {
    parsed = new URL(trimmed);
  } catch {
    // Reported below with the hint.
  }
  check(
    parsed !== null &&
      (parsed.protocol === 'http:' || parsed.protocol === 'https:') &&
      !parsed.search &&
      !parsed.hash &&
      !trimmed.includes('?') &&
      !trimmed.includes('#'),
    `baseUrl must be an absolute http(s) URL without query or fragment. ${hint} (got ${describe(baseUrl)}).`,
  );
  return trimmed;
}

/** Every header value must be a string: anything else would be sent as `[object Object]` or `undefined`. */
export function checkHeaders(headers: unknown, source: string): Record<string, string> {
  check(
    typeof headers === 'object' && headers !== null && !Array.isArray(headers),
    `${source} must be an object of header names to string values, e.g. { authorization: 'Bearer …' } (got ${describe(headers)}).`,
  );
  for (const [name, value] of Object.entries(headers)) {
    check(typeof value === 'string', `${source}.${name} must be a string (got ${describe(value)}).`);
  }
  return headers as Record<string, string>;
}

/** The option checks that do not fit the normalizers: each names what to pass. */
export function checkOptions(options: CloudTransportAdapterOptions): {
  baseUrl: string;
  requestTimeoutMs: number;
  streamIdleTimeoutMs: number;
} {
  check(
    typeof options === 'object' && options !== null,
    "createHttpSseCloudTransportAdapter needs options, e.g. { baseUrl: 'https://cloud.example.com' }.",
  );
  const { headers, credentials, csrfToken, signal, fetch, eventSource } = options;
  if (headers !== undefined && typeof headers !== 'function') checkHeaders(headers, 'headers');
  check(
    credentials === undefined || credentials === 'include',
    `credentials must be 'include' or left out (got ${describe(credentials)}).`,
  );
  check(
    csrfToken === undefined || csrfToken === null || typeof csrfToken === 'string' || typeof csrfToken === 'function',
    `csrfToken must be a string or a function returning one (got ${describe(csrfToken)}).`,
  );
  check(
    signal === undefined || (typeof signal === 'object' && signal !== null && typeof signal.addEventListener === 'function'),
    `signal must be an AbortSignal, e.g. new AbortController().signal (got ${describe(signal)}).`,
  );
  check(
    fetch === undefined || typeof fetch === 'function',
    `fetch must be a function with the signature of fetch (got ${describe(fetch)}).`,
  );
  check(
    eventSource === undefined || typeof eventSource === 'function',
    `eventSource must be an EventSource constructor (got ${describe(eventSource)}).`,
  );
  return {
    baseUrl: normalizeBaseUrl(options.baseUrl),
    requestTimeoutMs: normalizeRequestTimeoutMs(options.requestTimeoutMs),
    streamIdleTimeoutMs: normalizeStreamIdleTimeoutMs(options.streamIdleTimeoutMs),
  };
}

/** A short, safe rendering of a bad value for a message (never a whole object: it may hold a token). */
function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value);
  if (typeof value === 'number' || typeof value === 'boolean' || value === null || value === undefined) return String(value);
  return Array.isArray(value) ? 'an array' : `a ${typeof value}`;
}
