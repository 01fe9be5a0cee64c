import { beforeEach, describe, expect, it } from 'vitest';
import { createHttpSseCloudTransportAdapter, type CloudEventSourceConstructor, type CloudFetch } from '../../src/adapter.js';
import type { CloudTransportError } from '../../src/core/errors.js';
import { controllableStream, eventFrame, FakeEventSource, recorder, settle, sseResponse } from '../helpers/streams.js';
import { transportUrlCases, type UrlCase } from '@open-cowork/test-support/cases/transport';

const invalidUrlCalls: { method: UrlCase['method']; args: unknown[] }[] = [
  { method: 'workspaceEventsUrl', args: [-1] },
  { method: 'workspaceEventsUrl', args: [1.5] },
  { method: 'workspaceEventsUrl', args: ['3'] },
  { method: 'sessionEventsUrl', args: [''] },
  { method: 'sessionEventsUrl', args: [undefined, 2] },
  { method: 'sessionEventsUrl', args: ['s1', Number.NaN] },
];

const snapshotRequired = {
  sessionId: 's1',
  sequence: 4,
  type: 'snapshot.required',
  eventId: 'snapshot-required:4',
  entityType: 'session',
  entityId: 's1',
  operation: 'snapshot_required',
  projectionVersion: 4,
  createdAt: '2026-08-01T00:00:00.000Z',
  payload: { reason: 'event_retention_gap', afterSequence: 4, earliestSequence: 9, latestSequence: 12 },
};
const frameOf = (event: { sequence: number; type: string }) =>
  `id: ${event.sequence}\nevent: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`;

/** The fetch path: set headers make the client stream over fetch so Authorization travels. */
function fetchSetup() {
  const stream = controllableStream();
  const urls: string[] = [];
  const fetch = (async (url: string) => {
    urls.push(url);
    return sseResponse(stream.body);
  }) as unknown as CloudFetch;
  const cloud = createHttpSseCloudTransportAdapter({ baseUrl: 'https://cloud.test', headers: { authorization: 'Bearer t' }, fetch });
  return { cloud, stream, urls };
}

describe('transport domain: URLs', () => {
  const cloud = createHttpSseCloudTransportAdapter({ baseUrl: 'https://cloud.test' });

  it.each(transportUrlCases)('$method($args) is $url', ({ method, args, url }) => {
    expect((cloud[method] as (...a: unknown[]) => string)(...args)).toBe(url);
  });

  it.each(invalidUrlCalls)('$method($args) throws kind request', ({ method, args }) => {
    expect(() => (cloud[method] as (...a: unknown[]) => string)(...args)).toThrow(
      expect.objectContaining({ name: 'CloudTransportError', kind: 'request' }),
    );
  });
});

describe('transport domain: subscriptions over fetch', () => {
  it('subscribeSessionEvents resumes with ?after=, delivers events exactly as parsed and drops replayed ones', async () => {
    const { cloud, stream, urls } = fetchSetup();
    const r = recorder();
    cloud.subscribeSessionEvents('a/b?c#d', { afterSequence: 4, ...r.options });
    const unknownType = { eventId: 'e7', sequence: 7, type: 'future.event', payload: { x: 1 }, extra: true };
    stream.write(`: connected\n\n${eventFrame(3)}${eventFrame(5, 'assistant.message', { content: 'hi' })}${eventFrame(5)}`);
    stream.write(frameOf(unknownType) + eventFrame(6, 'session.idle'));
    await settle();
    expect(urls).toEqual(['https://cloud.test/api/sessions/a%2Fb%3Fc%23d/events?after=4']);
    expect(r.events).toEqual([{ eventId: 'e5', sequence: 5, type: 'assistant.message', payload: { content: 'hi' } }, unknownType]);
    expect(r.errors).toEqual([]);
  });

  it('delivers snapshot.required although its sequence is not above the cursor', async () => {
    const { cloud, stream } = fetchSetup();
    const r = recorder();
    cloud.subscribeSessionEvents('s1', { afterSequence: 4, ...r.options });
    stream.write(frameOf(snapshotRequired) + eventFrame(13));
    await settle();
    expect(r.events).toEqual([snapshotRequired, { eventId: 'e13', sequence: 13, type: 'assistant.message', payload: {} }]);
  });

  it('subscribeWorkspaceEvents opens /api/events without ?after= and fires onClose once when the server ends', async () => {
    const { cloud, stream, urls } = fetchSetup();
    const r = recorder();
    cloud.subscribeWorkspaceEvents(r.options);
    stream.write(eventFrame(1, 'session.created'));
    stream.end();
    await settle();
    expect(urls).toEqual(['https://cloud.test/api/events']);
    expect(r.events).toHaveLength(1);
    expect(r.closes()).toBe(1);
    expect(r.errors).toEqual([]);
  });

  it('fires nothing after close()', async () => {
    const { cloud, stream } = fetchSetup();
    const r = recorder();
    const subscription = cloud.subscribeWorkspaceEvents({ afterSequence: 2, ...r.options });
    stream.write(eventFrame(3));
    await settle();
    subscription.close();
    await settle();
    expect(r.events).toHaveLength(1);
    expect(r.closes()).toBe(0);
    expect(r.errors).toEqual([]);
  });

  it('reports an HTTP error of the stream through onError', async () => {
    const fetch = (async () => ({
      ok: false,
      status: 429,
      headers: { get: (name: string) => (name === 'retry-after' ? '1' : null) },
      text: async () => '{"error":"Too many streams."}',
      body: null,
    })) as unknown as CloudFetch;
    const cloud = createHttpSseCloudTransportAdapter({ baseUrl: 'https://cloud.test', headers: { authorization: 'Bearer t' }, fetch });
    const r = recorder();
    cloud.subscribeSessionEvents('s1', r.options);
    await settle();
    expect(r.errors).toMatchObject([{ kind: 'rate_limited', retryAfterMs: 1000 }]);
  });
});

