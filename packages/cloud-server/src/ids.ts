import { randomBytes } from 'node:crypto';

/**
 * A prefixed random id, e.g. `newId('ses')` → `ses_3f9c…` (96 random bits, hex). The prefix tells a
 * reader what kind of record an id names, in logs and on the wire.
 */
export function newId(prefix: string): string {
  return `${prefix}_${randomBytes(12).toString('hex')}`;
}

/** A secret with at least 256 bits of entropy, URL-safe. */
export function newSecret(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}
