import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CSRF_COOKIE, SESSION_COOKIE } from '../../src/auth/cookie.js';
import { redactUrl } from '../../src/security.js';
import { engines } from '@open-cowork/test-support/db';
import { call, type CallOptions } from '../helpers/http.js';
import { startTestServer, type TestServer } from '@open-cowork/test-support/server';

/** Sends raw bytes on a fresh connection; resolves with everything the server wrote before it closed. */
function rawExchange(baseUrl: string, chunks: string[], gapMs = 0): Promise<{ text: string; closedAfterMs: number }> {
  const { hostname, port } = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const socket = connect(Number(port), hostname);
    let text = '';
    let timer: NodeJS.Timeout | undefined;
    socket.on('data', (data) => (text += data.toString()));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve({ text, closedAfterMs: Date.now() - started });
    });
    socket.on('connect', () => {
      let index = 0;
      const next = () => {
        if (index >= chunks.length || socket.destroyed) return;
        socket.write(chunks[index++]!);
        timer = setTimeout(next, gapMs);
      };
      next();
    });
    setTimeout(() => reject(new Error(`no close within 60 s; got ${text.slice(0, 200)}`)), 60_000).unref();
  });
}

const bodyOf = (raw: string) => JSON.parse(raw.slice(raw.indexOf('\r\n\r\n') + 4)) as { error: string; code: string };

describe.each(engines)('request hardening (%s)', (engine) => {
  let server: TestServer;
  let token: string;
  beforeAll(async () => {
    server = await startTestServer({ engine });
    token = await server.mintToken(['desktop', 'admin']);
  }, 120_000);
  afterAll(() => server?.close());

  const api = (path: string, options: CallOptions = {}) => call(server.baseUrl, path, options);
  const countTokens = async () => (await server.db.query('SELECT count(*)::int AS n FROM api_tokens')).rows[0] as { n: number };
  const raw = (body: string) =>
    fetch(`${server.baseUrl}/api/api-tokens`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body,
    });

  it.each([
    ['JSON nested 10,000 deep', `{"name":"x","scopes":["desktop"],"deep":${'['.repeat(10_000)}${']'.repeat(10_000)}}`, 'request.too_deep'],
    ['a lone surrogate', '{"name":"\\ud800","scopes":["desktop"]}', 'request.invalid_unicode'],
    ['a lone low surrogate in a key', '{"\\udc00":1,"name":"x","scopes":["desktop"]}', 'request.invalid_unicode'],
    ['a year-0000 timestamp', '{"name":"x","scopes":["desktop"],"expiresAt":"0000-01-01T00:00:00Z"}', 'request.invalid'],
  ])('answers %s with 400 and a code, writing nothing', async (_, body, code) => {
    const before = await countTokens();
    const response = await raw(body);
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ code });
    expect(await countTokens()).toEqual(before);
  });

  it('accepts a well-formed surrogate pair and nesting within the cap', async () => {
    const response = await raw(`{"name":"\\ud83d\\ude00","scopes":["desktop"],"expiresAt":"2999-01-01T00:00:00Z"}`);
    expect(response.status).toBe(201);
  });

  it.each(['/api/channels/agents?limit=1e999', '/api/sessions?limit=Infinity', '/api/api-tokens?limit=-1e999'])(
    'answers a number beyond every bound in the URL, %s, with 400 request.invalid',
    async (path) => {
      const answer = await api(path, { bearer: token });
      expect({ status: answer.status, code: answer.body.code }).toEqual({ status: 400, code: 'request.invalid' });
    },
  );

  it('answers oversized headers (431) and a malformed URL (400) with {error, code}', async () => {
    const huge = await rawExchange(server.baseUrl, [`GET /livez HTTP/1.1\r\nhost: x\r\nx-big: ${'a'.repeat(20_000)}\r\n\r\n`]);
    expect(huge.text).toMatch(/^HTTP\/1.1 431/);
    expect(bodyOf(huge.text)).toEqual({ error: expect.any(String), code: 'request.headers_too_large' });
    const badUrl = await api('/api/sessions/%E0%A4%A');
    expect(badUrl.status).toBe(400);
    expect(badUrl.body).toEqual({ error: expect.any(String), code: 'request.bad_url' });
  });

  it('sends Cache-Control: no-store on /api and /auth answers, errors included', async () => {
    for (const [path, options] of [
      ['/api/sessions', { bearer: token }],
      ['/auth/me', { bearer: token }],
      ['/api/sessions', {}],
      ['/auth/session', { body: {} }],
    ] as const) {
      expect((await api(path, options)).headers.get('cache-control'), path).toBe('no-store');
    }
  });

  it('refuses cookie auth on the delivery-claiming stream', async () => {
    const opened = await api('/auth/session', { body: { token } });
    const cookies = { [SESSION_COOKIE]: opened.setCookies[SESSION_COOKIE]!, [CSRF_COOKIE]: opened.setCookies[CSRF_COOKIE]! };
    const refused = await api('/api/channels/deliveries/stream?claimedBy=page', { cookies });
    expect(refused.status).toBe(403);
    expect(refused.body.code).toBe('channels.stream_cookie_refused');
  });

  it('answers a webhook of an unknown workflow exactly like a bad signature', async () => {
    const created = await api('/api/workflows', { bearer: token, body: { name: 'Hook', prompt: 'p', triggers: [{ type: 'webhook' }] } });
    const post = (workflowId: string) =>
      api(`/webhooks/workflows/${workflowId}`, {
        body: {},
        headers: { 'x-open-cowork-timestamp': String(Math.floor(Date.now() / 1000)), 'x-open-cowork-signature': 'v1=00' },
      });
    const known = await post(created.body.workflow.workflowId);
    const unknown = await post('wf_000000000000000000000000');
    expect(known.status).toBe(401);
    expect({ status: unknown.status, body: unknown.body }).toEqual({ status: known.status, body: known.body });
  });
});

