import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signWebhook } from '../../src/services/workflow-webhooks.js';
import { engines } from '@open-cowork/test-support/db';
import { startTestServer, type TestServer } from '@open-cowork/test-support/server';

interface AuditRow {
  action: string;
  target_id: string;
  actor_token_id: string | null;
  metadata: Record<string, unknown> | null;
}

/**
 * The services of sessions, threads, artifacts and workflows write the audit record of each change
 * they make: one per change, with the caller's token as actor (none for a signed webhook).
 */
describe.each(engines)('audit records of the session, thread, artifact and workflow changes (%s)', (engine) => {
  let server: TestServer;
  let token: string;
  let tokenId: string;
  beforeAll(async () => {
    server = await startTestServer({ engine });
    token = await server.mintToken(['desktop']);
    tokenId = (await server.db.query<{ token_id: string }>('SELECT token_id FROM api_tokens')).rows[0]!.token_id;
  });
  afterAll(() => server.close());

  const send = async (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: object) => {
    const response = await server.app.inject({
      method,
      url,
      headers: { authorization: `Bearer ${token}` },
      ...(payload ? { payload } : {}),
    });
    expect(response.statusCode, `${method} ${url}: ${response.body}`).toBeLessThan(300);
    return response.json();
  };
  const audited = async (targetId: string) =>
    (
      await server.db.query<AuditRow>(
        'SELECT action, target_id, actor_token_id, detail AS metadata FROM audit_events WHERE target_id = $1 ORDER BY created_at, event_id',
        [targetId],
      )
    ).rows;
  const actions = async (targetId: string) => (await audited(targetId)).map((row) => row.action);

  it('records every session change with the caller as actor', async () => {
    const sessionId = (await send('POST', '/api/sessions', {})).session.sessionId;
    await send('PATCH', `/api/sessions/${sessionId}`, { title: 'Renamed' });
    await send('POST', `/api/sessions/${sessionId}/close`, {});
    const rows = await audited(sessionId);
    expect(rows.map((row) => row.action)).toEqual(['session.created', 'session.renamed', 'session.closed']);
    expect(new Set(rows.map((row) => row.actor_token_id))).toEqual(new Set([tokenId]));

    const imported = await send('POST', '/api/import/sessions', {
      source: { kind: 'local-session', fingerprint: 'fp', title: 'Local' },
      title: 'Imported',
      selection: {},
      itemCounts: { messages: 0, artifacts: 0, attachments: 0, projectSource: 0, excluded: 0 },
    });
    expect(await actions(imported.session.sessionId)).toEqual(['session.imported']);
  });

  it('records tag, filter and artifact changes', async () => {
    const sessionId = (await send('POST', '/api/sessions', {})).session.sessionId;
    const { tagId } = (await send('POST', '/api/threads/tags', { name: 'Audit' })).tag;
    await send('PATCH', `/api/threads/tags/${tagId}`, { name: 'Audited' });
    // A change to nothing is not audited.
    await send('PATCH', `/api/threads/tags/${tagId}`, { name: 'Audited' });
    await send('POST', `/api/threads/tags/${tagId}/apply`, { sessionIds: [sessionId] });
    await send('POST', `/api/threads/tags/${tagId}/remove`, { sessionIds: [sessionId] });
    await send('DELETE', `/api/threads/tags/${tagId}`);
    expect(await actions(tagId)).toEqual([
      'thread_tag.created',
      'thread_tag.updated',
      'thread_tag.applied',
      'thread_tag.removed',
      'thread_tag.deleted',
    ]);

    const { filterId } = (await send('POST', '/api/threads/smart-filters', { name: 'F', query: {} })).filter;
    await send('PATCH', `/api/threads/smart-filters/${filterId}`, { name: 'G' });
    await send('DELETE', `/api/threads/smart-filters/${filterId}`);
    expect(await actions(filterId)).toEqual(['thread_filter.created', 'thread_filter.updated', 'thread_filter.deleted']);

    const { artifactId } = (await send('POST', `/api/sessions/${sessionId}/artifacts`, { filename: 'a.txt', dataBase64: 'aGk=' })).artifact;
    await send('POST', `/api/sessions/${sessionId}/artifacts/${artifactId}/status`, { status: 'final' });
    const rows = await audited(artifactId);
    expect(rows.map((row) => [row.action, row.metadata])).toEqual([
      ['artifact.created', { sessionId, size: 2, kind: 'document' }],
      ['artifact.updated', { sessionId, from: 'draft', to: 'final' }],
    ]);
  });

  it('records workflow changes and runs; a signed webhook run acts for the owner, without a token', async () => {
    const created = await send('POST', '/api/workflows', { name: 'Audit', prompt: 'p', triggers: [{ type: 'webhook' }] });
    const { workflowId } = created.workflow;
    const run = await send('POST', `/api/workflows/${workflowId}/run`, {});
    const { webhookSecretReveal } = await send('POST', `/api/workflows/${workflowId}/rotate-webhook-secret`, {});
    const timestamp = String(Math.floor(Date.now() / 1000));
    const hooked = await server.app.inject({
      method: 'POST',
      url: `/webhooks/workflows/${workflowId}`,
      headers: {
        'content-type': 'application/json',
        'x-open-cowork-timestamp': timestamp,
        'x-open-cowork-signature': signWebhook(webhookSecretReveal.secret, timestamp, '{}'),
      },
      payload: '{}',
    });
    expect(hooked.statusCode).toBe(202);
    await send('POST', `/api/workflows/${workflowId}/pause`, {});
    await send('POST', `/api/workflows/${workflowId}/archive`, {});
    // Archiving an archived workflow changes nothing, and is recorded all the same.
    await send('POST', `/api/workflows/${workflowId}/archive`, {});

    const rows = await audited(workflowId);
    expect(rows.map((row) => [row.action, row.metadata])).toEqual([
      ['workflow.created', { triggerTypes: ['webhook'] }],
      ['workflow.run_started', { runId: run.run.runId, sessionId: run.sessionId, triggerType: 'manual' }],
      ['workflow.webhook_secret_rotated', { triggerId: webhookSecretReveal.triggerId }],
      ['workflow.webhook_run', { runId: hooked.json().runId, sessionId: hooked.json().sessionId }],
      ['workflow.paused', { status: 'paused' }],
      ['workflow.archived', { status: 'archived' }],
      ['workflow.archived', { status: 'archived' }],
    ]);
    expect(rows.map((row) => row.actor_token_id)).toEqual([tokenId, tokenId, tokenId, null, tokenId, tokenId, tokenId]);
  });
});
