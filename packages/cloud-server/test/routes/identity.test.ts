import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engines } from '@open-cowork/test-support/db';
import { call } from '../helpers/http.js';
import { startTestServer, type TestServer } from '@open-cowork/test-support/server';

describe.each(engines)('identity routes (%s)', (engine) => {
  let server: TestServer;
  let admin: string;
  beforeAll(async () => {
    server = await startTestServer({ engine });
    admin = await server.mintToken(['admin']);
  });
  afterAll(() => server.close());

  const api = (path: string, options: Parameters<typeof call>[2] = {}) => call(server.baseUrl, path, { bearer: admin, ...options });

  it('issues a token (201) whose secret is shown once and works as a credential', async () => {
    const issued = await api('/api/api-tokens', { body: { name: 'laptop', scopes: ['desktop'] } });
    expect(issued.status).toBe(201);
    expect(issued.body.plaintext).toMatch(/^occ_tok_[\w-]{43}$/);
    expect(issued.body.token).toMatchObject({
      name: 'laptop',
      scopes: ['desktop'],
      channelBindingIds: [],
      last4: issued.body.plaintext.slice(-4),
      orgId: server.app.defaultOrg.orgId,
      revokedAt: null,
      expiresAt: null,
    });
    expect(JSON.stringify(issued.body.token)).not.toContain(issued.body.plaintext);
    const me = await call(server.baseUrl, '/auth/me', { bearer: issued.body.plaintext });
    expect(me.body.principal.tokenId).toBe(issued.body.token.tokenId);
    const listed = await api('/api/api-tokens?limit=500');
    const entry = listed.body.tokens.find((token: { tokenId: string }) => token.tokenId === issued.body.token.tokenId);
    expect(entry.lastUsedAt).not.toBeNull();
    expect(JSON.stringify(listed.body)).not.toContain(issued.body.plaintext);
  });

  it('lists tokens newest first and honours ?limit', async () => {
    await api('/api/api-tokens', { body: { name: 'older', scopes: ['desktop'] } });
    await api('/api/api-tokens', { body: { name: 'newer', scopes: ['desktop'] } });
    const listed = await api('/api/api-tokens?limit=1');
    expect(listed.body.tokens.map((token: { name: string }) => token.name)).toEqual(['newer']);
    expect((await api('/api/api-tokens?limit=0')).status).toBe(400);
  });

  it('stores only the hash of the secret', async () => {
    const issued = await api('/api/api-tokens', { body: { name: 'hashed', scopes: ['desktop'] } });
    const { rows } = await server.db.query<{ token_hash: string }>('SELECT token_hash FROM api_tokens WHERE token_id = $1', [
      issued.body.token.tokenId,
    ]);
    expect(rows[0]!.token_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(rows[0]!.token_hash).not.toContain(issued.body.plaintext);
  });

  it('revokes a token → {token, revoked: true}, keeps the first revokedAt, and 404s a missing one', async () => {
    const issued = await api('/api/api-tokens', { body: { name: 'to revoke', scopes: ['desktop'] } });
    const revoked = await api(`/api/api-tokens/${issued.body.token.tokenId}`, { method: 'DELETE' });
    expect(revoked.status).toBe(200);
    expect(revoked.body).toMatchObject({ revoked: true, token: { tokenId: issued.body.token.tokenId } });
    expect(revoked.body.token.revokedAt).not.toBeNull();
    const again = await api(`/api/api-tokens/${issued.body.token.tokenId}`, { method: 'DELETE' });
    expect(again.body.token.revokedAt).toBe(revoked.body.token.revokedAt);
    const missing = await api('/api/api-tokens/tok_missing', { method: 'DELETE' });
    expect(missing.status).toBe(404);
    expect(missing.body.code).toBe('identity.token_not_found');
  });

  /** A real channel binding (grants must name one). */
  const createBinding = async (bindingId: string) => {
    const agent = await api('/api/channels/agents', { body: { name: `agent for ${bindingId}` } });
    const binding = await api('/api/channels/bindings', {
      body: { agentId: agent.body.agent.agentId, provider: 'webhook', displayName: bindingId, bindingId },
    });
    expect(binding.status).toBe(201);
    return binding.body.binding.bindingId as string;
  };

  it('grants a gateway token a channel binding → {grant, token}', async () => {
    await createBinding('cb_a');
    await createBinding('cb_b');
    const issued = await api('/api/api-tokens', { body: { name: 'gw', scopes: ['gateway'], channelBindingIds: ['cb_a'] } });
    expect(issued.body.token.channelBindingIds).toEqual(['cb_a']);
    const granted = await api(`/api/api-tokens/${issued.body.token.tokenId}/channel-bindings`, { body: { channelBindingId: 'cb_b' } });
    expect(granted.status).toBe(200);
    expect(granted.body.grant).toEqual({
      orgId: server.app.defaultOrg.orgId,
      tokenId: issued.body.token.tokenId,
      channelBindingId: 'cb_b',
      createdAt: expect.any(String),
    });
    expect(granted.body.token.channelBindingIds).toEqual(['cb_a', 'cb_b']);
    const desktop = await api('/api/api-tokens', { body: { name: 'desk', scopes: ['desktop'] } });
    const refused = await api(`/api/api-tokens/${desktop.body.token.tokenId}/channel-bindings`, { body: { channelBindingId: 'cb_b' } });
    expect(refused.status).toBe(409);
    expect(refused.body.code).toBe('identity.token_not_gateway');
  });

  it('refuses grants of channel bindings that do not exist (404), writing nothing', async () => {
    const before = (await api('/api/api-tokens?limit=500')).body.tokens.length;
    const issue = await api('/api/api-tokens', { body: { name: 'gw-missing', scopes: ['gateway'], channelBindingIds: ['cb_nowhere'] } });
    expect(issue.status).toBe(404);
    expect(issue.body).toMatchObject({ code: 'identity.channel_binding_not_found', channelBindingIds: ['cb_nowhere'] });
    expect((await api('/api/api-tokens?limit=500')).body.tokens.length).toBe(before);
    const gateway = await api('/api/api-tokens', { body: { name: 'gw-empty', scopes: ['gateway'] } });
    const grant = await api(`/api/api-tokens/${gateway.body.token.tokenId}/channel-bindings`, { body: { channelBindingId: 'cb_nowhere' } });
    expect(grant.status).toBe(404);
    const { rows } = await server.db.query('SELECT 1 FROM api_token_channel_bindings WHERE token_id = $1', [gateway.body.token.tokenId]);
    expect(rows).toHaveLength(0);
  });

  it.each([
    ['no scopes', { name: 'x', scopes: [] }, 400, 'request.invalid'],
    ['an unknown scope', { name: 'x', scopes: ['root'] }, 400, 'request.invalid'],
    ['an operator scope', { name: 'x', scopes: ['operator'] }, 403, 'identity.scope_not_allowed'],
    [
      'bindings without gateway',
      { name: 'x', scopes: ['desktop'], channelBindingIds: ['cb'] },
      400,
      'identity.channel_bindings_need_gateway',
    ],
    ['a past expiry', { name: 'x', scopes: ['desktop'], expiresAt: '2020-01-01T00:00:00Z' }, 400, 'identity.expires_at_past'],
    ['a malformed expiry', { name: 'x', scopes: ['desktop'], expiresAt: 'tomorrow' }, 400, 'request.invalid'],
  ])('refuses to issue a token with %s', async (_, body, status, code) => {
    const refused = await api('/api/api-tokens', { body });
    expect(refused.status).toBe(status);
    expect(refused.body.code).toBe(code);
    expect(typeof refused.body.error).toBe('string');
  });

  it('answers 400 request.invalid_json to a body that is not JSON', async () => {
    const response = await fetch(`${server.baseUrl}/api/api-tokens`, {
      method: 'POST',
      headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
      body: '{"name":',
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ error: 'Request body must be valid JSON.', code: 'request.invalid_json' });
  });

  it('lists and searches members, and updates a role', async () => {
    await server.mintToken(['desktop'], { email: 'dana@example.test' });
    const all = await api('/api/admin/members');
    expect(all.body.members.map((member: { email: string }) => member.email)).toEqual(
      expect.arrayContaining(['owner@localhost', 'dana@example.test']),
    );
    const found = await api('/api/admin/members?q=DANA');
    expect(found.body.members).toHaveLength(1);
    const dana = found.body.members[0];
    expect(dana).toMatchObject({ role: 'member', status: 'active', displayName: null });
    const promoted = await api(`/api/admin/members/${dana.accountId}/update`, { body: { role: 'admin' } });
    expect(promoted.body.member.role).toBe('admin');
  });

  it('disables a member only with confirm = accountId', async () => {
    await server.mintToken(['desktop'], { email: 'erin@example.test' });
    const erin = (await api('/api/admin/members?query=erin')).body.members[0];
    const unconfirmed = await api(`/api/admin/members/${erin.accountId}/update`, { body: { status: 'disabled' } });
    expect(unconfirmed.body.code).toBe('identity.confirm_required');
    const disabled = await api(`/api/admin/members/${erin.accountId}/update`, {
      body: { status: 'disabled', confirm: erin.accountId },
    });
    expect(disabled.body.member.status).toBe('disabled');
    expect((await api('/api/admin/members/usr_missing/update', { body: { role: 'admin' } })).status).toBe(404);
  });

  it('keeps owners changeable by owners only', async () => {
    const adminOnly = await server.mintToken(['admin'], { email: 'frank@example.test', role: 'admin' });
    const owner = (await api('/api/admin/members?q=owner@localhost')).body.members[0];
    const refused = await call(server.baseUrl, `/api/admin/members/${owner.accountId}/update`, {
      bearer: adminOnly,
      body: { role: 'member' },
    });
    expect(refused.status).toBe(403);
    expect(refused.body.code).toBe('identity.owner_required');
  });

  it('invites a member who can act only after accepting the invite', async () => {
    const invited = await api('/api/admin/members', { body: { email: 'hana@example.test', role: 'admin' } });
    expect(invited.status).toBe(201);
    expect(invited.body.member).toMatchObject({ email: 'hana@example.test', role: 'admin', status: 'invited' });
    expect(Date.parse(invited.body.inviteExpiresAt)).toBeGreaterThan(Date.now());
    const token = await server.mintToken(['desktop'], { email: 'hana@example.test' });
    expect((await call(server.baseUrl, '/auth/me', { bearer: token })).body.code).toBe('authorization.membership_inactive');

    const accepted = await call(server.baseUrl, '/api/invites/accept', { body: { token: invited.body.inviteToken } });
    expect(accepted.status).toBe(200);
    expect(accepted.body.member).toMatchObject({ status: 'active', role: 'admin' });
    expect((await call(server.baseUrl, '/auth/me', { bearer: token })).status).toBe(200);
    const again = await call(server.baseUrl, '/api/invites/accept', { body: { token: invited.body.inviteToken } });
    expect(again.body.code).toBe('identity.invite_not_pending');
    expect((await api('/api/admin/members', { body: { email: 'HANA@example.test' } })).body.code).toBe('identity.member_exists');
  });

  it('refuses forged invite tokens and session cookies posing as invites', async () => {
    const invited = await api('/api/admin/members', { body: { email: 'ivan@example.test' } });
    const forged = `${invited.body.inviteToken.slice(0, -2)}xx`;
    expect((await call(server.baseUrl, '/api/invites/accept', { body: { token: forged } })).body.code).toBe('identity.invite_invalid');
    const session = await call(server.baseUrl, '/auth/session', { body: { token: admin } });
    const cookie = session.setCookies.open_cowork_cloud_session!;
    expect((await call(server.baseUrl, '/api/invites/accept', { body: { token: cookie } })).body.code).toBe('identity.invite_invalid');
    expect((await api('/api/admin/members', { body: { email: 'not-an-email' } })).status).toBe(400);
  });

  it('records token and member changes in the audit log, newest first, with a cursor', async () => {
    const first = await api('/api/admin/audit?limit=2');
    expect(first.body.events).toHaveLength(2);
    expect(first.body.events[0]).toMatchObject({ eventId: expect.stringMatching(/^aud_/), action: expect.any(String) });
    expect(first.body.nextCursor).toEqual(expect.any(String));
    const second = await api(`/api/admin/audit?limit=2&cursor=${first.body.nextCursor}`);
    expect(second.body.events[0].eventId).not.toBe(first.body.events[1].eventId);
    expect(second.body.events[0].createdAt <= first.body.events[1].createdAt).toBe(true);
    const actions = new Set((await api('/api/admin/audit?limit=500')).body.events.map((event: { action: string }) => event.action));
    expect([...actions]).toEqual(expect.arrayContaining(['api_token.issued', 'api_token.revoked', 'member.updated', 'member.invited']));
  });

  it('keeps every identity route closed to members without admin rights', async () => {
    const member = await server.mintToken(['desktop', 'admin'], { email: 'gail@example.test' });
    for (const path of ['/api/api-tokens', '/api/admin/members', '/api/admin/audit']) {
      const refused = await call(server.baseUrl, path, { bearer: member });
      expect(refused.status).toBe(403);
    }
  });
});
