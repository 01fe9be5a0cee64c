import { linkAbort, untilAborted } from './abort.js';
import type { CloudRequestInit, QueryParams } from './context.js';
import { CloudTransportError, isCloudTransportError } from './errors.js';
import { assertApiPath, errorFromResponse, withQuery } from './http.js';
import type { CloudEventSourceConstructor, CloudFetch, CloudFetchResponse } from './options.js';

/** The client-wide settings every request and subscription reads. */
export interface ResolvedTransport {
  baseUrl: string;
  headers(): Record<string, string>;
  csrfToken(): string | null;
  credentials: 'include' | undefined;
  requestTimeoutMs: number;
  signal: AbortSignal | undefined;
  fetch(): CloudFetch;
  eventSource: CloudEventSourceConstructor | undefined;
}

export function buildUrl(transport: ResolvedTransport, path: string, query?: QueryParams): string {
  assertApiPath(path);
  return withQuery(`${transport.baseUrl}${path}`, query);
}

/** One JSON request: the whole exchange, body included, is bound by the timeout and the signals. */
export async function sendRequest<T>(transport: ResolvedTransport, path: string, init: CloudRequestInit = {}): Promise<T> {
  const method = init.method ?? 'GET';
  const url = buildUrl(transport, path, init.query);
  const headers = { ...transport.headers() };
  let body: string | undefined;
  if (init.body !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(init.body);
  }
  const csrfToken = transport.csrfToken();
  if (csrfToken && method !== 'GET') headers['x-csrf-token'] = csrfToken;
  if (init.idempotencyKey !== undefined) {
    if (typeof init.idempotencyKey !== 'string' || init.idempotencyKey.trim() === '') {
      throw new CloudTransportError('request', 'idempotencyKey must be a non-empty string.', { method, url });
    }
    headers['idempotency-key'] = init.idempotencyKey;
  }

  const abort = linkAbort([transport.signal, init.signal], transport.requestTimeoutMs);
  let received: CloudFetchResponse | undefined;
  const exchange = async () => {
    if (abort.signal.aborted) throw new Error('aborted before sending');
    const fetchInit = { method, headers, body, signal: abort.signal, credentials: transport.credentials };
    const response = await untilAborted(Promise.resolve().then(() => transport.fetch()(url, fetchInit)), abort.signal);
    received = response;
    return { response, text: await untilAborted(Promise.resolve().then(() => response.text()), abort.signal) };
  };
  let response: CloudFetchResponse;
  let text: string;
  try {
    ({ response, text } = await exchange());
  } catch (error) {
    throw failure(error, abort.cause(), transport.requestTimeoutMs, method, url, received);
  } finally {
    abort.dispose();
  }

  if (!response.ok) throw errorFromResponse(response, text, method, url);
  if (text.trim() === '') return {} as T;
  try {
    return JSON.parse(text) as T;
  } catch (error) {
    throw new CloudTransportError('parse', `${method} ${url} answered HTTP ${response.status} with a body that is not JSON.`, {
      status: response.status,
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
  url: string,
  response: CloudFetchResponse | undefined,
): CloudTransportError {
  if (isCloudTransportError(error)) return error;
  const details = { method, url, status: response?.status ?? null, cause: error };
  if (cause === 'timeout') {
    return new CloudTransportError('timeout', `${method} ${url} timed out after ${timeoutMs} ms.`, details);
  }
  if (cause === 'abort') return new CloudTransportError('abort', `${method} ${url} was aborted.`, details);
  const reason = error instanceof Error ? error.message : String(error);
  return new CloudTransportError(
    'network',
    `${method} ${url} failed${response ? ' while reading the response' : ''}: ${reason}`,
    details,
  );
}
