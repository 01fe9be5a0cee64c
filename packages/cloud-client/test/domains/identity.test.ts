import { describe, expect, it } from 'vitest';
import { createHttpSseCloudTransportAdapter, type CloudFetch } from '../../src/adapter.js';
import { createFakeFetch } from '../helpers/fake-fetch.js';
// Type-only: the case shapes are shared, the tests of sessions.test.ts are not re-registered.
import type { DomainCase } from './sessions.test.js';

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
const audit = (n: number) => ({ eventId: `ev${n}`, createdAt: '2026-08-01T00:00:00.000Z', action: 'member.invite' });

export const identityCases: DomainCase[] = [
  {
    method: 'listApiTokens',
    args: [],
    exchanges: [
      {
        request: { method: 'GET', path: '/api/api-tokens' },
        response: { body: { tokens: [token] } },
      },
    ],
    result: [token],
  },
  {
    method: 'listApiTokens',
    args: [{ limit: 5 }],
    exchanges: [
      {
        request: { method: 'GET', path: '/api/api-tokens?limit=5' },
        response: { body: { tokens: [] } },
      },
    ],
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
    exchanges: [
      {
        request: { method: 'DELETE', path: '/api/api-tokens/tok1' },
        response: { body: { token: revoked, revoked: true } },
      },
    ],
    result: revoked,
  },
  {
    method: 'revokeApiToken',
    args: ['a/b?c#d', { idempotencyKey: 'k-2' }],
    exchanges: [
      {
        request: { method: 'DELETE', path: '/api/api-tokens/a%2Fb%3Fc%23d', idempotencyKey: 'k-2' },
        response: { body: { token: revoked, revoked: true } },
      },
    ],
    result: revoked,
  },
  {
    method: 'grantApiTokenChannelBinding',
    args: ['tok1', { channelBindingId: 'cb1' }],
    exchanges: [
      {
        request: { method: 'POST', path: '/api/api-tokens/tok1/channel-bindings', body: { channelBindingId: 'cb1' } },
        response: { body: { grant, token: { ...token, channelBindingIds: ['cb1'] } } },
      },
    ],
    result: { grant, token: { ...token, channelBindingIds: ['cb1'] } },
  },
  {
    method: 'getAdminPolicy',
    args: [],
    exchanges: [
      {
        request: { method: 'GET', path: '/api/admin/policy' },
        response: { body: { policy } },
      },
    ],
    result: policy,
  },
  {
    method: 'listOrgMembers',
    args: [],
    exchanges: [
      {
        request: { method: 'GET', path: '/api/admin/members' },
        response: { body: { members: [member] } },
      },
    ],
    result: [member],
  },
  {
    method: 'listOrgMembers',
    args: [{ query: 'ada lovelace', limit: 20 }],
    exchanges: [
      {
        request: { method: 'GET', path: '/api/admin/members?q=ada+lovelace&limit=20' },
        response: { body: { members: [member] } },
      },
    ],
    result: [member],
  },
  {
    method: 'inviteOrgMember',
    args: [{ email: 'ada@example.test' }],
    exchanges: [
      {
        request: { method: 'POST', path: '/api/admin/members', body: { email: 'ada@example.test' } },
        response: { status: 201, body: { member, inviteToken: 'inv', inviteExpiresAt: '2026-08-08T00:00:00.000Z' } },
      },
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
    exchanges: [
      {
        request: { method: 'POST', path: '/api/admin/members/a2/update', body: { role: 'admin' } },
        response: { body: { member: { ...member, role: 'admin' } } },
      },
    ],
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
    exchanges: [
      {
        request: { method: 'GET', path: '/api/admin/audit' },
        response: { body: { events: [audit(1)], nextCursor: 'c2' } },
      },
    ],
    result: [audit(1)],
  },
  {
    method: 'listAdminAuditEvents',
    args: [50],
    exchanges: [
      {
        request: { method: 'GET', path: '/api/admin/audit?limit=50' },
        response: { body: { events: [], nextCursor: null } },
      },
    ],
    result: [],
  },
  {
    method: 'listAdminAuditEventsPage',
    args: [{ limit: 2, cursor: 'c2' }],
    exchanges: [
      {
        request: { method: 'GET', path: '/api/admin/audit?limit=2&cursor=c2' },
        response: { body: { events: [audit(3), audit(4)], nextCursor: 'c3' } },
      },
    ],
    result: { events: [audit(3), audit(4)], nextCursor: 'c3' },
  },
  {
    // An old server may leave `nextCursor` out on the last page.
    method: 'listAdminAuditEventsPage',
    args: [],
    exchanges: [
      {
        request: { method: 'GET', path: '/api/admin/audit' },
        response: { body: { events: [audit(1)] } },
      },
    ],
    result: { events: [audit(1)], nextCursor: null },
  },
  {
    // Walks every page with the same page size, passing each nextCursor on.
    method: 'iterateAdminAuditEvents',
    args: [{ limit: 2 }],
    exchanges: [
      {
        request: { method: 'GET', path: '/api/admin/audit?limit=2' },
        response: { body: { events: [audit(1), audit(2)], nextCursor: 'c2' } },
      },
      {
        request: { method: 'GET', path: '/api/admin/audit?limit=2&cursor=c2' },
        response: { body: { events: [audit(3)], nextCursor: 'c3' } },
      },
      {
        request: { method: 'GET', path: '/api/admin/audit?limit=2&cursor=c3' },
        response: { body: { events: [], nextCursor: null } },
      },
    ],
    result: [audit(1), audit(2), audit(3)],
  },
];

const invalidCalls: { method: string; args: unknown[] }[] = [
  { method: 'listApiTokens', args: [{ limit: -1 }] },
  { method: 'issueApiToken', args: [{ scopes: ['gateway'] }] },
  { method: 'issueApiToken', args: [{ name: 'x', scopes: [] }] },
  { method: 'issueApiToken', args: [{ name: 'x', scopes: ['root'] }] },
  { method: 'issueApiToken', args: [{ name: 'x', scopes: 'gateway' }] },
  { method: 'issueApiToken', args: [{ name: 'x', scopes: ['gateway'], channelBindingIds: [''] }] },
  { method: 'issueApiToken', args: [null] },
  { method: 'revokeApiToken', args: [''] },
  { method: 'grantApiTokenChannelBinding', args: ['tok1', {}] },
  { method: 'grantApiTokenChannelBinding', args: ['', { channelBindingId: 'cb1' }] },
  { method: 'listOrgMembers', args: [{ limit: 0 }] },
  { method: 'listOrgMembers', args: [{ query: { q: 'ada' } }] },
  { method: 'listOrgMembers', args: [null] },
  { method: 'listApiTokens', args: [null] },
  { method: 'inviteOrgMember', args: [{ email: '' }] },
  { method: 'inviteOrgMember', args: [{ email: 'not-an-email' }] },
  { method: 'inviteOrgMember', args: [{ email: 'ada@example.test', role: 'root' }] },
  { method: 'updateOrgMember', args: ['a2', {}] },
  { method: 'updateOrgMember', args: ['a2', { role: 'root' }] },
  { method: 'updateOrgMember', args: ['a2', { status: 'gone' }] },
  { method: 'updateOrgMember', args: ['a2', { status: 'disabled' }] },
  { method: 'updateOrgMember', args: ['a2', { status: 'disabled', confirm: 'a3' }] },
  { method: 'updateOrgMember', args: ['', { role: 'admin' }] },
  { method: 'listAdminAuditEvents', args: [2.5] },
  { method: 'listAdminAuditEventsPage', args: [{ cursor: '' }] },
  // An array is not a query object, and a missing scope is not a scope (both were sent before).
  { method: 'listApiTokens', args: [[]] },
  { method: 'listOrgMembers', args: [[]] },
  { method: 'listAdminAuditEventsPage', args: [[]] },
  { method: 'issueApiToken', args: [{ name: 'x', scopes: ['gateway', undefined] }] },
];

function setup() {
  const fetch = createFakeFetch();
  const cloud = createHttpSseCloudTransportAdapter({
    baseUrl: 'https://cloud.test',
    fetch: fetch as unknown as CloudFetch,
  });
  const call = async (method: string, args: unknown[]) => {
    const value = (cloud as unknown as Record<string, (...args: unknown[]) => unknown>)[method]!(...args);
    if (typeof value !== 'object' || value === null || !(Symbol.asyncIterator in value)) return value;
    const items: unknown[] = [];
    for await (const item of value as AsyncIterable<unknown>) items.push(item);
    return items;
  };
  return { fetch, cloud, call };
}

async function runCase(c: DomainCase) {
  const { fetch, call } = setup();
  for (const exchange of c.exchanges) fetch.respond(exchange.response);
  await expect(call(c.method, c.args)).resolves.toEqual(c.result);
  expect(fetch.requests).toHaveLength(c.exchanges.length);
  c.exchanges.forEach(({ request }, index) => {
    const sent = fetch.requests[index]!;
    expect(sent.method).toBe(request.method);
    expect(sent.url).toBe(`https://cloud.test${request.path}`);
    expect(sent.headers['content-type']).toBe(request.body === undefined ? undefined : 'application/json');
    expect(sent.headers['idempotency-key']).toBe(request.idempotencyKey);
    expect(sent.json).toEqual(request.body);
  });
}

describe('identity domain', () => {
  it.each(identityCases)('$method $exchanges.0.request.method $exchanges.0.request.path', runCase);

  it.each(invalidCalls)('$method rejects $args with kind request before any I/O', async ({ method, args }) => {
    const { fetch, call } = setup();
    await expect(call(method, args)).rejects.toMatchObject({ name: 'CloudTransportError', kind: 'request' });
    expect(fetch.requests).toHaveLength(0);
  });

  it('iterateAdminAuditEvents stops fetching when the loop breaks', async () => {
    const { fetch, cloud } = setup();
    fetch.respond({ body: { events: [audit(1), audit(2)], nextCursor: 'c2' } });
    for await (const event of cloud.iterateAdminAuditEvents()) if (event.eventId === 'ev1') break;
    expect(fetch.requests).toHaveLength(1);
  });

  it('revokeApiToken surfaces an unknown token as kind not_found', async () => {
    const { fetch, call } = setup();
    fetch.respond({ status: 404, body: { error: 'API token was not found.', code: 'api_tokens.not_found' } });
    await expect(
      call('revokeApiToken', ['nope']),
    ).rejects.toMatchObject({ kind: 'not_found', code: 'api_tokens.not_found' });
  });
});
