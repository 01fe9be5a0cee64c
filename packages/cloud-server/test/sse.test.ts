import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '@open-cowork/test-support/server';

/** The blocks of an event stream read so far (comments and fields as raw lines). */
interface RawStream {
  blocks: string[][];
  until(done: (blocks: string[][]) => boolean, timeoutMs?: number): Promise<string[][]>;
  close(): void;
  response: Response;
}

let server: TestServer;
let auth: Record<string, string>;

async function openStream(path: string, headers: Record<string, string> = {}): Promise<RawStream> {
  const controller = new AbortController();
  const response = await fetch(`${server.baseUrl}${path}`, { headers: { ...auth, ...headers }, signal: controller.signal });
  const stream: RawStream = {
    blocks: [],
    response,
    close: () => controller.abort(),
    async until(done, timeoutMs = 5000) {
      const deadline = Date.now() + timeoutMs;
      while (!done(stream.blocks)) {
        if (Date.now() > deadline) throw new Error(`Timed out; got ${JSON.stringify(stream.blocks)}`);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      return stream.blocks;
    },
  };
  if (!response.ok) return stream;
  void (async () => {
    let buffer = '';
    const decoder = new TextDecoder();
    try {
      for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
        buffer += decoder.decode(chunk, { stream: true });
        let end: number;
        while ((end = buffer.indexOf('\n\n')) !== -1) {
          stream.blocks.push(buffer.slice(0, end).split('\n'));
          buffer = buffer.slice(end + 2);
        }
      }
    } catch {
      // Aborted by close().
    }
  })();
  return stream;
}

const ids = (blocks: string[][]) =>
  blocks.flatMap((block) => block.filter((line) => line.startsWith('id: ')).map((line) => Number(line.slice(4))));
const dataOf = (blocks: string[][]) =>
  blocks.flatMap((block) =>
    block.filter((line) => line.startsWith('data: ')).map((line) => JSON.parse(line.slice(6)) as Record<string, unknown>),
  );

