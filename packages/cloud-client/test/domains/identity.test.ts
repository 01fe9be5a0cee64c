import { describe, expect, it } from 'vitest';
import { CASE_TITLE, INVALID_TITLE, runCase, runInvalid, setup, type InvalidCall } from '../helpers/domain-cases.js';
import { identityCases, audit } from '@open-cowork/test-support/cases/identity';

const invalidCalls: InvalidCall[] = [
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

describe('identity domain', () => {
  it.each(identityCases)(CASE_TITLE, runCase);

  it.each(invalidCalls)(INVALID_TITLE, runInvalid);

  it('iterateAdminAuditEvents stops fetching when the loop breaks', async () => {
    const { fetch, cloud } = setup();
    fetch.respond({ body: { events: [audit(1), audit(2)], nextCursor: 'c2' } });
    for await (const event of cloud.iterateAdminAuditEvents()) if (event.eventId === 'ev1') break;
    expect(fetch.requests).toHaveLength(1);
  });

  it('revokeApiToken surfaces an unknown token as kind not_found', async () => {
    const { fetch, call } = setup();
    fetch.respond({ status: 404, body: { error: 'API token was not found.', code: 'api_tokens.not_found' } });
    await expect(call('revokeApiToken', ['nope'])).rejects.toMatchObject({ kind: 'not_found', code: 'api_tokens.not_found' });
  });
});
