import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nextCronRun, parseCron } from '../../src/services/cron.js';
import { engines } from '@open-cowork/test-support/db';
import { startTestServer, type TestServer } from '@open-cowork/test-support/server';
import { type BadInputCase, expectRefused } from './workspace-bad-inputs.js';

const TABLES = ['workflows', 'workflow_triggers', 'workflow_runs', 'workflow_webhook_receipts', 'sessions'] as const;

describe('cron schedules', () => {
  it('finds the next matching minute in UTC', () => {
    const from = new Date('2026-08-01T10:07:30Z');
    expect(nextCronRun(parseCron('*/15 * * * *'), from)?.toISOString()).toBe('2026-08-01T10:15:00.000Z');
    expect(nextCronRun(parseCron('0 9 * * 1'), from)?.toISOString()).toBe('2026-08-03T09:00:00.000Z');
    expect(nextCronRun(parseCron('30 6 1 1 *'), from)?.toISOString()).toBe('2027-01-01T06:30:00.000Z');
    expect(nextCronRun(parseCron('0 0 29 2 *'), from)?.toISOString()).toBe('2028-02-29T00:00:00.000Z');
    // Both day fields restricted: either matches (the 1st, or a Sunday).
    expect(nextCronRun(parseCron('0 0 1 * 0'), from)?.toISOString()).toBe('2026-08-02T00:00:00.000Z');
    expect(nextCronRun(parseCron('0 0 * * 7'), from)?.toISOString()).toBe('2026-08-02T00:00:00.000Z');
  });

  it('refuses malformed expressions with a coded 400', () => {
    for (const bad of ['* * * *', '60 * * * *', '* 24 * * *', '*/0 * * * *', '5-1 * * * *', 'a b c d e']) {
      expect(() => parseCron(bad), bad).toThrow(expect.objectContaining({ statusCode: 400, code: 'workflows.cron_invalid' }));
    }
  });
});

describe.each(engines)('workflow routes refuse bad input and write nothing (%s)', (engine) => {
  let server: TestServer;
  let token: string;
  let active: string;
  let archived: string;
  beforeAll(async () => {
    server = await startTestServer({ engine });
    token = await server.mintToken(['desktop']);
    const create = async (body: unknown) =>
      (
        await server.app.inject({
          method: 'POST',
          url: '/api/workflows',
          headers: { authorization: `Bearer ${token}` },
          payload: body as object,
        })
      ).json().workflow.workflowId as string;
    active = await create({ name: 'Active', prompt: 'p', triggers: [{ type: 'manual' }] });
    archived = await create({ name: 'Archived', prompt: 'p', triggers: [{ type: 'webhook' }] });
    await server.app.inject({
      method: 'POST',
      url: `/api/workflows/${archived}/archive`,
      headers: { authorization: `Bearer ${token}` },
      payload: {},
    });
  });
  afterAll(() => server.close());

  const cases: BadInputCase[] = [
    {
      name: 'create without triggers',
      method: 'POST',
      url: () => '/api/workflows',
      body: { name: 'x', prompt: 'p', triggers: [] },
      status: 400,
      code: 'request.invalid',
    },
    {
      name: 'create with a blank name',
      method: 'POST',
      url: () => '/api/workflows',
      body: { name: '   ', prompt: 'p', triggers: [{ type: 'manual' }] },
      status: 400,
      code: 'request.invalid',
    },
    {
      name: 'create with an unknown trigger type',
      method: 'POST',
      url: () => '/api/workflows',
      body: { name: 'x', prompt: 'p', triggers: [{ type: 'email' }] },
      status: 400,
      code: 'request.invalid',
    },
    {
      name: 'create a schedule without cron',
      method: 'POST',
      url: () => '/api/workflows',
      body: { name: 'x', prompt: 'p', triggers: [{ type: 'schedule' }] },
      status: 400,
      code: 'workflows.cron_required',
    },
    {
      name: 'create with a bad cron',
      method: 'POST',
      url: () => '/api/workflows',
      body: { name: 'x', prompt: 'p', triggers: [{ type: 'manual' }, { type: 'schedule', cron: '61 * * * *' }] },
      status: 400,
      code: 'workflows.cron_invalid',
    },
    {
      name: 'create with two webhooks',
      method: 'POST',
      url: () => '/api/workflows',
      body: { name: 'x', prompt: 'p', triggers: [{ type: 'webhook' }, { type: 'webhook' }] },
      status: 400,
      code: 'workflows.webhook_duplicate',
    },
    {
      name: 'create with invalid JSON',
      method: 'POST',
      url: () => '/api/workflows',
      raw: '{"name":',
      status: 400,
      code: 'request.invalid_json',
    },
    {
      name: 'run an unknown workflow',
      method: 'POST',
      url: () => '/api/workflows/wf_missing/run',
      body: {},
      status: 404,
      code: 'workflows.not_found',
    },
    {
      name: 'run with an unknown trigger type',
      method: 'POST',
      url: () => `/api/workflows/${active}/run`,
      body: { triggerType: 'email' },
      status: 400,
      code: 'request.invalid',
    },
    {
      name: 'run with a non-object payload',
      method: 'POST',
      url: () => `/api/workflows/${active}/run`,
      body: { triggerPayload: [1] },
      status: 400,
      code: 'request.invalid',
    },
    {
      name: 'run by a trigger the workflow lacks',
      method: 'POST',
      url: () => `/api/workflows/${active}/run`,
      body: { triggerType: 'webhook' },
      status: 409,
      code: 'workflows.trigger_not_configured',
    },
    {
      name: 'run an archived workflow',
      method: 'POST',
      url: () => `/api/workflows/${archived}/run`,
      body: {},
      status: 409,
      code: 'workflows.archived',
    },
    {
      name: 'pause an unknown workflow',
      method: 'POST',
      url: () => '/api/workflows/wf_missing/pause',
      body: {},
      status: 404,
      code: 'workflows.not_found',
    },
    {
      name: 'resume an archived workflow',
      method: 'POST',
      url: () => `/api/workflows/${archived}/resume`,
      body: {},
      status: 409,
      code: 'workflows.archived',
    },
    {
      name: 'rotate without a webhook trigger',
      method: 'POST',
      url: () => `/api/workflows/${active}/rotate-webhook-secret`,
      body: {},
      status: 404,
      code: 'workflows.webhook_not_configured',
    },
    {
      name: 'rotate on an archived workflow',
      method: 'POST',
      url: () => `/api/workflows/${archived}/rotate-webhook-secret`,
      body: {},
      status: 409,
      code: 'workflows.archived',
    },
    // Unsigned: refused like any bad signature, whether or not the address names a workflow webhook.
    {
      name: 'webhook of an unknown workflow',
      method: 'POST',
      url: () => '/webhooks/workflows/wf_missing',
      body: {},
      status: 401,
      code: 'workflows.webhook_timestamp_invalid',
    },
    {
      name: 'webhook of a workflow without one',
      method: 'POST',
      url: () => `/webhooks/workflows/${active}`,
      body: {},
      status: 401,
      code: 'workflows.webhook_timestamp_invalid',
    },
  ];

  it.each(cases)('$name → $status $code', async (bad) => {
    await expectRefused(server, token, bad, TABLES);
  });

  it('refuses unsigned webhook requests with 401 and writes nothing', async () => {
    const webhook = (
      await server.app.inject({
        method: 'POST',
        url: '/api/workflows',
        headers: { authorization: `Bearer ${token}` },
        payload: { name: 'Hook', prompt: 'p', triggers: [{ type: 'webhook' }] },
      })
    ).json();
    const url = `/webhooks/workflows/${webhook.workflow.workflowId as string}`;
    const response = await server.app.inject({
      method: 'POST',
      url,
      headers: { 'content-type': 'application/json', 'x-open-cowork-timestamp': String(Math.floor(Date.now() / 1000)) },
      payload: '{}',
    });
    expect(response.statusCode).toBe(401);
    expect(response.json()).toMatchObject({ code: 'workflows.webhook_signature_invalid' });
    const runs = await server.db.query('SELECT 1 FROM workflow_runs WHERE workflow_id = $1', [webhook.workflow.workflowId]);
    expect(runs.rows).toHaveLength(0);
  });
});

