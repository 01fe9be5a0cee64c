import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CSRF_COOKIE, SESSION_COOKIE } from '../../src/auth/cookie.js';
import { buildApp } from '../../src/app.js';
import { createConfig } from '../../src/config.js';
import { createTenantStore } from '../../src/store/tenants.js';
import { call } from '../helpers/http.js';
import { type ServerWithIssuer, startServerWithIssuer, type TestIssuer } from '../helpers/oidc.js';
import { startTestServer, type TestServer } from '@open-cowork/test-support/server';

const OPERATOR_TOKEN = 'operator-secret-for-tests-0123456789';

let server: TestServer;
let issuer: TestIssuer;
let started: ServerWithIssuer;
beforeAll(async () => {
  started = await startServerWithIssuer({ operatorToken: OPERATOR_TOKEN, admin: { signupMode: 'open' } });
  ({ issuer, server } = started);
});
afterAll(() => started.close());

const get = (path: string, options: Parameters<typeof call>[2] = {}) => call(server.baseUrl, path, options);

async function openCookieSession(token: string) {
  const opened = await get('/auth/session', { body: { token } });
  expect(opened.status).toBe(200);
  const cookies = { [SESSION_COOKIE]: opened.setCookies[SESSION_COOKIE]!, [CSRF_COOKIE]: opened.setCookies[CSRF_COOKIE]! };
  return { opened, cookies, csrf: opened.body.csrfToken as string };
}

describe('cookie sessions', () => {
  it('exchanges a valid token for an HttpOnly signed session cookie and a readable CSRF cookie', async () => {
    const { opened, cookies, csrf } = await openCookieSession(await server.mintToken(['desktop']));
    expect(opened.body).toMatchObject({ principal: { authSource: 'cookie', email: 'owner@localhost', role: 'owner' } });
    expect(Date.parse(opened.body.expiresAt)).toBeGreaterThan(Date.now());
    expect(cookies[CSRF_COOKIE]).toBe(csrf);
    const sessionCookie = opened.rawSetCookies.find((cookie) => cookie.startsWith(`${SESSION_COOKIE}=`))!;
    expect(sessionCookie).toMatch(/HttpOnly/);
    expect(sessionCookie).toMatch(/SameSite=Lax/);
    expect(sessionCookie).toMatch(/Max-Age=28800/);
    expect(sessionCookie).not.toMatch(/Secure/);
    expect(opened.rawSetCookies.find((cookie) => cookie.startsWith(`${CSRF_COOKIE}=`))).not.toMatch(/HttpOnly/);
  });

  it('answers GET /auth/me with the principal (the scopes of the token it was opened with), the CSRF token and the expiry', async () => {
    const { cookies, csrf } = await openCookieSession(await server.mintToken(['desktop']));
    const me = await get('/auth/me', { cookies });
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ principal: { authSource: 'cookie', scopes: ['desktop'] }, csrfToken: csrf });
    expect(me.body.principal.tokenId).toMatch(/^tok_/);
  });

  it('requires a matching X-CSRF-Token on POST/PUT/PATCH/DELETE, not on GET', async () => {
    const { cookies, csrf } = await openCookieSession(await server.mintToken(['admin']));
    const issue = { name: 'via cookie', scopes: ['desktop'] };
    expect((await get('/api/api-tokens', { cookies })).status).toBe(200);
    const missing = await get('/api/api-tokens', { cookies, body: issue });
    expect(missing.status).toBe(403);
    expect(missing.body).toEqual({
      error: 'Cloud CSRF token is missing or invalid.',
      code: 'auth.csrf_invalid',
      verdict: { allowed: false, reason: 'Cloud CSRF token is missing or invalid.', policyCode: 'auth.csrf_invalid' },
    });
    const wrong = await get('/api/api-tokens', { cookies, body: issue, headers: { 'x-csrf-token': 'guess' } });
    expect(wrong.status).toBe(403);
    const ok = await get('/api/api-tokens', { cookies, body: issue, headers: { 'x-csrf-token': csrf } });
    expect(ok.status).toBe(201);
    const deleted = await get(`/api/api-tokens/${ok.body.token.tokenId}`, { method: 'DELETE', cookies });
    expect(deleted.status).toBe(403);
  });

  it('lets a valid session cookie win over any bearer token', async () => {
    const { cookies } = await openCookieSession(await server.mintToken(['desktop']));
    const me = await get('/auth/me', { cookies, bearer: 'occ_tok_garbage' });
    expect(me.status).toBe(200);
    expect(me.body.principal.authSource).toBe('cookie');
  });

  it('refuses a tampered cookie, and an invalid or operator credential at /auth/session', async () => {
    const { cookies } = await openCookieSession(await server.mintToken(['desktop']));
    const tampered = { ...cookies, [SESSION_COOKIE]: `x${cookies[SESSION_COOKIE]}` };
    expect((await get('/auth/me', { cookies: tampered })).body.code).toBe('auth.required');
    expect((await get('/auth/session', { body: { token: 'occ_tok_nope' } })).body.code).toBe('auth.token_invalid');
    expect((await get('/auth/session', { body: {} })).status).toBe(400);
    const operator = await get('/auth/session', { body: { token: OPERATOR_TOKEN } });
    expect(operator.status).toBe(403);
    expect(operator.body.code).toBe('auth.operator_cookie_refused');
  });

  it('logs out with CSRF, clearing both cookies', async () => {
    const { cookies, csrf } = await openCookieSession(await server.mintToken(['desktop']));
    expect((await get('/auth/logout', { cookies, body: {} })).status).toBe(403);
    const out = await get('/auth/logout', { cookies, body: {}, headers: { 'x-csrf-token': csrf } });
    expect(out.status).toBe(200);
    expect(out.setCookies).toEqual({ [SESSION_COOKIE]: '', [CSRF_COOKIE]: '' });
    expect((await get('/auth/logout', { body: {} })).status).toBe(200);
  });

  it('stops honouring the cookie of a member who was disabled', async () => {
    const { cookies } = await openCookieSession(await server.mintToken(['desktop'], { email: 'leaver@example.test' }));
    const tenants = createTenantStore();
    const leaver = await tenants.ensureUser(server.app.db, { email: 'leaver@example.test' });
    await tenants.updateMembership(server.app.db, server.app.defaultOrg.orgId, leaver.userId, { status: 'disabled' });
    const me = await get('/auth/me', { cookies });
    expect(me.status).toBe(403);
    expect(me.body.code).toBe('authorization.membership_inactive');
  });

  it('marks cookies Secure unless configured off for plain-http local mode', async () => {
    const secure = await startTestServer({ config: { cookieSecure: true } });
    try {
      const opened = await call(secure.baseUrl, '/auth/session', { body: { token: await secure.mintToken(['desktop']) } });
      expect(opened.rawSetCookies.every((cookie) => /; Secure/.test(cookie))).toBe(true);
    } finally {
      await secure.close();
    }
  });
});

