import { describe, expect, it } from 'vitest';
import { CASE_TITLE, INVALID_TITLE, runCase, runInvalid, setup, type InvalidCall } from '../helpers/domain-cases.js';
import { settingsCases } from '@open-cowork/test-support/cases/settings';

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
