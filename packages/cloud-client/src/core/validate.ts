import { invalidRequest } from './errors.js';

/**
 * Argument checks shared by the domain factories, so a bad call fails with kind `request` before
 * any I/O. Each check takes the value and its `name` as the message should show it: a bare field
 * (`'limit'`) or one prefixed with the method (`'listApiTokens: limit'`).
 */

export function check(condition: boolean, message: string): asserts condition {
  if (!condition) throw invalidRequest(message);
}

/** A non-null object that is not an array. */
export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A string with at least one non-space character. */
export function isText(value: unknown): value is string {
  return typeof value === 'string' && value.trim() !== '';
}

/** A string other than `''` (spaces allowed). */
export function isNonEmpty(value: unknown): value is string {
  return typeof value === 'string' && value !== '';
}

/** An integer ≥ 0 that a JSON number carries exactly: a resume cursor or sequence. */
export function isCursor(value: unknown): value is number {
  return Number.isSafeInteger(value) && (value as number) >= 0;
}

export function requireObject<T>(value: T, name: string): asserts value is T & Record<string, unknown> {
  check(isObject(value), `${name} must be an object.`);
}

/** `undefined` becomes `{}`; anything but an object is a `request` error. */
export function optionalObject<T extends object>(value: T | undefined, name: string): T {
  if (value === undefined) return {} as T;
  requireObject(value, name);
  return value;
}

export function requireText(value: unknown, name: string): asserts value is string {
  check(isText(value), `${name} must be a non-empty string.`);
}

export function requireArray(value: unknown, name: string): asserts value is unknown[] {
  check(Array.isArray(value), `${name} must be an array.`);
}

/**
 * Each value is absent (undefined or null) or a string: anything else would be sent as
 * `[object Object]`. `prefix` goes before each name, e.g. `'listChannelDeliveries: '`.
 */
export function optionalStrings(values: Record<string, unknown>, prefix = ''): void {
  for (const [name, value] of Object.entries(values)) {
    check(value == null || typeof value === 'string', `${prefix}${name} must be a string.`);
  }
}

export function requireOneOf(value: unknown, allowed: readonly unknown[], name: string): void {
  check(allowed.includes(value), `${name} must be one of ${allowed.join(', ')}.`);
}

/** `undefined`, or one of `allowed`. */
export function optionalOneOf(value: unknown, allowed: readonly unknown[], name: string): void {
  if (value !== undefined) requireOneOf(value, allowed, name);
}

/** `undefined`, or a positive integer (`limit`, `ttlMs`). */
export function optionalPositiveInteger(value: unknown, name: string): void {
  check(value === undefined || (Number.isInteger(value) && (value as number) > 0), `${name} must be a positive integer.`);
}

/** A resume cursor: `undefined` is 0, anything but a non-negative integer is a `request` error. */
export function requireCursor(value: unknown, name: string): number {
  if (value === undefined) return 0;
  check(isCursor(value), `${name} must be a non-negative integer.`);
  return value;
}