describe('transport domain: invalid subscriptions never throw', () => {
  const invalid: [string, (cloud: ReturnType<typeof fetchSetup>['cloud'], r: ReturnType<typeof recorder>) => unknown][] = [
    ['an empty session id', (cloud, r) => cloud.subscribeSessionEvents('', r.options)],
    ['a non-string session id', (cloud, r) => cloud.subscribeSessionEvents(42 as unknown as string, r.options)],
    ['a negative cursor', (cloud, r) => cloud.subscribeSessionEvents('s1', { ...r.options, afterSequence: -1 })],
    ['a fractional cursor', (cloud, r) => cloud.subscribeWorkspaceEvents({ ...r.options, afterSequence: 2.5 })],
    ['a missing onEvent', (cloud, r) => cloud.subscribeWorkspaceEvents({ onError: r.options.onError } as never)],
  ];

  it.each(invalid)('%s is reported through onError as kind request, with no request and a no-op handle', async (_, open) => {
    const { cloud, urls } = fetchSetup();
    const r = recorder();
    let subscription: { close(): void } | undefined;
    expect(() => {
      subscription = open(cloud, r) as { close(): void };
    }).not.toThrow();
    expect(r.errors).toEqual([]); // reported asynchronously, after the caller holds the handle
    await settle();
    expect(r.errors).toMatchObject([{ name: 'CloudTransportError', kind: 'request' }]);
    expect(urls).toEqual([]);
    expect(() => subscription!.close()).not.toThrow();
  });

  it('stays silent when closed before the error would be reported, and without options at all', async () => {
    const { cloud } = fetchSetup();
    const r = recorder();
    cloud.subscribeSessionEvents('', r.options).close();
    expect(() => cloud.subscribeSessionEvents('s1', undefined as never)).not.toThrow();
    await settle();
    expect(r.errors).toEqual([]);
  });
});

describe('transport domain: subscriptions over EventSource', () => {
  beforeEach(() => {
    FakeEventSource.instances = [];
  });
  const eventSource = FakeEventSource as unknown as CloudEventSourceConstructor;

  it('listens for every contract event type and delivers named events, snapshot.required included', () => {
    const cloud = createHttpSseCloudTransportAdapter({ baseUrl: 'https://cloud.test', credentials: 'include', eventSource });
    const r = recorder();
    cloud.subscribeSessionEvents('s1', { afterSequence: 4, ...r.options });
    const source = FakeEventSource.instances[0]!;
    expect(source.url).toBe('https://cloud.test/api/sessions/s1/events?after=4');
    expect(source.init).toEqual({ withCredentials: true });
    expect([...source.listeners.keys()]).toEqual(expect.arrayContaining(['assistant.message', 'snapshot.required', 'session.idle']));
    const idle = { eventId: 'e5', sequence: 5, type: 'session.idle', payload: {} };
    source.emit('session.idle', JSON.stringify(idle), '5');
    source.emit('snapshot.required', JSON.stringify(snapshotRequired), '4');
    source.emit('session.idle', JSON.stringify(idle), '5'); // the browser's reconnect replays from ?after=4
    expect(r.events).toEqual([idle, snapshotRequired]);
  });

  it('subscribeWorkspaceEvents opens /api/events on an EventSource and closes it on close()', () => {
    const cloud = createHttpSseCloudTransportAdapter({ baseUrl: 'https://cloud.test', eventSource });
    const r = recorder();
    const subscription = cloud.subscribeWorkspaceEvents(r.options);
    const source = FakeEventSource.instances[0]!;
    expect(source.url).toBe('https://cloud.test/api/events');
    subscription.close();
    expect(source.closed).toBe(true);
  });
});

