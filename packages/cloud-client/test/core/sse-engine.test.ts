import { beforeEach, describe, expect, it } from 'vitest';
import type { CloudStreamFrame, CloudStreamOptions } from '../../src/core/context.js';
import { createCloudClientContext } from '../../src/core/create-context.js';
import type { CloudTransportError } from '../../src/core/errors.js';
import type { CloudEventSourceConstructor } from '../../src/core/options.js';
import { controllableStream, eventFrame, FakeEventSource, settle, sseResponse } from '../helpers/streams.js';

const sequenceOf = (frame: CloudStreamFrame) => (frame.data as { sequence?: number }).sequence ?? null;

function recorder(extra: Partial<CloudStreamOptions> = {}) {
  const frames: CloudStreamFrame[] = [];
  const errors: CloudTransportError[] = [];
  let closes = 0;
  const options: CloudStreamOptions = {
    path: '/api/sessions/s1/events',
    sequenceOf,
    onFrame: (frame) => frames.push(frame),
    onError: (error) => errors.push(error),
    onClose: () => closes++,
    ...extra,
  };
  return { options, frames, errors, closes: () => closes, sequences: () => frames.map((f) => sequenceOf(f)) };
}

function fetchStream(headers: Record<string, string> = { authorization: 'Bearer t' }) {
  const stream = controllableStream();
  const calls: Array<{ url: string; headers: Record<string, string>; signal: AbortSignal }> = [];
  const controller = new AbortController();
  const ctx = createCloudClientContext({
    baseUrl: 'https://cloud.test',
    headers,
    signal: controller.signal,
    fetch: async (url, init) => {
      calls.push({ url, headers: init.headers, signal: init.signal! });
      return sseResponse(stream.body);
    },
  });
  return { ctx, stream, calls, controller };
}

