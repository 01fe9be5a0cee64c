/** The billing domain's calls as data, shared by the client's unit test and the server's OpenAPI test. */
import { get, post, type DomainCase } from './exchange.js';

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
    exchanges: [get('/api/usage/events', { events: [event] })],
    result: [event],
  },
  {
    method: 'listUsageEvents',
    args: [25],
    exchanges: [get('/api/usage/events?limit=25', { events: [] })],
    result: [],
  },
  {
    method: 'getUsageSummary',
    args: [10],
    exchanges: [get('/api/usage/summary?limit=10', summary)],
    result: summary,
  },
  {
    method: 'getUsageSummary',
    args: [],
    exchanges: [get('/api/usage/summary', summary)],
    result: summary,
  },
  {
    method: 'getDiagnosticsBundle',
    args: [],
    exchanges: [get('/api/diagnostics', diagnostics)],
    result: diagnostics,
  },
  {
    method: 'getBillingSubscription',
    args: [],
    exchanges: [get('/api/billing/subscription', subscription)],
    result: subscription,
  },
  {
    method: 'createBillingCheckout',
    args: [],
    exchanges: [post('/api/billing/checkout', {}, checkout)],
    result: checkout,
  },
  {
    method: 'createBillingCheckout',
    args: [{ planKey: 'team', successUrl: 'https://app.test/ok', cancelUrl: 'https://app.test/no' }, { idempotencyKey: 'k-1' }],
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
    exchanges: [post('/api/billing/portal', {}, portal)],
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
