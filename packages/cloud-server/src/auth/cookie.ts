import { createHmac, timingSafeEqual } from 'node:crypto';

/** The HttpOnly session cookie (a signed, opaque session secret) and the readable CSRF cookie. */
export const SESSION_COOKIE = 'open_cowork_cloud_session';
export const CSRF_COOKIE = 'open_cowork_cloud_csrf';

const mac = (payload: string, secret: string) => createHmac('sha256', secret).update(payload).digest();

/** `base64url(JSON) + "." + base64url(HMAC-SHA256)`: tamper-proof, not secret. */
export function seal(value: object, secret: string): string {
  const payload = Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${payload}.${mac(payload, secret).toString('base64url')}`;
}

/** The value of a sealed string, or null when it is malformed or was not sealed with `secret`. */
export function unseal(value: string, secret: string): unknown {
  const dot = value.indexOf('.');
  if (dot <= 0) return null;
  const payload = value.slice(0, dot);
  const signature = Buffer.from(value.slice(dot + 1), 'base64url');
  const expected = mac(payload, secret);
  if (signature.length !== expected.length || !timingSafeEqual(signature, expected)) return null;
  try {
    return JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as unknown;
  } catch {
    return null;
  }
}

interface SessionCookieClaims {
  kind: 'session';
  secret: string;
}

/** The session cookie's value: the session's random secret, sealed so that forgeries cost no lookup. */
export const sessionCookieValue = (secret: string, cookieSecret: string): string =>
  seal({ kind: 'session', secret } satisfies SessionCookieClaims, cookieSecret);

/** The session secret in a cookie value, or null when it is malformed or forged. */
export function sessionSecretOf(value: string, cookieSecret: string): string | null {
  const claims = unseal(value, cookieSecret) as Partial<SessionCookieClaims> | null;
  return claims?.kind === 'session' && typeof claims.secret === 'string' ? claims.secret : null;
}

/** Constant-time string comparison; false for different lengths. */
export function safeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}
