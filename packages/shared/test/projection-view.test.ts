import { describe, expect, it } from 'vitest';
import {
  applySessionEvent,
  createEmptySessionProjectionView,
  normalizeSessionProjectionView,
  reduceSessionEvents,
  sessionProjectionViewFromCloudView,
} from '../src/projection.js';
import type { CloudSessionView, SessionRecord } from '../src/session.js';

const record: SessionRecord = {
  tenantId: 't1',
  userId: 'u1',
  sessionId: 'ses_1',
  opencodeSessionId: null,
  profileName: 'default',
  status: 'running',
  title: 'From the record',
  projectSource: { kind: 'git', repositoryUrl: 'https://g/r' },
  createdAt: '2026-08-01T00:00:00.000Z',
  updatedAt: '2026-08-01T00:00:00.000Z',
};

describe('normalizeSessionProjectionView', () => {
  it.each([undefined, null, 42, 'view', []])('turns %j into an empty view of the session', (value) => {
    expect(normalizeSessionProjectionView(value, 'ses_1')).toEqual(createEmptySessionProjectionView('ses_1'));
  });

  it('keeps a complete view as it is', () => {
    const view = reduceSessionEvents([
      { eventId: 'e1', sessionId: 'ses_1', sequence: 1, type: 'session.created', payload: { title: 'T' } },
      { eventId: 'e2', sessionId: 'ses_1', sequence: 2, type: 'prompt.submitted', payload: { messageId: 'm', text: 'hi' } },
      { eventId: 'e3', sessionId: 'ses_1', sequence: 3, type: 'cost.updated', payload: { cost: 1, tokens: { input: 3 } } },
      { eventId: 'e4', sessionId: 'ses_1', sequence: 4, type: 'session.imported', payload: { sourceFingerprint: 'f' } },
    ]);
    expect(normalizeSessionProjectionView(JSON.parse(JSON.stringify(view)), 'ses_1')).toEqual(view);
  });

  it('fills missing fields with defaults and drops mistyped ones', () => {
    const view = normalizeSessionProjectionView(
      {
        title: 7,
        status: 'exploded',
        isGenerating: 'yes',
        messages: [{ id: 'm1', role: 'user', content: 'hi', createdAt: null, order: 1 }, 'junk', null],
        toolCalls: 'nope',
        sessionCost: '3',
        sessionTokens: { input: 5, cache: { read: 2 } },
        origin: { kind: 'local-session-import' },
        projectSource: { kind: 'ftp' },
      },
      'ses_1',
    );
    expect(view).toMatchObject({
      sessionId: 'ses_1',
      title: null,
      status: 'idle',
      isGenerating: false,
      messages: [{ id: 'm1', role: 'user', content: 'hi', createdAt: null, order: 1 }],
      toolCalls: [],
      sessionCost: 0,
      sessionTokens: { input: 5, output: 0, reasoning: 0, cacheRead: 2, cacheWrite: 0 },
      origin: null,
      projectSource: null,
      sequence: 0,
    });
  });

  it('keeps the session id stored in the view', () => {
    expect(normalizeSessionProjectionView({ sessionId: 'ses_9' }, 'ses_1').sessionId).toBe('ses_9');
  });
});

describe('sessionProjectionViewFromCloudView', () => {
  it('takes the resume cursor from projection.sequence so later events fold on top', () => {
    const cloudView: CloudSessionView = {
      session: record,
      projection: { sessionId: 'ses_1', sequence: 12, view: { title: 'Projected', status: 'idle' }, updatedAt: 'x' },
    };
    const view = sessionProjectionViewFromCloudView(cloudView);
    expect(view).toMatchObject({ sequence: 12, title: 'Projected', status: 'idle', profileName: 'default' });
    const replayed = { eventId: 'e', sequence: 12, type: 'session.created', payload: { title: 'Old' } };
    expect(applySessionEvent(view, replayed)).toBe(view);
  });

  it('falls back to the session record when there is no projection', () => {
    const view = sessionProjectionViewFromCloudView({ session: record, projection: null });
    expect(view).toMatchObject({
      sessionId: 'ses_1',
      title: 'From the record',
      status: 'running',
      profileName: 'default',
      projectSource: { kind: 'git', repositoryUrl: 'https://g/r' },
      sequence: 0,
    });
  });
});
