import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engines } from '@open-cowork/test-support/db';
import { call } from './helpers/http.js';
import { startTestServer, type TestServer } from '@open-cowork/test-support/server';

const OPERATOR_TOKEN = `operator-${'m'.repeat(32)}`;

/** The value of one sample line of a Prometheus text exposition, or undefined. */
function sample(text: string, name: string): number | undefined {
  const line = text.split('\n').find((candidate) => candidate.startsWith(`${name} `));
  return line === undefined ? undefined : Number(line.slice(name.length + 1));
}

async function eventually<T>(read: () => Promise<T>, accept: (value: T) => boolean): Promise<T> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const value = await read();
    if (accept(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe.each(engines)('GET /metrics (%s)', (engine) => {
  let server: TestServer;
  let desktop: string;
  const scrape = async () => (await fetch(`${server.baseUrl}/metrics`, { headers: { authorization: `Bearer ${OPERATOR_TOKEN}` } })).text();
  beforeAll(async () => {
    server = await startTestServer({ engine, config: { operatorToken: OPERATOR_TOKEN } });
    desktop = await server.mintToken(['desktop']);
  });
  afterAll(() => server.close());

  it('is for the operator only', async () => {
    expect((await fetch(`${server.baseUrl}/metrics`)).status).toBe(401);
    expect((await fetch(`${server.baseUrl}/metrics`, { headers: { authorization: `Bearer ${desktop}` } })).status).toBe(403);
    const response = await fetch(`${server.baseUrl}/metrics`, { headers: { authorization: `Bearer ${OPERATOR_TOKEN}` } });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  });

  it('counts requests by route pattern and status, with their latency', async () => {
    await call(server.baseUrl, '/livez');
    await call(server.baseUrl, '/api/sessions/ses_nope', { bearer: desktop });
    const text = await scrape();
    expect(sample(text, 'http_request_duration_seconds_count{method="GET",route="/livez",status_code="200"}')).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'http_request_duration_seconds_count{method="GET",route="/api/sessions/:id",status_code="404"}')).toBe(1);
    expect(text).toContain('http_request_duration_seconds_bucket{le="0.1",method="GET",route="/livez",status_code="200"}');
    expect(text).not.toContain('ses_nope');
  });

  it('reports the event streams open now', async () => {
    const before = sample(await scrape(), 'sse_open_streams') ?? -1;
    const aborter = new AbortController();
    const stream = await fetch(`${server.baseUrl}/api/events`, { headers: { authorization: `Bearer ${desktop}` }, signal: aborter.signal });
    expect(stream.status).toBe(200);
    expect(sample(await scrape(), 'sse_open_streams')).toBe(before + 1);
    aborter.abort();
    await stream.body?.cancel().catch(() => undefined);
    expect(sample(await eventually(scrape, (text) => sample(text, 'sse_open_streams') === before), 'sse_open_streams')).toBe(before);
  });

  it('reads queued session commands and held delivery leases from the store at scrape time', async () => {
    const created = await call(server.baseUrl, '/api/sessions', { bearer: desktop, body: {} });
    const sessionId = created.body.session.sessionId as string;
    expect(sample(await scrape(), 'channel_delivery_leases_held')).toBe(0);
    const queued = sample(await scrape(), 'session_commands_queued')!;
    await server.db.query(
      `INSERT INTO session_commands (command_id, tenant_id, user_id, session_id, kind, payload, status, created_sequence, created_at)
       SELECT 'cmd_metrics_probe', tenant_id, 'usr_probe', session_id, 'prompt', '{}'::jsonb, 'pending', 0, now() FROM sessions WHERE session_id = $1`,
      [sessionId],
    );
    expect(sample(await scrape(), 'session_commands_queued')).toBe(queued + 1);
  });
});
