import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engines } from '@open-cowork/test-support/db';
import { type Client, failure, type Harness, mintClient, startHarness } from './harness.js';

describe.each(engines)('settings through the client over real HTTP (%s)', (engine) => {
  let h: Harness;
  let cloud: Client;
  let other: Client;
  beforeAll(async () => {
    h = await startHarness({ engine });
    cloud = h.client;
    other = await mintClient(h.server, ['desktop'], { email: 'other@example.com' });
  });
  afterAll(() => h.server.close());

  it('stores a value per user, reads it back, lists it and replaces it', async () => {
    expect(await cloud.getSetting('theme')).toBeNull();
    const stored = await cloud.setSetting('theme', { mode: 'dark' });
    expect(stored).toMatchObject({
      key: 'theme',
      value: { mode: 'dark' },
      userId: expect.stringMatching(/.+/),
      tenantId: expect.any(String),
    });
    expect(Date.parse(stored.updatedAt)).not.toBeNaN();
    expect(await cloud.getSetting('theme')).toEqual(stored);
    const replaced = await cloud.setSetting('theme', { mode: 'light', contrast: 'high' });
    expect(replaced.value).toEqual({ mode: 'light', contrast: 'high' });
    expect((await cloud.listSettings()).filter((setting) => setting.key === 'theme')).toEqual([replaced]);
    // Another user of the same org sees none of it.
    expect(await other.getSetting('theme')).toBeNull();
    expect(await other.listSettings()).toEqual([]);
  });

  it('round-trips keys with reserved characters through the percent-decoded path segment', async () => {
    for (const key of ['a/b?c#d', 'ünïcödé key', '100%', 'x%2Fy']) {
      const stored = await cloud.setSetting(key, { key });
      expect(stored.key).toBe(key);
      expect(await cloud.getSetting(key)).toEqual(stored);
    }
  });

  it('refuses values that are not objects, with 400 and nothing written', async () => {
    for (const value of [[1, 2], 'text', 3, null]) {
      const response = await fetch(`${h.server.baseUrl}/api/settings/bad`, {
        method: 'PUT',
        headers: { authorization: `Bearer ${h.token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ value }),
      });
      expect(response.status).toBe(400);
      expect(await response.json()).toMatchObject({ code: 'request.invalid', error: expect.any(String) });
    }
    // The client refuses before any I/O.
    const error = await failure(cloud.setSetting('bad', [1] as never));
    expect(error.kind).toBe('request');
    expect(await cloud.getSetting('bad')).toBeNull();
  });
});
