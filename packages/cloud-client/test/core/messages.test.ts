import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCloudClientContext } from '../../src/core/create-context.js';
import { isCloudTransportError, type CloudTransportError } from '../../src/core/errors.js';
import type { CloudStreamOptions } from '../../src/core/context.js';
import { settle } from '../helpers/streams.js';

// The messages callers written for the first client show to people and match in tests, against a
// real node:http server on 127.0.0.1 and the platform's fetch.
let server: Server;
let baseUrl: string;

beforeAll(async () => {
  server = createServer((req, res) => {
    const path = new URL(req.url!, 'http://x').pathname;
    const [, , status, kind] = path.split('/');
    if (kind === 'stall') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{');
      return;
    }
    const bodies: Record<string, string> = {
      text: 'Upstream exploded',
      json: JSON.stringify({ error: 'Cloud session was not found.', code: 'sessions.not_found' }),
      'json-no-error': JSON.stringify({ code: 'x.y' }),
      'empty-error': JSON.stringify({ error: '' }),
      empty: '',
      'not-json': 'hello',
    };
    res.writeHead(Number(status), { 'content-type': 'application/json', 'x-request-id': 'req-7' });
    res.end(bodies[kind!] ?? '');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

async function rejection(promise: Promise<unknown>): Promise<CloudTransportError> {
  const error = await promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (error: unknown) => error,
  );
  expect(isCloudTransportError(error)).toBe(true);
  return error as CloudTransportError;
}

describe('request messages', () => {
  it('shows a non-JSON error body as it is', async () => {
    const error = await rejection(createCloudClientContext({ baseUrl }).request('/api/502/text'));
    expect(error).toMatchObject({ kind: 'server', message: 'Upstream exploded', status: 502, method: 'GET', requestId: 'req-7' });
  });

  it("shows the body's error string, keeping code and requestId as fields", async () => {
    const error = await rejection(createCloudClientContext({ baseUrl }).request('/api/404/json', { method: 'POST', body: {} }));
    expect(error).toMatchObject({
      kind: 'not_found',
      message: 'Cloud session was not found.',
      code: 'sessions.not_found',
      requestId: 'req-7',
      method: 'POST',
      url: `${baseUrl}/api/404/json`,
    });
  });

  it.each(['json-no-error', 'empty-error', 'empty'])('falls back to the status line when the body (%s) says nothing', async (kind) => {
    const error = await rejection(createCloudClientContext({ baseUrl }).request(`/api/409/${kind}`, { method: 'DELETE' }));
    expect(error.message).toBe(`Cloud transport request failed with HTTP 409: DELETE ${baseUrl}/api/409/${kind}`);
  });

  it('says a 2xx body was not valid JSON', async () => {
    const error = await rejection(createCloudClientContext({ baseUrl }).request('/api/200/not-json'));
    expect(error).toMatchObject({ kind: 'parse', message: `Cloud transport response was not valid JSON: GET ${baseUrl}/api/200/not-json` });
  });

  it('says after how long a request timed out, with the path and its query', async () => {
    const ctx = createCloudClientContext({ baseUrl, requestTimeoutMs: 150 });
    const error = await rejection(ctx.request('/api/200/stall', { query: { q: 'a b' } }));
    expect(error).toMatchObject({ kind: 'timeout', message: 'Cloud transport request timed out after 150ms: GET /api/200/stall?q=a+b' });
  });

  it('says a request was aborted', async () => {
    const controller = new AbortController();
    const pending = createCloudClientContext({ baseUrl }).request('/api/200/stall', { method: 'PUT', signal: controller.signal });
    await settle(50);
    controller.abort();
    expect(await rejection(pending)).toMatchObject({ kind: 'abort', message: 'Cloud transport request was aborted: PUT /api/200/stall' });
  });

  it('gives the reason of a network failure in parentheses and keeps the cause', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const error = await rejection(createCloudClientContext({ baseUrl: `http://127.0.0.1:${port}` }).request('/api/config'));
    expect(error.kind).toBe('network');
    expect(error.message).toBe(`Cloud transport network request failed: GET /api/config (ECONNREFUSED 127.0.0.1:${port})`);
    expect(error.cause).toBeInstanceOf(Error);
  });

  it('falls back to the error message when there is no socket code', async () => {
    const ctx = createCloudClientContext({ baseUrl: 'https://cloud.test', fetch: () => Promise.reject(new Error('offline')) });
    expect((await rejection(ctx.request('/api/config'))).message).toBe('Cloud transport network request failed: GET /api/config (offline)');
  });
});

describe('subscription messages', () => {
  function subscribe(path: string): Promise<CloudTransportError> {
    return new Promise((resolve) => {
      const options: CloudStreamOptions = { path, onFrame: () => undefined, onError: resolve };
      createCloudClientContext({ baseUrl, headers: { authorization: 'Bearer t' } }).stream(options);
    });
  }

  it('says an SSE subscription failed with its HTTP status when the body says nothing', async () => {
    const error = await subscribe('/api/503/empty');
    expect(error).toMatchObject({
      kind: 'server',
      message: `Cloud transport SSE subscription failed with HTTP 503: ${baseUrl}/api/503/empty`,
    });
  });

  it("shows the server's error for a refused SSE subscription", async () => {
    expect(await subscribe('/api/404/json')).toMatchObject({ kind: 'not_found', message: 'Cloud session was not found.' });
  });
});
