import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engines } from '@open-cowork/test-support/db';
import { startTestServer, type TestServer } from '@open-cowork/test-support/server';

/** Every table a channel mutation could write to. */
const TABLES = [
  'headless_agents',
  'channel_bindings',
  'channel_identities',
  'channel_session_bindings',
  'channel_provider_events',
  'channel_interactions',
  'channel_deliveries',
  'sessions',
  'session_events',
  'session_commands',
  'audit_events',
  'idempotent_requests',
  'usage_events',
];

interface BadInput {
  name: string;
  method: 'POST' | 'PATCH';
  path: string;
  body?: unknown;
  /** Raw body text instead of JSON. */
  raw?: string;
  headers?: Record<string, string>;
  status: number;
  code: string;
}

const big = 'x'.repeat(17 * 1024);

const cases: BadInput[] = [
  // agents
  { name: 'agent without a name', method: 'POST', path: '/api/channels/agents', body: {}, status: 400, code: 'request.invalid' },
  {
    name: 'agent with an unknown status',
    method: 'POST',
    path: '/api/channels/agents',
    body: { name: 'x', status: 'paused' },
    status: 400,
    code: 'request.invalid',
  },
  {
    name: 'agent id already taken',
    method: 'POST',
    path: '/api/channels/agents',
    body: { name: 'x', agentId: 'ag-1' },
    status: 409,
    code: 'channels.agent_id_unavailable',
  },
  {
    name: 'update of a missing agent',
    method: 'PATCH',
    path: '/api/channels/agents/nope',
    body: { name: 'x' },
    status: 404,
    code: 'channels.agent_not_found',
  },
  {
    name: 'agent update with a bad status',
    method: 'PATCH',
    path: '/api/channels/agents/ag-1',
    body: { status: 'gone' },
    status: 400,
    code: 'request.invalid',
  },
  { name: 'invalid JSON', method: 'POST', path: '/api/channels/agents', raw: '{"name":', status: 400, code: 'request.invalid_json' },
  // bindings
  {
    name: 'binding with a malformed provider',
    method: 'POST',
    path: '/api/channels/bindings',
    body: { agentId: 'ag-1', provider: 'Slack!', displayName: 'x' },
    status: 400,
    code: 'request.invalid',
  },
  {
    name: 'binding with a custom provider lacking "-"',
    method: 'POST',
    path: '/api/channels/bindings',
    body: { agentId: 'ag-1', provider: 'acme', displayName: 'x' },
    status: 400,
    code: 'channels.provider_invalid',
  },
  {
    name: 'binding of a missing agent',
    method: 'POST',
    path: '/api/channels/bindings',
    body: { agentId: 'nope', provider: 'slack', displayName: 'x' },
    status: 404,
    code: 'channels.agent_not_found',
  },
  {
    name: 'binding with a pasted secret',
    method: 'POST',
    path: '/api/channels/bindings',
    body: { agentId: 'ag-1', provider: 'slack', displayName: 'x', credentialRef: 'xoxb-1-2' },
    status: 400,
    code: 'channels.credential_ref_invalid',
  },
  {
    name: 'binding id already taken',
    method: 'POST',
    path: '/api/channels/bindings',
    body: { agentId: 'ag-1', provider: 'slack', displayName: 'x', bindingId: 'cb-1' },
    status: 409,
    code: 'channels.binding_id_unavailable',
  },
  {
    name: 'binding settings not an object',
    method: 'POST',
    path: '/api/channels/bindings',
    body: { agentId: 'ag-1', provider: 'slack', displayName: 'x', settings: 'mention' },
    status: 400,
    code: 'request.invalid',
  },
  {
    name: 'update of a missing binding',
    method: 'PATCH',
    path: '/api/channels/bindings/nope',
    body: { displayName: 'x' },
    status: 404,
    code: 'channels.binding_not_found',
  },
  {
    name: 'binding update with a bad status',
    method: 'PATCH',
    path: '/api/channels/bindings/cb-1',
    body: { status: 'gone' },
    status: 400,
    code: 'request.invalid',
  },
  {
    name: 'binding update with a pasted secret',
    method: 'PATCH',
    path: '/api/channels/bindings/cb-1',
    body: { credentialRef: 'hunter2' },
    status: 400,
    code: 'channels.credential_ref_invalid',
  },
  // identities
  {
    name: 'identity without externalUserId',
    method: 'POST',
    path: '/api/channels/identities/resolve',
    body: { provider: 'slack' },
    status: 400,
    code: 'request.invalid',
  },
  {
    name: 'identity linked to a non-member',
    method: 'POST',
    path: '/api/channels/identities/resolve',
    body: { provider: 'slack', externalUserId: 'U9', accountId: 'usr_nobody' },
    status: 400,
    code: 'channels.account_not_member',
  },
  {
    name: 'identity through a binding of another provider',
    method: 'POST',
    path: '/api/channels/identities/resolve',
    body: { provider: 'telegram', externalUserId: 'U9', channelBindingId: 'cb-1' },
    status: 400,
    code: 'channels.provider_mismatch',
  },
  // chat sessions
  {
    name: 'bind without a thread id',
    method: 'POST',
    path: '/api/channels/sessions/bind',
    body: { channelBindingId: 'cb-1', provider: 'slack', externalChatId: 'C9' },
    status: 400,
    code: 'request.invalid',
  },
  {
    name: 'bind through a missing binding',
    method: 'POST',
    path: '/api/channels/sessions/bind',
    body: { channelBindingId: 'nope', provider: 'slack', externalChatId: 'C9', externalThreadId: '1' },
    status: 404,
    code: 'channels.binding_not_found',
  },
  {
    name: 'bind with another provider',
    method: 'POST',
    path: '/api/channels/sessions/bind',
    body: { channelBindingId: 'cb-1', provider: 'discord', externalChatId: 'C9', externalThreadId: '1' },
    status: 400,
    code: 'channels.provider_mismatch',
  },
  {
    name: 'bind through a disabled binding',
    method: 'POST',
    path: '/api/channels/sessions/bind',
    body: { channelBindingId: 'cb-off', provider: 'slack', externalChatId: 'C9', externalThreadId: '1' },
    status: 409,
    code: 'channels.binding_inactive',
  },
  {
    name: 'bind to a missing session',
    method: 'POST',
    path: '/api/channels/sessions/bind',
    body: { channelBindingId: 'cb-1', provider: 'slack', externalChatId: 'C9', externalThreadId: '1', sessionId: 'ses_nope' },
    status: 404,
    code: 'sessions.not_found',
  },
  {
    name: 'prompt with blank text',
    method: 'POST',
    path: '/api/channels/sessions/prompt',
    body: { bindingId: 'SB', text: '   ' },
    status: 400,
    code: 'request.invalid',
  },
  {
    name: 'prompt through a missing session binding',
    method: 'POST',
    path: '/api/channels/sessions/prompt',
    body: { bindingId: 'nope', text: 'hi' },
    status: 404,
    code: 'channels.session_binding_not_found',
  },
  {
    name: 'prompt whose header and body keys differ',
    method: 'POST',
    path: '/api/channels/sessions/prompt',
    body: { bindingId: 'SB', text: 'hi', idempotencyKey: 'a' },
    headers: { 'idempotency-key': 'b' },
    status: 400,
    code: 'idempotency.key_mismatch',
  },
  {
    name: 'prompt with a malformed Idempotency-Key',
    method: 'POST',
    path: '/api/channels/sessions/prompt',
    body: { bindingId: 'SB', text: 'hi' },
    headers: { 'idempotency-key': 'k'.repeat(256) },
    status: 400,
    code: 'idempotency.key_invalid',
  },
  {
    name: 'cursor below zero',
    method: 'POST',
    path: '/api/channels/cursor',
    body: { bindingId: 'SB', lastEventSequence: -1, lastWorkspaceSequence: 0 },
    status: 400,
    code: 'request.invalid',
  },
  {
    name: 'cursor of a missing binding',
    method: 'POST',
    path: '/api/channels/cursor',
    body: { bindingId: 'nope', lastEventSequence: 1, lastWorkspaceSequence: 0 },
    status: 404,
    code: 'channels.session_binding_not_found',
  },
  // provider events
  {
    name: 'claim of an unknown event type',
    method: 'POST',
    path: '/api/channels/provider-events/claim',
    body: { provider: 'slack', providerInstanceId: 'a', providerEventId: 'e', eventType: 'click', claimedBy: 'g' },
    status: 400,
    code: 'request.invalid',
  },
  {
    name: 'claim through a missing binding',
    method: 'POST',
    path: '/api/channels/provider-events/claim',
    body: {
      provider: 'slack',
      providerInstanceId: 'a',
      providerEventId: 'e',
      eventType: 'message',
      claimedBy: 'g',
      channelBindingId: 'nope',
    },
    status: 404,
    code: 'channels.binding_not_found',
  },
  {
    name: 'completion of an unclaimed event',
    method: 'POST',
    path: '/api/channels/provider-events/nope/complete',
    body: { claimedBy: 'g', status: 'processed' },
    status: 404,
    code: 'channels.provider_event_not_held',
  },
  {
    name: 'completion with an unknown outcome',
    method: 'POST',
    path: '/api/channels/provider-events/nope/complete',
    body: { claimedBy: 'g', status: 'done' },
    status: 400,
    code: 'request.invalid',
  },
  // interactions
  {
    name: 'interaction of an unknown kind',
    method: 'POST',
    path: '/api/channels/interactions',
    body: { agentId: 'ag-1', sessionBindingId: 'SB', sessionId: 'SES', provider: 'slack', kind: 'vote', targetId: 't' },
    status: 400,
    code: 'request.invalid',
  },
  {
    name: 'interaction of a missing session binding',
    method: 'POST',
    path: '/api/channels/interactions',
    body: { agentId: 'ag-1', sessionBindingId: 'nope', sessionId: 'SES', provider: 'slack', kind: 'permission', targetId: 't' },
    status: 404,
    code: 'channels.session_binding_not_found',
  },
  {
    name: 'interaction for another session',
    method: 'POST',
    path: '/api/channels/interactions',
    body: { agentId: 'ag-1', sessionBindingId: 'SB', sessionId: 'ses_other', provider: 'slack', kind: 'permission', targetId: 't' },
    status: 400,
    code: 'channels.session_mismatch',
  },
  {
    name: 'interaction expiring in the past',
    method: 'POST',
    path: '/api/channels/interactions',
    body: {
      agentId: 'ag-1',
      sessionBindingId: 'SB',
      sessionId: 'SES',
      provider: 'slack',
      kind: 'permission',
      targetId: 't',
      expiresAt: '2020-01-01T00:00:00Z',
    },
    status: 400,
    code: 'channels.expires_at_past',
  },
  {
    name: 'interaction with a short token secret',
    method: 'POST',
    path: '/api/channels/interactions',
    body: {
      agentId: 'ag-1',
      sessionBindingId: 'SB',
      sessionId: 'SES',
      provider: 'slack',
      kind: 'permission',
      targetId: 't',
      tokenSecret: 'short',
    },
    status: 400,
    code: 'request.invalid',
  },
  {
    name: 'resolve without token or external id',
    method: 'POST',
    path: '/api/channels/interactions/resolve',
    body: { response: 'once' },
    status: 400,
    code: 'channels.interaction_reference_required',
  },
  {
    name: 'resolve with an unknown token',
    method: 'POST',
    path: '/api/channels/interactions/resolve',
    body: { token: 'ocit_nope', response: 'once' },
    status: 404,
    code: 'channels.interaction_not_found',
  },
  // deliveries
  {
    name: 'delivery whose target is not an object',
    method: 'POST',
    path: '/api/channels/deliveries',
    body: { agentId: 'ag-1', channelBindingId: 'cb-1', provider: 'slack', target: 'C1', eventType: 'x', payload: {} },
    status: 400,
    code: 'request.invalid',
  },
  {
    name: 'delivery payload over 16 KiB',
    method: 'POST',
    path: '/api/channels/deliveries',
    body: { agentId: 'ag-1', channelBindingId: 'cb-1', provider: 'slack', target: {}, eventType: 'x', payload: { text: big } },
    status: 413,
    code: 'channels.delivery_too_large',
  },
  {
    name: 'delivery body over the 1 MiB cap',
    method: 'POST',
    path: '/api/channels/deliveries',
    raw: JSON.stringify({ payload: 'x'.repeat(1024 * 1024 + 1) }),
    status: 413,
    code: 'request.body_too_large',
  },
  {
    name: 'delivery through a missing binding',
    method: 'POST',
    path: '/api/channels/deliveries',
    body: { agentId: 'ag-1', channelBindingId: 'nope', provider: 'slack', target: {}, eventType: 'x', payload: {} },
    status: 404,
    code: 'channels.binding_not_found',
  },
  {
    name: 'delivery by an agent that does not own the binding',
    method: 'POST',
    path: '/api/channels/deliveries',
    body: { agentId: 'ag-2', channelBindingId: 'cb-1', provider: 'slack', target: {}, eventType: 'x', payload: {} },
    status: 400,
    code: 'channels.agent_mismatch',
  },
  {
    name: 'delivery through a disabled binding',
    method: 'POST',
    path: '/api/channels/deliveries',
    body: { agentId: 'ag-1', channelBindingId: 'cb-off', provider: 'slack', target: {}, eventType: 'x', payload: {} },
    status: 409,
    code: 'channels.binding_inactive',
  },
  {
    name: 'delivery for a session binding of another binding',
    method: 'POST',
    path: '/api/channels/deliveries',
    body: {
      agentId: 'ag-1',
      channelBindingId: 'cb-1',
      provider: 'slack',
      target: {},
      eventType: 'x',
      payload: {},
      sessionBindingId: 'nope',
    },
    status: 403,
    code: 'channels.session_binding_mismatch',
  },
  {
    name: 'delivery created with status sent',
    method: 'POST',
    path: '/api/channels/deliveries',
    body: { agentId: 'ag-1', channelBindingId: 'cb-1', provider: 'slack', target: {}, eventType: 'x', payload: {}, status: 'sent' },
    status: 400,
    code: 'request.invalid',
  },
  {
    name: 'ack with an unknown status',
    method: 'POST',
    path: '/api/channels/deliveries/d-pending/ack',
    body: { status: 'delivered', claimedBy: 'g' },
    status: 400,
    code: 'request.invalid',
  },
  {
    name: 'ack of a delivery nobody claimed',
    method: 'POST',
    path: '/api/channels/deliveries/d-pending/ack',
    body: { status: 'sent', claimedBy: 'g' },
    status: 404,
    code: 'channels.delivery_not_found',
  },
  {
    name: 'renew without claimedBy',
    method: 'POST',
    path: '/api/channels/deliveries/d-pending/renew',
    body: { ttlMs: 1000 },
    status: 400,
    code: 'request.invalid',
  },
  {
    name: 'renew of a missing delivery',
    method: 'POST',
    path: '/api/channels/deliveries/nope/renew',
    body: { claimedBy: 'g' },
    status: 404,
    code: 'channels.delivery_not_found',
  },
  {
    name: 'renew of a lease held by nobody',
    method: 'POST',
    path: '/api/channels/deliveries/d-pending/renew',
    body: { claimedBy: 'g' },
    status: 409,
    code: 'channels.delivery_lease_not_held',
  },
  {
    name: 'retry of a missing delivery',
    method: 'POST',
    path: '/api/channels/deliveries/nope/retry',
    body: {},
    status: 404,
    code: 'channels.delivery_not_found',
  },
  {
    name: 'retry of a sent delivery',
    method: 'POST',
    path: '/api/channels/deliveries/d-sent/retry',
    body: {},
    status: 409,
    code: 'channels.delivery_already_sent',
  },
  {
    name: 'dead-letter of a sent delivery',
    method: 'POST',
    path: '/api/channels/deliveries/d-sent/dead-letter',
    body: {},
    status: 409,
    code: 'channels.delivery_already_sent',
  },
  {
    name: 'dead-letter with an over-long error',
    method: 'POST',
    path: '/api/channels/deliveries/d-pending/dead-letter',
    body: { lastError: 'x'.repeat(5000) },
    status: 400,
    code: 'request.invalid',
  },
];

