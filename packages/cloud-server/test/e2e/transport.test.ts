import type { CloudSessionEvent, TypedCloudWorkspaceEvent } from '@open-cowork/shared';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { engines } from '@open-cowork/test-support/db';
import { startServerForTest } from '@open-cowork/test-support/server';
import { tempDirForTest } from '@open-cowork/test-support/temp-dir';
import { clientFor, type Harness, hasType, record, startHarness } from './harness.js';

/** True when `events` carry exactly the sequences from..to, each once, in order. */
function expectContiguous(events: { sequence: number }[], from: number, to: number) {
  expect(events.map((event) => event.sequence)).toEqual(Array.from({ length: to - from + 1 }, (_, index) => from + index));
}

const partsAtLeast = (count: number) => (events: CloudSessionEvent[]) =>
  events.filter((event) => event.type === 'assistant.message').length >= count;

describe.each(engines)('transport over real HTTP and SSE (%s)', (engine) => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ engine, config: { sse: { maxStreamsPerOrg: 6 } } });
  });
  afterAll(() => h.server.close());

  it('builds absolute stream URLs with ?after only when positive', () => {
    expect(h.client.sessionEventsUrl('ses_1')).toBe(`${h.server.baseUrl}/api/sessions/ses_1/events`);
    expect(h.client.sessionEventsUrl('ses_1', 7)).toBe(`${h.server.baseUrl}/api/sessions/ses_1/events?after=7`);
    expect(h.client.workspaceEventsUrl()).toBe(`${h.server.baseUrl}/api/events`);
    expect(h.client.workspaceEventsUrl(3)).toBe(`${h.server.baseUrl}/api/events?after=3`);
  });

  it('streams the workspace events of the caller, mirrored from their sessions', async () => {
    const workspace = record<TypedCloudWorkspaceEvent>((handlers) => h.client.subscribeWorkspaceEvents(handlers));
    const { session } = await h.client.createSession();
    await h.client.promptSession(session.sessionId, { text: 'hi' });
    const events = await workspace.until((all) =>
      all.some((event) => event.sessionId === session.sessionId && event.type === 'session.idle'),
    );
    workspace.close();
    const mine = events.filter((event) => event.sessionId === session.sessionId);
    expect(mine[0]).toMatchObject({
      type: 'session.created',
      operation: 'create',
      entityType: 'session',
      entityId: session.sessionId,
      projectionVersion: 1,
    });
    expectContiguous(
      mine.map((event) => ({ sequence: event.projectionVersion })),
      1,
      mine.length,
    );
    expectContiguous(events, events[0]!.sequence, events.at(-1)!.sequence);
  });

  it('resumes after a dropped connection with no gap and no duplicate', async () => {
    const { session } = await h.client.createSession();
    const first = record<CloudSessionEvent>((handlers) => h.client.subscribeSessionEvents(session.sessionId, handlers));
    await h.client.promptSession(session.sessionId, { text: '[stream:150]' });
    await first.until(partsAtLeast(10));
    // The server drops every connection, as a proxy or a network blip would.
    h.server.app.server.closeAllConnections();
    await first.until(() => first.closed || first.errors.length > 0);
    const seen = [...first.events];
    const resumed = record<CloudSessionEvent>((handlers) =>
      h.client.subscribeSessionEvents(session.sessionId, { ...handlers, afterSequence: seen.at(-1)!.sequence }),
    );
    await resumed.until(hasType('session.idle'));
    resumed.close();
    const all = [...seen, ...resumed.events];
    expectContiguous(all, 1, all.at(-1)!.sequence);
    expect((await h.client.getSession(session.sessionId)).projection?.sequence).toBe(all.at(-1)!.sequence);
  });

  it('keeps a resumable subscription whole across repeated drops', async () => {
    const { session } = await h.client.createSession();
    const cursors: number[] = [];
    const stream = record<CloudSessionEvent>((handlers) =>
      h.client.subscribeSessionEventsResumable(session.sessionId, {
        ...handlers,
        backoffMs: { initial: 20, max: 100 },
        onCursor: (sequence) => cursors.push(sequence),
      }),
    );
    await h.client.promptSession(session.sessionId, { text: '[stream:200]' });
    for (const parts of [10, 60, 120]) {
      await stream.until(partsAtLeast(parts));
      h.server.app.server.closeAllConnections();
    }
    const events = await stream.until(hasType('session.idle'));
    stream.close();
    expectContiguous(events, 1, events.at(-1)!.sequence);
    expect(cursors.at(-1)).toBe(events.at(-1)!.sequence);
  });

  it('delivers snapshot.required when the cursor predates the retained events', async () => {
    const { session } = await h.client.createSession();
    await h.client.abortSession(session.sessionId);
    await h.server.app.stores.events.pruneEventsBefore(h.server.app.db, new Date(Date.now() + 1000).toISOString());
    await h.client.abortSession(session.sessionId);
    const stream = record<CloudSessionEvent>((handlers) =>
      h.client.subscribeSessionEvents(session.sessionId, { ...handlers, afterSequence: 1 }),
    );
    const [signal] = await stream.until((events) => events.length >= 1);
    stream.close();
    expect(signal).toMatchObject({
      type: 'snapshot.required',
      sequence: 1,
      payload: { afterSequence: 1, earliestSequence: 3, latestSequence: 3 },
    });
  });

  it('refuses a stream beyond the per-org cap as rate_limited with retryAfterMs', async () => {
    const { session } = await h.client.createSession();
    const open = Array.from({ length: 6 }, () =>
      record<CloudSessionEvent>((handlers) => h.client.subscribeSessionEvents(session.sessionId, handlers)),
    );
    await Promise.all(open.map((stream) => stream.until((events) => events.length >= 1)));
    const refused = record<CloudSessionEvent>((handlers) => h.client.subscribeWorkspaceEvents(handlers as never));
    const [error] = await refused.until(() => refused.errors.length > 0).then(() => refused.errors);
    open.forEach((stream) => stream.close());
    expect(error).toMatchObject({ kind: 'rate_limited', status: 429, code: 'stream.cap_exceeded', retryAfterMs: 1000 });
  });

  it('answers stream authorisation failures as errors, not streams', async () => {
    const anonymous = clientFor(h.server.baseUrl, 'occ_tok_invalid');
    const refused = record<CloudSessionEvent>((handlers) => anonymous.subscribeWorkspaceEvents(handlers as never));
    await refused.until(() => refused.errors.length > 0);
    expect(refused.errors[0]).toMatchObject({ kind: 'unauthorized', status: 401 });
    const missing = record<CloudSessionEvent>((handlers) => h.client.subscribeSessionEvents('ses_nope', handlers));
    await missing.until(() => missing.errors.length > 0);
    expect(missing.errors[0]).toMatchObject({ kind: 'not_found', code: 'sessions.not_found' });
  });
});

