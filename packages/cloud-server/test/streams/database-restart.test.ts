import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPrivatePostgres } from '../helpers/private-postgres.js';
import { startTestServer, type TestServer } from '@open-cowork/test-support/server';
import { subscribe, until } from '../helpers/sse.js';

const postgres = await startPrivatePostgres().catch(() => null);

describe.skipIf(!postgres)('a database restart under a live stream', () => {
  let server: TestServer;
  let headers: Record<string, string>;

  beforeAll(async () => {
    // A heartbeat far longer than the test: only a NOTIFY (or the listener's catch-up) can deliver.
    server = await startTestServer({ store: { databaseUrl: postgres!.url }, config: { sse: { heartbeatMs: 120_000 } } });
    headers = { authorization: `Bearer ${await server.mintToken(['desktop'])}` };
  }, 60_000);
  afterAll(async () => {
    await server?.close();
    await postgres?.stop();
  });

  it('listens again after the restart: the next event arrives within a second, not at the next heartbeat', async () => {
    const created = await fetch(`${server.baseUrl}/api/sessions`, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json' },
      body: '{}',
    });
    const sessionId = ((await created.json()) as { session: { sessionId: string } }).session.sessionId;
    const stream = await subscribe(`${server.baseUrl}/api/sessions/${sessionId}/events`, headers);
    await until(
      () => stream.ids.includes(1),
      () => 'session.created',
    );

    await postgres!.restart();
    const draft = { type: 'assistant.message' as const, payload: { messageId: 'm', content: 'after the restart', mode: 'append' } };
    // The pool's old connections died with the server: an append may fail until a fresh one is made.
    let appendedAt = 0;
    const deadline = Date.now() + 20_000;
    while (!appendedAt) {
      try {
        await server.app.sessionEvents.append(sessionId, [draft]);
        appendedAt = Date.now();
      } catch (error) {
        if (Date.now() > deadline) throw error;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
    await until(
      () => stream.ids.includes(2),
      () => 'the event after the restart',
      10_000,
    );
    expect(Date.now() - appendedAt).toBeLessThan(1000);

    // And the stream stays live: later events come at once too.
    await server.app.sessionEvents.append(sessionId, [draft]);
    await until(
      () => stream.ids.includes(3),
      () => 'the next event',
      1000,
    );
    stream.close();
  }, 90_000);
});
