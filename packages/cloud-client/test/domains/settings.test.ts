import { describe, expect, it } from 'vitest';
import { createHttpSseCloudTransportAdapter, type CloudFetch } from '../../src/adapter.js';
import { createFakeFetch, type FakeResponseInit } from '../helpers/fake-fetch.js';

/**
 * One call of a domain method as data: the arguments, the exact request it must send, what the
 * server answers, and what the method returns. Kept free of the fake so the same table can drive
 * an end-to-end run against the real server.
 */
export interface SettingsCase {
  method: 'listSettings' | 'getSetting' | 'setSetting';
  args: unknown[];
  request: { method: string; path: string; body?: unknown; idempotencyKey?: string };
  response: FakeResponseInit;
  result: unknown;
}

const setting = { tenantId: 't1', userId: 'u1', key: 'theme', value: { mode: 'dark' }, updatedAt: '2026-08-01T00:00:00.000Z' };

export const settingsCases: SettingsCase[] = [
  {
    method: 'listSettings',
    args: [],
    request: { method: 'GET', path: '/api/settings' },
    response: { body: { settings: [setting, { tenantId: 't1', value: {} }, null] } },
    result: [setting],
  },
  {
    method: 'getSetting',
    args: ['theme'],
    request: { method: 'GET', path: '/api/settings/theme' },
    response: { body: { setting } },
    result: setting,
  },
  {
    method: 'getSetting',
    args: ['missing'],
    request: { method: 'GET', path: '/api/settings/missing' },
    response: { body: { setting: null } },
    result: null,
  },
  {
    method: 'getSetting',
    args: ['a/b?c#d'],
    request: { method: 'GET', path: '/api/settings/a%2Fb%3Fc%23d' },
    response: { body: { setting: { ...setting, key: 'a/b?c#d' } } },
    result: { ...setting, key: 'a/b?c#d' },
  },
  {
    method: 'setSetting',
    args: ['theme', { mode: 'dark' }],
    request: { method: 'PUT', path: '/api/settings/theme', body: { value: { mode: 'dark' } } },
    response: { body: { setting } },
    result: setting,
  },
  {
    method: 'setSetting',
    args: ['theme', { mode: 'dark' }, { idempotencyKey: 'k-1' }],
    request: { method: 'PUT', path: '/api/settings/theme', body: { value: { mode: 'dark' } }, idempotencyKey: 'k-1' },
    response: { body: { setting } },
    result: setting,
  },
];

const invalidCalls: { method: SettingsCase['method']; args: unknown[] }[] = [
  { method: 'getSetting', args: [''] },
  { method: 'setSetting', args: ['', {}] },
  { method: 'setSetting', args: ['theme', 'dark'] },
  { method: 'setSetting', args: ['theme', ['dark']] },
  { method: 'setSetting', args: ['theme', null] },
];

function setup() {
  const fetch = createFakeFetch();
  const cloud = createHttpSseCloudTransportAdapter({ baseUrl: 'https://cloud.test', fetch: fetch as unknown as CloudFetch });
  const call = (method: string, args: unknown[]) =>
    (cloud as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>)[method]!(...args);
  return { fetch, call };
}

describe('settings domain', () => {
  it.each(settingsCases)('$method $request.method $request.path', async (c) => {
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
