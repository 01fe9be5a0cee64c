import { describe, expect, it } from 'vitest';
import { createHttpSseCloudTransportAdapter, type CloudFetch } from '../../src/adapter.js';
import { createFakeFetch, type FakeResponseInit } from '../helpers/fake-fetch.js';

/** One call as data (see settings.test.ts): arguments, exact request, server answer, result. */
export interface BillingCase {
  method: string;
  args: unknown[];
  request: { method: string; path: string; body?: unknown; idempotencyKey?: string };
  response: FakeResponseInit;
  result: unknown;
}

const event = {
  eventId: 'e1',
  orgId: 'o1',
  accountId: 'a1',
  eventType: 'prompt',
  quantity: 1,
  unit: 'count',
  metadata: {},
  createdAt: '2026-08-01T00:00:00.000Z',
};
const summary = {
  enabled: true,
  generatedAt: '2026-08-01T00:00:00.000Z',
  totalsScope: 'recent_events',
  eventSampleLimit: 10,
  events: [event],
  totals: [{ eventType: 'prompt', unit: 'count', quantity: 1 }],
  quotas: [],
};
const subscription = { enabled: false, mode: 'disabled', providerId: null, subscription: null, entitlements: {}, active: true };
const diagnostics = {
  generatedAt: '2026-08-01T00:00:00.000Z',
  redaction: 'secrets-redacted',
  org: { orgId: 'o1' },
  runtime: {},
  billing: subscription,
  byok: { configuredProviders: 0, providers: [] },
  usage: summary,
  gateway: { agents: 0, bindingsByProvider: {}, deliveriesByStatus: {} },
  links: {},
};
const checkout = { providerId: 'stripe', providerSessionId: 'cs_1', url: 'https://pay.test/cs_1' };
const portal = { providerId: 'stripe', url: 'https://pay.test/portal' };

export const billingCases: BillingCase[] = [
  {
    method: 'listUsageEvents',
    args: [],
    request: { method: 'GET', path: '/api/usage/events' },
    response: { body: { events: [event] } },
    result: [event],
  },
  {
    method: 'listUsageEvents',
    args: [25],
    request: { method: 'GET', path: '/api/usage/events?limit=25' },
    response: { body: { events: [] } },
    result: [],
  },
  {
    method: 'getUsageSummary',
    args: [10],
    request: { method: 'GET', path: '/api/usage/summary?limit=10' },
    response: { body: summary },
    result: summary,
  },
  {
    method: 'getUsageSummary',
    args: [],
    request: { method: 'GET', path: '/api/usage/summary' },
    response: { body: summary },
    result: summary,
  },
  {
    method: 'getDiagnosticsBundle',
    args: [],
    request: { method: 'GET', path: '/api/diagnostics' },
    response: { body: diagnostics },
    result: diagnostics,
  },
  {
    method: 'getBillingSubscription',
    args: [],
    request: { method: 'GET', path: '/api/billing/subscription' },
    response: { body: subscription },
    result: subscription,
  },
  {
    method: 'createBillingCheckout',
    args: [],
    request: { method: 'POST', path: '/api/billing/checkout', body: {} },
    response: { body: checkout },
    result: checkout,
  },
  {
    method: 'createBillingCheckout',
    args: [{ planKey: 'team', successUrl: 'https://app.test/ok', cancelUrl: 'https://app.test/no' }, { idempotencyKey: 'k-1' }],
    request: {
      method: 'POST',
      path: '/api/billing/checkout',
      body: { planKey: 'team', successUrl: 'https://app.test/ok', cancelUrl: 'https://app.test/no' },
      idempotencyKey: 'k-1',
    },
    response: { body: checkout },
    result: checkout,
  },
  {
    method: 'createBillingPortal',
    args: [],
    request: { method: 'POST', path: '/api/billing/portal', body: {} },
    response: { body: portal },
    result: portal,
  },
  {
    method: 'createBillingPortal',
    args: [{ returnUrl: 'https://app.test/settings' }, { idempotencyKey: 'k-2' }],
    request: { method: 'POST', path: '/api/billing/portal', body: { returnUrl: 'https://app.test/settings' }, idempotencyKey: 'k-2' },
    response: { body: portal },
    result: portal,
  },
];

const invalidCalls: { method: string; args: unknown[] }[] = [
  { method: 'listUsageEvents', args: [0] },
  { method: 'listUsageEvents', args: [1.5] },
  { method: 'getUsageSummary', args: ['10'] },
  { method: 'createBillingCheckout', args: ['team'] },
  { method: 'createBillingCheckout', args: [null] },
  { method: 'createBillingPortal', args: [['https://app.test']] },
];

function setup() {
  const fetch = createFakeFetch();
  const cloud = createHttpSseCloudTransportAdapter({ baseUrl: 'https://cloud.test', fetch: fetch as unknown as CloudFetch });
  const call = (method: string, args: unknown[]) =>
    (cloud as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>)[method]!(...args);
  return { fetch, call };
}

describe('billing domain', () => {
  it.each(billingCases)('$method $request.method $request.path', async (c) => {
    const { fetch, call } = setup();
    fetch.respond(c.response);
    await expect(call(c.method, c.args)).resolves.toEqual(c.result);
    expect(fetch.requests).toHaveLength(1);
    const sent = fetch.last();
    expect(sent.method).toBe(c.request.method);
    expect(sent.url).toBe(`https://cloud.test${c.request.path}`);
    expect(sent.headers['content-type']).toBe(c.request.body === undefined ? undefined : 'application/json');
    expect(sent.headers['idempotency-key']).toBe(c.request.idempotencyKey);
    expect(sent.json).toEqual(c.request.body);
  });

  it.each(invalidCalls)('$method rejects $args with kind request before any I/O', async ({ method, args }) => {
    const { fetch, call } = setup();
    await expect(call(method, args)).rejects.toMatchObject({ name: 'CloudTransportError', kind: 'request' });
    expect(fetch.requests).toHaveLength(0);
  });
});
