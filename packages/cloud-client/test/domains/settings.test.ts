import { describe, expect, it } from 'vitest';
import { createHttpSseCloudTransportAdapter, type CloudFetch } from '../../src/adapter.js';
import { createFakeFetch } from '../helpers/fake-fetch.js';
// Type-only: the case shapes are shared, the tests of sessions.test.ts are not re-registered.
import type { DomainCase } from './sessions.test.js';

const setting = {
  tenantId: 't1',
  userId: 'u1',
  key: 'theme',
  value: { mode: 'dark' },
  updatedAt: '2026-08-01T00:00:00.000Z',
};

export const settingsCases: DomainCase[] = [
  {
    method: 'listSettings',
    args: [],
    exchanges: [
      {
        request: { method: 'GET', path: '/api/settings' },
        response: { body: { settings: [setting, { tenantId: 't1', value: {} }, null] } },
      },
    ],
    result: [setting],
  },
  {
    method: 'getSetting',
    args: ['theme'],
    exchanges: [
      {
        request: { method: 'GET', path: '/api/settings/theme' },
        response: { body: { setting } },
      },
    ],
    result: setting,
  },
  {
    method: 'getSetting',
    args: ['missing'],
    exchanges: [
      {
        request: { method: 'GET', path: '/api/settings/missing' },
        response: { body: { setting: null } },
      },
    ],
    result: null,
  },
  {
    method: 'getSetting',
    args: ['a/b?c#d'],
    exchanges: [
      {
        request: { method: 'GET', path: '/api/settings/a%2Fb%3Fc%23d' },
        response: { body: { setting: { ...setting, key: 'a/b?c#d' } } },
      },
    ],
    result: { ...setting, key: 'a/b?c#d' },
  },
  {
    method: 'setSetting',
    args: ['theme', { mode: 'dark' }],
    exchanges: [
      {
        request: { method: 'PUT', path: '/api/settings/theme', body: { value: { mode: 'dark' } } },
        response: { body: { setting } },
      },
    ],
    result: setting,
  },
  {
    method: 'setSetting',
    args: ['theme', { mode: 'dark' }, { idempotencyKey: 'k-1' }],
    exchanges: [
      {
        request: {
          method: 'PUT',
          path: '/api/settings/theme',
          body: { value: { mode: 'dark' } },
          idempotencyKey: 'k-1',
        },
        response: { body: { setting } },
      },
    ],
    result: setting,
  },
];

const invalidCalls: { method: string; args: unknown[] }[] = [
  { method: 'getSetting', args: [''] },
  { method: 'setSetting', args: ['', {}] },
  { method: 'setSetting', args: ['theme', 'dark'] },
  { method: 'setSetting', args: ['theme', ['dark']] },
  { method: 'setSetting', args: ['theme', null] },
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

describe('settings domain', () => {
  it.each(settingsCases)('$method $exchanges.0.request.method $exchanges.0.request.path', runCase);

  it.each(invalidCalls)('$method rejects $args with kind request before any I/O', async ({ method, args }) => {
    const { fetch, call } = setup();
    await expect(call(method, args)).rejects.toMatchObject({ name: 'CloudTransportError', kind: 'request' });
    expect(fetch.requests).toHaveLength(0);
  });

  it('setSetting rejects with kind parse when the server answers without a setting', async () => {
    const { fetch, call } = setup();
    fetch.respond({ body: { setting: null } });
    await expect(call('setSetting', ['theme', {}])).rejects.toMatchObject({ kind: 'parse' });
  });

  it('getSetting surfaces a 404 as kind not_found', async () => {
    const { fetch, call } = setup();
    fetch.respond({ status: 404, body: { error: 'Not found.', code: 'route.not_found' } });
    await expect(call('getSetting', ['theme'])).rejects.toMatchObject({ kind: 'not_found', code: 'route.not_found' });
  });
});
