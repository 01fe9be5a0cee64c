import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CloudStreamFrame } from '../../src/core/context.js';
import { createHttpSseCloudTransportAdapter } from '../../src/adapter.js';
import { createCloudClientContext } from '../../src/core/create-context.js';
import { isCloudTransportError, type CloudTransportError } from '../../src/core/errors.js';
import { eventFrame, settle } from '../helpers/streams.js';

// The transport against a real node:http server on 127.0.0.1 with the platform's own fetch.
type Handler = (req: IncomingMessage, res: ServerResponse) => void;
const routes = new Map<string, Handler>();
const openStreams = new Set<ServerResponse>();
let server: Server;
let baseUrl: string;

const json =
  (status: number, body: unknown, headers: Record<string, string> = {}): Handler =>
  (_req, res) => {
    res.writeHead(status, { 'content-type': 'application/json', 'x-request-id': 'req-1', ...headers });
    res.end(JSON.stringify(body));
  };

function sse(write: (res: ServerResponse, req: IncomingMessage) => void): Handler {
  return (req, res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store' });
    openStreams.add(res);
    res.on('close', () => openStreams.delete(res));
    write(res, req);
  };
}

beforeAll(async () => {
  server = createServer((req, res) => {
    const handler = routes.get(new URL(req.url!, 'http://x').pathname);
    if (handler) handler(req, res);
    else json(404, { error: 'Route not found.', code: 'route.not_found' })(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  routes.set('/api/ok', json(200, { ok: true }));
  routes.set('/api/echo', (req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () =>
      json(200, { method: req.method, headers: req.headers, body: body ? JSON.parse(body) : null, url: req.url })(req, res),
    );
  });
  routes.set('/api/401', json(401, { error: 'Sign in.', code: 'auth.required' }));
  routes.set(
    '/api/402',
    json(402, { error: 'No plan.', verdict: { allowed: false, reason: 'No plan.', policyCode: 'billing.subscription_required' } }),
  );
  routes.set('/api/403', json(403, { error: 'CSRF.', code: 'auth.csrf_invalid' }));
  routes.set('/api/404', json(404, { error: 'Cloud session was not found.', code: 'sessions.not_found' }));
  routes.set('/api/409', json(409, { error: 'Reused.', code: 'idempotency.key_reused' }));
  routes.set('/api/429', json(429, { error: 'Slow down.', code: 'rate_limit.http_exceeded', retryAfterMs: 1500 }, { 'retry-after': '2' }));
  routes.set('/api/500', json(500, { error: 'Internal server error.', code: 'internal' }));
  routes.set('/api/html-error', (_req, res) => {
    res.writeHead(502, { 'content-type': 'text/html' });
    res.end('<html>bad gateway</html>');
  });
  routes.set('/api/not-json', (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end('hello');
  });
  routes.set('/api/slow-body', (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.write('{"partial":');
    // Never finishes: only the client's timeout can end this exchange.
  });
  routes.set(
    '/api/stream/finite',
    sse((res, req) => {
      const after = Number(new URL(req.url!, 'http://x').searchParams.get('after') ?? 0);
      res.write(': connected\n\nretry: 3000\n\n');
      for (let sequence = after + 1; sequence <= after + 3; sequence++) res.write(eventFrame(sequence));
      res.end();
    }),
  );
  // Says one event after the cursor, then nothing at all, without closing: a dead peer.
  routes.set(
    '/api/sessions/quiet/events',
    sse((res, req) => {
      const after = Number(new URL(req.url!, 'http://x').searchParams.get('after') ?? 0);
      res.write(`: connected\n\n${eventFrame(after + 1)}`);
    }),
  );
  routes.set(
    '/api/stream/keep-alive',
    sse((res, req) => {
      res.write(': connected\n\n');
      const timer = setInterval(() => res.write(': keep-alive\n\n'), 40);
      req.on('close', () => clearInterval(timer));
      res.on('close', () => clearInterval(timer));
    }),
  );
  routes.set(
    '/api/stream/endless',
    sse((res, req) => {
      res.write(`: connected\n\n${eventFrame(1)}`);
      let sequence = 1;
      const timer = setInterval(() => res.write(eventFrame(++sequence)), 20);
      req.on('close', () => clearInterval(timer));
      res.on('close', () => clearInterval(timer));
    }),
  );
});

afterAll(async () => {
  for (const res of openStreams) res.destroy();
  await new Promise((resolve) => server.close(resolve));
});

async function rejection(promise: Promise<unknown>): Promise<CloudTransportError> {
  const error = await promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (e: unknown) => e,
  );
  expect(isCloudTransportError(error)).toBe(true);
  return error as CloudTransportError;
}

describe('requests against a real HTTP server', () => {
  it('sends method, headers, CSRF, idempotency key and JSON body as the server sees them', async () => {
    const ctx = createCloudClientContext({ baseUrl, headers: { authorization: 'Bearer abc' }, csrfToken: 'c1' });
    const seen = await ctx.request<{ method: string; headers: Record<string, string>; body: unknown; url: string }>('/api/echo', {
      method: 'POST',
      body: { text: 'hi' },
      query: { flag: false },
      idempotencyKey: 'k1',
    });
    expect(seen.method).toBe('POST');
    expect(seen.url).toBe('/api/echo?flag=false');
    expect(seen.body).toEqual({ text: 'hi' });
    expect(seen.headers).toMatchObject({
      authorization: 'Bearer abc',
      'x-csrf-token': 'c1',
      'idempotency-key': 'k1',
      'content-type': 'application/json',
    });
  });

  it.each([
    ['/api/401', 'unauthorized', 401, 'auth.required'],
    ['/api/402', 'payment_required', 402, 'billing.subscription_required'],
    ['/api/403', 'forbidden', 403, 'auth.csrf_invalid'],
    ['/api/404', 'not_found', 404, 'sessions.not_found'],
    ['/api/409', 'conflict', 409, 'idempotency.key_reused'],
    ['/api/500', 'server', 500, 'internal'],
    ['/api/unknown', 'not_found', 404, 'route.not_found'],
  ])('%s rejects with kind %s, status, code and request id', async (path, kind, status, code) => {
    const error = await rejection(createCloudClientContext({ baseUrl }).request(path));
    expect(error).toMatchObject({ kind, status, code, method: 'GET', url: `${baseUrl}${path}`, requestId: 'req-1' });
  });

  it('429 carries Retry-After raw and in milliseconds', async () => {
    const error = await rejection(createCloudClientContext({ baseUrl }).request('/api/429'));
    expect(error).toMatchObject({ kind: 'rate_limited', retryAfter: '2', retryAfterMs: 2000, code: 'rate_limit.http_exceeded' });
  });

  it('a non-JSON error body is kept as text', async () => {
    const error = await rejection(createCloudClientContext({ baseUrl }).request('/api/html-error'));
    expect(error).toMatchObject({ kind: 'server', status: 502, body: '<html>bad gateway</html>' });
  });

  it('a non-JSON success body is kind parse', async () => {
    expect((await rejection(createCloudClientContext({ baseUrl }).request('/api/not-json'))).kind).toBe('parse');
  });

  it('a body that stalls after the headers times out', async () => {
    const error = await rejection(createCloudClientContext({ baseUrl, requestTimeoutMs: 150 }).request('/api/slow-body'));
    expect(error).toMatchObject({ kind: 'timeout', status: 200 });
  });

  it('the signal aborts a stalled body', async () => {
    const controller = new AbortController();
    const pending = createCloudClientContext({ baseUrl, signal: controller.signal, requestTimeoutMs: 0 }).request('/api/slow-body');
    setTimeout(() => controller.abort(), 50);
    expect((await rejection(pending)).kind).toBe('abort');
  });

  it('a refused connection is kind network', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const error = await rejection(createCloudClientContext({ baseUrl: `http://127.0.0.1:${port}` }).request('/api/ok'));
    expect(error.kind).toBe('network');
  });
});