async function api(method: string, path: string, body?: unknown) {
  const response = await fetch(`${server.baseUrl}${path}`, {
    method,
    headers: { ...auth, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  return { status: response.status, headers: response.headers, body: (await response.json()) as Record<string, any> };
}

/** A session with `count` events appended after its `session.created` (sequence 1). */
async function sessionWithEvents(count: number): Promise<string> {
  const { body } = await api('POST', '/api/sessions', {});
  const sessionId = body.session.sessionId as string;
  const drafts = Array.from({ length: count }, (_, n) => ({
    type: 'assistant.message' as const,
    payload: { messageId: 'm', content: `part ${n}`, mode: 'append' },
  }));
  if (count > 0) await server.app.sessionEvents.append(sessionId, drafts);
  return sessionId;
}

beforeAll(async () => {
  server = await startTestServer({
    config: { sse: { heartbeatMs: 100, retryMs: 3000, maxStreamsPerOrg: 4, maxStreamsPerUser: 3, maxBufferedBytes: 64 * 1024 } },
  });
  auth = { authorization: `Bearer ${await server.mintToken(['desktop'])}` };
});
afterAll(() => server.close());

describe('session event stream', () => {
  it('sends the SSE headers, a connected comment, a retry hint, then id/event/data frames', async () => {
    const sessionId = await sessionWithEvents(2);
    const stream = await openStream(`/api/sessions/${sessionId}/events`);
    expect(stream.response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    expect(stream.response.headers.get('cache-control')).toBe('no-store, no-transform');
    expect(stream.response.headers.get('x-accel-buffering')).toBe('no');
    expect(stream.response.headers.get('x-request-id')).toBeTruthy();
    const blocks = await stream.until((b) => ids(b).length === 3);
    stream.close();
    expect(blocks[0]).toEqual([': connected']);
    expect(blocks[1]).toEqual(['retry: 3000']);
    expect(blocks[2]).toEqual(['id: 1', 'event: session.created', expect.stringMatching(/^data: \{/)]);
    const [created] = dataOf(blocks);
    expect(created).toMatchObject({
      sessionId,
      sequence: 1,
      type: 'session.created',
      eventId: expect.any(String),
      createdAt: expect.any(String),
    });
  });

  it('resumes after the larger of ?after= and Last-Event-ID', async () => {
    const sessionId = await sessionWithEvents(6);
    const byQuery = await openStream(`/api/sessions/${sessionId}/events?after=5`, { 'last-event-id': '2' });
    expect(ids(await byQuery.until((b) => ids(b).length === 2))).toEqual([6, 7]);
    byQuery.close();
    const byHeader = await openStream(`/api/sessions/${sessionId}/events?after=2`, { 'last-event-id': '4' });
    expect(ids(await byHeader.until((b) => ids(b).length === 3))).toEqual([5, 6, 7]);
    byHeader.close();
    const garbage = await openStream(`/api/sessions/${sessionId}/events?after=abc`);
    expect(ids(await garbage.until((b) => ids(b).length === 7))[0]).toBe(1);
    garbage.close();
  });

  it('tails live appends and beats the heart while idle', async () => {
    const sessionId = await sessionWithEvents(0);
    const stream = await openStream(`/api/sessions/${sessionId}/events?after=1`);
    await server.app.sessionEvents.append(sessionId, [{ type: 'session.status', payload: { statusType: 'busy' } }]);
    await stream.until((b) => ids(b).includes(2));
    await stream.until((b) => b.filter((block) => block[0] === ': keep-alive').length >= 2);
    stream.close();
  });

  it('skips stored events of unknown types but moves past them', async () => {
    const sessionId = await sessionWithEvents(1);
    await server.db.query(
      `INSERT INTO session_events (session_id, sequence, event_id, tenant_id, type, payload, created_at)
       SELECT session_id, 3, 'future', tenant_id, 'future.kind', '{}'::jsonb, now() FROM sessions WHERE session_id = $1`,
      [sessionId],
    );
    await server.db.query('UPDATE sessions SET last_sequence = 3 WHERE session_id = $1', [sessionId]);
    await server.app.sessionEvents.append(sessionId, [{ type: 'session.idle', payload: {} }]);
    const stream = await openStream(`/api/sessions/${sessionId}/events`);
    expect(ids(await stream.until((b) => ids(b).includes(4)))).toEqual([1, 2, 4]);
    stream.close();
  });

  it('answers snapshot.required when the cursor is older than the retained events, then continues after the gap', async () => {
    const sessionId = await sessionWithEvents(4);
    await server.app.stores.events.pruneEventsBefore(server.app.db, new Date(Date.now() + 1000).toISOString());
    await server.app.sessionEvents.append(sessionId, [{ type: 'session.idle', payload: {} }]);
    const stream = await openStream(`/api/sessions/${sessionId}/events?after=2`);
    const blocks = await stream.until((b) => ids(b).length === 1);
    expect(blocks[2]).toEqual(['id: 6', 'event: snapshot.required', expect.any(String)]);
    expect(dataOf(blocks)[0]).toMatchObject({
      sessionId,
      sequence: 2,
      type: 'snapshot.required',
      eventId: 'snapshot-required:2',
      entityType: 'session',
      operation: 'snapshot_required',
      payload: { reason: 'event_retention_gap', afterSequence: 2, earliestSequence: 6, latestSequence: 6 },
    });
    await server.app.sessionEvents.append(sessionId, [{ type: 'session.status', payload: { statusType: 'busy' } }]);
    expect(ids(await stream.until((b) => ids(b).length === 2))).toEqual([6, 7]);
    stream.close();
    // A fresh hydration (after=0) replays what is retained without complaint.
    const fresh = await openStream(`/api/sessions/${sessionId}/events`);
    expect(ids(await fresh.until((b) => ids(b).length === 2))).toEqual([6, 7]);
    fresh.close();
  });

  it('refuses unknown sessions with a JSON 404 before any stream starts', async () => {
    const stream = await openStream('/api/sessions/ses_unknown/events');
    expect(stream.response.status).toBe(404);
    expect(await stream.response.json()).toMatchObject({ code: 'sessions.not_found' });
  });

  it('caps concurrent streams per user and per org with 429 and Retry-After, so one member cannot take them all', async () => {
    const sessionId = await sessionWithEvents(0);
    const mine = await Promise.all(Array.from({ length: 3 }, () => openStream(`/api/sessions/${sessionId}/events`)));
    await Promise.all(mine.map((stream) => stream.until((b) => b.length >= 1)));
    const refused = await openStream('/api/events');
    expect(refused.response.status).toBe(429);
    expect(refused.response.headers.get('retry-after')).toBe('1');
    expect(await refused.response.json()).toMatchObject({
      code: 'stream.cap_exceeded',
      error: expect.stringContaining('user'),
      retryAfterMs: 1000,
    });
    // Another member still gets a stream, up to the org's cap of 4.
    const other = { authorization: `Bearer ${await server.mintToken(['desktop'], { email: 'other@example.test' })}` };
    const theirs = await openStream('/api/events', other);
    expect(theirs.response.status).toBe(200);
    const overOrg = await openStream('/api/events', other);
    expect(overOrg.response.status).toBe(429);
    expect(await overOrg.response.json()).toMatchObject({ code: 'stream.cap_exceeded', error: expect.stringContaining('organisation') });
    [...mine, theirs].forEach((stream) => stream.close());
    // Closed streams free their slots.
    const deadline = Date.now() + 5000;
    let again = await openStream('/api/events');
    while (again.response.status === 429 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      again = await openStream('/api/events');
    }
    expect(again.response.status).toBe(200);
    again.close();
  });

  it('holds back a burst for a reading client, and drops a client that stops reading', async () => {
    const { body } = await api('POST', '/api/sessions', {});
    const sessionId = body.session.sessionId as string;
    const total = 4000;
    // 4000 events of 2 KiB: far more than socket buffers and the 64 KiB connection buffer.
    await server.db.query(
      `INSERT INTO session_events (session_id, sequence, event_id, tenant_id, type, payload, created_at)
       SELECT s.session_id, n + 1, 'bulk-' || n, s.tenant_id, 'assistant.message',
              jsonb_build_object('content', repeat('x', 2048)), now()
       FROM sessions s, generate_series(1, $2) AS n WHERE s.session_id = $1`,
      [sessionId, total],
    );
    await server.db.query('UPDATE sessions SET last_sequence = $2 WHERE session_id = $1', [sessionId, total + 1]);
    const url = new URL(`/api/sessions/${sessionId}/events`, server.baseUrl);
    /** Frames received by a client that reads after `pauseMs`, until the server ends or drops it. */
    const framesAfterPause = (pauseMs: number, wanted: number) =>
      new Promise<number>((resolve, reject) => {
        const request = httpRequest(url, { headers: auth }, (response) => {
          response.pause();
          // Every frame has one `event:` line; counted per chunk, keeping 7 characters (one less
          // than the marker) so that a marker split across two chunks is found exactly once.
          let frames = 0;
          let tail = '';
          setTimeout(() => {
            response.setEncoding('utf8');
            response.on('data', (chunk: string) => {
              const text = tail + chunk;
              frames += text.split('\nevent: ').length - 1;
              tail = text.slice(-7);
              if (frames >= wanted) request.destroy();
            });
            response.on('close', () => resolve(frames));
            response.resume();
          }, pauseMs);
        });
        request.on('error', () => undefined);
        request.on('close', () => setTimeout(() => reject(new Error('closed before reading')), 5000).unref());
        request.end();
      });
    // Two heartbeats (100 ms) are below the 1 s floor of the stall timeout: a short pause is fine.
    expect(await framesAfterPause(300, total + 1)).toBe(total + 1);
    const stalled = await framesAfterPause(2500, total + 1);
    expect(stalled).toBeGreaterThan(0);
    expect(stalled).toBeLessThan(total + 1);
  }, 60_000);
});

describe('workspace event stream', () => {
  it("mirrors every session event into the owner's stream with its own sequence", async () => {
    const stream = await openStream('/api/events');
    const sessionId = await sessionWithEvents(1);
    const blocks = await stream.until((b) =>
      dataOf(b).some((event) => event.sessionId === sessionId && event.type === 'assistant.message'),
    );
    stream.close();
    const mine = dataOf(blocks).filter((event) => event.sessionId === sessionId);
    expect(mine.map((event) => [event.type, event.operation, event.projectionVersion, event.entityType, event.entityId])).toEqual([
      ['session.created', 'create', 1, 'session', sessionId],
      ['assistant.message', 'update', 2, 'session', sessionId],
    ]);
    expect(String(mine[0]!.eventId)).toMatch(new RegExp(`^${sessionId}:`));
    const sequences = dataOf(blocks).map((event) => event.sequence as number);
    expect(sequences).toEqual(sequences.map((_, index) => sequences[0]! + index));
  });
});