describe.each(engines)('channel routes refuse bad input and write nothing (%s)', (engine) => {
  let server: TestServer;
  let token: string;
  let sessionBindingId: string;
  let sessionId: string;

  const call = (input: Pick<BadInput, 'method' | 'path' | 'body' | 'raw' | 'headers'>) =>
    fetch(`${server.baseUrl}${input.path}`, {
      method: input.method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...input.headers },
      body: input.raw ?? JSON.stringify(input.body ?? {}),
    });

  /** Every row of every table a mutation could touch. */
  const snapshot = async () => {
    const tables: Record<string, unknown> = {};
    for (const table of TABLES) tables[table] = (await server.db.query(`SELECT * FROM ${table} ORDER BY 1, 2`)).rows;
    return JSON.stringify(tables);
  };

  beforeAll(async () => {
    server = await startTestServer({ engine });
    token = await server.mintToken(['admin', 'gateway']);
    const json = async (path: string, body: unknown) => {
      const response = await call({ method: 'POST', path, body });
      expect(response.status, path).toBeLessThan(300);
      return response.json() as Promise<Record<string, Record<string, string>>>;
    };
    await json('/api/channels/agents', { name: 'One', agentId: 'ag-1' });
    await json('/api/channels/agents', { name: 'Two', agentId: 'ag-2' });
    await json('/api/channels/bindings', { agentId: 'ag-1', provider: 'slack', displayName: 'On', bindingId: 'cb-1' });
    await json('/api/channels/bindings', {
      agentId: 'ag-1',
      provider: 'slack',
      displayName: 'Off',
      bindingId: 'cb-off',
      status: 'disabled',
    });
    const bound = await json('/api/channels/sessions/bind', {
      channelBindingId: 'cb-1',
      provider: 'slack',
      externalChatId: 'C1',
      externalThreadId: '1',
    });
    sessionBindingId = bound.binding!.bindingId!;
    sessionId = bound.binding!.sessionId!;
    await json('/api/channels/deliveries', {
      agentId: 'ag-1',
      channelBindingId: 'cb-1',
      provider: 'slack',
      target: {},
      eventType: 'x',
      payload: {},
      deliveryId: 'd-pending',
    });
    await json('/api/channels/deliveries', {
      agentId: 'ag-1',
      channelBindingId: 'cb-1',
      provider: 'slack',
      target: {},
      eventType: 'x',
      payload: {},
      deliveryId: 'd-sent',
    });
    await server.db.query("UPDATE channel_deliveries SET status = 'sent' WHERE delivery_id = 'd-sent'");
  });
  afterAll(() => server.close());

  it.each(cases)('$name: $status $code', async (bad) => {
    const resolve = (text: string) =>
      text.replaceAll('"SB"', JSON.stringify(sessionBindingId)).replaceAll('"SES"', JSON.stringify(sessionId));
    const body = bad.body === undefined ? undefined : JSON.parse(resolve(JSON.stringify(bad.body)));
    const before = await snapshot();
    const response = await call({ ...bad, body });
    expect(response.status).toBe(bad.status);
    const answer = (await response.json()) as { error: unknown; code: unknown };
    expect(answer.code).toBe(bad.code);
    expect(typeof answer.error).toBe('string');
    expect(await snapshot()).toBe(before);
  });

  it('an Idempotency-Key reused with another body is refused, and the second request writes nothing', async () => {
    const first = await call({
      method: 'POST',
      path: '/api/channels/agents',
      body: { name: 'Keyed' },
      headers: { 'idempotency-key': 'k-agent' },
    });
    expect(first.status).toBe(201);
    const replay = await call({
      method: 'POST',
      path: '/api/channels/agents',
      body: { name: 'Keyed' },
      headers: { 'idempotency-key': 'k-agent' },
    });
    expect(replay.status).toBe(201);
    expect(await replay.json()).toEqual(await first.json());
    const before = await snapshot();
    const reused = await call({
      method: 'POST',
      path: '/api/channels/agents',
      body: { name: 'Other' },
      headers: { 'idempotency-key': 'k-agent' },
    });
    expect(reused.status).toBe(409);
    expect(((await reused.json()) as { code: string }).code).toBe('idempotency.key_reused');
    expect(await snapshot()).toBe(before);
  });

  it('an interaction token is never stored in the clear, and a retry under the key gets the same answer (sealed at rest)', async () => {
    const body = { agentId: 'ag-1', sessionBindingId, sessionId, provider: 'slack', kind: 'permission', targetId: 'perm-x' };
    const created = await call({ method: 'POST', path: '/api/channels/interactions', body, headers: { 'idempotency-key': 'k-int' } });
    expect(created.status).toBe(201);
    const { plaintextToken } = (await created.json()) as { plaintextToken: string };
    expect(await snapshot()).not.toContain(plaintextToken);
    const replay = await call({ method: 'POST', path: '/api/channels/interactions', body, headers: { 'idempotency-key': 'k-int' } });
    expect(replay.status).toBe(201);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(((await replay.json()) as { plaintextToken: string }).plaintextToken).toBe(plaintextToken);
    expect(await snapshot()).not.toContain(plaintextToken);
  });

  it('an expired interaction answers 410 and stays unused', async () => {
    const body = {
      agentId: 'ag-1',
      sessionBindingId,
      sessionId,
      provider: 'slack',
      kind: 'question',
      targetId: 'q-x',
      expiresAt: new Date(Date.now() + 60 * 60_000).toISOString(),
    };
    const created = await call({ method: 'POST', path: '/api/channels/interactions', body });
    const { plaintextToken, interaction } = (await created.json()) as { plaintextToken: string; interaction: { interactionId: string } };
    // Its expiry is moved into the past rather than waited for.
    await server.db.query(`UPDATE channel_interactions SET expires_at = now() - interval '1 second' WHERE interaction_id = $1`, [
      interaction.interactionId,
    ]);
    const before = await snapshot();
    const late = await call({ method: 'POST', path: '/api/channels/interactions/resolve', body: { token: plaintextToken, answers: [] } });
    expect(late.status).toBe(410);
    expect(((await late.json()) as { code: string }).code).toBe('channels.interaction_expired');
    expect(await snapshot()).toBe(before);
    const { rows } = await server.db.query('SELECT status FROM channel_interactions WHERE interaction_id = $1', [
      interaction.interactionId,
    ]);
    expect(rows[0]).toMatchObject({ status: 'pending' });
  });

  it('every mutation is audited', async () => {
    const { rows } = await server.db.query<{ action: string }>('SELECT DISTINCT action FROM audit_events ORDER BY action');
    expect(rows.map((row) => row.action)).toEqual(
      expect.arrayContaining([
        'channel_agent.created',
        'channel_binding.created',
        'channel_session.bound',
        'channel_delivery.created',
        'channel_interaction.created',
      ]),
    );
  });
});