describe('fetch-based SSE against a real HTTP server', () => {
  const sequenceOf = (frame: CloudStreamFrame) => (frame.data as { sequence: number }).sequence;

  it('delivers the frames after the cursor, then onClose when the server ends the stream', async () => {
    const ctx = createCloudClientContext({ baseUrl, headers: { authorization: 'Bearer t' } });
    const sequences: number[] = [];
    const closed = new Promise<void>((resolve) =>
      ctx.stream({
        path: '/api/stream/finite',
        afterSequence: 10,
        sequenceOf,
        onFrame: (f) => sequences.push(sequenceOf(f)),
        onClose: resolve,
      }),
    );
    await closed;
    expect(sequences).toEqual([11, 12, 13]);
  });

  it('close() mid-stream releases the connection on the server', async () => {
    const ctx = createCloudClientContext({ baseUrl, headers: { authorization: 'Bearer t' } });
    const sequences: number[] = [];
    const subscription = ctx.stream({ path: '/api/stream/endless', sequenceOf, onFrame: (f) => sequences.push(sequenceOf(f)) });
    while (sequences.length < 3) await settle(10);
    expect(openStreams.size).toBe(1);
    subscription.close();
    const count = sequences.length;
    for (let i = 0; i < 50 && openStreams.size > 0; i++) await settle(10);
    expect(openStreams.size).toBe(0);
    await settle(60);
    expect(sequences.length).toBe(count);
  });

  it('the signal aborts a live subscription with one abort error and frees the connection', async () => {
    const controller = new AbortController();
    const ctx = createCloudClientContext({ baseUrl, headers: { authorization: 'Bearer t' }, signal: controller.signal });
    const errors: string[] = [];
    let frames = 0;
    ctx.stream({ path: '/api/stream/endless', sequenceOf, onFrame: () => frames++, onError: (e) => errors.push(e.kind) });
    while (frames < 2) await settle(10);
    controller.abort();
    for (let i = 0; i < 50 && openStreams.size > 0; i++) await settle(10);
    expect(errors).toEqual(['abort']);
    expect(openStreams.size).toBe(0);
  });

  it('an HTTP error before the stream is reported with its kind', async () => {
    const ctx = createCloudClientContext({ baseUrl, headers: { authorization: 'Bearer t' } });
    const error = await new Promise<CloudTransportError>((resolve) =>
      ctx.stream({ path: '/api/429', onFrame: () => undefined, onError: resolve }),
    );
    expect(error).toMatchObject({ kind: 'rate_limited', retryAfterMs: 2000 });
  });
});

