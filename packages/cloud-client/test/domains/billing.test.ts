import { describe, expect, it } from 'vitest';
import { createHttpSseCloudTransportAdapter, type CloudFetch } from '../../src/adapter.js';
import { createFakeFetch } from '../helpers/fake-fetch.js';
// Type-only: the case shapes are shared, the tests of sessions.test.ts are not re-registered.
import type { DomainCase } from './sessions.test.js';

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
const subscription = {
  enabled: false,
  mode: 'disabled',
  providerId: null,
  subscription: null,
  entitlements: {},
  active: true,
};
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

export const billingCases: DomainCase[] = [
  {
    method: 'listUsageEvents',
    args: [],
    exchanges: [
      {
        request: { method: 'GET', path: '/api/usage/events' },
        response: { body: { events: [event] } },
      },
    ],
    result: [event],
  },
  {
    method: 'listUsageEvents',
    args: [25],
    exchanges: [
      {
        request: { method: 'GET', path: '/api/usage/events?limit=25' },
        response: { body: { events: [] } },
      },
    ],
    result: [],
  },
  {
    method: 'getUsageSummary',
    args: [10],
    exchanges: [
      {
        request: { method: 'GET', path: '/api/usage/summary?limit=10' },
        response: { body: summary },
      },
    ],
    result: summary,
  },
  {
    method: 'getUsageSummary',
    args: [],
    exchanges: [
      {
        request: { method: 'GET', path: '/api/usage/summary' },
        response: { body: summary },
      },
    ],
    result: summary,
  },
  {
    method: 'getDiagnosticsBundle',
    args: [],
    exchanges: [
      {
        request: { method: 'GET', path: '/api/diagnostics' },
        response: { body: diagnostics },
      },
    ],
    result: diagnostics,
  },
  {
    method: 'getBillingSubscription',
    args: [],
    exchanges: [
      {
        request: { method: 'GET', path: '/api/billing/subscription' },
        response: { body: subscription },
      },
    ],
    result: subscription,
  },
  {
    method: 'createBillingCheckout',
    args: [],
    exchanges: [
      {
        request: { method: 'POST', path: '/api/billing/checkout', body: {} },
        response: { body: checkout },
      },
    ],
    result: checkout,
  },
  {
    method: 'createBillingCheckout',
    args: [
      { planKey: 'team', successUrl: 'https://app.test/ok', cancelUrl: 'https://app.test/no' },
      { idempotencyKey: 'k-1' },
    ],
    exchanges: [
      {
        request: {
          method: 'POST',
          path: '/api/billing/checkout',
          body: { planKey: 'team', successUrl: 'https://app.test/ok', cancelUrl: 'https://app.test/no' },
          idempotencyKey: 'k-1',
        },
        response: { body: checkout },
      },
    ],
    result: checkout,
  },
  {
    method: 'createBillingPortal',
    args: [],
    exchanges: [
      {
        request: { method: 'POST', path: '/api/billing/portal', body: {} },
        response: { body: portal },
      },
    ],
    result: portal,
  },
  {
    method: 'createBillingPortal',
    args: [{ returnUrl: 'https://app.test/settings' }, { idempotencyKey: 'k-2' }],
    exchanges: [
      {
        request: {
          method: 'POST',
          path: '/api/billing/portal',
          body: { returnUrl: 'https://app.test/settings' },
          idempotencyKey: 'k-2',
        },
        response: { body: portal },
      },
    ],
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

describe('billing domain', () => {
  it.each(billingCases)('$method $exchanges.0.request.method $exchanges.0.request.path', runCase);

  it.each(invalidCalls)('$method rejects $args with kind request before any I/O', async ({ method, args }) => {
    const { fetch, call } = setup();
    await expect(call(method, args)).rejects.toMatchObject({ name: 'CloudTransportError', kind: 'request' });
    expect(fetch.requests).toHaveLength(0);
  });
});
