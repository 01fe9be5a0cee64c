import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engines } from '@open-cowork/test-support/db';
import { startTestServer, type TestServer } from '@open-cowork/test-support/server';

describe.each(engines)('health and HTTP conventions (%s)', (engine) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ engine });
  });
  afterAll(() => server.close());

  it('answers /livez and /readyz without credentials', async () => {
    expect(await (await fetch(`${server.baseUrl}/livez`)).json()).toEqual({ status: 'ok' });
    const ready = await fetch(`${server.baseUrl}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready' });
  });

  it('answers unknown /api routes 404 route.not_found, even without credentials', async () => {
    const response = await fetch(`${server.baseUrl}/api/nope?x=1`);
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ error: 'No route GET /api/nope.', code: 'route.not_found' });
  });

  it('sends X-Request-Id on every response, echoing a well-formed inbound one', async () => {
    const echoed = await fetch(`${server.baseUrl}/livez`, { headers: { 'x-request-id': 'req-123' } });
    expect(echoed.headers.get('x-request-id')).toBe('req-123');
    const fresh = await fetch(`${server.baseUrl}/api/nope`, { headers: { 'x-request-id': 'bad id with spaces' } });
    expect(fresh.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    expect(fresh.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('answers 401 auth.required on a member route without credentials', async () => {
    const response = await fetch(`${server.baseUrl}/api/api-tokens`);
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ code: 'auth.required' });
    expect(response.headers.get('x-request-id')).toBeTruthy();
  });
});