describe('fetch-based SSE', () => {
  it('is used when headers are set, sends them with ?after= and parses id/event/data frames', async () => {
    const { ctx, stream, calls } = fetchStream();
    const r = recorder({ afterSequence: 4 });
    ctx.stream(r.options);
    stream.write(`: connected\n\nretry: 3000\n\n${eventFrame(5)}${eventFrame(6, 'session.idle')}`);
    await settle();
    expect(calls[0]!.url).toBe('https://cloud.test/api/sessions/s1/events?after=4');
    expect(calls[0]!.headers).toMatchObject({ authorization: 'Bearer t', accept: 'text/event-stream' });
    expect(r.frames.map((f) => [f.type, f.id, sequenceOf(f)])).toEqual([
      ['assistant.message', '5', 5],
      ['session.idle', '6', 6],
    ]);
    expect(r.frames[0]!.data).toEqual({ eventId: 'e5', sequence: 5, type: 'assistant.message', payload: {} });
  });

  it('drops frames whose sequence is not above the highest delivered', async () => {
    const { ctx, stream } = fetchStream();
    const r = recorder({ afterSequence: 2 });
    ctx.stream(r.options);
    stream.write(eventFrame(1) + eventFrame(2) + eventFrame(3) + eventFrame(3) + eventFrame(2) + eventFrame(5));
    await settle();
    expect(r.sequences()).toEqual([3, 5]);
  });

  it('reports a malformed payload as kind parse and goes on', async () => {
    const { ctx, stream } = fetchStream();
    const r = recorder();
    ctx.stream(r.options);
    stream.write(`data: {not json\n\n${eventFrame(1)}`);
    await settle();
    expect(r.errors.map((e) => e.kind)).toEqual(['parse']);
    expect(r.sequences()).toEqual([1]);
  });

  it('survives an exception thrown by the caller’s onEvent', async () => {
    const { ctx, stream } = fetchStream();
    const seen: number[] = [];
    const r = recorder({
      onFrame: (frame) => {
        seen.push(sequenceOf(frame)!);
        if (seen.length === 1) throw new Error('consumer bug');
      },
    });
    ctx.stream(r.options);
    stream.write(eventFrame(1) + eventFrame(2));
    await settle();
    expect(seen).toEqual([1, 2]);
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]!.cause).toEqual(new Error('consumer bug'));
  });

  it('fires onClose once when the server ends the stream, and nothing after', async () => {
    const { ctx, stream } = fetchStream();
    const r = recorder();
    ctx.stream(r.options);
    stream.write(eventFrame(1));
    stream.end();
    await settle();
    expect(r.closes()).toBe(1);
    expect(r.errors).toEqual([]);
  });

  it('does not dispatch an unterminated final block', async () => {
    const { ctx, stream } = fetchStream();
    const r = recorder();
    ctx.stream(r.options);
    stream.write(`${eventFrame(1)}id: 2\ndata: {"sequence":2}`);
    stream.end();
    await settle();
    expect(r.sequences()).toEqual([1]);
  });

  it('close() cancels the body and silences every callback', async () => {
    const { ctx, stream, calls } = fetchStream();
    const r = recorder();
    const subscription = ctx.stream(r.options);
    stream.write(eventFrame(1));
    await settle();
    subscription.close();
    await settle();
    expect(calls[0]!.signal.aborted).toBe(true);
    expect(stream.cancelled).toBe(true);
    expect(r.closes()).toBe(0);
    expect(r.errors).toEqual([]);
    expect(r.sequences()).toEqual([1]);
  });

  it('the client-wide signal ends the subscription with one abort error', async () => {
    const { ctx, stream, controller } = fetchStream();
    const r = recorder();
    ctx.stream(r.options);
    stream.write(eventFrame(1));
    await settle();
    controller.abort();
    await settle();
    expect(r.errors.map((e) => e.kind)).toEqual(['abort']);
    expect(r.closes()).toBe(0);
    expect(stream.cancelled).toBe(true);
  });

  it('reports an HTTP error status with its kind, code and Retry-After', async () => {
    const ctx = createCloudClientContext({
      baseUrl: 'https://cloud.test',
      headers: { authorization: 'Bearer t' },
      fetch: async () => ({
        ok: false,
        status: 429,
        headers: { get: (name: string) => (name === 'retry-after' ? '1' : null) },
        text: async () => JSON.stringify({ error: 'Too many streams.', code: 'stream.cap_exceeded' }),
      }),
    });
    const r = recorder();
    ctx.stream(r.options);
    await settle();
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]).toMatchObject({ kind: 'rate_limited', code: 'stream.cap_exceeded', retryAfterMs: 1000 });
    expect(r.closes()).toBe(0);
  });

  it('refuses a response that is not an event stream with kind sse', async () => {
    const ctx = createCloudClientContext({
      baseUrl: 'https://cloud.test',
      headers: { authorization: 'Bearer t' },
      fetch: async () => ({ ok: true, status: 200, headers: { get: () => 'text/html' }, text: async () => '<html>' }),
    });
    const r = recorder();
    ctx.stream(r.options);
    await settle();
    expect(r.errors.map((e) => e.kind)).toEqual(['sse']);
  });

  it('reports a broken connection as kind network', async () => {
    const { ctx, stream } = fetchStream();
    const r = recorder();
    ctx.stream(r.options);
    stream.write(eventFrame(1));
    stream.fail(new Error('ECONNRESET'));
    await settle();
    expect(r.errors.map((e) => e.kind)).toEqual(['network']);
    expect(r.closes()).toBe(0);
  });

  it('parses a minimal response without a body stream from text()', async () => {
    const ctx = createCloudClientContext({
      baseUrl: 'https://cloud.test',
      headers: { authorization: 'Bearer t' },
      fetch: async () => ({ ok: true, status: 200, text: async () => eventFrame(1) + eventFrame(2) }),
    });
    const r = recorder();
    ctx.stream(r.options);
    await settle();
    expect(r.sequences()).toEqual([1, 2]);
    expect(r.closes()).toBe(1);
  });

  it('never throws synchronously on a bad path: the error goes to onError', async () => {
    const { ctx } = fetchStream();
    const r = recorder({ path: 'not-api' });
    expect(() => ctx.stream(r.options)).not.toThrow();
    await settle();
    expect(r.errors.map((e) => e.kind)).toEqual(['request']);
  });
});

