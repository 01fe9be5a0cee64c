import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '@open-cowork/test-support/server';
import { subscribe, until } from '../helpers/sse.js';

const CAP = 256 * 1024;
let server: TestServer;
let headers: Record<string, string>;

beforeAll(async () => {
  server = await startTestServer({ config: { sse: { heartbeatMs: 60_000, maxBufferedBytes: CAP } } });
  headers = { authorization: `Bearer ${await server.mintToken(['desktop'])}` };
});
afterAll(() => server.close());

const TOTAL = 1201;

/**
 * Appends 16 KiB events straight in the store (sequences `from`..`to`), then wakes the tails the
 * way an append does: the projection of 20 MiB of text would make real appends far too slow here.
 */
async function appendLarge(sessionId: string, from: number, to: number) {
  await server.db.query(
    `INSERT INTO session_events (session_id, sequence, event_id, tenant_id, type, payload, created_at)
     SELECT s.session_id, n, 'bulk-' || n, s.tenant_id, 'assistant.message', jsonb_build_object('content', repeat('x', 16384)), now()
       FROM sessions s, generate_series($2::int, $3::int) AS n WHERE s.session_id = $1`,
    [sessionId, from, to],
  );
  await server.db.query('UPDATE sessions SET last_sequence = $2 WHERE session_id = $1', [sessionId, to]);
  await server.app.sessionEvents.publish(server.app.db, { sessionId, sessionSequence: to, tenantId: '', userId: '', workspaceSequence: 0 });
}

describe('a subscriber that stops reading', () => {
  it('is dropped once it holds the buffer cap, costs no more than the cap meanwhile, and resumes from its cursor without loss', async () => {
    const created = await fetch(`${server.baseUrl}/api/sessions`, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json' },
      body: '{}',
    });
    const sessionId = ((await created.json()) as { session: { sessionId: string } }).session.sessionId;
    const url = `${server.baseUrl}/api/sessions/${sessionId}/events`;
    const reading = await subscribe(url, headers);

    // The stalled client takes its headers, then reads nothing more.
    let text = '';
    const stalled = await new Promise<import('node:http').IncomingMessage>((resolve) => httpRequest(url, { headers }, resolve).end());
    stalled.pause();
    await until(
      () => server.app.streams.engine.stats().streams === 2,
      () => 'two streams open',
    );

    // ~19 MiB in bursts smaller than the cap, at the pace of the reading subscriber: far more than
    // the socket buffers of both ends and the cap of the stalled one.
    for (let from = 2; from <= TOTAL; from += 10) {
      await appendLarge(sessionId, from, from + 9);
      await until(
        () => reading.ids.at(-1) === from + 9,
        () => `the reading subscriber at ${from + 9}`,
      );
    }
    await until(
      () => server.app.streams.engine.stats().streams === 1,
      () => 'the stalled client dropped',
      30_000,
    );
    const { peakConnectionBytes } = server.app.streams.engine.stats();
    expect(peakConnectionBytes).toBeLessThanOrEqual(CAP);

    // What reached the stalled client before the drop, then a resume from its last complete frame.
    await new Promise<void>((resolve) => {
      stalled
        .setEncoding('utf8')
        .on('data', (chunk: string) => (text += chunk))
        .on('close', resolve)
        .on('error', () => resolve());
      stalled.resume();
    });
    const frames = text.split('\n\n').slice(0, -1);
    const before = frames.flatMap((block) => /^id: (\d+)$/m.exec(block)?.[1] ?? []).map(Number);
    expect(before.at(-1)!).toBeLessThan(TOTAL);
    const resumed = await subscribe(url, { ...headers, 'last-event-id': String(before.at(-1)) });
    await until(
      () => resumed.ids.at(-1) === TOTAL,
      () => `resumed up to ${resumed.ids.at(-1)}`,
      30_000,
    );
    expect([...before, ...resumed.ids]).toEqual(Array.from({ length: TOTAL }, (_, n) => n + 1));

    // The reading subscriber kept up and missed nothing.
    await until(
      () => reading.ids.at(-1) === TOTAL,
      () => 'the reading subscriber',
      30_000,
    );
    expect(reading.ids).toEqual(Array.from({ length: TOTAL }, (_, n) => n + 1));
    reading.close();
    resumed.close();
  }, 90_000);
});
