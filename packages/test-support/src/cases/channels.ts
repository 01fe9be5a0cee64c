/** The channels domain's calls as data, shared by the client's unit test and the server's OpenAPI test. */
import { get, patch, post, send, type DomainCase } from './exchange.js';

export const at = '2026-08-01T00:00:00.000Z';

export const provider = {
  id: 'slack',
  provider: 'slack',
  label: 'Slack',
  available: true,
  connected: true,
  bindingCount: 1,
  activeBindingCount: 1,
  status: 'connected',
};
const agent = {
  agentId: 'ag1',
  orgId: 'o1',
  tenantId: 't1',
  profileName: 'default',
  name: 'Helper',
  status: 'active',
  managed: false,
  createdByAccountId: 'a1',
  createdAt: at,
  updatedAt: at,
};
export const binding = {
  bindingId: 'cb1',
  orgId: 'o1',
  agentId: 'ag1',
  provider: 'slack',
  externalWorkspaceId: 'T1',
  displayName: 'Acme Slack',
  status: 'active',
  credentialRefConfigured: true,
  credentialRefKind: 'env',
  settings: {},
  createdAt: at,
  updatedAt: at,
};
const identity = {
  identityId: 'id1',
  orgId: 'o1',
  provider: 'slack',
  externalWorkspaceId: 'T1',
  externalUserId: 'U1',
  accountId: null,
  role: 'member',
  status: 'active',
  metadata: {},
  createdAt: at,
  updatedAt: at,
};
const sessionBinding = {
  bindingId: 'sb1',
  orgId: 'o1',
  agentId: 'ag1',
  channelBindingId: 'cb1',
  provider: 'slack',
  externalWorkspaceId: 'T1',
  externalThreadId: '171.1',
  externalChatId: 'C1',
  sessionId: 's1',
  lastEventSequence: 0,
  lastWorkspaceSequence: 0,
  lastChatMessageId: null,
  status: 'active',
  createdAt: at,
  updatedAt: at,
};
const view = {
  session: {
    tenantId: 't1',
    userId: 'u1',
    sessionId: 's1',
    opencodeSessionId: null,
    profileName: 'default',
    status: 'idle',
    title: null,
    createdAt: at,
    updatedAt: at,
  },
  projection: { sessionId: 's1', sequence: 4, view: {}, updatedAt: at },
};
export const bound = { binding: sessionBinding, session: view };
const prompted = {
  binding: sessionBinding,
  command: { commandId: 'c1', kind: 'prompt', status: 'acked' },
  processed: 1,
  view,
  projectionFence: null,
};
const interaction = {
  interactionId: 'in1',
  orgId: 'o1',
  agentId: 'ag1',
  channelBindingId: 'cb1',
  sessionBindingId: 'sb1',
  sessionId: 's1',
  provider: 'slack',
  externalInteractionId: null,
  kind: 'permission',
  targetId: 'perm1',
  status: 'pending',
  createdByIdentityId: null,
  expiresAt: null,
  usedAt: null,
  createdAt: at,
  updatedAt: at,
};
const resolved = {
  interaction: { ...interaction, status: 'used' },
  command: { commandId: 'c2' },
  processed: 1,
  view,
  projectionFence: null,
};
const providerEvent = {
  eventId: 'pe1',
  orgId: 'o1',
  channelBindingId: 'cb1',
  provider: 'slack',
  providerInstanceId: 'app1',
  externalWorkspaceId: 'T1',
  providerEventId: 'Ev1',
  eventType: 'message',
  status: 'processing',
  claimedBy: 'gw-1',
  claimExpiresAt: at,
  attemptCount: 1,
  retryable: true,
  lastError: null,
  metadata: {},
  processedAt: null,
  createdAt: at,
  updatedAt: at,
};
export const delivery = (status = 'claimed', extra: object = {}) => ({
  deliveryId: 'd1',
  orgId: 'o1',
  agentId: 'ag1',
  channelBindingId: 'cb1',
  sessionBindingId: 'sb1',
  provider: 'slack',
  target: { channel: 'C1' },
  eventType: 'assistant.message',
  payload: { text: 'hi' },
  status,
  attemptCount: 1,
  claimedBy: status === 'claimed' ? 'gw-1' : null,
  lastClaimedBy: 'gw-1',
  claimExpiresAt: null,
  nextAttemptAt: at,
  lastError: null,
  createdAt: at,
  updatedAt: at,
  ...extra,
});
export const artifact = {
  artifactId: 'art 1',
  filename: 'report.pdf',
  mime: 'application/pdf',
  contentType: 'application/pdf',
  dataBase64: 'JVBERg==',
};
export const reserved = 'a/b?c#d';
export const encoded = 'a%2Fb%3Fc%23d';