describe('a subscription that goes silent', () => {
  const sequenceOf = (frame: CloudStreamFrame) => (frame.data as { sequence: number }).sequence;

  it('ends with a network error after streamIdleTimeoutMs of silence and frees the connection', async () => {
    const ctx = createCloudClientContext({ baseUrl, headers: { authorization: 'Bearer t' }, streamIdleTimeoutMs: 200 });
    const frames: number[] = [];
    const error = await new Promise<CloudTransportError>((resolve) =>
      ctx.stream({ path: '/api/sessions/quiet/events', sequenceOf, onFrame: (f) => frames.push(sequenceOf(f)), onError: resolve }),
    );
    expect(frames).toEqual([1]);
    expect(error).toMatchObject({ kind: 'network', method: 'GET' });
    expect(error.message).toBe(`Cloud transport SSE subscription heard nothing for 200ms: ${baseUrl}/api/sessions/quiet/events`);
    for (let i = 0; i < 100 && openStreams.size > 0; i++) await settle(10);
    expect(openStreams.size).toBe(0);
  });

  it('keep-alive comments count as hearing from the server', async () => {
    const ctx = createCloudClientContext({ baseUrl, headers: { authorization: 'Bearer t' }, streamIdleTimeoutMs: 200 });
    const errors: CloudTransportError[] = [];
    const subscription = ctx.stream({ path: '/api/stream/keep-alive', onFrame: () => undefined, onError: (e) => errors.push(e) });
    await settle(700);
    subscription.close();
    expect(errors).toEqual([]);
  });

  it('the resumable helper reconnects from its cursor after each silence', async () => {
    const cloud = createHttpSseCloudTransportAdapter({ baseUrl, headers: { authorization: 'Bearer t' }, streamIdleTimeoutMs: 150 });
    const sequences: number[] = [];
    const errors: string[] = [];
    const subscription = cloud.subscribeSessionEventsResumable('quiet', {
      backoffMs: { initial: 10, max: 10 },
      onEvent: (event) => sequences.push((event as { sequence: number }).sequence),
      onError: (error) => errors.push(error.kind),
    });
    for (let i = 0; i < 500 && sequences.length < 3; i++) await settle(10);
    subscription.close();
    expect(sequences.slice(0, 3)).toEqual([1, 2, 3]);
    expect(errors.slice(0, 2)).toEqual(['network', 'network']);
  });
});
