import { isChannelProviderId } from '@open-cowork/shared';
import type { CloudClientContext, CloudCommandOptions, HttpMethod } from '../../core/context.js';
import { CloudTransportError, invalidRequest, isCloudTransportError } from '../../core/errors.js';

/** Validation and request helpers shared by the channel sub-clients. Internal to the package. */

/** A mutating call: `options` carry the per-call idempotency key and abort signal. */
export function commandSender(ctx: CloudClientContext) {
  return <T>(method: HttpMethod, path: string, body: unknown, options: CloudCommandOptions = {}) =>
    ctx.request<T>(path, { method, body, idempotencyKey: options.idempotencyKey, signal: options.signal });
}

export function check(condition: boolean, message: string): asserts condition {
  if (!condition) throw invalidRequest(message);
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const isText = (value: unknown): value is string => typeof value === 'string' && value.trim() !== '';

export function requireObject(method: string, input: unknown): asserts input is Record<string, unknown> {
  check(isObject(input), `${method}: input must be an object.`);
}

/** `input` is an object whose `fields` are all non-empty strings. */
export function requireFields(method: string, input: unknown, fields: readonly string[]): void {
  requireObject(method, input);
  for (const field of fields) check(isText(input[field]), `${method}: ${field} must be a non-empty string.`);
}

/** `input[field]` is absent or one of `allowed`. */
export function optionalOneOf(method: string, input: object, field: string, allowed: readonly string[]): void {
  const value = (input as Record<string, unknown>)[field];
  const valid = value === undefined || allowed.includes(value as string);
  check(valid, `${method}: ${field} must be one of ${allowed.join(', ')}.`);
}

/** `input.provider` is absent (unless `required`) or a valid provider id. */
export function checkProvider(method: string, input: object, required = true): void {
  const { provider } = input as { provider?: unknown };
  if (!required && provider === undefined) return;
  check(isChannelProviderId(provider), `${method}: provider must be a known or a custom (a-z, 0-9, _, -) provider id.`);
}

/** Each of `fields` of `input` is absent or a string: anything else would be sent as `[object Object]`. */
export function optionalStrings(method: string, input: object, fields: readonly string[]): void {
  for (const field of fields) {
    const value = (input as Record<string, unknown>)[field];
    check(value == null || typeof value === 'string', `${method}: ${field} must be a string.`);
  }
}

/** `input[field]` is absent or a positive integer (`limit`, `ttlMs`). */
export function optionalPositiveInteger(method: string, input: object, field: string): void {
  const value = (input as Record<string, unknown>)[field];
  const valid = value === undefined || (Number.isInteger(value) && (value as number) > 0);
  check(valid, `${method}: ${field} must be a positive integer.`);
}

/** An optional input object: `undefined` becomes `{}`; anything but an object is a `request` error. */
export function optionalInput<T extends object>(method: string, input: T | undefined): T {
  if (input === undefined) return {} as T;
  requireObject(method, input);
  return input;
}

/**
 * Maps "this record does not exist" (HTTP 404) to `fallback`; rethrows anything else. Decided on the
 * error kind, never on message text (the first client matched "not found" in messages). A 404 for
 * an unknown route (`route.not_found`: the server lacks the endpoint) is not "no record" and is rethrown.
 */
export async function unlessNotFound<T, F>(call: Promise<T>, fallback: F): Promise<T | F> {
  try {
    return await call;
  } catch (error) {
    if (isCloudTransportError(error) && error.kind === 'not_found' && error.code !== 'route.not_found') {
      return fallback;
    }
    throw error;
  }
}

/**
 * A subscription that never opened: the error reaches `onError` after the caller holds the handle,
 * because subscribing never throws (the transport domain follows the same rule).
 */
export function failedSubscription(error: unknown, onError: ((error: CloudTransportError) => void) | undefined) {
  let closed = false;
  const reported = isCloudTransportError(error)
    ? error
    : new CloudTransportError('request', 'The subscription could not be opened.', { cause: error });
  queueMicrotask(() => {
    try {
      if (!closed) onError?.(reported);
    } catch {
      // A throwing onError has nowhere left to report to.
    }
  });
  return { close: () => void (closed = true) };
}

/** `callback` bound to its options object when it is a function, else undefined. */
export function callbackOf<F extends (...args: never[]) => unknown>(owner: object, callback?: F): F | undefined {
  return typeof callback === 'function' ? (callback.bind(owner) as F) : undefined;
}
