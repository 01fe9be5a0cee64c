import type { QueryParams } from './context.js';
import { CloudTransportError, errorKindForStatus, invalidRequest } from './errors.js';
import type { CloudFetchResponse } from './options.js';
import { isObject } from './validate.js';

/** `path` must be an `/api/…` path: the client never talks to anything else. */
export function assertApiPath(path: string): void {
  if (typeof path !== 'string' || !path.startsWith('/api/')) {
    throw invalidRequest(`Cloud paths must start with /api/ (got ${JSON.stringify(path)}).`);
  }
}

/** Appends a query string: null/undefined skipped, arrays repeat the key, booleans and 0 are sent. */
export function withQuery(url: string, query: QueryParams | undefined): string {
  if (!query) return url;
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    for (const item of Array.isArray(value) ? value : [value]) {
      if (item === null || item === undefined || item === '') continue;
      if (typeof item === 'number' && !Number.isFinite(item)) continue;
      search.append(key, String(item));
    }
  }
  const text = search.toString();
  return text ? `${url}${url.includes('?') ? '&' : '?'}${text}` : url;
}

export function headerOf(response: CloudFetchResponse, name: string): string | null {
  return response.headers?.get(name) ?? null;
}

/** `Retry-After` is either delay-seconds or an HTTP date (RFC 9110 §10.2.3). */
export function parseRetryAfterMs(header: string | null, now = Date.now()): number | null {
  if (header === null || header.trim() === '') return null;
  const trimmed = header.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? null : Math.max(0, date - now);
}

/** Builds the error for a non-2xx response from its status, headers and body text. */
export function errorFromResponse(
  response: CloudFetchResponse,
  text: string,
  method: string,
  url: string,
): CloudTransportError {
  let body: unknown = text;
  try {
    body = text === '' ? null : JSON.parse(text);
  } catch {
    // A non-JSON error body (a proxy's HTML page, say) is kept as text.
  }
  const fields = isObject(body) ? body : null;
  const verdict = isObject(fields?.verdict) ? fields.verdict : null;
  const code =
    (typeof fields?.code === 'string' && fields.code) ||
    (typeof verdict?.policyCode === 'string' && verdict.policyCode) ||
    null;
  const retryAfter = headerOf(response, 'retry-after');
  const bodyRetryAfterMs =
    typeof fields?.retryAfterMs === 'number' && Number.isFinite(fields.retryAfterMs) ? fields.retryAfterMs : null;
  const serverMessage =
    typeof fields?.error === 'string' ? fields.error : typeof body === 'string' ? body.slice(0, 200) : '';
  return new CloudTransportError(
    errorKindForStatus(response.status),
    `${method} ${url} failed with HTTP ${response.status}${serverMessage ? `: ${serverMessage}` : ''}`,
    {
      status: response.status,
      method,
      url,
      code,
      retryAfter,
      retryAfterMs: parseRetryAfterMs(retryAfter) ?? bodyRetryAfterMs,
      requestId: headerOf(response, 'x-request-id'),
      body,
    },
  );
}
