import {
  applySessionEvent,
  createEmptySessionProjectionView,
  type CloudSessionEventOf,
  type CloudSessionEventPayloads,
  type UnknownCloudSessionEvent,
} from '@open-cowork/shared';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { createHttpSseCloudTransportAdapter, type CloudFetch } from '../../src/adapter.js';
import type { CloudSessionStreamEvent } from '../../src/domains/transport.js';
import { controllableStream, settle, sseResponse } from '../helpers/streams.js';

// A turn as the reference server's scripted runtime writes it, plus a type from a newer server.
const turn: Array<[string, Record<string, unknown>]> = [
  ['prompt.submitted', { commandId: 'c1', messageId: 'c1:message', text: 'Hello', agent: null }],
  ['session.status', { statusType: 'busy' }],
  ['tool.call', { id: 'c1:tool', name: 'read', input: { path: 'README.md' }, status: 'running' }],
  ['assistant.message', { messageId: 'c1:reply', content: 'Scripted reply ', mode: 'append' }],
  ['assistant.message', { messageId: 'c1:reply', content: 'to "Hello".', mode: 'append' }],
  ['session.newer_feature', { anything: true }],
  ['cost.updated', { cost: 0.0001, tokens: { input: 5, output: 26, reasoning: 0, cacheRead: 0, cacheWrite: 0 } }],
  ['session.idle', {}],
];

function stream(events: Array<[string, Record<string, unknown>]>) {
  const body = controllableStream();
  const fetch = (async () => sseResponse(body.body)) as unknown as CloudFetch;
  const cloud = createHttpSseCloudTransportAdapter({ baseUrl: 'https://cloud.test', headers: { authorization: 'Bearer t' }, fetch });
  const write = () =>
    body.write(
      events
        .map(([type, payload], index) => {
          const event = { eventId: `e${index + 1}`, sequence: index + 1, type, payload, sessionId: 's1' };
          return `id: ${index + 1}\nevent: ${type}\ndata: ${JSON.stringify(event)}\n\n`;
        })
        .join(''),
    );
  return { cloud, write };
}

describe('typed session events', () => {
  it('narrowing on type gives the payload as the server writes it', async () => {
    const { cloud, write } = stream(turn);
    let reply = '';
    const unknownTypes: string[] = [];
    let tokens = 0;
    cloud.subscribeSessionEvents('s1', {
      onEvent(event) {
        switch (event.type) {
          case 'assistant.message':
            expectTypeOf(event.payload.content).toEqualTypeOf<string>();
            reply += event.payload.content;
            break;
          case 'cost.updated':
            tokens += event.payload.tokens.output ?? 0;
            break;
          case 'snapshot.required':
          case 'session.idle':
            break;
          default:
            if (!['prompt.submitted', 'session.status', 'tool.call'].includes(event.type)) unknownTypes.push(event.type);
        }
      },
    });
    write();
    await settle();
    expect(reply).toBe('Scripted reply to "Hello".');
    expect(tokens).toBe(26);
    expect(unknownTypes).toEqual(['session.newer_feature']);
  });

  it('the projection reducer folds the same events into the reply', async () => {
    const { cloud, write } = stream(turn);
    let view = createEmptySessionProjectionView('s1');
    cloud.subscribeSessionEvents('s1', {
      onEvent(event) {
        if (event.type !== 'snapshot.required') view = applySessionEvent(view, event);
      },
    });
    write();
    await settle();
    expect(view.messages.map((message) => [message.role, message.content])).toEqual([
      ['user', 'Hello'],
      ['assistant', 'Scripted reply to "Hello".'],
    ]);
    expect(view.isGenerating).toBe(false);
  });

  it('types every event type of the contract, and only those', () => {
    expectTypeOf<CloudSessionEventOf<'tool.call'>['payload']['status']>().toEqualTypeOf<'running' | 'complete' | 'error'>();
    expectTypeOf<CloudSessionEventPayloads['question.resolved']['answers']>().toEqualTypeOf<unknown[] | null>();
    expectTypeOf<Extract<CloudSessionStreamEvent, { type: 'runtime.error' }>['payload']['message']>().toEqualTypeOf<string>();
    expectTypeOf<UnknownCloudSessionEvent['payload']>().toEqualTypeOf<Record<string, unknown>>();
  });
});
