/**
 * Real answers of the server carry the status the error catalog gives their code: a sample of
 * refusals from every layer that writes one (the socket's client-error handler, the content-type
 * parser, the not-found handler, access rules, schema validation, idempotency, route handlers and
 * services).
 */
import { connect } from 'node:net';
import { CLOUD_ERROR_CODES, type CloudErrorCode } from '@open-cowork/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '@open-cowork/test-support/server';

interface Answer {
  status: number;
  body: { error?: unknown; code?: string; verdict?: { policyCode?: string } };
}

/** The status and body of one raw HTTP request written on a socket (for requests fetch refuses to send). */
function rawRequest(port: number, request: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.end(request));
    let text = '';
    socket.on('data', (chunk) => (text += chunk));
    socket.on('error', reject);
    socket.on('close', () => {
      const [head = '', body = ''] = text.split('\r\n\r\n');
      resolve({ status: Number(head.split(' ')[1]), body: JSON.parse(body) });
    });
  });
}

describe('error answers of the real server', () => {
  let server: TestServer;
  let desktop: string;
  let ask: (path: string, init?: RequestInit & { token?: string | null }) => Promise<Answer>;

  beforeAll(async () => {
    server = await startTestServer();
    desktop = await server.mintToken(['desktop']);
    ask = async (path, { token = desktop, ...init } = {}) => {
      const headers = new Headers(init.headers);
      if (token) headers.set('authorization', `Bearer ${token}`);
      if (init.body !== undefined && !headers.has('content-type')) headers.set('content-type', 'application/json');
      const response = await fetch(`${server.baseUrl}${path}`, { ...init, headers });
      return { status: response.status, body: await response.json() };
    };
  }, 120_000);
  afterAll(() => server?.close());

  const post = (path: string, body: string, headers: Record<string, string> = {}) => ask(path, { method: 'POST', body, headers });
  const cases: [CloudErrorCode, string, () => Promise<Answer>][] = [
    ['request.malformed', 'a request that is not HTTP', () => rawRequest(Number(new URL(server.baseUrl).port), 'NOT HTTP\r\n\r\n')],
    ['route.not_found', 'an unknown route', () => ask('/api/no-such-route')],
    ['request.invalid_json', 'a body that is not JSON', () => post('/api/sessions', '{')],
    ['request.too_deep', 'JSON nested 65 deep', () => post('/api/sessions', `${'['.repeat(65)}${']'.repeat(65)}`)],
    ['request.unsupported_media_type', 'an XML body', () => post('/api/sessions', '<a/>', { 'content-type': 'application/xml' })],
    ['request.body_too_large', 'a body over 1 MiB', () => post('/api/sessions', JSON.stringify({ title: 'x'.repeat(1024 * 1024) }))],
    ['request.invalid', 'a body against the schema', () => post('/api/sessions', JSON.stringify({ profileName: { name: 'x' } }))],
    ['request.invalid', 'a NUL in the path', () => ask('/api/sessions/ses%00')],
    ['auth.required', 'no credential', () => ask('/api/sessions', { token: null })],
    ['auth.token_invalid', 'an unknown token', () => ask('/api/sessions', { token: 'occ_tok_not-a-real-token' })],
    ['authorization.operator_only', 'a member on an operator route', () => ask('/api/metrics')],
    ['authorization.insufficient_scope', 'a desktop token on an admin route', () => ask('/api/admin/members')],
    ['sessions.not_found', 'an unknown session', () => ask('/api/sessions/ses_missing')],
    ['sessions.cursor.invalid', 'a garbled cursor', () => ask('/api/sessions?cursor=garbled')],
    [
      'settings.value_too_large',
      'a setting over 64 KiB',
      () => post('/api/settings', JSON.stringify({ key: 'big', value: { text: 'x'.repeat(70 * 1024) } })),
    ],
    ['workflows.not_found', 'an unknown workflow', () => ask('/api/workflows/wf_missing')],
  ];

  it.each(cases)('answers %s to %s with its catalog status', async (code, _what, send) => {
    const { status, body } = await send();
    expect({ status, code: body.code }).toEqual({ status: CLOUD_ERROR_CODES[code].status, code });
    expect(typeof body.error).toBe('string');
    if (status === 403) expect(body.verdict?.policyCode).toBe(code);
  });

  it('answers a reused Idempotency-Key with idempotency.key_reused and its catalog status', async () => {
    const create = (profileName: string) => post('/api/sessions', JSON.stringify({ profileName }), { 'idempotency-key': 'error-codes-1' });
    expect((await create('first')).status).toBe(201);
    const { status, body } = await create('second');
    expect({ status, code: body.code }).toEqual({
      status: CLOUD_ERROR_CODES['idempotency.key_reused'].status,
      code: 'idempotency.key_reused',
    });
  });
});
