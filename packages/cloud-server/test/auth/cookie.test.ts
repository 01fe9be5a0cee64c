import { describe, expect, it } from 'vitest';
import { signSession, verifySession, type CookieSession } from '../../src/auth/cookie.js';
import type { Principal } from '../../src/auth/principal.js';

const SECRET = 'x'.repeat(32);
const principal = { orgId: 'org_1', userId: 'usr_1' } as Principal;
const session: CookieSession = { version: 1, principal, csrfToken: 'csrf', expiresAtMs: Date.now() + 60_000 };

describe('signed session cookie', () => {
  it('round-trips a session signed with the same secret', () => {
    expect(verifySession(signSession(session, SECRET), SECRET)).toEqual(session);
  });

  it('refuses a cookie signed with another secret, a changed payload or garbage', () => {
    const value = signSession(session, SECRET);
    expect(verifySession(value, 'y'.repeat(32))).toBeNull();
    const forged = Buffer.from(JSON.stringify({ ...session, principal: { ...principal, userId: 'usr_2' } })).toString('base64url');
    expect(verifySession(`${forged}.${value.split('.')[1]}`, SECRET)).toBeNull();
    expect(verifySession('not-a-cookie', SECRET)).toBeNull();
    expect(verifySession('.', SECRET)).toBeNull();
  });

  it('refuses an expired session', () => {
    const value = signSession({ ...session, expiresAtMs: 1_000 }, SECRET);
    expect(verifySession(value, SECRET)).toBeNull();
  });
});
