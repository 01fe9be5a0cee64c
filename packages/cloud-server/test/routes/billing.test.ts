import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call } from '../helpers/http.js';
import { startTestServer, type TestServer } from '@open-cowork/test-support/server';

describe('quotas, entitlements and usage over HTTP', () => {
  let server: TestServer;
  let token: string;
  beforeAll(async () => {
    server = await startTestServer({
      config: {
        billing: { quotas: { promptsPerHour: 1, gatewayDeliveriesPerHour: 2 }, orgEntitlements: { default: { workflows: false } } },
      },
    });
    token = await server.mintToken(['desktop', 'admin']);
  });
  afterAll(() => server.close());

  it('answers a used-up quota with 429, Retry-After, retryAfterMs and a verdict', async () => {
    const session = await call(server.baseUrl, '/api/sessions', { bearer: token, body: {} });
    const sessionId = session.body.session.sessionId;
    expect((await call(server.baseUrl, `/api/sessions/${sessionId}/prompt`, { bearer: token, body: { text: 'a' } })).status).toBe(202);
    const refused = await call(server.baseUrl, `/api/sessions/${sessionId}/prompt`, { bearer: token, body: { text: 'b' } });
    expect(refused.status).toBe(429);
    expect(refused.body).toMatchObject({
      code: 'quota.prompts_per_hour_exceeded',
      verdict: { allowed: false, policyCode: 'quota.prompts_per_hour_exceeded' },
    });
    expect(Number(refused.headers.get('retry-after'))).toBe(Math.max(1, Math.ceil(refused.body.retryAfterMs / 1000)));
  });

  it('enforces and meters other quotas through app.usage (gateway deliveries)', async () => {
    const { orgId } = server.app.defaultOrg;
    for (let i = 0; i < 2; i += 1) {
      await server.app.usage.enforceQuota(server.app.db, orgId, 'gateway_deliveries:hour');
      await server.app.usage.record(server.app.db, {
        orgId,
        accountId: null,
        eventType: 'gateway_delivery',
        quantity: 1,
        unit: 'count',
        metadata: { deliveryId: `d${i}` },
      });
    }
    await expect(server.app.usage.enforceQuota(server.app.db, orgId, 'gateway_deliveries:hour')).rejects.toMatchObject({
      statusCode: 429,
      code: 'quota.gateway_deliveries_per_hour_exceeded',
    });
    const summary = await call(server.baseUrl, '/api/usage/summary?limit=10', { bearer: token });
    expect(summary.body.quotas.find((quota: { quotaKey: string }) => quota.quotaKey === 'gateway_deliveries:hour')).toMatchObject({
      used: 2,
      remaining: 0,
    });
  });

  it('takes per-org entitlements from configuration, keyed by org slug', async () => {
    const billing = await call(server.baseUrl, '/api/billing/subscription', { bearer: token });
    expect(billing.body.entitlements).toMatchObject({ workflows: false, prompts: true });
    expect(() => server.app.billing.requireEntitlement({ orgId: server.app.defaultOrg.orgId }, 'workflows')).toThrow(
      expect.objectContaining({ statusCode: 402, code: 'billing.feature_not_entitled' }),
    );
    const policy = await call(server.baseUrl, '/api/admin/policy', { bearer: token });
    expect(policy.body.policy.gateway.webhooksEnabled).toBe(false);
  });

  it('audits session creation, snapshot upload and import', async () => {
    const created = await call(server.baseUrl, '/api/sessions', { bearer: token, body: {} });
    const snapshot = await call(server.baseUrl, '/api/project-sources/snapshots', {
      bearer: token,
      body: { files: [{ path: 'a.txt', dataBase64: 'aGk=' }] },
    });
    expect(snapshot.status).toBe(201);
    const audit = await call(server.baseUrl, '/api/admin/audit?limit=5', { bearer: token });
    const actions = audit.body.events.map((event: { action: string; targetId: string }) => `${event.action}:${event.targetId}`);
    expect(actions).toEqual(
      expect.arrayContaining([
        `session.created:${created.body.session.sessionId}`,
        `project_snapshot.uploaded:${snapshot.body.snapshotId}`,
      ]),
    );
  });
});
