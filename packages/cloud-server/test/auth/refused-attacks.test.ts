import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CSRF_COOKIE, SESSION_COOKIE } from '../../src/auth/cookie.js';
import { createTenantStore } from '../../src/store/tenants.js';
import { engines } from '@open-cowork/test-support/db';
import { call, type CallOptions } from '../helpers/http.js';
import { startTestIssuer, type TestIssuer } from '../helpers/oidc.js';
import { startTestServer, type TestServer } from '@open-cowork/test-support/server';

/**
 * Each attack found against the auth of the reference cloud, replayed against a running server
 * and now refused, on every store engine.
 */
describe.each(engines)('refused auth attacks (%s)', (engine) => {
  let issuer: TestIssuer;
  let server: TestServer;
  beforeAll(async () => {
    issuer = await startTestIssuer();
    server = await startTestServer({ engine, config: { oidc: issuer.oidc } });
  }, 120_000);
  afterAll(async () => {
    await server?.close();
    await issuer?.close();
  });

  const api = (path: string, options: CallOptions = {}) => call(server.baseUrl, path, options);

  /** A cookie session opened with `token`, and request options that carry it (with CSRF). */
  async function cookieSession(token: string) {
    const opened = await api('/auth/session', { body: { token }, headers: { 'user-agent': 'attack-test' } });
    expect(opened.status).toBe(200);
    const cookies = { [SESSION_COOKIE]: opened.setCookies[SESSION_COOKIE]!, [CSRF_COOKIE]: opened.setCookies[CSRF_COOKIE]! };
    const as = (options: CallOptions = {}): CallOptions => ({
      ...options,
      cookies,
      headers: { 'x-csrf-token': opened.body.csrfToken, ...options.headers },
    });
    return { opened, as };
  }

  async function createBinding(admin: string, externalId: string): Promise<string> {
    const agent = await api('/api/channels/agents', { bearer: admin, body: { name: externalId } });
    expect(agent.status).toBe(201);
    const created = await api('/api/channels/bindings', {
      bearer: admin,
      body: { agentId: agent.body.agent.agentId, provider: 'slack', displayName: externalId, externalWorkspaceId: externalId },
    });
    expect(created.status).toBe(201);
    return created.body.binding.bindingId as string;
  }

  describe('scope escalation through the cookie exchange', () => {
    it('keeps the scopes of a desktop-only token: its cookie cannot mint an admin token', async () => {
      const { opened, as } = await cookieSession(await server.mintToken(['desktop']));
      expect(opened.body.principal).toMatchObject({ authSource: 'cookie', scopes: ['desktop'], role: 'owner' });
      const minted = await api('/api/api-tokens', as({ body: { name: 'escalated', scopes: ['admin', 'desktop', 'gateway'] } }));
      expect(minted.status).toBe(403);
      expect(minted.body.code).toBe('authorization.insufficient_scope');
    });

    it('refuses to open a cookie session with a gateway-only token', async () => {
      const refused = await api('/auth/session', { body: { token: await server.mintToken(['gateway']) } });
      expect(refused.status).toBe(403);
      expect(refused.body.code).toBe('auth.token_scope_refused');
    });

    it('keeps the binding limits of a gateway token: its cookie cannot act on another binding', async () => {
      const admin = await server.mintToken(['admin']);
      const granted = await createBinding(admin, 'granted-ws');
      const other = await createBinding(admin, 'other-ws');
      const { opened, as } = await cookieSession(await server.mintToken(['gateway', 'desktop'], { channelBindingIds: [granted] }));
      expect(opened.body.principal.channelBindingIds).toEqual([granted]);
      const foreign = await api(`/api/channels/deliveries?channelBindingId=${other}`, as());
      expect(foreign.status).toBe(403);
      expect(foreign.body.code).toBe('channels.binding_not_granted');
      const changed = await api(`/api/channels/bindings/${other}`, as({ method: 'PATCH', body: { displayName: 'hijacked' } }));
      expect(changed.status).toBe(403);
    });

    it('needs admin rights on admin routes whether the caller holds a bearer or a cookie', async () => {
      const member = await server.mintToken(['desktop', 'admin'], { email: 'plain-member@example.test' });
      expect((await api('/api/admin/members', { bearer: member })).body.code).toBe('authorization.admin_required');
      const { as } = await cookieSession(member);
      expect((await api('/api/admin/members', as())).body.code).toBe('authorization.admin_required');
    });
  });

  describe('cookies that outlive logout, revocation and expiry', () => {
    it('ends the session at logout: the old cookie no longer reads or writes', async () => {
      const { as } = await cookieSession(await server.mintToken(['desktop']));
      expect((await api('/auth/me', as())).status).toBe(200);
      expect((await api('/auth/logout', as({ body: {} }))).status).toBe(200);
      expect((await api('/auth/me', as())).status).toBe(401);
      expect((await api('/api/sessions', as({ body: {} }))).status).toBe(401);
    });

    it('ends the session when the token it was opened with is revoked', async () => {
      const admin = await server.mintToken(['admin']);
      const issued = await api('/api/api-tokens', { bearer: admin, body: { name: 'web', scopes: ['desktop'] } });
      const { as } = await cookieSession(issued.body.plaintext);
      expect((await api('/auth/me', as())).status).toBe(200);
      await api(`/api/api-tokens/${issued.body.token.tokenId}`, { method: 'DELETE', bearer: admin });
      const after = await api('/auth/me', as());
      expect(after.status).toBe(401);
      expect(after.body.code).toBe('auth.session_ended');
      expect((await api('/api/sessions', as({ body: {} }))).status).toBe(401);
    });

    it('ends the session when the token it was opened with expires', async () => {
      const expiresAt = new Date(Date.now() + 60 * 60_000).toISOString();
      const { opened, as } = await cookieSession(await server.mintToken(['desktop'], { expiresAt, name: 'expiring' }));
      expect(Date.parse(opened.body.expiresAt)).toBeLessThanOrEqual(Date.parse(expiresAt));
      expect((await api('/auth/me', as())).status).toBe(200);
      // The token's expiry is moved into the past rather than waited for.
      await server.db.query(`UPDATE api_tokens SET expires_at = now() - interval '1 second' WHERE name = 'expiring'`);
      const ended = await api('/auth/me', as());
      expect([ended.status, ended.body.code]).toEqual([401, 'auth.session_ended']);
    });

    it('ends a session left idle, and one past its absolute expiry', async () => {
      const idle = await cookieSession(await server.mintToken(['desktop']));
      const old = await cookieSession(await server.mintToken(['desktop']));
      const idleMs = server.config.security.sessionIdleMs;
      await server.db.query(
        `UPDATE auth_sessions SET last_seen_at = now() - ($1::bigint * interval '1 millisecond') WHERE user_agent = 'attack-test' AND csrf_token = $2`,
        [idleMs + 1_000, idle.opened.body.csrfToken],
      );
      await server.db.query(`UPDATE auth_sessions SET expires_at = now() - interval '1 second' WHERE csrf_token = $1`, [
        old.opened.body.csrfToken,
      ]);
      expect((await api('/auth/me', idle.as())).status).toBe(401);
      expect((await api('/auth/me', old.as())).status).toBe(401);
    });

    it('ends every session of a member an admin disables', async () => {
      const { opened, as } = await cookieSession(await server.mintToken(['desktop'], { email: 'disabled-later@example.test' }));
      const accountId = opened.body.principal.userId as string;
      const disabled = await api(`/api/admin/members/${accountId}/update`, {
        bearer: await server.mintToken(['admin']),
        body: { status: 'disabled', confirm: accountId },
      });
      expect(disabled.status).toBe(200);
      expect((await api('/auth/me', as())).status).toBe(401);
    });

    it('lets a user list their sessions and end one, but not somebody else’s', async () => {
      const token = await server.mintToken(['desktop'], { email: 'two-browsers@example.test' });
      const first = await cookieSession(token);
      const second = await cookieSession(token);
      const listed = await api('/auth/sessions', first.as());
      expect(listed.status).toBe(200);
      expect(listed.body.sessions).toHaveLength(2);
      const other = listed.body.sessions.find((session: { current: boolean }) => !session.current);
      expect(other).toMatchObject({ method: 'token', userAgent: 'attack-test' });
      const stranger = await cookieSession(await server.mintToken(['desktop'], { email: 'stranger@example.test' }));
      const refused = await api(`/auth/sessions/${other.sessionId}`, stranger.as({ method: 'DELETE' }));
      expect(refused.status).toBe(404);
      expect(refused.body.code).toBe('auth.session_not_found');
      expect((await api(`/auth/sessions/${other.sessionId}`, first.as({ method: 'DELETE' }))).status).toBe(200);
      expect((await api('/auth/me', second.as())).status).toBe(401);
      expect((await api('/auth/me', first.as())).status).toBe(200);
    });
  });

  describe('gateway tokens outside the channel plane', () => {
    it.each([
      ['GET', '/api/sessions'],
      ['POST', '/api/sessions'],
      ['GET', '/api/events'],
      ['GET', '/api/sessions/ses_000000000000000000000000/view'],
      ['POST', '/api/sessions/ses_000000000000000000000000/prompt'],
      ['POST', '/api/workflows'],
      ['GET', '/api/settings'],
      ['GET', '/api/byok'],
      ['GET', '/auth/me'],
    ])('refuses %s %s with 403 and a code', async (method, path) => {
      const gateway = await server.mintToken(['gateway'], { channelBindingIds: [] });
      const refused = await api(path, { method, bearer: gateway, ...(method === 'POST' ? { body: {} } : {}) });
      expect(refused.status).toBe(403);
      expect(refused.body.code).toBe('authorization.gateway_channel_plane_only');
    });

    it('still serves the channel plane, identity resolution included', async () => {
      const gateway = await server.mintToken(['gateway']);
      expect((await api('/api/channels/deliveries', { bearer: gateway })).status).toBe(200);
      const resolve = await api('/api/channels/identities/resolve', { bearer: gateway, body: {} });
      expect(resolve.body.code).not.toBe('authorization.gateway_channel_plane_only');
    });
  });

  describe('OIDC identities', () => {
    it('does not sign a token with another subject and the owner’s unverified email in as the owner', async () => {
      const refused = await api('/auth/me', { bearer: await issuer.sign({ sub: 'attacker', email: 'OWNER@localhost' }) });
      expect(refused.status).toBe(403);
      expect(refused.body.code).toBe('auth.signup_invite_required');
      const exchanged = await api('/auth/session', { body: { token: await issuer.sign({ sub: 'attacker', email: 'OWNER@localhost' }) } });
      expect(exchanged.status).toBe(403);
    });

    it('refuses a new identity when signup is by invite, and admits one whose verified email was invited', async () => {
      const stranger = await api('/auth/me', {
        bearer: await issuer.sign({ sub: 'stranger', email: 'stranger-oidc@example.test', email_verified: true }),
      });
      expect(stranger.status).toBe(403);
      expect(stranger.body.code).toBe('auth.signup_invite_required');
      const invited = await api('/api/admin/members', {
        bearer: await server.mintToken(['admin']),
        body: { email: 'invitee@example.test' },
      });
      expect(invited.status).toBe(201);
      const unverified = await api('/auth/me', { bearer: await issuer.sign({ sub: 'invitee-unverified', email: 'invitee@example.test' }) });
      expect(unverified.status).toBe(403);
      const joined = await api('/auth/me', {
        bearer: await issuer.sign({ sub: 'invitee', email: 'invitee@example.test', email_verified: true }),
      });
      expect(joined.status).toBe(200);
      expect(joined.body.principal).toMatchObject({ email: 'invitee@example.test', role: 'member', userId: invited.body.member.accountId });
    });

    it('keeps the identity (issuer, subject): a linked account is not taken over by another subject with a verified email', async () => {
      const first = await api('/auth/me', {
        bearer: await issuer.sign({ sub: 'invitee', email: 'invitee@example.test', email_verified: true }),
      });
      expect(first.status).toBe(200);
      const second = await api('/auth/me', {
        bearer: await issuer.sign({ sub: 'invitee-2', email: 'invitee@example.test', email_verified: true }),
      });
      expect(second.status).toBe(403);
    });
  });
});

describe('OIDC email linking by policy', () => {
  let issuer: TestIssuer;
  beforeAll(async () => {
    issuer = await startTestIssuer();
  });
  afterAll(() => issuer.close());

  it.each([true, false])(
    'links a verified email to the existing account only when the policy allows it (linkVerifiedEmail: %s)',
    async (linkVerifiedEmail) => {
      const server = await startTestServer({
        config: { oidc: issuer.oidc, admin: { signupMode: 'open' }, security: { linkVerifiedEmail } },
      });
      try {
        const owner = await createTenantStore().findUserByEmail(server.db, server.config.ownerEmail);
        const signedIn = await call(server.baseUrl, '/auth/me', {
          bearer: await issuer.sign({ sub: 'owner-at-idp', email: server.config.ownerEmail, email_verified: true }),
        });
        if (linkVerifiedEmail) {
          expect(signedIn.body.principal).toMatchObject({ userId: owner!.userId, role: 'owner' });
        } else {
          expect(signedIn.status).toBe(409);
          expect(signedIn.body.code).toBe('auth.email_in_use');
        }
      } finally {
        await server.close();
      }
    },
    120_000,
  );
});