describe('bearer OIDC access tokens', () => {
  it('accepts a token signed by the issuer, provisioning a member of the default org', async () => {
    const me = await get('/auth/me', { bearer: await issuer.sign({ sub: 'alice', email: 'alice@example.test' }) });
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({
      principal: { authSource: 'bearer', email: 'alice@example.test', role: 'member', orgId: server.app.defaultOrg.orgId },
      csrfToken: null,
    });
  });

  it('maps a subject to the same user even when its email changes', async () => {
    const first = await get('/auth/me', { bearer: await issuer.sign({ sub: 'bob', email: 'bob@example.test' }) });
    const second = await get('/auth/me', { bearer: await issuer.sign({ sub: 'bob', email: 'robert@example.test' }) });
    expect(second.body.principal.userId).toBe(first.body.principal.userId);
  });

  it.each([
    ['another audience', { aud: 'someone-else' }, {}, 'auth.bearer_invalid'],
    ['another issuer', { iss: 'https://evil.example' }, {}, 'auth.bearer_invalid'],
    ['an unknown key', {}, { foreignKey: true }, 'auth.bearer_invalid'],
    ['an expired token', {}, { expiresIn: '-1m' }, 'auth.token_expired'],
  ])('refuses a token with %s (401)', async (_, claims, options, code) => {
    const refused = await get('/auth/me', { bearer: await issuer.sign(claims, options) });
    expect(refused.status).toBe(401);
    expect(refused.body.code).toBe(code);
  });

  it('exchanges an OIDC token for a cookie session', async () => {
    const { opened } = await openCookieSession(await issuer.sign({ sub: 'carol', email: 'carol@example.test' }));
    expect(opened.body.principal).toMatchObject({ authSource: 'cookie', email: 'carol@example.test' });
  });

  it('answers 503 with Retry-After when the issuer cannot be reached', async () => {
    const offline = await startTestServer({ config: { oidc: { ...issuer.oidc, jwksUrl: 'http://127.0.0.1:9/jwks' } } });
    try {
      const refused = await call(offline.baseUrl, '/auth/me', { bearer: await issuer.sign() });
      expect(refused.status).toBe(503);
      expect(refused.body).toMatchObject({ code: 'auth.oidc_unavailable', retryAfterMs: 5000 });
      expect(refused.headers.get('retry-after')).toBe('5');
    } finally {
      await offline.close();
    }
  });

  it('describes the OIDC sign-in for Desktop', async () => {
    const config = await get('/auth/desktop/config');
    expect(config.body).toEqual({
      mode: 'oidc',
      issuerUrl: issuer.oidc.issuer,
      clientId: 'desktop-test',
      scope: 'openid email',
      webLoginUrl: '/auth/login',
    });
  });
});

