import { describe, expect, it } from 'vitest';
import { sessionCookieValue, sessionSecretOf, seal } from '../../src/auth/cookie.js';

const SECRET = 'x'.repeat(32);

describe('signed session cookie', () => {
  it('carries the session secret, readable with the same cookie secret', () => {
    expect(sessionSecretOf(sessionCookieValue('abc', SECRET), SECRET)).toBe('abc');
  });

  it('refuses a cookie signed with another secret, a changed payload, another kind of sealed value or garbage', () => {
    const value = sessionCookieValue('abc', SECRET);
    expect(sessionSecretOf(value, 'y'.repeat(32))).toBeNull();
    const forged = Buffer.from(JSON.stringify({ kind: 'session', secret: 'other' })).toString('base64url');
    expect(sessionSecretOf(`${forged}.${value.split('.')[1]}`, SECRET)).toBeNull();
    expect(sessionSecretOf(seal({ kind: 'invite', secret: 'abc' }, SECRET), SECRET)).toBeNull();
    expect(sessionSecretOf('not-a-cookie', SECRET)).toBeNull();
    expect(sessionSecretOf('.', SECRET)).toBeNull();
  });
});
