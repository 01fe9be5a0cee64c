import type { QueryParams } from './context.js';
import { CloudTransportError, errorKindForStatus, invalidRequest } from './errors.js';
import type { CloudFetchResponse } from './options.js';
import { isObject } from './validate.js';

// A path segment that is empty, `.` or `..` (also percent-encoded, as URL parsers decode those):
// fetch would resolve it and the request would reach another route.
const UNSAFE_SEGMENT = /\/(?:\.|%2e){0,2}(?=\/|$)/i;

/** `path` must be an `/api/…` path without empty or dot segments: the client never talks to anything else. */
export function assertApiPath(path: string): void {
  if (typeof path !== 'string' || !path.startsWith('/api/') || UNSAFE_SEGMENT.test(path.slice(4).split('?')[0]!)) {
    throw invalidRequest(`Cloud paths must start with /api/ and have no empty, "." or ".." segment (got ${JSON.stringify(path)}).`);
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
function parseRetryAfterMs(header: string | null, now = Date.now()): number | null {
  if (header === null || header.trim() === '') return null;
  const trimmed = header.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? null : Math.max(0, date - now);
}

/**
 * Builds the error for a non-2xx response from its status, headers and body text. The message is
 * the body when it is text that is not JSON, else the body's `error` string, else `fallback`.
 */
export function errorFromResponse(
  response: CloudFetchResponse,
  text: string,
  method: string,
  url: string,
  fallback: string,
): CloudTransportError {
  let body: unknown = text;
  let isJson = false;
  try {
    body = text === '' ? null : JSON.parse(text);
    isJson = text !== '';
  } catch {
    // A non-JSON error body (a proxy's HTML page, say) is kept as text.
  }
  const fields = isObject(body) ? body : null;
  const verdict = isObject(fields?.verdict) ? fields.verdict : null;
  const code = (typeof fields?.code === 'string' && fields.code) || (typeof verdict?.policyCode === 'string' && verdict.policyCode) || null;
  const retryAfter = headerOf(response, 'retry-after');
  const bodyRetryAfterMs = typeof fields?.retryAfterMs === 'number' && Number.isFinite(fields.retryAfterMs) ? fields.retryAfterMs : null;
  const message = (!isJson && text.trim() !== '' && text) || (typeof fields?.error === 'string' && fields.error) || fallback;
  return new CloudTransportError(errorKindForStatus(response.status), message, {
    status: response.status,
    method,
    url,
    code,
    retryAfter,
    retryAfterMs: parseRetryAfterMs(retryAfter) ?? bodyRetryAfterMs,
    requestId: headerOf(response, 'x-request-id'),
    body,
  });
}

/**
 * Why a request never got a response, as people can act on it: Node's fetch hides the socket
 * error in `cause.cause` (`ECONNREFUSED 127.0.0.1:8787`); elsewhere the error's own message.
 */
export function networkReason(error: unknown): string {
  const outer = error as { message?: unknown; cause?: unknown } | null | undefined;
  const inner = outer?.cause as { code?: unknown; address?: unknown; port?: unknown; message?: unknown } | undefined;
  if (inner && typeof inner.code === 'string') {
    const where = typeof inner.address === 'string' ? ` ${inner.address}${inner.port !== undefined ? `:${String(inner.port)}` : ''}` : '';
    return `${inner.code}${where}`;
  }
  if (inner && typeof inner.message === 'string' && inner.message) return inner.message;
  if (typeof outer?.message === 'string' && outer.message) return outer.message;
  return String(error);
}
