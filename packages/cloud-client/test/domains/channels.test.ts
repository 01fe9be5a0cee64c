import { describe, expect, it } from 'vitest';
import { FakeEventSource, recorder, settle } from '../helpers/streams.js';
import { CASE_TITLE, INVALID_TITLE, runCase, runInvalid, setup, type InvalidCall } from '../helpers/domain-cases.js';
import { channelsCases, delivery, reserved, encoded } from '@open-cowork/test-support/cases/channels';

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
    args: [
      {
        agentId: 'ag1',
        sessionBindingId: 'sb1',
        sessionId: 's1',
        provider: 'slack',
        kind: 'vote',
        targetId: 't',
      },
    ],
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
  body: `: connected\n\n${frames.join('')}`,
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
      await expect(call('ackChannelDelivery', ['d1', { status: 'sent', claimedBy: 'gw-1' }])).rejects.toMatchObject({ kind: 'not_found' });
    });
  });

  describe('channelDeliveriesUrl', () => {
    it('builds the stream URL with one channelBindingId per id', () => {
      const { cloud } = setup();
      expect(cloud.channelDeliveriesUrl()).toBe('https://cloud.test/api/channels/deliveries/stream');
      expect(cloud.channelDeliveriesUrl({ claimedBy: 'gw 1', ttlMs: 60000, channelBindingIds: ['cb1', 'cb/2'], prefetch: 4 })).toBe(
        'https://cloud.test/api/channels/deliveries/stream?claimedBy=gw+1&ttlMs=60000&channelBindingId=cb1&channelBindingId=cb%2F2&prefetch=4',
      );
    });

    it('throws kind request on a bad argument', () => {
      const { cloud } = setup();
      expect(() => cloud.channelDeliveriesUrl({ ttlMs: 0 })).toThrow(expect.objectContaining({ kind: 'request' }));
      expect(() => cloud.channelDeliveriesUrl({ prefetch: 1.5 })).toThrow(expect.objectContaining({ kind: 'request' }));
      expect(() => cloud.channelDeliveriesUrl({ channelBindingIds: [''] })).toThrow(expect.objectContaining({ kind: 'request' }));
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
      cloud.subscribeChannelSessionEvents(reserved, { afterSequence: 5, onEvent: (event) => void r.events.push(event), ...r.callbacks });
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
      const subscription = cloud.subscribeChannelSessionEvents('sb1', { onEvent: (event) => void r.events.push(event), ...r.callbacks });
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
          frame('error', { error: 'Gateway delivery quota exceeded.', code: 'quota.gateway_deliveries_per_hour_exceeded' }),
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
