import { describe, expect, it } from 'vitest';
import { createHttpSseCloudTransportAdapter, type CloudFetch } from '../../src/adapter.js';
import { createFakeFetch } from '../helpers/fake-fetch.js';
// Type-only: the case shapes are shared, the tests of sessions.test.ts are not re-registered.
import type { DomainCase, Exchange } from './sessions.test.js';

const get = (path: string, body: unknown): Exchange => ({ request: { method: 'GET', path }, response: { body } });

const config = {
  role: 'member',
  profileName: 'default',
  features: { workflows: true },
  allowedAgents: null,
  allowedTools: ['read'],
  allowedMcps: null,
  publicBranding: null,
};
const workspace = {
  tenantId: 't1',
  tenantName: null,
  orgId: 'o1',
  orgName: 'Org',
  userId: 'u1',
  accountId: 'a1',
  email: 'a@example.test',
  role: 'owner',
  profileName: 'default',
  policy: {
    features: {},
    allowedAgents: null,
    allowedTools: null,
    allowedMcps: null,
    localFiles: 'disabled',
    localStdioMcps: 'disabled',
    machineRuntimeConfig: 'disabled',
  },
};
const runtime = {
  role: 'member',
  profileName: 'default',
  canExecute: true,
  commandProcessing: 'inline',
  checkpoints: false,
  heartbeats: [],
};

export const configCases: DomainCase[] = [
  { method: 'getConfig', args: [], exchanges: [get('/api/config', config)], result: config },
  { method: 'getWorkspace', args: [], exchanges: [get('/api/workspace', workspace)], result: workspace },
  { method: 'getRuntimeStatus', args: [], exchanges: [get('/api/runtime/status', runtime)], result: runtime },
];

function setup() {
  const fetch = createFakeFetch();
  const cloud = createHttpSseCloudTransportAdapter({ baseUrl: 'https://cloud.test', fetch: fetch as unknown as CloudFetch });
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

describe('config domain', () => {
  it.each(configCases)('$method $exchanges.0.request.method $exchanges.0.request.path', runCase);

  it('getWorkspace rejects with kind forbidden when the membership is inactive', async () => {
    const { fetch, call } = setup();
    fetch.respond({ status: 403, body: { error: 'Membership is not active.', code: 'membership.inactive' } });
    await expect(call('getWorkspace', [])).rejects.toMatchObject({ kind: 'forbidden', code: 'membership.inactive' });
  });
});