describe('credentials in query strings', () => {
  it('never reach the request log', () => {
    expect(redactUrl('/api/events?access_token=occ_tok_secret&after=3')).toBe('/api/events?access_token=[redacted]&after=3');
    expect(redactUrl('/auth/callback?code=abc&state=xyz')).toBe('/auth/callback?code=[redacted]&state=[redacted]');
    expect(redactUrl('/api/sessions?limit=5')).toBe('/api/sessions?limit=5');
  });
});

describe('limits', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({
      config: {
        security: {
          rateLimit: { authPerMinute: 4, apiPerMinute: 5 },
          signInBackoff: { freeFailures: 2, baseDelayMs: 60_000, maxDelayMs: 60_000 },
          timeouts: { headersMs: 500, requestMs: 1_000, keepAliveMs: 300 },
          corsOrigins: ['https://app.example'],
        },
        sse: { heartbeatMs: 200 },
      },
    });
  }, 120_000);
  afterAll(() => server?.close());

  it('rate-limits each API caller on its own: 429 with Retry-After and a code', async () => {
    const [first, second] = [await server.mintToken(['desktop']), await server.mintToken(['desktop'])];
    for (let i = 0; i < 5; i += 1) expect((await call(server.baseUrl, '/api/sessions', { bearer: first })).status).toBe(200);
    const limited = await call(server.baseUrl, '/api/sessions', { bearer: first });
    expect(limited.status).toBe(429);
    expect(limited.body).toMatchObject({ code: 'rate_limit.http_exceeded', retryAfterMs: expect.any(Number) });
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await call(server.baseUrl, '/api/sessions', { bearer: second })).status).toBe(200);
  });

  it('backs off repeated failed sign-ins, then rate-limits the auth endpoints per address', async () => {
    const good = await server.mintToken(['desktop']);
    expect((await call(server.baseUrl, '/auth/session', { body: { token: 'occ_tok_wrong1' } })).status).toBe(401);
    expect((await call(server.baseUrl, '/auth/session', { body: { token: 'occ_tok_wrong2' } })).status).toBe(401);
    expect((await call(server.baseUrl, '/auth/session', { body: { token: 'occ_tok_wrong3' } })).status).toBe(401);
    const backedOff = await call(server.baseUrl, '/auth/session', { body: { token: good } });
    expect(backedOff.status).toBe(429);
    expect(backedOff.body.code).toBe('auth.backoff');
    expect(backedOff.headers.get('retry-after')).toBeTruthy();
    const limited = await call(server.baseUrl, '/auth/session', { body: { token: good } });
    expect(limited.status).toBe(429);
    expect(limited.body.code).toBe('rate_limit.http_exceeded');
  });

  it('answers CORS preflights of listed origins only', async () => {
    const preflight = (origin: string) =>
      fetch(`${server.baseUrl}/api/sessions`, {
        method: 'OPTIONS',
        headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type, x-csrf-token' },
      });
    const listed = await preflight('https://app.example');
    expect(listed.status).toBe(204);
    expect(listed.headers.get('access-control-allow-origin')).toBe('https://app.example');
    expect(listed.headers.get('access-control-allow-credentials')).toBe('true');
    const other = await preflight('https://evil.example');
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('closes a connection that trickles its body, and an idle keep-alive connection', async () => {
    const trickle = await rawExchange(
      server.baseUrl,
      [
        'POST /webhooks/workflows/wf_trickle HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n',
        ...Array.from({ length: 100 }, () => ' '),
      ],
      200,
    );
    expect(trickle.closedAfterMs).toBeLessThan(10_000);
    const idle = await rawExchange(server.baseUrl, ['GET /livez HTTP/1.1\r\nhost: x\r\n\r\n']);
    expect(idle.text).toMatch(/^HTTP\/1.1 200/);
    expect(idle.closedAfterMs).toBeLessThan(10_000);
  });

  it('keeps an SSE stream open beyond the request timeout', async () => {
    const controller = new AbortController();
    const response = await fetch(`${server.baseUrl}/api/events`, {
      headers: { authorization: `Bearer ${await server.mintToken(['desktop'])}`, accept: 'text/event-stream' },
      signal: controller.signal,
    });
    expect(response.status).toBe(200);
    const reader = response.body!.getReader();
    const started = Date.now();
    let received = 0;
    while (Date.now() - started < 2_500) received += (await reader.read()).value?.length ?? 0;
    expect(received).toBeGreaterThan(0);
    controller.abort();
  });
});

describe('CORS by default', () => {
  it('is off: no cross-origin headers unless the operator lists origins', async () => {
    const server = await startTestServer();
    try {
      const response = await fetch(`${server.baseUrl}/api/sessions`, { headers: { origin: 'https://app.example' } });
      expect(response.headers.get('access-control-allow-origin')).toBeNull();
    } finally {
      await server.close();
    }
  });
});
