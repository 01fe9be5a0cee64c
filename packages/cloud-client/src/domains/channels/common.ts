import { isChannelProviderId } from '@open-cowork/shared';
import { isCloudTransportError } from '../../core/errors.js';
import { check, requireObject, requireText } from '../../core/validate.js';

/** Helpers shared by the channel sub-clients. Internal to the package. */

/** `input` is an object whose `fields` are all non-empty strings; messages start with `method`. */
export function requireFields(method: string, input: unknown, fields: readonly string[]): void {
  requireObject(input, `${method}: input`);
  for (const field of fields) requireText(input[field], `${method}: ${field}`);
}

/** `input.provider` is absent (unless `required`) or a valid provider id. */
export function checkProvider(method: string, input: object, required = true): void {
  const { provider } = input as { provider?: unknown };
  if (!required && provider === undefined) return;
  check(isChannelProviderId(provider), `${method}: provider must be a known or a custom (a-z, 0-9, _, -) provider id.`);
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
