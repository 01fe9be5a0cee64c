import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPostgresSchema, engines, type PostgresSchema } from '@open-cowork/test-support/db';
import { startTestServer, type TestServer } from '@open-cowork/test-support/server';
import { subscribe, type Subscriber, until } from '../helpers/sse.js';

// A long heartbeat: every wake-up seen here comes from an append's notice.
const config = { sse: { heartbeatMs: 60_000, maxStreamsPerOrg: 500, maxStreamsPerUser: 500 } };
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, n) => from + n);

describe.each(engines)('one session, many subscribers (%s)', (engine) => {
  let schema: PostgresSchema | null = null;
  /** Appends go through `writer`; subscribers read from `reader` (another replica on PostgreSQL). */
  let writer: TestServer;
  let reader: TestServer;
  let headers: Record<string, string>;

  beforeAll(async () => {
    if (engine === 'postgres') {
      schema = await createPostgresSchema();
      writer = await startTestServer({ store: schema.target, config });
      reader = await startTestServer({ store: schema.target, config });
    } else {
      writer = reader = await startTestServer({ config });
    }
    headers = { authorization: `Bearer ${await writer.mintToken(['desktop'])}` };
  }, 60_000);
  afterAll(async () => {
    await reader?.close();
    if (writer !== reader) await writer?.close();
    await schema?.drop();
  });

  const append = (sessionId: string, count: number) =>
    writer.app.sessionEvents.append(
      sessionId,
      range(1, count).map((n) => ({
        type: 'assistant.message' as const,
        payload: { messageId: 'm', content: `part ${n}`, mode: 'append' },
      })),
    );

  it('every subscriber gets every event once and in order (joining before, during and after a burst, some resuming), with one store read per wake', async () => {
    const created = await fetch(`${writer.baseUrl}/api/sessions`, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json' },
      body: '{}',
    });
    const sessionId = ((await created.json()) as { session: { sessionId: string } }).session.sessionId;
    await append(sessionId, 4); // sequences 2..5 after session.created
    const url = (after?: number) => `${reader.baseUrl}/api/sessions/${sessionId}/events${after ? `?after=${after}` : ''}`;
    const open = (count: number, after?: number) => Promise.all(range(1, count).map(() => subscribe(url(after), headers)));

    const early = [...(await open(30)), ...(await open(10, 3))];
    await until(
      () => early.every((s) => s.ids.at(-1) === 5),
      () => 'early subscribers caught up',
    );

    let reads = 0;
    const eventsStore = reader.app.stores.events;
    const read = eventsStore.listSessionEvents.bind(eventsStore);
    eventsStore.listSessionEvents = (...args) => {
      reads += 1;
      return read(...args);
    };
    const appends = 10;
    let joining: Promise<Subscriber[]> = Promise.resolve([]);
    for (let n = 0; n < appends; n += 1) {
      await append(sessionId, 3);
      if (n === 4) joining = open(20);
    }
    const late = [...(await joining), ...(await open(10, 20))];
    const all = [...early, ...late];
    const latest = 5 + appends * 3;
    await until(
      () => all.every((s) => s.ids.at(-1) === latest),
      () => `missing: ${all.filter((s) => s.ids.at(-1) !== latest).length}`,
    );
    // Without shared tails each of the 40 early subscribers would read once per append.
    expect(reads).toBeLessThan(appends * 3 + 30 * 2);

    for (const [index, subscriber] of all.entries()) {
      const from = (index >= 30 && index < 40) || index >= 60 ? (index < 40 ? 4 : 21) : 1;
      expect(subscriber.ids).toEqual(range(from, latest));
    }
    all.forEach((subscriber) => subscriber.close());
  }, 60_000);
});