export const channelsCases: DomainCase[] = [
  // setup plane
  {
    method: 'listChannelProviders',
    args: [],
    exchanges: [get('/api/channels/providers', { providers: [provider] })],
    result: [provider],
  },
  {
    method: 'listChannelProviders',
    args: [{ limit: 10 }],
    exchanges: [get('/api/channels/providers?limit=10', { providers: [] })],
    result: [],
  },
  {
    method: 'listHeadlessAgents',
    args: [],
    exchanges: [get('/api/channels/agents', { agents: [agent] })],
    result: [agent],
  },
  {
    method: 'listHeadlessAgents',
    args: [{ limit: 5 }],
    exchanges: [get('/api/channels/agents?limit=5', { agents: [agent] })],
    result: [agent],
  },
  {
    method: 'createHeadlessAgent',
    args: [{ name: 'Helper', profileName: 'default', agentId: 'ag1' }, { idempotencyKey: 'k-1' }],
    exchanges: [post('/api/channels/agents', { name: 'Helper', profileName: 'default', agentId: 'ag1' }, { agent }, 'k-1', 201)],
    result: agent,
  },
  {
    method: 'updateHeadlessAgent',
    args: [reserved, { status: 'disabled' }],
    exchanges: [patch(`/api/channels/agents/${encoded}`, { status: 'disabled' }, { agent: { ...agent, status: 'disabled' } })],
    result: { ...agent, status: 'disabled' },
  },
  {
    method: 'listChannelBindings',
    args: [],
    exchanges: [get('/api/channels/bindings', { bindings: [binding] })],
    result: [binding],
  },
  {
    method: 'listChannelBindings',
    args: ['ag1'],
    exchanges: [get('/api/channels/bindings?agentId=ag1', { bindings: [binding] })],
    result: [binding],
  },
  {
    method: 'createChannelBinding',
    args: [
      {
        agentId: 'ag1',
        provider: 'slack',
        displayName: 'Acme Slack',
        credentialRef: 'env:SLACK_TOKEN',
        settings: { mention: true },
      },
    ],
    exchanges: [
      post(
        '/api/channels/bindings',
        {
          agentId: 'ag1',
          provider: 'slack',
          displayName: 'Acme Slack',
          credentialRef: 'env:SLACK_TOKEN',
          settings: { mention: true },
        },
        { binding },
        undefined,
        201,
      ),
    ],
    result: binding,
  },
  {
    method: 'updateChannelBinding',
    args: ['cb1', { displayName: 'Renamed' }, { idempotencyKey: 'k-2' }],
    exchanges: [
      send('PATCH', '/api/channels/bindings/cb1', { displayName: 'Renamed' }, { binding: { ...binding, displayName: 'Renamed' } }, 'k-2'),
    ],
    result: { ...binding, displayName: 'Renamed' },
  },
  {
    method: 'disconnectChannelBinding',
    args: [reserved],
    exchanges: [patch(`/api/channels/bindings/${encoded}`, { status: 'disabled' }, { binding: { ...binding, status: 'disabled' } })],
    result: { ...binding, status: 'disabled' },
  },
  {
    method: 'listChannelIdentities',
    args: [],
    exchanges: [get('/api/channels/identities', { identities: [identity] })],
    result: [identity],
  },
  {
    method: 'listChannelIdentities',
    args: [{ provider: 'slack', externalWorkspaceId: 'T1', role: 'member', status: 'active', limit: 20 }],
    exchanges: [
      get('/api/channels/identities?provider=slack&externalWorkspaceId=T1&role=member&status=active&limit=20', { identities: [identity] }),
    ],
    result: [identity],
  },
  {
    method: 'resolveChannelIdentity',
    args: [{ provider: 'slack', externalUserId: 'U1', externalWorkspaceId: 'T1', metadata: { name: 'Ada' } }],
    exchanges: [
      post(
        '/api/channels/identities/resolve',
        { provider: 'slack', externalUserId: 'U1', externalWorkspaceId: 'T1', metadata: { name: 'Ada' } },
        { identity },
      ),
    ],
    result: identity,
  },
  // chat sessions
  {
    method: 'bindChannelSession',
    args: [
      {
        channelBindingId: 'cb1',
        provider: 'slack',
        externalChatId: 'C1',
        externalThreadId: '171.1',
        title: 'Thread',
      },
    ],
    exchanges: [
      post(
        '/api/channels/sessions/bind',
        {
          channelBindingId: 'cb1',
          provider: 'slack',
          externalChatId: 'C1',
          externalThreadId: '171.1',
          title: 'Thread',
        },
        bound,
      ),
    ],
    result: bound,
  },
  {
    method: 'getChannelSessionByThread',
    args: [{ provider: 'slack', externalWorkspaceId: 'T1', externalChatId: 'C1', externalThreadId: '171.1' }],
    exchanges: [
      get('/api/channels/sessions/by-thread?provider=slack&externalWorkspaceId=T1&externalChatId=C1&externalThreadId=171.1', bound),
    ],
    result: bound,
  },
  {
    // An unbound thread is a 404 with a record code: the method answers null.
    method: 'getChannelSessionByThread',
    args: [{ provider: 'slack', externalChatId: 'C1', externalThreadId: '9.9' }],
    exchanges: [
      {
        request: {
          method: 'GET',
          path: '/api/channels/sessions/by-thread?provider=slack&externalChatId=C1&externalThreadId=9.9',
        },
        response: {
          status: 404,
          body: { error: 'Channel session binding was not found.', code: 'channels.session_binding_not_found' },
        },
      },
    ],
    result: null,
  },
  {
    method: 'getChannelSessionSnapshot',
    args: [reserved],
    exchanges: [get(`/api/channels/sessions/${encoded}/snapshot`, view)],
    result: view,
  },
  {
    method: 'readChannelArtifactAttachment',
    args: ['sb1', 'art 1'],
    exchanges: [get('/api/channels/sessions/sb1/artifacts/art%201', { artifact })],
    result: { mime: 'application/pdf', url: 'data:application/pdf;base64,JVBERg==', filename: 'report.pdf' },
  },
  {
    method: 'readChannelArtifactAttachment',
    args: [reserved, 'cloud-artifact://art%201/report.pdf'],
    exchanges: [get(`/api/channels/sessions/${encoded}/artifacts/art%201`, { artifact: { ...artifact, contentType: '', mime: '' } })],
    result: {
      mime: 'application/octet-stream',
      url: 'data:application/octet-stream;base64,JVBERg==',
      filename: 'report.pdf',
    },
  },
  {
    method: 'promptChannelSession',
    args: [{ bindingId: 'sb1', text: 'hello', agent: 'build' }],
    exchanges: [post('/api/channels/sessions/prompt', { bindingId: 'sb1', text: 'hello', agent: 'build' }, prompted, undefined, 202)],
    result: prompted,
  },
  {
    // The key given in the input goes in the body (old servers) and in the header.
    method: 'promptChannelSession',
    args: [{ bindingId: 'sb1', text: 'hello', idempotencyKey: 'slack:Ev1' }],
    exchanges: [
      post('/api/channels/sessions/prompt', { bindingId: 'sb1', text: 'hello', idempotencyKey: 'slack:Ev1' }, prompted, 'slack:Ev1', 202),
    ],
    result: prompted,
  },
  {
    // The key given in the options goes in the header and in the body.
    method: 'promptChannelSession',
    args: [{ bindingId: 'sb1', text: 'hello' }, { idempotencyKey: 'slack:Ev2' }],
    exchanges: [
      post('/api/channels/sessions/prompt', { bindingId: 'sb1', text: 'hello', idempotencyKey: 'slack:Ev2' }, prompted, 'slack:Ev2', 202),
    ],
    result: prompted,
  },
  {
    method: 'updateChannelCursor',
    args: [{ bindingId: 'sb1', lastEventSequence: 7, lastWorkspaceSequence: 0, lastChatMessageId: 'm9' }],
    exchanges: [
      post(
        '/api/channels/cursor',
        { bindingId: 'sb1', lastEventSequence: 7, lastWorkspaceSequence: 0, lastChatMessageId: 'm9' },
        { binding: sessionBinding, result: { ok: true, binding: sessionBinding } },
      ),
    ],
    result: { ok: true, binding: sessionBinding },
  },
  {
    method: 'updateChannelCursor',
    args: [{ bindingId: 'sb1', lastEventSequence: 1, lastWorkspaceSequence: 0 }],
    exchanges: [
      post(
        '/api/channels/cursor',
        { bindingId: 'sb1', lastEventSequence: 1, lastWorkspaceSequence: 0 },
        { binding: sessionBinding, result: { ok: false, reason: 'stale', binding: sessionBinding } },
      ),
    ],
    result: { ok: false, reason: 'stale', binding: sessionBinding },
  },
  {
    method: 'updateChannelCursor',
    args: [{ bindingId: 'gone', lastEventSequence: 1, lastWorkspaceSequence: 0 }],
    exchanges: [
      post(
        '/api/channels/cursor',
        { bindingId: 'gone', lastEventSequence: 1, lastWorkspaceSequence: 0 },
        { error: 'Not found.' },
        undefined,
        404,
      ),
    ],
    result: { ok: false, reason: 'not_found' },
  },
  // interactions and provider events
  {
    method: 'createChannelInteraction',
    args: [
      {
        agentId: 'ag1',
        sessionBindingId: 'sb1',
        sessionId: 's1',
        provider: 'slack',
        kind: 'permission',
        targetId: 'perm1',
      },
    ],
    exchanges: [
      post(
        '/api/channels/interactions',
        {
          agentId: 'ag1',
          sessionBindingId: 'sb1',
          sessionId: 's1',
          provider: 'slack',
          kind: 'permission',
          targetId: 'perm1',
        },
        { interaction, plaintextToken: 'ocit_1' },
        undefined,
        201,
      ),
    ],
    result: { interaction, plaintextToken: 'ocit_1' },
  },
  {
    method: 'resolveChannelInteraction',
    args: [{ token: 'ocit_1', response: 'once', externalUserId: 'U1' }, { idempotencyKey: 'k-3' }],
    exchanges: [
      post('/api/channels/interactions/resolve', { token: 'ocit_1', response: 'once', externalUserId: 'U1' }, resolved, 'k-3', 202),
    ],
    result: resolved,
  },
  {
    method: 'claimChannelProviderEvent',
    args: [
      {
        provider: 'slack',
        providerInstanceId: 'app1',
        providerEventId: 'Ev1',
        eventType: 'message',
        claimedBy: 'gw-1',
        ttlMs: 60000,
      },
    ],
    exchanges: [
      post(
        '/api/channels/provider-events/claim',
        {
          provider: 'slack',
          providerInstanceId: 'app1',
          providerEventId: 'Ev1',
          eventType: 'message',
          claimedBy: 'gw-1',
          ttlMs: 60000,
        },
        { event: providerEvent, claimed: true, duplicate: false },
      ),
    ],
    result: { event: providerEvent, claimed: true, duplicate: false },
  },
  {
    method: 'completeChannelProviderEvent',
    args: [reserved, { claimedBy: 'gw-1', status: 'processed' }],
    exchanges: [
      post(
        `/api/channels/provider-events/${encoded}/complete`,
        { claimedBy: 'gw-1', status: 'processed' },
        { event: { ...providerEvent, status: 'processed' } },
      ),
    ],
    result: { ...providerEvent, status: 'processed' },
  },
  // delivery queue
  {
    method: 'createChannelDelivery',
    args: [
      {
        agentId: 'ag1',
        channelBindingId: 'cb1',
        provider: 'slack',
        target: { channel: 'C1' },
        eventType: 'assistant.message',
        payload: { text: 'hi' },
        deliveryId: 'd1',
      },
      { idempotencyKey: 'k-4' },
    ],
    exchanges: [
      post(
        '/api/channels/deliveries',
        {
          agentId: 'ag1',
          channelBindingId: 'cb1',
          provider: 'slack',
          target: { channel: 'C1' },
          eventType: 'assistant.message',
          payload: { text: 'hi' },
          deliveryId: 'd1',
        },
        { delivery: delivery('pending') },
        'k-4',
        201,
      ),
    ],
    result: delivery('pending'),
  },
  {
    method: 'ackChannelDelivery',
    args: ['d1', { status: 'sent', claimedBy: 'gw-1', channelBindingId: 'cb1' }],
    exchanges: [
      post(
        '/api/channels/deliveries/d1/ack',
        { status: 'sent', claimedBy: 'gw-1', channelBindingId: 'cb1' },
        { delivery: delivery('sent') },
      ),
    ],
    result: delivery('sent'),
  },
  {
    method: 'ackChannelDelivery',
    args: [reserved, { status: 'failed', claimedBy: 'gw-1', lastError: 'rate limited', nextAttemptAt: at }, { idempotencyKey: 'k-5' }],
    exchanges: [
      post(
        `/api/channels/deliveries/${encoded}/ack`,
        { status: 'failed', claimedBy: 'gw-1', lastError: 'rate limited', nextAttemptAt: at },
        { delivery: delivery('failed', { lastError: 'rate limited' }) },
        'k-5',
      ),
    ],
    result: delivery('failed', { lastError: 'rate limited' }),
  },
  {
    method: 'renewChannelDeliveryLease',
    args: ['d1', { claimedBy: 'gw-1', ttlMs: 30000 }],
    exchanges: [
      post(
        '/api/channels/deliveries/d1/renew',
        { claimedBy: 'gw-1', ttlMs: 30000 },
        { delivery: delivery('claimed', { claimExpiresAt: at }) },
      ),
    ],
    result: delivery('claimed', { claimExpiresAt: at }),
  },
  {
    method: 'listChannelDeliveries',
    args: [],
    exchanges: [get('/api/channels/deliveries', { deliveries: [delivery()] })],
    result: [delivery()],
  },
  {
    method: 'listChannelDeliveries',
    args: [{ deliveryId: 'd1', status: 'dead', channelBindingId: 'cb1', limit: 200 }],
    exchanges: [get('/api/channels/deliveries?deliveryId=d1&status=dead&channelBindingId=cb1&limit=200', { deliveries: [] })],
    result: [],
  },
  {
    method: 'retryChannelDelivery',
    args: ['d1'],
    exchanges: [post('/api/channels/deliveries/d1/retry', {}, { delivery: delivery('failed') })],
    result: delivery('failed'),
  },
  {
    method: 'retryChannelDelivery',
    args: ['d1', { channelBindingId: 'cb1' }, { idempotencyKey: 'k-6' }],
    exchanges: [post('/api/channels/deliveries/d1/retry', { channelBindingId: 'cb1' }, { delivery: delivery('failed') }, 'k-6')],
    result: delivery('failed'),
  },
  {
    method: 'deadLetterChannelDelivery',
    args: [reserved],
    exchanges: [post(`/api/channels/deliveries/${encoded}/dead-letter`, {}, { delivery: delivery('dead') })],
    result: delivery('dead'),
  },
  {
    method: 'deadLetterChannelDelivery',
    args: ['d1', { channelBindingId: 'cb1', lastError: 'Bad target.' }],
    exchanges: [
      post(
        '/api/channels/deliveries/d1/dead-letter',
        { channelBindingId: 'cb1', lastError: 'Bad target.' },
        { delivery: delivery('dead') },
      ),
    ],
    result: delivery('dead'),
  },
];