describe('EventSource-based SSE', () => {
  beforeEach(() => {
    FakeEventSource.instances = [];
  });
  const eventSource = FakeEventSource as unknown as CloudEventSourceConstructor;

  it('is used without headers, with withCredentials from credentials include', () => {
    const ctx = createCloudClientContext({ baseUrl: 'https://cloud.test', credentials: 'include', eventSource });
    ctx.stream(recorder({ afterSequence: 7 }).options);
    const source = FakeEventSource.instances[0]!;
    expect(source.url).toBe('https://cloud.test/api/sessions/s1/events?after=7');
    expect(source.init).toEqual({ withCredentials: true });
  });

  it('delivers named types through listeners and plain messages through onmessage', () => {
    const ctx = createCloudClientContext({ baseUrl: 'https://cloud.test', eventSource });
    const r = recorder({ eventTypes: ['assistant.message', 'session.idle'] });
    ctx.stream(r.options);
    const source = FakeEventSource.instances[0]!;
    source.emit('assistant.message', JSON.stringify({ sequence: 1 }), '1');
    source.emit('message', JSON.stringify({ sequence: 2 }), '2');
    source.emit('session.idle', JSON.stringify({ sequence: 3 }), '3');
    expect(r.frames.map((f) => [f.type, f.id])).toEqual([
      ['assistant.message', '1'],
      ['message', '2'],
      ['session.idle', '3'],
    ]);
  });

  it('reports every error while the browser reconnects and drops the duplicates it replays', () => {
    const ctx = createCloudClientContext({ baseUrl: 'https://cloud.test', eventSource });
    const r = recorder({ afterSequence: 1, eventTypes: ['assistant.message'] });
    ctx.stream(r.options);
    const source = FakeEventSource.instances[0]!;
    for (const sequence of [2, 3]) source.emit('assistant.message', JSON.stringify({ sequence }));
    source.fail(0);
    source.fail(0);
    for (const sequence of [2, 3, 4]) source.emit('assistant.message', JSON.stringify({ sequence }));
    expect(r.sequences()).toEqual([2, 3, 4]);
    expect(r.errors.map((e) => [e.kind, e.message])).toEqual([
      ['sse', 'Cloud transport EventSource subscription failed: https://cloud.test/api/sessions/s1/events?after=1'],
      ['sse', 'Cloud transport EventSource subscription failed: https://cloud.test/api/sessions/s1/events?after=1'],
    ]);
    expect(r.closes()).toBe(0);
    expect(source.closed).toBe(false);
  });

  it('treats a source without readyState as still open', () => {
    const ctx = createCloudClientContext({ baseUrl: 'https://cloud.test', eventSource });
    const r = recorder({ eventTypes: ['assistant.message'] });
    ctx.stream(r.options);
    const source = FakeEventSource.instances[0]!;
    delete (source as { readyState?: number }).readyState;
    source.onerror!(new Event('error'));
    source.emit('assistant.message', JSON.stringify({ sequence: 1 }));
    expect(r.errors.map((e) => e.kind)).toEqual(['sse']);
    expect(r.sequences()).toEqual([1]);
    expect(r.closes()).toBe(0);
  });

  it('ends on a CLOSED source: one sse error, then onClose once, then nothing', () => {
    const ctx = createCloudClientContext({ baseUrl: 'https://cloud.test', eventSource });
    const r = recorder({ eventTypes: ['assistant.message'] });
    ctx.stream(r.options);
    const source = FakeEventSource.instances[0]!;
    source.fail(2);
    source.fail(2);
    source.emit('assistant.message', JSON.stringify({ sequence: 1 }));
    expect(r.errors.map((e) => e.kind)).toEqual(['sse']);
    expect(r.closes()).toBe(1);
    expect(r.frames).toEqual([]);
    expect(source.closed).toBe(true);
  });

  it('passes a server error frame (an error event with data) as a frame', () => {
    const ctx = createCloudClientContext({ baseUrl: 'https://cloud.test', eventSource });
    const r = recorder({ sequenceOf: () => null });
    ctx.stream(r.options);
    FakeEventSource.instances[0]!.onerror!(new MessageEvent('error', { data: '{"error":"quota"}' }));
    expect(r.frames).toEqual([{ type: 'error', id: null, data: { error: 'quota' } }]);
  });

  it('close() closes the EventSource and silences callbacks', () => {
    const ctx = createCloudClientContext({ baseUrl: 'https://cloud.test', eventSource });
    const r = recorder({ eventTypes: ['assistant.message'] });
    const subscription = ctx.stream(r.options);
    subscription.close();
    const source = FakeEventSource.instances[0]!;
    expect(source.closed).toBe(true);
    source.emit('assistant.message', JSON.stringify({ sequence: 1 }));
    expect(r.frames).toEqual([]);
  });

  it('the client-wide signal closes the EventSource with an abort error', () => {
    const controller = new AbortController();
    const ctx = createCloudClientContext({ baseUrl: 'https://cloud.test', eventSource, signal: controller.signal });
    const r = recorder();
    ctx.stream(r.options);
    controller.abort();
    expect(FakeEventSource.instances[0]!.closed).toBe(true);
    expect(r.errors.map((e) => e.kind)).toEqual(['abort']);
  });

  it('reports a missing EventSource through onError, never by throwing', async () => {
    const ctx = createCloudClientContext({ baseUrl: 'https://cloud.test' });
    const r = recorder();
    const original = (globalThis as { EventSource?: unknown }).EventSource;
    delete (globalThis as { EventSource?: unknown }).EventSource;
    try {
      expect(() => ctx.stream(r.options)).not.toThrow();
    } finally {
      if (original) (globalThis as { EventSource?: unknown }).EventSource = original;
    }
    await settle();
    expect(r.errors.map((e) => e.kind)).toEqual(['sse']);
  });
});
