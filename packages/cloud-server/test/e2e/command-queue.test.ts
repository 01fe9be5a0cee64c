import type { CloudSessionEvent } from '@open-cowork/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engines } from '@open-cowork/test-support/db';
import { type Harness, record, startHarness, waitFor } from './harness.js';

type Status = {
  canExecute: boolean;
  process: { role: string; workerId: string | null };
  workers: unknown[];
  queue: { pending: number; running: number };
};

describe.each(engines)('the command queue (%s)', (engine) => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ engine });
  });
  afterAll(() => h.server.close());

  it('an abort stops the running turn and cancels every prompt queued behind it, each with an event; a prompt sent after it runs', async () => {
    const { session } = await h.client.createSession();
    const { sessionId } = session;
    const recording = record<CloudSessionEvent>((handlers) => h.client.subscribeSessionEvents(sessionId, handlers));
    const running = await h.client.promptSession(sessionId, { text: 'long [stream:5000]' });
    const queued: string[] = [];
    for (let n = 0; n < 8; n += 1) queued.push((await h.client.promptSession(sessionId, { text: `queued ${n}` })).command.commandId);
    await recording.until((events) => events.some((event) => event.type === 'assistant.message'));
    const status = (await h.client.getRuntimeStatus()) as unknown as Status;
    expect(status.queue).toEqual({ pending: 8, running: 1 });

    await h.client.abortSession(sessionId);
    const cancelledEvery = (events: CloudSessionEvent[]) =>
      queued.every((id) => events.some((event) => event.type === 'runtime.error' && event.payload.commandId === id));
    const events = await recording.until(cancelledEvery);
    for (const id of queued) {
      const ofPrompt = events.filter((event) => event.payload.commandId === id);
      expect(ofPrompt.map((event) => [event.type, event.payload.code ?? null])).toEqual([
        ['prompt.submitted', null],
        ['runtime.error', 'runtime.cancelled'],
      ]);
    }
    // Nothing of the aborted turn lands after the abort.
    const aborted = events.findIndex((event) => event.type === 'session.aborted');
    expect(events.slice(aborted + 1).filter((event) => event.payload.commandId === running.command.commandId)).toEqual([]);
    expect((await h.client.getSession(sessionId)).session.status).toBe('idle');

    const after = await h.client.promptSession(sessionId, { text: 'after the abort' });
    await recording.until((all) =>
      all.some((event) => event.type === 'session.idle' && event.payload.commandId === after.command.commandId),
    );
    recording.close();
    await waitFor(async () => ((await h.client.getRuntimeStatus()) as unknown as Status).queue.pending === 0, { what: 'an empty queue' });
  });
});

describe('a server of role api', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ config: { role: 'api' } });
  });
  afterAll(() => h.server.close());

  it('queues prompts without running them, and says so in its runtime status', async () => {
    const { session } = await h.client.createSession();
    const prompted = await h.client.promptSession(session.sessionId, { text: 'nobody runs this' });
    expect(prompted).toMatchObject({ processed: 0, projectionFence: null, command: { status: 'pending', attemptCount: 0 } });
    const status = (await h.client.getRuntimeStatus()) as unknown as Status;
    expect(status).toMatchObject({
      canExecute: false,
      process: { role: 'api', workerId: null },
      workers: [],
      queue: { pending: 1, running: 0 },
    });
  });
});

describe('a server of role worker', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ config: { role: 'worker' } });
  });
  afterAll(() => h.server.close());

  it('answers only health and runtime status over HTTP', async () => {
    const headers = { authorization: `Bearer ${h.token}` };
    expect((await fetch(`${h.server.baseUrl}/livez`)).status).toBe(200);
    const status = (await (await fetch(`${h.server.baseUrl}/api/runtime/status`, { headers })).json()) as Status;
    expect(status).toMatchObject({ canExecute: true, process: { role: 'worker', workerId: expect.stringMatching(/^wrk_/) } });
    const refused = await fetch(`${h.server.baseUrl}/api/sessions`, { headers });
    expect(refused.status).toBe(404);
    expect(await refused.json()).toMatchObject({ code: 'route.not_found' });
  });
});
