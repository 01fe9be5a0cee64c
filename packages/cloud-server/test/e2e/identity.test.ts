import type { AdminAuditEvent } from '@open-cowork/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engines } from '@open-cowork/test-support/db';
import { call } from '../helpers/http.js';
import type { TestServer } from '@open-cowork/test-support/server';
import { type Client, clientFor, failure, mintClient, startHarness } from './harness.js';

describe.each(engines)('identity and org administration through the client (%s)', (engine) => {
  let server: TestServer;
  let cloud: Client;
  let admin: string;
  beforeAll(async () => {
    ({ server, token: admin, client: cloud } = await startHarness({ engine, scopes: ['desktop', 'admin'] }));
  });
  afterAll(() => server.close());

  const auditCount = async () => Number((await server.db.query<{ n: string }>('SELECT count(*) AS n FROM audit_events')).rows[0]!.n);

  it('issues, lists and revokes API tokens; an issued token works until revoked', async () => {
    const issued = await cloud.issueApiToken({ name: 'ci', scopes: ['desktop'] });
    expect(issued.plaintext).toMatch(/^occ_tok_/);
    expect(issued.token).toMatchObject({ name: 'ci', scopes: ['desktop'], revokedAt: null, last4: issued.plaintext.slice(-4) });
    const tokens = await cloud.listApiTokens({ limit: 500 });
    expect(tokens.map((token) => token.tokenId)).toContain(issued.token.tokenId);
    expect(JSON.stringify(tokens)).not.toContain(issued.plaintext);
    const ci = clientFor(server.baseUrl, issued.plaintext);
    expect((await ci.getConfig()).role).toBe('owner');
    const revoked = await cloud.revokeApiToken(issued.token.tokenId);
    expect(revoked.revokedAt).not.toBeNull();
    expect((await failure(ci.getConfig())).kind).toBe('unauthorized');
    expect((await failure(cloud.revokeApiToken('tok_missing'))).code).toBe('identity.token_not_found');
  });

  it('grants a gateway token real channel bindings only', async () => {
    const agent = await cloud.createHeadlessAgent({ name: 'grants agent' });
    const binding = await cloud.createChannelBinding({ agentId: agent.agentId, provider: 'webhook', displayName: 'grants' });
    const gateway = await cloud.issueApiToken({ name: 'gw', scopes: ['gateway'] });
    const granted = await cloud.grantApiTokenChannelBinding(gateway.token.tokenId, { channelBindingId: binding.bindingId });
    expect(granted.grant).toMatchObject({ tokenId: gateway.token.tokenId, channelBindingId: binding.bindingId });
    expect(granted.token.channelBindingIds).toEqual([binding.bindingId]);
    const missing = await failure(cloud.grantApiTokenChannelBinding(gateway.token.tokenId, { channelBindingId: 'cb_missing' }));
    expect(missing).toMatchObject({ kind: 'not_found', code: 'identity.channel_binding_not_found' });
    const scoped = await cloud.issueApiToken({ name: 'gw2', scopes: ['gateway'], channelBindingIds: [binding.bindingId] });
    expect(scoped.token.channelBindingIds).toEqual([binding.bindingId]);
  });

  it('shows the admin policy from configuration', async () => {
    const policy = await cloud.getAdminPolicy();
    expect(policy).toMatchObject({
      org: { orgId: server.app.defaultOrg.orgId, tenantId: server.app.defaultOrg.orgId, name: 'Local Cloud', status: 'active' },
      signup: { mode: 'invite', invitesEnabled: true, allowSelfServiceSignup: false, allowedEmailDomains: [] },
      runtime: { machineRuntimeConfig: 'disabled', localStdioMcps: 'disabled' },
      gateway: { channelsEnabled: true, webhooksEnabled: true },
      providerKeys: { kmsRefsEnabled: false },
    });
    expect(policy.features.prompts).toBe(true);
  });

  it('invites a member, who accepts with the one-time token; lists and searches members', async () => {
    const member = await cloud.inviteOrgMember({ email: 'dana@example.test', role: 'admin' });
    expect(member).toMatchObject({ email: 'dana@example.test', role: 'admin', status: 'invited' });
    const listed = await cloud.listOrgMembers({ query: 'dana' });
    expect(listed).toEqual([member]);
    expect((await cloud.listOrgMembers({ limit: 1 })).length).toBe(1);
    // The token is in the raw 201 body (the client returns `.member`).
    const raw = await call(server.baseUrl, '/api/admin/members', { bearer: admin, body: { email: 'eli@example.test' } });
    expect(raw.status).toBe(201);
    expect(raw.body).toMatchObject({
      member: { status: 'invited', role: 'member' },
      inviteToken: expect.any(String),
      inviteExpiresAt: expect.any(String),
    });
    const accepted = await call(server.baseUrl, '/api/invites/accept', { body: { token: raw.body.inviteToken } });
    expect(accepted.body.member.status).toBe('active');
    const again = await call(server.baseUrl, '/api/invites/accept', { body: { token: raw.body.inviteToken } });
    expect([again.status, again.body.code]).toEqual([409, 'identity.invite_not_pending']);
    const events = await cloud.listAdminAuditEvents(3);
    expect(events[0]).toMatchObject({
      action: 'member.invite_accepted',
      actorUserId: raw.body.member.accountId,
      targetId: raw.body.member.accountId,
    });
  });

  it('updates members: role and status, confirm to disable, the last owner kept', async () => {
    const invited = await cloud.inviteOrgMember({ email: 'fay@example.test' });
    const promoted = await cloud.updateOrgMember(invited.accountId, { role: 'admin' });
    expect(promoted.role).toBe('admin');
    const disabled = await cloud.updateOrgMember(invited.accountId, { status: 'disabled', confirm: invited.accountId });
    expect(disabled.status).toBe('disabled');
    const owner = (await cloud.listOrgMembers({ query: server.config.ownerEmail }))[0]!;
    const before = await auditCount();
    const lastOwner = await failure(cloud.updateOrgMember(owner.accountId, { role: 'admin' }));
    expect(lastOwner).toMatchObject({ kind: 'conflict', code: 'identity.last_owner' });
    const noConfirm = await call(server.baseUrl, `/api/admin/members/${invited.accountId}/update`, {
      bearer: admin,
      body: { status: 'disabled' },
    });
    expect([noConfirm.status, noConfirm.body.code]).toEqual([400, 'identity.confirm_required']);
    const badRole = await call(server.baseUrl, `/api/admin/members/${invited.accountId}/update`, { bearer: admin, body: { role: 'root' } });
    expect(badRole.status).toBe(400);
    expect((await failure(cloud.updateOrgMember('usr_missing', { role: 'member' }))).kind).toBe('not_found');
    expect(await auditCount()).toBe(before);
    expect((await cloud.listOrgMembers({ query: server.config.ownerEmail }))[0]!.role).toBe('owner');
    // An admin cannot demote an owner; with a second owner, an owner can.
    const second = await cloud.inviteOrgMember({ email: 'gus@example.test', role: 'owner' });
    await cloud.updateOrgMember(second.accountId, { status: 'active' });
    const adminOnly = await mintClient(server, ['admin'], { email: 'hal@example.test', role: 'admin' });
    expect((await failure(adminOnly.updateOrgMember(second.accountId, { role: 'member' }))).code).toBe('identity.owner_required');
    expect((await cloud.updateOrgMember(second.accountId, { role: 'member' })).role).toBe('member');
  });

  it('pages the audit log with an opaque keyset cursor, and walks it whole', async () => {
    for (let i = 0; i < 5; i += 1) await cloud.issueApiToken({ name: `paging ${i}`, scopes: ['desktop'] });
    const first = await cloud.listAdminAuditEventsPage({ limit: 2 });
    expect(first.events).toHaveLength(2);
    expect(first.nextCursor).toEqual(expect.any(String));
    const second = await cloud.listAdminAuditEventsPage({ limit: 2, cursor: first.nextCursor! });
    expect(second.events[0]!.eventId).not.toBe(first.events[1]!.eventId);
    const walked: AdminAuditEvent[] = [];
    for await (const event of cloud.iterateAdminAuditEvents({ limit: 3 })) walked.push(event);
    const all = await cloud.listAdminAuditEvents(500);
    expect(walked.map((event) => event.eventId)).toEqual(all.map((event) => event.eventId));
    expect(new Set(walked.map((event) => event.eventId)).size).toBe(walked.length);
    const garbled = await failure(cloud.listAdminAuditEventsPage({ cursor: 'not-a-cursor' }));
    expect(garbled).toMatchObject({ status: 400, code: 'audit.cursor.invalid' });
    const filtered = await call(server.baseUrl, `/api/admin/audit?limit=2&action=api_token.issued`, { bearer: admin });
    expect(filtered.body.events.every((event: AdminAuditEvent) => event.action === 'api_token.issued')).toBe(true);
    // A cursor of one filter is refused by another.
    const foreign = await call(server.baseUrl, `/api/admin/audit?limit=2&action=member.updated&cursor=${filtered.body.nextCursor}`, {
      bearer: admin,
    });
    expect([foreign.status, foreign.body.code]).toEqual([400, 'audit.cursor.invalid']);
  });

  it('audits every mutation: tokens, members, BYOK and session commands, with the acting token', async () => {
    const issued = await cloud.issueApiToken({ name: 'audited', scopes: ['desktop'] });
    await cloud.revokeApiToken(issued.token.tokenId);
    await cloud.setByokSecret('openai', { apiKey: `sk-${'q'.repeat(30)}` });
    await cloud.validateByokSecret('openai');
    await cloud.deleteByokSecret('openai');
    const { session } = await cloud.createSession();
    await cloud.promptSession(session.sessionId, { text: 'audit me' });
    const events = await cloud.listAdminAuditEvents(20);
    const actions = events.map((event) => event.action);
    expect(actions).toEqual(
      expect.arrayContaining([
        'api_token.issued',
        'api_token.revoked',
        'byok_secret.set',
        'byok_secret.validated',
        'byok_secret.disabled',
        'session.command.prompt',
      ]),
    );
    const prompt = events.find((event) => event.action === 'session.command.prompt')!;
    const me = await call(server.baseUrl, '/auth/me', { bearer: admin });
    expect(prompt).toMatchObject({ targetType: 'session', targetId: session.sessionId, actorTokenId: me.body.principal.tokenId });
    expect(JSON.stringify(events)).not.toContain('q'.repeat(30));
  });
});
