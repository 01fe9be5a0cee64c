import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engines } from '@open-cowork/test-support/db';
import { startTestServer, type TestServer } from '@open-cowork/test-support/server';
import { type BadInputCase, expectRefused } from './workspace-bad-inputs.js';

const TABLES = ['settings'] as const;

describe.each(engines)('settings routes (%s)', (engine) => {
  let server: TestServer;
  let owner: string;
  let member: string;
  let admin: string;
  beforeAll(async () => {
    server = await startTestServer({ engine });
    owner = await server.mintToken(['desktop']);
    admin = await server.mintToken(['desktop', 'admin']);
    member = await server.mintToken(['desktop'], { email: 'settings-member@example.com' });
  });
  afterAll(() => server.close());

  const send = (token: string, method: 'GET' | 'PUT' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: object) =>
    server.app.inject({ method, url, headers: { authorization: `Bearer ${token}` }, ...(payload ? { payload } : {}) });

  const cases: BadInputCase[] = [
    { name: 'an array value', method: 'PUT', url: () => '/api/settings/k', body: { value: [1] }, status: 400, code: 'request.invalid' },
    { name: 'a string value', method: 'PATCH', url: () => '/api/settings/k', body: { value: 'x' }, status: 400, code: 'request.invalid' },
    { name: 'no value', method: 'POST', url: () => '/api/settings/k', body: {}, status: 400, code: 'request.invalid' },
    {
      name: 'a collection write without key',
      method: 'POST',
      url: () => '/api/settings',
      body: { value: {} },
      status: 400,
      code: 'request.invalid',
    },
    {
      name: 'a key over 256 characters',
      method: 'PUT',
      url: () => `/api/settings/${'k'.repeat(257)}`,
      body: { value: {} },
      status: 400,
      code: 'request.invalid',
    },
    {
      name: 'a value over 64 KiB',
      method: 'PUT',
      url: () => '/api/settings/k',
      body: { value: { blob: 'x'.repeat(70_000) } },
      status: 413,
      code: 'settings.value_too_large',
    },
    {
      name: 'an unknown scope',
      method: 'PUT',
      url: () => '/api/settings/k?scope=org',
      body: { value: {} },
      status: 400,
      code: 'request.invalid',
    },
  ];

  it.each(cases)('refuses $name → $status $code', async (bad) => {
    await expectRefused(server, owner, bad, TABLES);
  });

  it('takes keys of up to 256 characters, percent-encoded in the path', async () => {
    const key = 'é/'.repeat(128);
    const stored = await send(owner, 'PUT', `/api/settings/${encodeURIComponent(key)}`, { value: { long: true } });
    expect(stored.statusCode).toBe(200);
    expect(stored.json().setting.key).toBe(key);
    expect((await send(owner, 'GET', `/api/settings/${encodeURIComponent(key)}`)).json().setting.value).toEqual({ long: true });
  });

  it('accepts PUT, POST, PATCH and the collection POST as the same replacement, audited', async () => {
    expect((await send(owner, 'PUT', '/api/settings/a', { value: { n: 1 } })).json().setting.value).toEqual({ n: 1 });
    expect((await send(owner, 'POST', '/api/settings/a', { value: { n: 2 } })).json().setting.value).toEqual({ n: 2 });
    expect((await send(owner, 'PATCH', '/api/settings/a', { value: { m: 3 } })).json().setting.value).toEqual({ m: 3 });
    expect((await send(owner, 'POST', '/api/settings', { key: 'a', value: { n: 4 } })).json().setting.value).toEqual({ n: 4 });
    const { rows } = await server.db.query<{ action: string }>(
      "SELECT action FROM audit_events WHERE target_type = 'setting' AND target_id = 'a'",
    );
    expect(rows.map((row) => row.action)).toEqual(['setting.set', 'setting.set', 'setting.set', 'setting.set']);
    expect((await send(owner, 'DELETE', '/api/settings/a')).json()).toEqual({ deleted: true });
    expect((await send(owner, 'GET', '/api/settings/a')).json()).toEqual({ setting: null });
  });

  it('serves tenant-wide values written by admins, under each user’s own value', async () => {
    const refused = await send(member, 'PUT', '/api/settings/theme?scope=tenant', { value: { mode: 'dark' } });
    expect(refused.statusCode).toBe(403);
    // A desktop token of the owner is not an admin token either.
    expect((await send(owner, 'PUT', '/api/settings/theme?scope=tenant', { value: { mode: 'dark' } })).statusCode).toBe(403);
    const tenant = (await send(admin, 'PUT', '/api/settings/theme?scope=tenant', { value: { mode: 'dark' } })).json().setting;
    expect(tenant).toMatchObject({ userId: null, key: 'theme', value: { mode: 'dark' } });
    // Without a value of their own, a member reads the tenant's.
    expect((await send(member, 'GET', '/api/settings/theme')).json().setting).toEqual(tenant);
    const own = (await send(member, 'PUT', '/api/settings/theme', { value: { mode: 'light' } })).json().setting;
    expect(own.userId).not.toBeNull();
    expect((await send(member, 'GET', '/api/settings/theme')).json().setting).toEqual(own);
    expect((await send(member, 'GET', '/api/settings/theme?scope=tenant')).json().setting).toEqual(tenant);
    expect((await send(member, 'GET', '/api/settings')).json().settings).toEqual([own, tenant]);
  });
});
