import { describe, expect, it } from 'vitest';
import { createHttpSseCloudTransportAdapter, type CloudFetch } from '../../src/adapter.js';
import { createFakeFetch } from '../helpers/fake-fetch.js';
// Type-only: the case shapes are shared, the tests of sessions.test.ts are not re-registered.
import type { DomainCase } from './sessions.test.js';

const secret = {
  secretId: 's1',
  providerId: 'openai',
  status: 'pending_validation',
  credentialKind: 'plaintext',
  last4: 'abcd',
  keyFingerprint: 'sha256:00',
  lastValidatedAt: null,
  validationError: null,
  createdAt: '2026-08-01T00:00:00.000Z',
  updatedAt: '2026-08-01T00:00:00.000Z',
};
const active = { ...secret, status: 'active', lastValidatedAt: '2026-08-01T00:01:00.000Z' };
const disabled = { ...secret, status: 'disabled' };

export const byokCases: DomainCase[] = [
  {
    method: 'listByokSecrets',
    args: [],
    exchanges: [
      {
        request: { method: 'GET', path: '/api/byok' },
        response: { body: { secrets: [secret] } },
      },
    ],
    result: [secret],
  },
  {
    method: 'getByokSecret',
    args: ['openai'],
    exchanges: [
      {
        request: { method: 'GET', path: '/api/byok/openai' },
        response: { body: { secret } },
      },
    ],
    result: secret,
  },
  {
    method: 'getByokSecret',
    args: ['a/b?c#d'],
    exchanges: [
      {
        request: { method: 'GET', path: '/api/byok/a%2Fb%3Fc%23d' },
        response: { body: { secret: null } },
      },
    ],
    result: null,
  },
  {
    method: 'setByokSecret',
    args: ['openai', { apiKey: 'sk-test-abcd' }],
    exchanges: [
      {
        request: { method: 'POST', path: '/api/byok/openai', body: { apiKey: 'sk-test-abcd' } },
        response: { status: 201, body: { secret } },
      },
    ],
    result: secret,
  },
  {
    method: 'setByokSecret',
    args: ['openai', { kmsRef: 'gcp-kms://keys/openai', plaintext: undefined }, { idempotencyKey: 'k-1' }],
    exchanges: [
      {
        request: {
          method: 'POST',
          path: '/api/byok/openai',
          body: { kmsRef: 'gcp-kms://keys/openai' },
          idempotencyKey: 'k-1',
        },
        response: { status: 201, body: { secret: { ...secret, credentialKind: 'kms_ref' } } },
      },
    ],
    result: { ...secret, credentialKind: 'kms_ref' },
  },
  {
    method: 'validateByokSecret',
    args: ['openai'],
    exchanges: [
      {
        request: { method: 'POST', path: '/api/byok/openai/validate' },
        response: { body: { secret: active, validated: true } },
      },
    ],
    result: active,
  },
  {
    method: 'overrideByokSecretValidation',
    args: ['openai', { reason: 'Provider outage' }, { idempotencyKey: 'k-2' }],
    exchanges: [
      {
        request: {
          method: 'POST',
          path: '/api/byok/openai/override',
          body: { reason: 'Provider outage' },
          idempotencyKey: 'k-2',
        },
        response: { body: { secret: active, overridden: true } },
      },
    ],
    result: active,
  },
  {
    method: 'deleteByokSecret',
    args: ['openai'],
    exchanges: [
      {
        request: { method: 'DELETE', path: '/api/byok/openai' },
        response: { body: { secret: disabled, disabled: true } },
      },
    ],
    result: disabled,
  },
  {
    // Nothing to disable: the first client reported `true` here (pitfall 13).
    method: 'deleteByokSecret',
    args: ['anthropic'],
    exchanges: [
      {
        request: { method: 'DELETE', path: '/api/byok/anthropic' },
        response: { body: { secret: null, disabled: false } },
      },
    ],
    result: null,
  },
];

const invalidCalls: { method: string; args: unknown[] }[] = [
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

describe('byok domain', () => {
  it.each(byokCases)('$method $exchanges.0.request.method $exchanges.0.request.path', runCase);

  it.each(invalidCalls)('$method rejects $args with kind request before any I/O', async ({ method, args }) => {
    const { fetch, call } = setup();
    await expect(call(method, args)).rejects.toMatchObject({ name: 'CloudTransportError', kind: 'request' });
    expect(fetch.requests).toHaveLength(0);
  });

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
