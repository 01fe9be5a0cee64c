import type { WorkflowSummary } from '@open-cowork/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signWebhook } from '../../src/services/workflow-webhooks.js';
import { engines } from '@open-cowork/test-support/db';
import { type Client, failure, type Harness, mintClient, startHarness, waitFor } from './harness.js';

describe.each(engines)('workflows through the client over real HTTP (%s)', (engine) => {
  let h: Harness;
  let cloud: Client;
  beforeAll(async () => {
    h = await startHarness({ engine });
    cloud = h.client;
  });
  afterAll(() => h.server.close());

  const hook = (workflowId: string, secret: string, body: string, options: { timestamp?: string; signature?: string } = {}) => {
    const timestamp = options.timestamp ?? String(Math.floor(Date.now() / 1000));
    return fetch(`${h.server.baseUrl}/webhooks/workflows/${encodeURIComponent(workflowId)}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-open-cowork-timestamp': timestamp,
        'x-open-cowork-signature': options.signature ?? signWebhook(secret, timestamp, body),
      },
      body,
    });
  };

  it('creates a workflow, reads it, runs it into a session that answers the prompt, and lists the run', async () => {
    const created = await cloud.createWorkflow({
      name: 'Daily digest',
      description: 'Summarise',
      prompt: 'Write the digest',
      triggers: [{ type: 'manual' }],
    });
    expect(created.webhookSecretReveal).toBeNull();
    const { workflow } = created;
    expect(workflow).toMatchObject({
      name: 'Daily digest',
      description: 'Summarise',
      status: 'active',
      prompt: 'Write the digest',
      profileName: 'default',
      triggerTypes: ['manual'],
      lastRunAt: null,
      nextRunAt: null,
    });
    expect(workflow.triggers).toMatchObject([{ type: 'manual', cron: null, nextRunAt: null, webhookSecretConfigured: false }]);
    expect(await cloud.getWorkflow(workflow.workflowId)).toEqual(workflow);

    const run = await cloud.runWorkflow(workflow.workflowId);
    expect(run).toMatchObject({
      workflowId: workflow.workflowId,
      triggerType: 'manual',
      triggerPayload: null,
      status: 'running',
      error: null,
    });
    expect(run.sessionId).toMatch(/^ses_/);
    const session = await cloud.getSession(run.sessionId!);
    expect(session.session.profileName).toBe('default');

    // The scripted runtime answers; the run completes with its session.
    await waitFor(
      async () => (await cloud.listWorkflows()).runs.find((candidate) => candidate.runId === run.runId)?.status === 'completed',
      { timeoutMs: 10_000, intervalMs: 50, what: 'the run to complete' },
    );
    const page = await cloud.listWorkflows();
    const listed = page.runs.find((candidate) => candidate.runId === run.runId)!;
    expect(listed.finishedAt).not.toBeNull();
    expect(page.workflows.find((candidate) => candidate.workflowId === workflow.workflowId)!.lastRunAt).not.toBeNull();
  });

  it('pages the list with a keyset cursor and refuses a cursor of another listing', async () => {
    for (let index = 0; index < 3; index += 1)
      await cloud.createWorkflow({ name: `Paged ${index}`, prompt: 'p', triggers: [{ type: 'manual' }] });
    const seen: string[] = [];
    let cursor: string | null | undefined = null;
    do {
      const page = await cloud.listWorkflows({ limit: 2, ...(cursor ? { cursor } : {}) });
      expect(page.workflows.length).toBeLessThanOrEqual(2);
      seen.push(...page.workflows.map((workflow) => workflow.workflowId));
      cursor = page.nextCursor;
    } while (cursor);
    expect(new Set(seen).size).toBe(seen.length);
    const all: WorkflowSummary[] = [];
    for await (const workflow of cloud.iterateWorkflows({ limit: 2 })) all.push(workflow);
    expect(all.map((workflow) => workflow.workflowId)).toEqual(seen);

    const other = await mintClient(h.server, ['desktop'], { email: 'wf-other@example.com' });
    const first = await cloud.listWorkflows({ limit: 1 });
    const error = await failure(other.listWorkflows({ cursor: first.nextCursor! }));
    expect(error.status).toBe(400);
    expect(error.code).toBe('workflows.cursor.invalid');
    expect((await failure(cloud.listWorkflows({ cursor: 'garbage' }))).code).toBe('workflows.cursor.invalid');
    // Another user sees none of these workflows.
    expect((await other.listWorkflows()).workflows).toEqual([]);
    expect((await failure(other.getWorkflow(seen[0]!))).status).toBe(404);
  });

  it('pauses, resumes and archives; an archived workflow cannot run (409)', async () => {
    const { workflow } = await cloud.createWorkflow({ name: 'Lifecycle', prompt: 'p', triggers: [{ type: 'manual' }] });
    expect((await cloud.pauseWorkflow(workflow.workflowId)).status).toBe('paused');
    expect((await cloud.resumeWorkflow(workflow.workflowId)).status).toBe('active');
    expect((await cloud.archiveWorkflow(workflow.workflowId)).status).toBe('archived');
    const refused = await failure(cloud.runWorkflow(workflow.workflowId));
    expect(refused).toMatchObject({ status: 409, code: 'workflows.archived' });
    expect((await failure(cloud.resumeWorkflow(workflow.workflowId))).code).toBe('workflows.archived');
    expect((await cloud.listWorkflows({ limit: 200 })).runs.filter((run) => run.workflowId === workflow.workflowId)).toEqual([]);
    expect((await failure(cloud.pauseWorkflow('wf_missing'))).kind).toBe('not_found');
  });

  it('reveals a webhook secret once, runs on a signed webhook, refuses bad signatures and answers replays with the first run', async () => {
    const created = await cloud.createWorkflow({ name: 'Hooked', prompt: 'Triage the issue', triggers: [{ type: 'webhook' }] });
    const reveal = created.webhookSecretReveal!;
    expect(reveal.workflowId).toBe(created.workflow.workflowId);
    expect(created.workflow.triggers[0]).toMatchObject({ triggerId: reveal.triggerId, type: 'webhook', webhookSecretConfigured: true });
    // The secret is never part of a read.
    expect(JSON.stringify(await cloud.getWorkflow(reveal.workflowId))).not.toContain(reveal.secret);
    expect(JSON.stringify(await cloud.listWorkflows())).not.toContain(reveal.secret);

    const body = JSON.stringify({ issue: 42 });
    const timestamp = String(Math.floor(Date.now() / 1000));
    const accepted = await hook(reveal.workflowId, reveal.secret, body, { timestamp });
    expect(accepted.status).toBe(202);
    const result = (await accepted.json()) as { ok: boolean; runId: string; sessionId: string; processed: number; workflowId: string };
    expect(result).toMatchObject({ ok: true, workflowId: reveal.workflowId, processed: 0 });
    const replay = await hook(reveal.workflowId, reveal.secret, body, { timestamp });
    expect(replay.status).toBe(202);
    expect(await replay.json()).toMatchObject({ runId: result.runId, sessionId: result.sessionId, processed: 0, duplicate: true });
    const runs = (await cloud.listWorkflows({ limit: 200 })).runs.filter((run) => run.workflowId === reveal.workflowId);
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ triggerType: 'webhook', triggerPayload: { issue: 42 } });

    const forged = await hook(reveal.workflowId, 'not-the-secret', body);
    expect(forged.status).toBe(401);
    expect(await forged.json()).toMatchObject({ code: 'workflows.webhook_signature_invalid' });
    const stale = String(Math.floor(Date.now() / 1000) - 600);
    const old = await hook(reveal.workflowId, reveal.secret, body, { timestamp: stale });
    expect(old.status).toBe(401);
    expect(await old.json()).toMatchObject({ code: 'workflows.webhook_timestamp_invalid' });

    // Rotation reveals a new secret once; the old one stops working.
    const rotated = await cloud.rotateWorkflowWebhookSecret(reveal.workflowId);
    expect(rotated.webhookSecretReveal).toMatchObject({ workflowId: reveal.workflowId, triggerId: reveal.triggerId });
    expect(rotated.webhookSecretReveal.secret).not.toBe(reveal.secret);
    expect((await hook(reveal.workflowId, reveal.secret, '{"again":true}')).status).toBe(401);
    expect((await hook(reveal.workflowId, rotated.webhookSecretReveal.secret, '{"again":true}')).status).toBe(202);
    expect((await cloud.listWorkflows({ limit: 200 })).runs.filter((run) => run.workflowId === reveal.workflowId)).toHaveLength(2);

    // A workflow without a webhook trigger has no secret to rotate.
    const manual = await cloud.createWorkflow({ name: 'No hook', prompt: 'p', triggers: [{ type: 'manual' }] });
    expect(await failure(cloud.rotateWorkflowWebhookSecret(manual.workflow.workflowId))).toMatchObject({
      status: 404,
      code: 'workflows.webhook_not_configured',
    });
  });

  it('computes the next run of a schedule trigger and runs it on the operator tick', async () => {
    const { workflow } = await cloud.createWorkflow({
      name: 'Cron',
      prompt: 'tick',
      triggers: [{ type: 'schedule', cron: '*/5 * * * *' }],
    });
    const next = Date.parse(workflow.nextRunAt!);
    expect(next).toBeGreaterThan(Date.now());
    expect(next - Date.now()).toBeLessThanOrEqual(5 * 60 * 1000);
    expect(new Date(next).getUTCMinutes() % 5).toBe(0);
    // Make it due, then tick as the operator.
    await h.server.db.query("UPDATE workflow_triggers SET next_run_at = now() - interval '1 minute' WHERE workflow_id = $1", [
      workflow.workflowId,
    ]);
    const operator = await h.server.mintToken(['operator']);
    const tick = await fetch(`${h.server.baseUrl}/api/workflows/scheduler/tick`, {
      method: 'POST',
      headers: { authorization: `Bearer ${operator}` },
    });
    expect(tick.status).toBe(200);
    const ticked = (await tick.json()) as { runs: { workflowId: string; triggerType: string }[] };
    expect(ticked.runs).toMatchObject([{ workflowId: workflow.workflowId, triggerType: 'schedule' }]);
    expect(Date.parse((await cloud.getWorkflow(workflow.workflowId)).nextRunAt!)).toBeGreaterThan(Date.now());
    // A member cannot tick.
    expect(
      (await fetch(`${h.server.baseUrl}/api/workflows/scheduler/tick`, { method: 'POST', headers: { authorization: `Bearer ${h.token}` } }))
        .status,
    ).toBe(403);
  });

  it('writes an audit event for every mutation', async () => {
    const { workflow } = await cloud.createWorkflow({ name: 'Audited', prompt: 'p', triggers: [{ type: 'manual' }] });
    await cloud.pauseWorkflow(workflow.workflowId);
    const { rows } = await h.server.db.query<{ action: string }>(
      'SELECT action FROM audit_events WHERE target_id = $1 ORDER BY created_at',
      [workflow.workflowId],
    );
    expect(rows.map((row) => row.action)).toEqual(['workflow.created', 'workflow.paused']);
  });
});