describe('entitlement gates', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.close());

  it('answers 402 to workflow creation, runs and artifact uploads of an org without the entitlement, writing nothing', async () => {
    const token = await server.mintToken(['desktop']);
    const inject = (url: string, payload: object) =>
      server.app.inject({ method: 'POST', url, headers: { authorization: `Bearer ${token}` }, payload });
    const workflowId = (await inject('/api/workflows', { name: 'Gated', prompt: 'p', triggers: [{ type: 'manual' }] })).json().workflow
      .workflowId as string;
    const sessionId = (await inject('/api/sessions', {})).json().session.sessionId as string;
    const orgId = server.app.defaultOrg.orgId;
    const before = await server.db.query(
      'SELECT (SELECT count(*) FROM workflows) AS w, (SELECT count(*) FROM workflow_runs) AS r, (SELECT count(*) FROM sessions) AS s, (SELECT count(*) FROM artifacts) AS a',
    );

    server.app.billing.setOrgEntitlements(orgId, { workflows: false, artifacts: false });
    const created = await inject('/api/workflows', { name: 'Refused', prompt: 'p', triggers: [{ type: 'manual' }] });
    expect(created.statusCode).toBe(402);
    expect(created.json()).toMatchObject({ code: 'billing.feature_not_entitled' });
    const run = await inject(`/api/workflows/${workflowId}/run`, {});
    expect(run.statusCode).toBe(402);
    const upload = await inject(`/api/sessions/${sessionId}/artifacts`, { filename: 'a.txt', dataBase64: 'aGk=' });
    expect(upload.statusCode).toBe(402);
    server.app.billing.setOrgEntitlements(orgId, { workflows: true, prompts: false });
    expect((await inject(`/api/workflows/${workflowId}/run`, {})).json()).toMatchObject({ code: 'billing.prompts_not_entitled' });

    const after = await server.db.query(
      'SELECT (SELECT count(*) FROM workflows) AS w, (SELECT count(*) FROM workflow_runs) AS r, (SELECT count(*) FROM sessions) AS s, (SELECT count(*) FROM artifacts) AS a',
    );
    expect(after.rows).toEqual(before.rows);
  });
});
