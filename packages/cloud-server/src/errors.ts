/**
 * Coded HTTP errors. Every error the server answers with goes through `httpError` and the one
 * error handler in `app.ts`, which writes `{error, code, retryAfterMs?, verdict?}`.
 */
export interface HttpErrorExtra {
  /** Adds `retryAfterMs` to the body and a `Retry-After` header (whole seconds, at least 1). */
  retryAfterMs?: number;
  /** Extra body fields that are part of the contract of a specific error. */
  body?: Record<string, unknown>;
}

export class HttpError extends Error {
  override readonly name = 'HttpError';
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly extra: HttpErrorExtra = {},
  ) {
    super(message);
  }
}

export function httpError(statusCode: number, code: string, message: string, extra?: HttpErrorExtra): HttpError {
  return new HttpError(statusCode, code, message, extra);
}

export function isHttpError(value: unknown): value is HttpError {
  return value instanceof HttpError;
}

export interface ErrorBody {
  error: string;
  code: string;
  retryAfterMs?: number;
  verdict?: { allowed: false; reason: string; policyCode: string };
  [field: string]: unknown;
}

/**
 * The wire body of an error. 403s are policy denials and keep the `verdict` old clients read their
 * code from (wire contract §4.6).
 */
export function errorBody(error: HttpError): ErrorBody {
  const body: ErrorBody = { ...error.extra.body, error: error.message, code: error.code };
  if (error.extra.retryAfterMs !== undefined) body.retryAfterMs = error.extra.retryAfterMs;
  if (error.statusCode === 403) body.verdict = { allowed: false, reason: error.message, policyCode: error.code };
  return body;
}

/** `Retry-After` in whole seconds, never 0 so that clients do not spin. */
export function retryAfterSeconds(retryAfterMs: number): string {
  return String(Math.max(1, Math.ceil(retryAfterMs / 1000)));
}
