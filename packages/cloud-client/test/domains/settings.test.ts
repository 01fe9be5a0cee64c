import { describe, expect, it } from 'vitest';
import {
  CASE_TITLE,
  INVALID_TITLE,
  get,
  runCase,
  runInvalid,
  send,
  setup,
  type DomainCase,
  type InvalidCall,
} from '../helpers/domain-cases.js';

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
    exchanges: [get('/api/settings', { settings: [setting, { tenantId: 't1', value: {} }, null] })],
    result: [setting],
  },
  {
    method: 'getSetting',
    args: ['theme'],
    exchanges: [get('/api/settings/theme', { setting })],
    result: setting,
  },
  {
    method: 'getSetting',
    args: ['missing'],
    exchanges: [get('/api/settings/missing', { setting: null })],
    result: null,
  },
  {
    method: 'getSetting',
    args: ['a/b?c#d'],
    exchanges: [get('/api/settings/a%2Fb%3Fc%23d', { setting: { ...setting, key: 'a/b?c#d' } })],
    result: { ...setting, key: 'a/b?c#d' },
  },
  {
    method: 'setSetting',
    args: ['theme', { mode: 'dark' }],
    exchanges: [send('PUT', '/api/settings/theme', { value: { mode: 'dark' } }, { setting })],
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

const invalidCalls: InvalidCall[] = [
  { method: 'getSetting', args: [''] },
  { method: 'setSetting', args: ['', {}] },
  { method: 'setSetting', args: ['theme', 'dark'] },
  { method: 'setSetting', args: ['theme', ['dark']] },
  { method: 'setSetting', args: ['theme', null] },
];

describe('settings domain', () => {
  it.each(settingsCases)(CASE_TITLE, runCase);

  it.each(invalidCalls)(INVALID_TITLE, runInvalid);

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
