import type { CloudErrorCode } from '@open-cowork/shared';

/**
 * Every failure of the client reaches the caller as a `CloudTransportError` whose `kind` says what
 * went wrong. Branch on `kind` (and on `code`, the server's machine code), never on `message`.
 */
export const CLOUD_TRANSPORT_ERROR_KINDS = [
  /** HTTP 401: expired or missing auth. */
  'unauthorized',
  /** HTTP 403: policy, CSRF, membership or gateway scope. */
  'forbidden',
  /** HTTP 402: a billing entitlement is missing. */
  'payment_required',
  /** HTTP 404. */
  'not_found',
  /** HTTP 409: stale projection or command conflict. */
  'conflict',
  /** HTTP 429: quota, rate limit or stream cap; see `retryAfterMs`. */
  'rate_limited',
  /** HTTP 5xx. */
  'server',
  /** Any other non-2xx status (400, 405, 413, …). */
  'http',
  /** `requestTimeoutMs` elapsed before the whole response body arrived. */
  'timeout',
  /** The client-wide or per-call `signal` aborted the request or subscription. */
  'abort',
  /** A response or event payload was not the JSON it should be, or an SSE frame overflowed the buffer. */
  'parse',
  /** The event stream failed: no EventSource available, a non-event-stream response, an EventSource error. */
  'sse',
  /** `fetch` rejected, the connection broke while reading the body, or a stream went silent. */
  'network',
  /** The call was invalid before any I/O: bad path, missing id, empty text, bad option. */
  'request',
] as const;

export type CloudTransportErrorKind = (typeof CLOUD_TRANSPORT_ERROR_KINDS)[number];

export interface CloudTransportErrorDetails {
  status?: number | null;
  method?: string | null;
  url?: string | null;
  code?: CloudErrorCode | (string & {}) | null;
  retryAfter?: string | null;
  retryAfterMs?: number | null;
  requestId?: string | null;
  body?: unknown;
  cause?: unknown;
}

// Symbol.for() is shared by every copy of this package in one program, so the brand survives
// duplicated installs where `instanceof` does not.
const BRAND = Symbol.for('@open-cowork/cloud-client/CloudTransportError');

export class CloudTransportError extends Error {
  override readonly name = 'CloudTransportError';
  readonly kind: CloudTransportErrorKind;
  /** HTTP status, when a response was received. */
  readonly status: number | null;
  readonly method: string | null;
  readonly url: string | null;
  /**
   * Machine code: body `code`, else body `verdict.policyCode`, else null. Typed with the codes of
   * the catalog (`docs/errors.md`) for completion; other servers may send other codes.
   */
  readonly code: CloudErrorCode | (string & {}) | null;
  /** The raw `Retry-After` header. */
  readonly retryAfter: string | null;
  /** Milliseconds to wait, from `Retry-After` (seconds or HTTP date) or body `retryAfterMs`. */
  readonly retryAfterMs: number | null;
  /** The `X-Request-Id` response header, for support requests. */
  readonly requestId: string | null;
  /** The parsed error body (or its text when it was not JSON). */
  readonly body: unknown;

  constructor(kind: CloudTransportErrorKind, message: string, details: CloudTransportErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.kind = kind;
    this.status = details.status ?? null;
    this.method = details.method ?? null;
    this.url = details.url ?? null;
    this.code = details.code ?? null;
    this.retryAfter = details.retryAfter ?? null;
    this.retryAfterMs = details.retryAfterMs ?? null;
    this.requestId = details.requestId ?? null;
    this.body = details.body;
    Object.defineProperty(this, BRAND, { value: true });
  }
}

/** True for a `CloudTransportError`, also one created by another copy of this package. */
export function isCloudTransportError(value: unknown): value is CloudTransportError {
  return (
    value instanceof CloudTransportError ||
    (typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[BRAND] === true)
  );
}

export function errorKindForStatus(status: number): CloudTransportErrorKind {
  switch (status) {
    case 401:
      return 'unauthorized';
    case 402:
      return 'payment_required';
    case 403:
      return 'forbidden';
    case 404:
      return 'not_found';
    case 409:
      return 'conflict';
    case 429:
      return 'rate_limited';
    default:
      return status >= 500 ? 'server' : 'http';
  }
}

/** Wraps anything thrown into a `CloudTransportError`, keeping one that already is. */
export function toCloudTransportError(
  error: unknown,
  kind: CloudTransportErrorKind,
  message: string,
  details: CloudTransportErrorDetails = {},
): CloudTransportError {
  if (isCloudTransportError(error)) return error;
  return new CloudTransportError(kind, message, { ...details, cause: error });
}

/** A `request` error: the call was invalid and nothing was sent. */
export function invalidRequest(message: string): CloudTransportError {
  return new CloudTransportError('request', message);
}
