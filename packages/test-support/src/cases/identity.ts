/** The identity domain's calls as data, shared by the client's unit test and the server's OpenAPI test. */
import { get, post, send, type DomainCase } from './exchange.js';

const token = {
  tokenId: 'tok1',
  orgId: 'o1',
  accountId: 'a1',
  name: 'gateway',
  scopes: ['gateway'],
  channelBindingIds: [],
  last4: 'wxyz',
  expiresAt: null,
  revokedAt: null,
  lastUsedAt: null,
  createdAt: '2026-08-01T00:00:00.000Z',
  updatedAt: '2026-08-01T00:00:00.000Z',
};
const revoked = { ...token, revokedAt: '2026-08-02T00:00:00.000Z' };
const grant = { orgId: 'o1', tokenId: 'tok1', channelBindingId: 'cb1', createdAt: '2026-08-01T00:00:00.000Z' };
const member = {
  orgId: 'o1',
  accountId: 'a2',
  email: 'ada@example.test',
  displayName: null,
  role: 'member',
  status: 'invited',
  createdAt: '2026-08-01T00:00:00.000Z',
  updatedAt: '2026-08-01T00:00:00.000Z',
};
const policy = { org: { orgId: 'o1' }, features: {}, gateway: { channelsEnabled: true, webhooksEnabled: false } };
export const audit = (n: number) => ({ eventId: `ev${n}`, createdAt: '2026-08-01T00:00:00.000Z', action: 'member.invite' });

export const identityCases: DomainCase[] = [
  {
    method: 'listApiTokens',
    args: [],
    exchanges: [get('/api/api-tokens', { tokens: [token] })],
    result: [token],
  },
  {
    method: 'listApiTokens',
    args: [{ limit: 5 }],
    exchanges: [get('/api/api-tokens?limit=5', { tokens: [] })],
    result: [],
  },
  {
    method: 'issueApiToken',
    args: [
      { name: 'gateway', scopes: ['gateway'], expiresAt: '2027-01-01T00:00:00.000Z', channelBindingIds: ['cb1'] },
      { idempotencyKey: 'k-1' },
    ],
    exchanges: [
      {
        request: {
          method: 'POST',
          path: '/api/api-tokens',
          body: {
            name: 'gateway',
            scopes: ['gateway'],
            expiresAt: '2027-01-01T00:00:00.000Z',
            channelBindingIds: ['cb1'],
          },
          idempotencyKey: 'k-1',
        },
        response: { status: 201, body: { token, plaintext: 'oct_secret' } },
      },
    ],
    result: { token, plaintext: 'oct_secret' },
  },
  {
    method: 'revokeApiToken',
    args: ['tok1'],
    exchanges: [send('DELETE', '/api/api-tokens/tok1', undefined, { token: revoked, revoked: true })],
    result: revoked,
  },
  {
    method: 'revokeApiToken',
    args: ['a/b?c#d', { idempotencyKey: 'k-2' }],
    exchanges: [send('DELETE', '/api/api-tokens/a%2Fb%3Fc%23d', undefined, { token: revoked, revoked: true }, 'k-2')],
    result: revoked,
  },
  {
    method: 'grantApiTokenChannelBinding',
    args: ['tok1', { channelBindingId: 'cb1' }],
    exchanges: [
      post(
        '/api/api-tokens/tok1/channel-bindings',
        { channelBindingId: 'cb1' },
        { grant, token: { ...token, channelBindingIds: ['cb1'] } },
      ),
    ],
    result: { grant, token: { ...token, channelBindingIds: ['cb1'] } },
  },
  {
    method: 'getAdminPolicy',
    args: [],
    exchanges: [get('/api/admin/policy', { policy })],
    result: policy,
  },
  {
    method: 'listOrgMembers',
    args: [],
    exchanges: [get('/api/admin/members', { members: [member] })],
    result: [member],
  },
  {
    method: 'listOrgMembers',
    args: [{ query: 'ada lovelace', limit: 20 }],
    exchanges: [get('/api/admin/members?q=ada+lovelace&limit=20', { members: [member] })],
    result: [member],
  },
  {
    method: 'inviteOrgMember',
    args: [{ email: 'ada@example.test' }],
    exchanges: [
      post(
        '/api/admin/members',
        { email: 'ada@example.test' },
        { member, inviteToken: 'inv', inviteExpiresAt: '2026-08-08T00:00:00.000Z' },
        undefined,
        201,
      ),
    ],
    result: member,
  },
  {
    method: 'inviteOrgMember',
    args: [{ email: 'ada@example.test', role: 'admin' }, { idempotencyKey: 'k-3' }],
    exchanges: [
      {
        request: {
          method: 'POST',
          path: '/api/admin/members',
          body: { email: 'ada@example.test', role: 'admin' },
          idempotencyKey: 'k-3',
        },
        response: {
          status: 201,
          body: { member: { ...member, role: 'admin' }, inviteToken: 'inv', inviteExpiresAt: null },
        },
      },
    ],
    result: { ...member, role: 'admin' },
  },
  {
    method: 'updateOrgMember',
    args: ['a2', { role: 'admin' }],
    exchanges: [post('/api/admin/members/a2/update', { role: 'admin' }, { member: { ...member, role: 'admin' } })],
    result: { ...member, role: 'admin' },
  },
  {
    method: 'updateOrgMember',
    args: ['a/b?c#d', { status: 'disabled', confirm: 'a/b?c#d' }],
    exchanges: [
      {
        request: {
          method: 'POST',
          path: '/api/admin/members/a%2Fb%3Fc%23d/update',
          body: { status: 'disabled', confirm: 'a/b?c#d' },
        },
        response: { body: { member: { ...member, status: 'disabled' } } },
      },
    ],
    result: { ...member, status: 'disabled' },
  },
  {
    method: 'listAdminAuditEvents',
    args: [],
    exchanges: [get('/api/admin/audit', { events: [audit(1)], nextCursor: 'c2' })],
    result: [audit(1)],
  },
  {
    method: 'listAdminAuditEvents',
    args: [50],
    exchanges: [get('/api/admin/audit?limit=50', { events: [], nextCursor: null })],
    result: [],
  },
  {
    method: 'listAdminAuditEventsPage',
    args: [{ limit: 2, cursor: 'c2' }],
    exchanges: [get('/api/admin/audit?limit=2&cursor=c2', { events: [audit(3), audit(4)], nextCursor: 'c3' })],
    result: { events: [audit(3), audit(4)], nextCursor: 'c3' },
  },
  {
    // An old server may leave `nextCursor` out on the last page.
    method: 'listAdminAuditEventsPage',
    args: [],
    exchanges: [get('/api/admin/audit', { events: [audit(1)] })],
    result: { events: [audit(1)], nextCursor: null },
  },
  {
    // Walks every page with the same page size, passing each nextCursor on.
    method: 'iterateAdminAuditEvents',
    args: [{ limit: 2 }],
    exchanges: [
      get('/api/admin/audit?limit=2', { events: [audit(1), audit(2)], nextCursor: 'c2' }),
      get('/api/admin/audit?limit=2&cursor=c2', { events: [audit(3)], nextCursor: 'c3' }),
      get('/api/admin/audit?limit=2&cursor=c3', { events: [], nextCursor: null }),
    ],
    result: [audit(1), audit(2), audit(3)],
  },
];
