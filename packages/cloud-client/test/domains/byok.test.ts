import { describe, expect, it } from 'vitest';
import { CASE_TITLE, INVALID_TITLE, runCase, runInvalid, setup, type InvalidCall } from '../helpers/domain-cases.js';
import { byokCases, active } from '@open-cowork/test-support/cases/byok';

const invalidCalls: InvalidCall[] = [
  { method: 'getByokSecret', args: [''] },
  { method: 'setByokSecret', args: ['openai', {}] },
  { method: 'setByokSecret', args: ['openai', { apiKey: 'a', key: 'b' }] },
  { method: 'setByokSecret', args: ['openai', { plaintext: 'a', kmsRef: 'b' }] },
  { method: 'setByokSecret', args: ['openai', { apiKey: '' }] },
  { method: 'setByokSecret', args: ['openai', { apiKey: 42 }] },
  { method: 'setByokSecret', args: ['openai', null] },
  { method: 'setByokSecret', args: ['', { apiKey: 'sk' }] },
  { method: 'validateByokSecret', args: [''] },
  { method: 'overrideByokSecretValidation', args: ['openai', {}] },
  { method: 'overrideByokSecretValidation', args: ['openai', { reason: '  ' }] },
  { method: 'overrideByokSecretValidation', args: ['openai'] },
  { method: 'deleteByokSecret', args: [42] },
];

describe('byok domain', () => {
  it.each(byokCases)(CASE_TITLE, runCase);

  it.each(invalidCalls)(INVALID_TITLE, runInvalid);

  it('validateByokSecret sends no body at all, not even {}', async () => {
    const { fetch, call } = setup();
    fetch.respond({ body: { secret: active, validated: true } });
    await call('validateByokSecret', ['openai']);
    expect(fetch.last().body).toBeUndefined();
  });

  it('surfaces a billing entitlement denial as kind payment_required with its code', async () => {
    const { fetch, call } = setup();
    fetch.respond({
      status: 402,
      body: {
        error: 'Provider not entitled.',
        verdict: { allowed: false, policyCode: 'billing.provider_not_entitled' },
      },
    });
    await expect(call('setByokSecret', ['openai', { apiKey: 'sk' }])).rejects.toMatchObject({
      kind: 'payment_required',
      code: 'billing.provider_not_entitled',
    });
  });
});
