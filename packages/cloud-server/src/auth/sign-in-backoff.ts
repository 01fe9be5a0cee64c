import { httpError, isHttpError } from '../errors.js';
import type { SecurityConfig } from '../security-config.js';

/** Addresses remembered at most; the oldest is forgotten first (a flood cannot grow memory). */
const MAX_TRACKED = 10_000;

/**
 * Back-off on repeated failed sign-ins, per client address: after `freeFailures` failures in a row,
 * each further attempt must wait twice as long as the one before (up to `maxDelayMs`), and is
 * answered 429 `auth.backoff` until then. A success forgets the address. Kept in memory:
 * each replica counts for itself.
 */
export function createSignInBackoff({ freeFailures, baseDelayMs, maxDelayMs }: SecurityConfig['signInBackoff']) {
  const failures = new Map<string, { count: number; blockedUntilMs: number }>();

  return {
    /** Runs one sign-in attempt from `address`, refusing it while the address waits out its back-off. */
    async attempt<T>(address: string, signIn: () => Promise<T>): Promise<T> {
      const now = Date.now();
      const record = failures.get(address);
      if (record && record.blockedUntilMs > now) {
        const retryAfterMs = record.blockedUntilMs - now;
        throw httpError('auth.backoff', 'Too many failed sign-ins from this address; wait before trying again.', {
          retryAfterMs,
        });
      }
      try {
        const result = await signIn();
        failures.delete(address);
        return result;
      } catch (error) {
        if (isHttpError(error) && error.statusCode === 401) {
          const count = (record?.count ?? 0) + 1;
          const delayMs = count > freeFailures ? Math.min(maxDelayMs, baseDelayMs * 2 ** (count - freeFailures - 1)) : 0;
          failures.delete(address);
          failures.set(address, { count, blockedUntilMs: Date.now() + delayMs });
          if (failures.size > MAX_TRACKED) failures.delete(failures.keys().next().value!);
        }
        throw error;
      }
    },
  };
}