describe('transport domain: subscribeSessionEventsResumable', () => {
  /** A fetch that answers each call with the next scripted outcome: a stream, a status, or a rejection. */
  function scriptedFetch(outcomes: ('stream' | number | Error)[]) {
    const streams: ReturnType<typeof controllableStream>[] = [];
    const urls: string[] = [];
    const fetch = (async (url: string) => {
      urls.push(url);
      const outcome = outcomes.shift() ?? 'stream';
      if (outcome instanceof Error) throw outcome;
      if (typeof outcome === 'number') {
        return { ok: false, status: outcome, headers: { get: () => null }, text: async () => '{"error":"no"}', body: null };
      }
      const stream = controllableStream();
      streams.push(stream);
      return sseResponse(stream.body);
    }) as unknown as CloudFetch;
    const cloud = createHttpSseCloudTransportAdapter({ baseUrl: 'https://cloud.test', headers: { authorization: 'Bearer t' }, fetch });
    return { cloud, streams, urls };
  }
  const backoffMs = { initial: 5, max: 20 };

  it('reconnects from the last delivered sequence after the server ends the stream, reporting each cursor', async () => {
    const { cloud, streams, urls } = scriptedFetch(['stream', 'stream']);
    const r = recorder();
    const cursors: number[] = [];
    const subscription = cloud.subscribeSessionEventsResumable('s1', {
      ...r.options,
      afterSequence: 4,
      backoffMs,
      onCursor: (sequence) => void cursors.push(sequence),
    });
    await settle();
    streams[0]!.write(eventFrame(5) + frameOf(snapshotRequired) + eventFrame(6));
    streams[0]!.end();
    await settle(40);
    streams[1]!.write(eventFrame(6) + eventFrame(7));
    await settle();
    subscription.close();
    expect(urls).toEqual(['https://cloud.test/api/sessions/s1/events?after=4', 'https://cloud.test/api/sessions/s1/events?after=6']);
    expect(r.events.map((event) => (event as { sequence: number }).sequence)).toEqual([5, 4, 6, 7]);
    expect(cursors).toEqual([5, 6, 7]);
    expect(r.errors).toEqual([]);
    expect(r.closes()).toBe(0);
  });

  it('reconnects after network failures and gives up after maxAttempts in a row, firing onClose once', async () => {
    const { cloud, urls } = scriptedFetch([new Error('down'), new Error('down'), new Error('down')]);
    const r = recorder();
    cloud.subscribeSessionEventsResumable('s1', { ...r.options, backoffMs, maxAttempts: 2 });
    await settle(200);
    expect(urls).toHaveLength(3);
    expect(r.errors.map((error) => error.kind)).toEqual(['network', 'network', 'network']);
    expect(r.closes()).toBe(1);
  });

  it('stops without reconnecting on a failure a new connection cannot cure', async () => {
    const { cloud, urls } = scriptedFetch([404]);
    const r = recorder();
    cloud.subscribeSessionEventsResumable('s1', { ...r.options, backoffMs });
    await settle(40);
    expect(urls).toHaveLength(1);
    expect(r.errors.map((error) => error.kind)).toEqual(['not_found']);
    expect(r.closes()).toBe(1);
  });

  it('close() cancels a pending reconnect and fires nothing', async () => {
    const { cloud, urls } = scriptedFetch([503]);
    const r = recorder();
    const subscription = cloud.subscribeSessionEventsResumable('s1', { ...r.options, backoffMs: { initial: 30, max: 30 } });
    await settle();
    subscription.close();
    await settle(60);
    expect(urls).toHaveLength(1);
    expect(r.errors.map((error) => error.kind)).toEqual(['server']);
    expect(r.closes()).toBe(0);
  });

  it('reports a throwing onEvent as kind sse and keeps the stream', async () => {
    const { cloud, streams, urls } = scriptedFetch(['stream']);
    const errors: CloudTransportError[] = [];
    const subscription = cloud.subscribeSessionEventsResumable('s1', {
      onEvent: () => {
        throw new Error('consumer bug');
      },
      onError: (error) => void errors.push(error),
      backoffMs,
    });
    await settle();
    streams[0]!.write(eventFrame(1) + eventFrame(2));
    await settle();
    subscription.close();
    expect(errors.map((error) => error.kind)).toEqual(['sse', 'sse']);
    expect(urls).toHaveLength(1);
  });

  it.each([
    ['an empty session id', '', {}],
    ['a negative cursor', 's1', { afterSequence: -1 }],
    ['a negative backoff', 's1', { backoffMs: { initial: -1, max: 10 } }],
    ['a fractional maxAttempts', 's1', { maxAttempts: 1.5 }],
  ])('%s is reported through onError as kind request without any request', async (_, sessionId, extra) => {
    const { cloud, urls } = scriptedFetch([]);
    const r = recorder();
    expect(() => cloud.subscribeSessionEventsResumable(sessionId, { ...r.options, ...extra })).not.toThrow();
    await settle();
    expect(r.errors).toMatchObject([{ kind: 'request' }]);
    expect(urls).toEqual([]);
  });
});
