/** The settings domain's calls as data, shared by the client's unit test and the server's OpenAPI test. */
import { get, send, type DomainCase } from './exchange.js';

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
