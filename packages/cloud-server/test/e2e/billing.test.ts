import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engines } from '@open-cowork/test-support/db';
import { call } from '../helpers/http.js';
import type { TestServer } from '@open-cowork/test-support/server';
import { type Client, failure, mintClient, startHarness } from './harness.js';

describe.each(engines)('usage, diagnostics and billing through the client (%s)', (engine) => {
  let server: TestServer;
  let cloud: Client;
  let admin: string;
  beforeAll(async () => {
    ({
      server,
      token: admin,
      client: cloud,
    } = await startHarness({ engine, scopes: ['desktop', 'admin'], config: { billing: { quotas: { promptsPerHour: 3 } } } }));
  });
  afterAll(() => server.close());

  const commandCount = async () => Number((await server.db.query<{ n: string }>('SELECT count(*) AS n FROM session_commands')).rows[0]!.n);

  it('answers the self-host subscription: active, every feature entitled, no provider', async () => {
    const billing = await cloud.getBillingSubscription();
    expect(billing).toMatchObject({ enabled: false, mode: 'self-host', providerId: null, subscription: null, active: true });
    expect(billing.entitlements).toMatchObject({ sessions: true, prompts: true, byok: true, channels: true });
    expect(billing.plans).toEqual([{ planKey: 'self-host', label: 'Self-hosted', default: true, entitlements: billing.entitlements }]);
  });

  it('refuses checkout and portal with 501 billing.provider_not_configured, and bad URLs with 400', async () => {
    const checkout = await failure(cloud.createBillingCheckout({ planKey: 'team', successUrl: 'https://example.test/ok' }));
    expect(checkout).toMatchObject({ kind: 'server', status: 501, code: 'billing.provider_not_configured' });
    const portal = await failure(cloud.createBillingPortal());
    expect(portal).toMatchObject({ kind: 'server', status: 501, code: 'billing.provider_not_configured' });
    const bad = await failure(cloud.createBillingCheckout({ successUrl: 'javascript:alert(1)' }));
    expect(bad).toMatchObject({ status: 400, code: 'request.invalid' });
    const badPortal = await call(server.baseUrl, '/api/billing/portal', { bearer: admin, body: { returnUrl: 42 } });
    expect([badPortal.status, badPortal.body.code]).toEqual([400, 'request.invalid']);
  });

  it('meters prompts as usage events, totals them and shows the hourly quota', async () => {
    const { session } = await cloud.createSession();
    await cloud.promptSession(session.sessionId, { text: 'one' });
    await cloud.promptSession(session.sessionId, { text: 'two' });
    const events = await cloud.listUsageEvents(10);
    expect(events).toHaveLength(2);
    expect(events[0]).toMatchObject({
      eventType: 'prompt',
      quantity: 1,
      unit: 'count',
      orgId: server.app.defaultOrg.orgId,
      metadata: { sessionId: session.sessionId },
    });
    expect(await cloud.listUsageEvents(1)).toHaveLength(1);
    const summary = await cloud.getUsageSummary();
    expect(summary).toMatchObject({
      enabled: true,
      totalsScope: 'recent_events',
      totals: [{ eventType: 'prompt', unit: 'count', quantity: 2 }],
    });
    const prompts = summary.quotas.find((quota) => quota.quotaKey === 'prompts:hour')!;
    expect(prompts).toMatchObject({
      enabled: true,
      limit: 3,
      used: 2,
      remaining: 1,
      windowMs: 3_600_000,
      policyCode: 'quota.prompts_per_hour_exceeded',
    });
    expect(Date.parse(prompts.resetAt) - Date.parse(prompts.windowStartedAt)).toBe(3_600_000);
    expect(summary.quotas.find((quota) => quota.quotaKey === 'gateway_deliveries:hour')).toMatchObject({
      enabled: false,
      limit: null,
      remaining: null,
    });
  });

  it('answers 429 with retryAfterMs once the prompt quota is used up, recording nothing', async () => {
    const { session } = await cloud.createSession();
    await cloud.promptSession(session.sessionId, { text: 'three' });
    const prompts = async () =>
      (
        await server.db.query('SELECT event_id FROM session_events WHERE session_id = $1 AND type = $2', [
          session.sessionId,
          'prompt.submitted',
        ])
      ).rows.length;
    const before = { commands: await commandCount(), prompts: await prompts() };
    const refused = await failure(cloud.promptSession(session.sessionId, { text: 'four' }));
    expect(refused).toMatchObject({ kind: 'rate_limited', status: 429, code: 'quota.prompts_per_hour_exceeded' });
    expect(refused.retryAfterMs).toBeGreaterThan(0);
    expect(refused.retryAfterMs).toBeLessThanOrEqual(3_600_000);
    expect(await commandCount()).toBe(before.commands);
    expect(await prompts()).toBe(before.prompts);
    expect((await cloud.getUsageSummary()).quotas[0]).toMatchObject({ used: 3, remaining: 0 });
    // Other commands are not prompts: an abort still goes through.
    await cloud.abortSession(session.sessionId);
  });

  it('answers 402 billing.prompts_not_entitled when the org loses the prompts entitlement', async () => {
    const { session } = await cloud.createSession();
    server.app.billing.setOrgEntitlements(server.app.defaultOrg.orgId, { prompts: false });
    try {
      const refused = await failure(cloud.promptSession(session.sessionId, { text: 'x' }));
      expect(refused).toMatchObject({ kind: 'payment_required', status: 402, code: 'billing.prompts_not_entitled' });
      expect((await cloud.getBillingSubscription()).entitlements.prompts).toBe(false);
    } finally {
      server.app.billing.setOrgEntitlements(server.app.defaultOrg.orgId, { prompts: true });
    }
  });

  it('builds a diagnostics bundle with counts and statuses but no secret', async () => {
    const key = `sk-${'z'.repeat(40)}`;
    await cloud.setByokSecret('openai', { apiKey: key });
    const bundle = await cloud.getDiagnosticsBundle();
    expect(bundle).toMatchObject({
      redaction: 'secrets-redacted',
      org: { orgId: server.app.defaultOrg.orgId, name: 'Local Cloud' },
      runtime: { name: 'scripted', storeEngine: engine },
      billing: { mode: 'self-host', active: true },
      byok: { configuredProviders: 1, providers: [{ providerId: 'openai', status: 'pending_validation', credentialKind: 'plaintext' }] },
      gateway: { agents: 0, bindingsByProvider: {}, deliveriesByStatus: {} },
      links: { openapi: '/api/openapi.json' },
    });
    expect(bundle.usage.totals).toEqual([{ eventType: 'prompt', unit: 'count', quantity: 3 }]);
    const text = JSON.stringify(bundle);
    for (const secret of [key, key.slice(-4), admin, server.config.cookieSecret]) expect(text).not.toContain(secret);
  });

  it('keeps usage and diagnostics for admins, the subscription for every member', async () => {
    const member = await mintClient(server, ['desktop'], { email: 'usage-member@example.test' });
    expect((await member.getBillingSubscription()).active).toBe(true);
    for (const attempt of [
      () => member.listUsageEvents(),
      () => member.getUsageSummary(),
      () => member.getDiagnosticsBundle(),
      () => member.createBillingPortal(),
    ]) {
      expect((await failure(attempt())).kind).toBe('forbidden');
    }
    expect((await failure(cloud.listUsageEvents(501))).status).toBe(400);
  });
});
