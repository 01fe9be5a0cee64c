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
  credentials?: RequestCredentials;
  signal: AbortSignal;
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

export type CloudEventSourceConstructor = new (
  url: string,
  init?: { withCredentials?: boolean },
) => CloudEventSourceLike;

export interface CloudTransportAdapterOptions {
  /** Origin (and optional path prefix) of the cloud, e.g. `https://cloud.example.com`. Trailing `/` is stripped; `''` gives relative URLs. */
  baseUrl?: string;
  /**
   * Sent on every request and fetch-based SSE subscription, e.g. `{ authorization: 'Bearer …' }`.
   * A function is called per request, so a refreshed token is picked up. Non-empty headers select
   * fetch-based SSE; without headers, subscriptions use `EventSource`.
   */
  headers?: Record<string, string> | (() => Record<string, string>);
  /** `'include'` sends cookies (fetch `credentials`, EventSource `withCredentials`). */
  credentials?: 'include';
  /** Sent as `x-csrf-token` on POST/PUT/PATCH/DELETE. A function is read per request. */
  csrfToken?: string | (() => string | null | undefined);
  /**
   * Bound on each request, response body included. Default 30 000 ms; clamped to 100…120 000;
   * 0 (or any non-finite or negative value) disables it. Subscriptions are not bound by it.
   */
  requestTimeoutMs?: number | null;
  /** Aborts every in-flight request and subscription of this client. */
  signal?: AbortSignal;
  /** Injected fetch; default `globalThis.fetch`. */
  fetch?: CloudFetch;
  /** Injected EventSource constructor; default `globalThis.EventSource`. */
  eventSource?: CloudEventSourceConstructor;
}

export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;
export const MIN_REQUEST_TIMEOUT_MS = 100;
export const MAX_REQUEST_TIMEOUT_MS = 120_000;

/** The package doc's rule: null/undefined ⇒ default; non-finite or ≤ 0 ⇒ disabled (0); else floor and clamp. */
export function normalizeRequestTimeoutMs(value: number | null | undefined): number {
  if (value === null || value === undefined) return DEFAULT_REQUEST_TIMEOUT_MS;
  if (!Number.isFinite(value) || value <= 0) return 0;
  return Math.min(MAX_REQUEST_TIMEOUT_MS, Math.max(MIN_REQUEST_TIMEOUT_MS, Math.floor(value)));
}

export function normalizeBaseUrl(baseUrl: string | undefined): string {
  return (baseUrl ?? '').replace(/\/+$/, '');
}
