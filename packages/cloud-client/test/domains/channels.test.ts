import { describe, expect, it } from 'vitest';
import { FakeEventSource, recorder, settle } from '../helpers/streams.js';
import {
  CASE_TITLE,
  INVALID_TITLE,
  get,
  patch,
  post,
  runCase,
  runInvalid,
  send,
  setup,
  type DomainCase,
  type InvalidCall,
} from '../helpers/domain-cases.js';

const at = '2026-08-01T00:00:00.000Z';

const provider = {
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
const binding = {
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
const bound = { binding: sessionBinding, session: view };
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
const delivery = (status = 'claimed', extra: object = {}) => ({
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
const artifact = {
  artifactId: 'art 1',
  filename: 'report.pdf',
  mime: 'application/pdf',
  contentType: 'application/pdf',
  dataBase64: 'JVBERg==',
};
const reserved = 'a/b?c#d';
const encoded = 'a%2Fb%3Fc%23d';

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
    exchanges: [
      post('/api/channels/agents', { name: 'Helper', profileName: 'default', agentId: 'ag1' }, { agent }, 'k-1', 201),
    ],
    result: agent,
  },
  {
    method: 'updateHeadlessAgent',
    args: [reserved, { status: 'disabled' }],
    exchanges: [
      patch(`/api/channels/agents/${encoded}`, { status: 'disabled' }, { agent: { ...agent, status: 'disabled' } }),
    ],
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
    args: [{
      agentId: 'ag1',
      provider: 'slack',
      displayName: 'Acme Slack',
      credentialRef: 'env:SLACK_TOKEN',
      settings: { mention: true },
    }],
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
      send(
        'PATCH',
        '/api/channels/bindings/cb1',
        { displayName: 'Renamed' },
        { binding: { ...binding, displayName: 'Renamed' } },
        'k-2',
      ),
    ],
    result: { ...binding, displayName: 'Renamed' },
  },
  {
    method: 'disconnectChannelBinding',
    args: [reserved],
    exchanges: [
      patch(
        `/api/channels/bindings/${encoded}`,
        { status: 'disabled' },
        { binding: { ...binding, status: 'disabled' } },
      ),
    ],
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
      get(
        '/api/channels/identities?provider=slack&externalWorkspaceId=T1&role=member&status=active&limit=20',
        { identities: [identity] },
      ),
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
    args: [{
      channelBindingId: 'cb1',
      provider: 'slack',
      externalChatId: 'C1',
      externalThreadId: '171.1',
      title: 'Thread',
    }],
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
      get(
        '/api/channels/sessions/by-thread?provider=slack&externalWorkspaceId=T1&externalChatId=C1&externalThreadId=171.1',
        bound,
      ),
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
    exchanges: [
      get(
        `/api/channels/sessions/${encoded}/artifacts/art%201`,
        { artifact: { ...artifact, contentType: '', mime: '' } },
      ),
    ],
    result: {
      mime: 'application/octet-stream',
      url: 'data:application/octet-stream;base64,JVBERg==',
      filename: 'report.pdf',
    },
  },
  {
    method: 'promptChannelSession',
    args: [{ bindingId: 'sb1', text: 'hello', agent: 'build' }],
    exchanges: [
      post(
        '/api/channels/sessions/prompt',
        { bindingId: 'sb1', text: 'hello', agent: 'build' },
        prompted,
        undefined,
        202,
      ),
    ],
    result: prompted,
  },
  {
    // The key given in the input goes in the body (old servers) and in the header.
    method: 'promptChannelSession',
    args: [{ bindingId: 'sb1', text: 'hello', idempotencyKey: 'slack:Ev1' }],
    exchanges: [
      post(
        '/api/channels/sessions/prompt',
        { bindingId: 'sb1', text: 'hello', idempotencyKey: 'slack:Ev1' },
        prompted,
        'slack:Ev1',
        202,
      ),
    ],
    result: prompted,
  },
  {
    // The key given in the options goes in the header and in the body.
    method: 'promptChannelSession',
    args: [{ bindingId: 'sb1', text: 'hello' }, { idempotencyKey: 'slack:Ev2' }],
    exchanges: [
      post(
        '/api/channels/sessions/prompt',
        { bindingId: 'sb1', text: 'hello', idempotencyKey: 'slack:Ev2' },
        prompted,
        'slack:Ev2',
        202,
      ),
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
    args: [{
      agentId: 'ag1',
      sessionBindingId: 'sb1',
      sessionId: 's1',
      provider: 'slack',
      kind: 'permission',
      targetId: 'perm1',
    }],
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
      post(
        '/api/channels/interactions/resolve',
        { token: 'ocit_1', response: 'once', externalUserId: 'U1' },
        resolved,
        'k-3',
        202,
      ),
    ],
    result: resolved,
  },
  {
    method: 'claimChannelProviderEvent',
    args: [{
      provider: 'slack',
      providerInstanceId: 'app1',
      providerEventId: 'Ev1',
      eventType: 'message',
      claimedBy: 'gw-1',
      ttlMs: 60000,
    }],
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
    args: [
      reserved,
      { status: 'failed', claimedBy: 'gw-1', lastError: 'rate limited', nextAttemptAt: at },
      { idempotencyKey: 'k-5' },
    ],
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
    exchanges: [
      get('/api/channels/deliveries?deliveryId=d1&status=dead&channelBindingId=cb1&limit=200', { deliveries: [] }),
    ],
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
    exchanges: [
      post('/api/channels/deliveries/d1/retry', { channelBindingId: 'cb1' }, { delivery: delivery('failed') }, 'k-6'),
    ],
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

const invalidCalls: InvalidCall[] = [
  { method: 'listChannelProviders', args: [{ limit: 0 }] },
  { method: 'listHeadlessAgents', args: ['10'] },
  { method: 'createHeadlessAgent', args: [{ name: '' }] },
  { method: 'createHeadlessAgent', args: [{ name: 'x', status: 'paused' }] },
  { method: 'updateHeadlessAgent', args: ['', { name: 'x' }] },
  { method: 'updateHeadlessAgent', args: ['ag1', null] },
  { method: 'listChannelBindings', args: [''] },
  { method: 'createChannelBinding', args: [{ agentId: 'ag1', provider: 'Slack!', displayName: 'x' }] },
  { method: 'createChannelBinding', args: [{ agentId: 'ag1', provider: 'slack' }] },
  {
    method: 'createChannelBinding',
    args: [{ agentId: 'ag1', provider: 'slack', displayName: 'x', settings: 'mention' }],
  },
  { method: 'updateChannelBinding', args: ['cb1', { status: 'gone' }] },
  { method: 'disconnectChannelBinding', args: [''] },
  { method: 'listChannelIdentities', args: [{ role: 'king' }] },
  { method: 'listChannelIdentities', args: [{ provider: 'Bad Provider' }] },
  { method: 'resolveChannelIdentity', args: [{ provider: 'slack' }] },
  { method: 'bindChannelSession', args: [{ channelBindingId: 'cb1', provider: 'slack', externalChatId: 'C1' }] },
  { method: 'getChannelSessionByThread', args: [{ provider: 'slack', externalChatId: 'C1' }] },
  { method: 'getChannelSessionSnapshot', args: [''] },
  { method: 'readChannelArtifactAttachment', args: ['sb1', ''] },
  { method: 'readChannelArtifactAttachment', args: ['sb1', 'cloud-artifact://%E0%A4%A/x'] },
  { method: 'promptChannelSession', args: [{ bindingId: 'sb1', text: '  ' }] },
  { method: 'promptChannelSession', args: [{ text: 'hi' }] },
  {
    method: 'promptChannelSession',
    args: [{ bindingId: 'sb1', text: 'hi', idempotencyKey: 'a' }, { idempotencyKey: 'b' }],
  },
  { method: 'promptChannelSession', args: [{ bindingId: 'sb1', text: 'hi', idempotencyKey: '' }] },
  { method: 'updateChannelCursor', args: [{ bindingId: 'sb1', lastEventSequence: -1, lastWorkspaceSequence: 0 }] },
  { method: 'updateChannelCursor', args: [{ bindingId: 'sb1', lastEventSequence: 1 }] },
  {
    method: 'createChannelInteraction',
    args: [{
      agentId: 'ag1',
      sessionBindingId: 'sb1',
      sessionId: 's1',
      provider: 'slack',
      kind: 'vote',
      targetId: 't',
    }],
  },
  { method: 'resolveChannelInteraction', args: [{ response: 'once' }] },
  { method: 'resolveChannelInteraction', args: [{ token: 't', answers: 'yes' }] },
  {
    method: 'claimChannelProviderEvent',
    args: [{ provider: 'slack', providerInstanceId: 'a', providerEventId: 'e', eventType: 'message' }],
  },
  {
    method: 'claimChannelProviderEvent',
    args: [{ provider: 'slack', providerInstanceId: 'a', providerEventId: 'e', eventType: 'click', claimedBy: 'g' }],
  },
  { method: 'completeChannelProviderEvent', args: ['pe1', { claimedBy: 'gw-1' }] },
  { method: 'completeChannelProviderEvent', args: ['pe1', { claimedBy: 'gw-1', status: 'done' }] },
  {
    method: 'createChannelDelivery',
    args: [{ agentId: 'ag1', channelBindingId: 'cb1', provider: 'slack', eventType: 'x', target: 'C1', payload: {} }],
  },
  { method: 'ackChannelDelivery', args: ['d1', { status: 'sent' }] },
  { method: 'ackChannelDelivery', args: ['d1', { status: 'delivered', claimedBy: 'gw-1' }] },
  { method: 'ackChannelDelivery', args: ['', { status: 'sent', claimedBy: 'gw-1' }] },
  { method: 'renewChannelDeliveryLease', args: ['d1', { ttlMs: 1000 }] },
  { method: 'renewChannelDeliveryLease', args: ['d1', { claimedBy: 'gw-1', ttlMs: -5 }] },
  { method: 'listChannelDeliveries', args: [{ status: 'lost' }] },
  { method: 'listChannelDeliveries', args: [{ channelBindingId: ['cb1'] }] },
  { method: 'listChannelIdentities', args: [{ externalWorkspaceId: 7 }] },
  {
    method: 'getChannelSessionByThread',
    args: [{ provider: 'slack', externalWorkspaceId: {}, externalChatId: 'C', externalThreadId: 'T' }],
  },
  { method: 'retryChannelDelivery', args: ['d1', 'cb1'] },
  { method: 'deadLetterChannelDelivery', args: ['', {}] },
];

const sseText = (frames: string[]) => ({
  headers: { 'content-type': 'text/event-stream' },
  body: ': connected\n\n' + frames.join(''),
});
const frame = (type: string, data: unknown, id?: string | number) =>
  `${id === undefined ? '' : `id: ${id}\n`}event: ${type}\ndata: ${JSON.stringify(data)}\n\n`;
const sessionEvent = (sequence: number, type = 'assistant.message') => ({
  eventId: `e${sequence}`,
  sequence,
  type,
  payload: {},
});
const bearer = { authorization: 'Bearer gw-token' };
const ignore = (): void => undefined;

describe('channels domain', () => {
  it.each(channelsCases)(CASE_TITLE, runCase);

  it.each(invalidCalls)(INVALID_TITLE, runInvalid);

  describe('not-found mapping is decided on the error kind, never on the message', () => {
    it.each([
      { status: 400, body: { error: 'Thread not found in request.' }, kind: 'http' },
      { status: 403, body: { error: 'Binding not found for this token.' }, kind: 'forbidden' },
      { status: 500, body: { error: 'Internal server error.' }, kind: 'server' },
      // A server without the route is not "no binding".
      { status: 404, body: { error: 'Route not found.', code: 'route.not_found' }, kind: 'not_found' },
    ])('getChannelSessionByThread rejects on HTTP $status', async ({ status, body, kind }) => {
      const { fetch, call } = setup();
      fetch.respond({ status, body });
      const query = { provider: 'slack', externalChatId: 'C1', externalThreadId: '1' };
      await expect(call('getChannelSessionByThread', [query])).rejects.toMatchObject({ kind, status });
    });

    it('updateChannelCursor rejects on errors other than a record 404', async () => {
      const { fetch, call } = setup();
      fetch.respond({ status: 409, body: { error: 'Not found elsewhere.' } });
      const input = { bindingId: 'sb1', lastEventSequence: 1, lastWorkspaceSequence: 0 };
      await expect(call('updateChannelCursor', [input])).rejects.toMatchObject({ kind: 'conflict' });
    });

    it('ackChannelDelivery surfaces an unmatched ack as kind not_found, never null', async () => {
      const { fetch, call } = setup();
      fetch.respond({
        status: 404,
        body: { error: 'Channel delivery was not found.', code: 'channels.delivery_not_found' },
      });
      await expect(
        call('ackChannelDelivery', ['d1', { status: 'sent', claimedBy: 'gw-1' }]),
      ).rejects.toMatchObject({ kind: 'not_found' });
    });
  });

  describe('channelDeliveriesUrl', () => {
    it('builds the stream URL with one channelBindingId per id', () => {
      const { cloud } = setup();
      expect(cloud.channelDeliveriesUrl()).toBe('https://cloud.test/api/channels/deliveries/stream');
      expect(cloud.channelDeliveriesUrl({ claimedBy: 'gw 1', ttlMs: 60000, channelBindingIds: ['cb1', 'cb/2'] })).toBe(
        'https://cloud.test/api/channels/deliveries/stream?claimedBy=gw+1&ttlMs=60000&channelBindingId=cb1&channelBindingId=cb%2F2',
      );
    });

    it('throws kind request on a bad argument', () => {
      const { cloud } = setup();
      expect(() => cloud.channelDeliveriesUrl({ ttlMs: 0 })).toThrow(expect.objectContaining({ kind: 'request' }));
      expect(
        () => cloud.channelDeliveriesUrl({ channelBindingIds: [''] }),
      ).toThrow(expect.objectContaining({ kind: 'request' }));
    });
  });

  describe('subscribeChannelSessionEvents', () => {
    it('streams the bound session from afterSequence, drops duplicates, always delivers snapshot.required, then closes', async () => {
      const { fetch, cloud } = setup({ headers: bearer });
      const snapshotRequired = { ...sessionEvent(3, 'snapshot.required'), payload: { reason: 'event_retention_gap' } };
      fetch.respond(
        sseText([
          frame('assistant.message', sessionEvent(5), 5),
          frame('assistant.message', sessionEvent(6), 6),
          frame('assistant.message', sessionEvent(6), 6),
          frame('snapshot.required', snapshotRequired, 3),
          frame('future.event', sessionEvent(7, 'future.event'), 7),
        ]),
      );
      const r = recorder();
      cloud.subscribeChannelSessionEvents(
        reserved,
        { afterSequence: 5, onEvent: (event) => void r.events.push(event), ...r.callbacks },
      );
      await settle();
      expect(fetch.last().url).toBe(`https://cloud.test/api/channels/sessions/${encoded}/events?after=5`);
      expect(fetch.last().headers.authorization).toBe('Bearer gw-token');
      expect(r.events).toEqual([sessionEvent(6), snapshotRequired, sessionEvent(7, 'future.event')]);
      expect(r.errors).toEqual([]);
      expect(r.closes()).toBe(1);
    });

    it('listens for the named session event types on the EventSource path', async () => {
      FakeEventSource.instances = [];
      const { cloud } = setup({ eventSource: FakeEventSource });
      const r = recorder();
      const subscription = cloud.subscribeChannelSessionEvents(
        'sb1',
        { onEvent: (event) => void r.events.push(event), ...r.callbacks },
      );
      const source = FakeEventSource.instances[0]!;
      expect(source.url).toBe('https://cloud.test/api/channels/sessions/sb1/events');
      source.emit('assistant.message', JSON.stringify(sessionEvent(1)), '1');
      source.emit('session.idle', JSON.stringify(sessionEvent(2, 'session.idle')), '2');
      expect(r.events).toEqual([sessionEvent(1), sessionEvent(2, 'session.idle')]);
      subscription.close();
      expect(source.closed).toBe(true);
    });

    it.each([
      { name: 'an empty binding id', bindingId: '', options: { onEvent: ignore } },
      { name: 'a missing onEvent', bindingId: 'sb1', options: {} },
      { name: 'a negative afterSequence', bindingId: 'sb1', options: { onEvent: ignore, afterSequence: -1 } },
    ])('reports $name through onError (kind request), opens nothing', async ({ bindingId, options }) => {
      const { fetch, cloud } = setup({ headers: bearer });
      const r = recorder();
      const subscribe = () => cloud.subscribeChannelSessionEvents(bindingId, { ...options, ...r.callbacks } as never);
      expect(subscribe).not.toThrow();
      await settle();
      expect(r.errors.map((error) => error.kind)).toEqual(['request']);
      expect(fetch.requests).toHaveLength(0);
    });
  });

  describe('subscribeChannelDeliveries', () => {
    it('claims with claimedBy, ttlMs and repeated channelBindingId, and delivers every delivery without sequence dedupe', async () => {
      const { fetch, cloud } = setup({ headers: bearer });
      fetch.respond(
        sseText([
          frame('channel.delivery', { delivery: delivery() }, 'd1'),
          ': keep-alive\n\n',
          frame('some.future.frame', { anything: true }),
          // Redelivered after its lease ended: delivered again (at-least-once).
          frame('channel.delivery', { delivery: delivery() }, 'd1'),
        ]),
      );
      const r = recorder();
      cloud.subscribeChannelDeliveries({
        claimedBy: 'gw-1',
        ttlMs: 60000,
        channelBindingIds: ['cb1', 'cb2'],
        onDelivery: (d) => void r.events.push(d),
        ...r.callbacks,
      });
      await settle();
      expect(fetch.last().url).toBe(
        'https://cloud.test/api/channels/deliveries/stream?claimedBy=gw-1&ttlMs=60000&channelBindingId=cb1&channelBindingId=cb2',
      );
      expect(r.events).toEqual([delivery(), delivery()]);
      expect(r.errors).toEqual([]);
      expect(r.closes()).toBe(1);
    });

    it('reports an `event: error` frame as a CloudTransportError of kind sse and keeps streaming', async () => {
      const { fetch, cloud } = setup({ headers: bearer });
      fetch.respond(
        sseText([
          frame(
            'error',
            { error: 'Gateway delivery quota exceeded.', code: 'quota.gateway_deliveries_per_hour_exceeded' },
          ),
          frame('channel.delivery', { delivery: delivery() }, 'd1'),
        ]),
      );
      const r = recorder();
      cloud.subscribeChannelDeliveries({ onDelivery: (d) => void r.events.push(d), ...r.callbacks });
      await settle();
      expect(r.errors).toHaveLength(1);
      expect(r.errors[0]).toMatchObject({
        name: 'CloudTransportError',
        kind: 'sse',
        message: 'Gateway delivery quota exceeded.',
        code: 'quota.gateway_deliveries_per_hour_exceeded',
        url: 'https://cloud.test/api/channels/deliveries/stream',
      });
      expect(r.events).toEqual([delivery()]);
    });

    it('reports a channel.delivery frame without a delivery as kind parse', async () => {
      const { fetch, cloud } = setup({ headers: bearer });
      fetch.respond(sseText([frame('channel.delivery', { nothing: true })]));
      const r = recorder();
      cloud.subscribeChannelDeliveries({ onDelivery: (d) => void r.events.push(d), ...r.callbacks });
      await settle();
      expect(r.errors.map((error) => error.kind)).toEqual(['parse']);
      expect(r.events).toEqual([]);
    });

    it('on the EventSource path, listens for channel.delivery and turns error MessageEvents into kind sse', async () => {
      FakeEventSource.instances = [];
      const { cloud } = setup({ eventSource: FakeEventSource });
      const r = recorder();
      cloud.subscribeChannelDeliveries({ claimedBy: 'gw-1', onDelivery: (d) => void r.events.push(d), ...r.callbacks });
      const source = FakeEventSource.instances[0]!;
      expect(source.url).toBe('https://cloud.test/api/channels/deliveries/stream?claimedBy=gw-1');
      source.emit('channel.delivery', JSON.stringify({ delivery: delivery() }), 'd1');
      source.onerror?.(new MessageEvent('error', { data: JSON.stringify({ error: 'Quota.' }) }));
      expect(r.events).toEqual([delivery()]);
      expect(r.errors.map((error) => [error.kind, error.message])).toEqual([['sse', 'Quota.']]);
    });

    it.each([
      { name: 'a missing onDelivery', options: {} },
      { name: 'a zero ttlMs', options: { ttlMs: 0, onDelivery: ignore } },
      { name: 'an empty claimedBy', options: { claimedBy: '', onDelivery: ignore } },
      { name: 'a non-array channelBindingIds', options: { channelBindingIds: 'cb1', onDelivery: ignore } },
    ])('reports $name through onError (kind request), never a throw, and opens nothing', async ({ options }) => {
      const { fetch, cloud } = setup({ headers: bearer });
      const r = recorder();
      expect(() => cloud.subscribeChannelDeliveries({ ...options, ...r.callbacks } as never)).not.toThrow();
      await settle();
      expect(r.errors.map((error) => error.kind)).toEqual(['request']);
      expect(fetch.requests).toHaveLength(0);
    });

    it('fires nothing after close()', async () => {
      const { fetch, cloud } = setup({ headers: bearer });
      fetch.respond(sseText([frame('channel.delivery', { delivery: delivery() }, 'd1')]));
      const r = recorder();
      const subscription = cloud.subscribeChannelDeliveries({ onDelivery: (d) => void r.events.push(d), ...r.callbacks });
      subscription.close();
      await settle();
      expect(r.events).toEqual([]);
      expect(r.closes()).toBe(0);
    });
  });
});