describe('service tokens', () => {
  it('accepts a live token on member routes and keeps its scopes on the principal', async () => {
    const me = await get('/auth/me', { bearer: await server.mintToken(['desktop']) });
    expect(me.status).toBe(200);
    expect(me.body.principal).toMatchObject({ authSource: 'token', scopes: ['desktop'], channelBindingIds: null });
  });

  it('limits gateway tokens to their granted channel bindings', async () => {
    const me = await get('/auth/me', { bearer: await server.mintToken(['gateway', 'desktop'], { channelBindingIds: ['cb_1'] }) });
    expect(me.body.principal.channelBindingIds).toEqual(['cb_1']);
  });

  it('refuses a token without the admin scope on admin routes, even for the owner', async () => {
    const refused = await get('/api/api-tokens', { bearer: await server.mintToken(['desktop', 'gateway']) });
    expect(refused.status).toBe(403);
    expect(refused.body.code).toBe('authorization.insufficient_scope');
    expect(refused.body.verdict.policyCode).toBe('authorization.insufficient_scope');
  });

  it('refuses the admin scope of a token whose user is a plain member', async () => {
    const refused = await get('/api/api-tokens', { bearer: await server.mintToken(['admin'], { email: 'plain@example.test' }) });
    expect(refused.status).toBe(403);
    expect(refused.body.code).toBe('authorization.admin_required');
  });

  it.each([
    ['unknown', 'occ_tok_unknown', 'auth.token_invalid'],
    ['malformed', 'nonsense', 'auth.credential_invalid'],
  ])('refuses an %s token (401)', async (_, token, code) => {
    const refused = await get('/auth/me', { bearer: token });
    expect(refused.status).toBe(401);
    expect(refused.body.code).toBe(code);
  });

  it('refuses revoked and expired tokens (401)', async () => {
    const admin = await server.mintToken(['admin']);
    const issued = await get('/api/api-tokens', { bearer: admin, body: { name: 'short-lived', scopes: ['desktop'] } });
    await get(`/api/api-tokens/${issued.body.token.tokenId}`, { method: 'DELETE', bearer: admin });
    expect((await get('/auth/me', { bearer: issued.body.plaintext })).body.code).toBe('auth.token_revoked');
    const expired = await server.mintToken(['desktop'], { expiresAt: new Date(Date.now() - 1000).toISOString() });
    expect((await get('/auth/me', { bearer: expired })).body.code).toBe('auth.token_expired');
  });

  it('refuses an Authorization header that is not a bearer credential', async () => {
    const refused = await get('/auth/me', { headers: { authorization: 'Basic dXNlcjpwYXNz' } });
    expect(refused.status).toBe(401);
    expect(refused.body.code).toBe('auth.credential_invalid');
  });
});

describe('operator', () => {
  it('opens operator routes to the operator token and to operator-scoped tokens', async () => {
    const metrics = await get('/api/metrics', { bearer: OPERATOR_TOKEN });
    expect(metrics.status).toBe(200);
    expect(metrics.body).toMatchObject({ store: 'pglite', orgs: 1 });
    expect((await get('/api/metrics', { bearer: await server.mintToken(['operator']) })).status).toBe(200);
  });

  it('refuses operator routes to cookies and ordinary tokens, however privileged', async () => {
    const admin = await server.mintToken(['admin', 'desktop']);
    const byToken = await get('/api/metrics', { bearer: admin });
    expect(byToken.status).toBe(403);
    expect(byToken.body.code).toBe('authorization.operator_only');
    const { cookies } = await openCookieSession(admin);
    expect((await get('/api/metrics', { cookies })).body.code).toBe('authorization.operator_only');
  });

  it('refuses member routes to the operator token and to operator-only tokens', async () => {
    expect((await get('/auth/me', { bearer: OPERATOR_TOKEN })).body.code).toBe('authorization.operator_not_member');
    expect((await get('/auth/me', { bearer: await server.mintToken(['operator']) })).body.code).toBe('authorization.insufficient_scope');
  });

  it('refuses a wrong operator token (401)', async () => {
    expect((await get('/api/metrics', { bearer: `${OPERATOR_TOKEN}x` })).status).toBe(401);
  });
});

describe('route rules', () => {
  it('refuses to register a route without config.access', async () => {
    const app = await buildApp({ config: createConfig() });
    try {
      expect(() => app.get('/api/unguarded', async () => ({}))).toThrow(/declares no config.access/);
    } finally {
      await app.close();
    }
  });

  it('answers a JWT 401 when no OIDC issuer is configured', async () => {
    const plain = await startTestServer();
    try {
      const refused = await call(plain.baseUrl, '/auth/me', { bearer: await issuer.sign() });
      expect(refused.body.code).toBe('auth.credential_invalid');
      expect((await call(plain.baseUrl, '/auth/desktop/config')).status).toBe(404);
    } finally {
      await plain.close();
    }
  });
});
