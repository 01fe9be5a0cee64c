import { linkAbort, untilAborted } from './abort.js';
import type { CloudRequestInit, QueryParams } from './context.js';
import { CloudTransportError, isCloudTransportError } from './errors.js';
import { assertApiPath, errorFromResponse, networkReason, withQuery } from './http.js';
import type { CloudEventSourceConstructor, CloudFetch, CloudFetchResponse } from './options.js';

/** The client-wide settings every request and subscription reads. */
export interface ResolvedTransport {
  baseUrl: string;
  /** A fresh object per call, checked: every value a string. */
  headers(): Record<string, string>;
  csrfToken(): string | null;
  credentials: 'include' | undefined;
  requestTimeoutMs: number;
  streamIdleTimeoutMs: number;
  signal: AbortSignal | undefined;
  fetch(): CloudFetch;
  /** True for an injected fetch, which may ignore the signal (test doubles, minimal polyfills). */
  fetchMayIgnoreSignal: boolean;
  eventSource: CloudEventSourceConstructor | undefined;
}

/** The `/api/…` path with its query string: what messages show, without the origin. */
function requestTarget(path: string, query?: QueryParams): string {
  assertApiPath(path);
  return withQuery(path, query);
}

export function buildUrl(transport: ResolvedTransport, path: string, query?: QueryParams): string {
  return transport.baseUrl + requestTarget(path, query);
}

/** One JSON request: the whole exchange, body included, is bound by the timeout and the signals. */
export async function sendRequest<T>(transport: ResolvedTransport, path: string, init: CloudRequestInit = {}): Promise<T> {
  const method = init.method ?? 'GET';
  const target = requestTarget(path, init.query);
  const url = transport.baseUrl + target;
  const headers = transport.headers();
  let body: string | undefined;
  if (init.body !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(init.body);
  }
  if (method !== 'GET') {
    const csrfToken = transport.csrfToken();
    if (csrfToken) headers['x-csrf-token'] = csrfToken;
  }
  if (init.idempotencyKey !== undefined) {
    if (typeof init.idempotencyKey !== 'string' || init.idempotencyKey.trim() === '') {
      throw new CloudTransportError('request', 'idempotencyKey must be a non-empty string.', { method, url });
    }
    headers['idempotency-key'] = init.idempotencyKey;
  }

  const abort = linkAbort([transport.signal, init.signal], transport.requestTimeoutMs);
  const signal = abort.signal;
  let response: CloudFetchResponse | undefined;
  let text: string;
  try {
    if (signal?.aborted) throw signal.reason;
    const exchange = transport
      .fetch()(url, { method, headers, body, signal, credentials: transport.credentials })
      .then((received) => {
        response = received;
        return received.text();
      });
    // The platform's fetch honours the signal for the body too; an injected one may not, so only
    // then is the exchange raced against the signal.
    text = await (signal && transport.fetchMayIgnoreSignal ? untilAborted(exchange, signal) : exchange);
  } catch (error) {
    throw failure(error, abort.cause(), transport.requestTimeoutMs, method, target, url, response);
  } finally {
    abort.dispose();
  }

  if (!response!.ok) {
    throw errorFromResponse(response!, text, method, url, `Cloud transport request failed with HTTP ${response!.status}: ${method} ${url}`);
  }
  if (text.trim() === '') return {} as T;
  try {
    return JSON.parse(text) as T;
  } catch (error) {
    throw new CloudTransportError('parse', `Cloud transport response was not valid JSON: ${method} ${url}`, {
      status: response!.status,
      method,
      url,
      body: text.slice(0, 1000),
      cause: error,
    });
  }
}

function failure(
  error: unknown,
  cause: 'timeout' | 'abort' | null,
  timeoutMs: number,
  method: string,
  target: string,
  url: string,
  response: CloudFetchResponse | undefined,
): CloudTransportError {
  if (isCloudTransportError(error)) return error;
  const details = { method, url, status: response?.status ?? null, cause: error };
  if (cause === 'timeout') {
    return new CloudTransportError('timeout', `Cloud transport request timed out after ${timeoutMs}ms: ${method} ${target}`, details);
  }
  if (cause === 'abort') return new CloudTransportError('abort', `Cloud transport request was aborted: ${method} ${target}`, details);
  return new CloudTransportError(
    'network',
    `Cloud transport network request failed: ${method} ${target} (${networkReason(error)})`,
    details,
  );
}