describe('a server restart on the same data directory mid-stream', () => {
  it('ends the stream cleanly, records the interrupted turn, and resumes on the new server without gap or duplicate', async () => {
    const dataDir = await tempDirForTest('occ-restart-');
    const first = await startHarness({ dataDir });
    onTestFinished(() => first.server.close());
    const { session } = await first.client.createSession();
    const before = record<CloudSessionEvent>((handlers) => first.client.subscribeSessionEvents(session.sessionId, handlers));
    await first.client.promptSession(session.sessionId, { text: '[stream:2000]' });
    await before.until(partsAtLeast(5));
    await first.server.close();
    await before.until(() => before.closed);
    expect(before.errors).toEqual([]);

    const second = await startServerForTest({ dataDir });
    const client = clientFor(second.baseUrl, first.token);
    const after = record<CloudSessionEvent>((handlers) =>
      client.subscribeSessionEvents(session.sessionId, { ...handlers, afterSequence: before.events.at(-1)!.sequence }),
    );
    await after.until(hasType('session.idle'));
    after.close();
    const all = [...before.events, ...after.events];
    expectContiguous(all, 1, all.at(-1)!.sequence);
    expect(all.slice(-2).map((event) => event.type)).toEqual(['runtime.error', 'session.idle']);
    const view = await client.getSession(session.sessionId);
    expect(view.projection?.sequence).toBe(all.at(-1)!.sequence);
    expect(view.session.status).toBe('idle');
    // Two embedded stores are opened one after the other: seconds each on a busy machine.
  }, 120_000);
});
