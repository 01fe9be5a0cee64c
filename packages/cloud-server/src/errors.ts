import { CLOUD_ERROR_CODES, type CloudErrorCode } from '@open-cowork/shared';

/**
 * Coded HTTP errors. Every error the server answers with goes through `httpError` and the one
 * error handler in `app.ts`, which writes `{error, code, retryAfterMs?, verdict?}`. The code is a key
 * of the catalog `CLOUD_ERROR_CODES` (`@open-cowork/shared`), which also fixes its status.
 */
export interface HttpErrorExtra {
  /** Adds `retryAfterMs` to the body and a `Retry-After` header (whole seconds, at least 1). */
  retryAfterMs?: number;
  /** Extra body fields that are part of the contract of a specific error. */
  body?: Record<string, unknown>;
}

export class HttpError extends Error {
  override readonly name = 'HttpError';
  /** The catalog status of `code`. */
  readonly statusCode: number;
  constructor(
    readonly code: CloudErrorCode,
    message: string,
    readonly extra: HttpErrorExtra = {},
  ) {
    super(message);
    this.statusCode = CLOUD_ERROR_CODES[code].status;
  }
}

/** The error to throw for `code`; `message` is for people and may carry the specifics of the case. */
export function httpError(code: CloudErrorCode, message: string, extra?: HttpErrorExtra): HttpError {
  return new HttpError(code, message, extra);
}

export function isHttpError(value: unknown): value is HttpError {
  return value instanceof HttpError;
}

export interface ErrorBody {
  error: string;
  code: CloudErrorCode;
  retryAfterMs?: number;
  verdict?: { allowed: false; reason: string; policyCode: string };
  [field: string]: unknown;
}

/**
 * The wire body of an error. 403s are policy denials and keep the `verdict` old clients read their
 * code from.
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

/** The refusal of a U+0000 in a URL or a body string: PostgreSQL stores none in text or jsonb. */
export function nulError(): HttpError {
  return httpError('request.invalid', 'Strings may not contain the NUL character (U+0000).');
}

/** Whether a string or key of a JSON value passes `test`; iterative, so any nesting depth is fine. */
function someString(root: unknown, test: (text: string) => boolean): boolean {
  const pending: unknown[] = [root];
  while (pending.length > 0) {
    const value = pending.pop();
    if (typeof value === 'string') {
      if (test(value)) return true;
    } else if (Array.isArray(value)) {
      for (const item of value) pending.push(item);
    } else if (value !== null && typeof value === 'object') {
      for (const [key, item] of Object.entries(value)) {
        if (test(key)) return true;
        pending.push(item);
      }
    }
  }
  return false;
}

const containsNul = (root: unknown) => someString(root, (text) => text.includes('\0'));

/**
 * The 400 for a parsed JSON body holding U+0000 in a string or key, else null. `json` is the raw
 * text: a NUL can only arrive escaped, so bodies without `\u0000` are not walked.
 */
export function nulRefusal(json: string, value: unknown): HttpError | null {
  return /\\u0000/i.test(json) && containsNul(value) ? nulError() : null;
}

/** A high surrogate not followed by a low one, or a low one not preceded by a high one. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** How deep a request body's arrays and objects may nest; deeper bodies are refused at parse. */
const MAX_JSON_DEPTH = 64;

/** The deepest nesting of arrays and objects in JSON text (brackets inside strings do not count). */
function jsonDepth(json: string): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let index = 0; index < json.length; index += 1) {
    const char = json.charCodeAt(index);
    if (inString) {
      if (char === 0x5c)
        index += 1; // backslash: skip the escaped character
      else if (char === 0x22) inString = false;
    } else if (char === 0x22) inString = true;
    else if (char === 0x7b || char === 0x5b) deepest = Math.max(deepest, ++depth);
    else if (char === 0x7d || char === 0x5d) depth -= 1;
  }
  return deepest;
}

/**
 * The 400 for a parsed JSON body the store cannot hold or the server should not walk, else null:
 * nesting deeper than `MAX_JSON_DEPTH`, U+0000, and lone UTF-16 surrogates (which only arrive
 * escaped, and which PostgreSQL cannot store as UTF-8).
 */
export function jsonRefusal(json: string, value: unknown): HttpError | null {
  if (jsonDepth(json) > MAX_JSON_DEPTH) {
    return httpError('request.too_deep', `JSON may nest arrays and objects at most ${MAX_JSON_DEPTH} deep.`);
  }
  if (/\\u[dD][89a-fA-F]/.test(json) && someString(value, (text) => LONE_SURROGATE.test(text))) {
    return httpError('request.invalid_unicode', 'Strings may not contain lone UTF-16 surrogates.');
  }
  return nulRefusal(json, value);
}
