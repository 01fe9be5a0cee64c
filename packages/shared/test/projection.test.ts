import { describe, expect, it } from 'vitest';
import type { CloudSessionEvent } from '../src/events.js';
import {
  applySessionEvent,
  type CloudSessionProjectionView,
  createEmptySessionProjectionView,
  reduceSessionEvents,
} from '../src/projection.js';

const SESSION = 'ses_1';

function event(sequence: number, type: string, payload: Record<string, unknown> = {}): CloudSessionEvent {
  return {
    tenantId: 't1',
    sessionId: SESSION,
    eventId: `${SESSION}:e${sequence}`,
    sequence,
    type,
    payload,
    createdAt: `2026-08-01T10:00:${String(sequence).padStart(2, '0')}.000Z`,
  };
}

/** Fold `[type, payload]` pairs with sequences 1, 2, 3… */
function fold(...steps: [string, Record<string, unknown>?][]): CloudSessionProjectionView {
  return reduceSessionEvents(steps.map(([type, payload], index) => event(index + 1, type, payload)));
}

describe('applySessionEvent: bookkeeping', () => {
  it('records the sequence and createdAt of the applied event', () => {
    const view = applySessionEvent(createEmptySessionProjectionView(SESSION), event(4, 'session.idle'));
    expect(view.sequence).toBe(4);
    expect(view.updatedAt).toBe('2026-08-01T10:00:04.000Z');
  });

  it('keeps updatedAt when the event has no createdAt', () => {
    const start = createEmptySessionProjectionView(SESSION, { updatedAt: '2026-01-01T00:00:00.000Z' });
    const { createdAt: _drop, ...bare } = event(1, 'session.idle');
    expect(applySessionEvent(start, bare).updatedAt).toBe('2026-01-01T00:00:00.000Z');
  });

  it('never mutates the input view', () => {
    const start = fold(['prompt.submitted', { messageId: 'm1', text: 'hi' }], ['tool.call', { id: 'c1', name: 'bash' }]);
    const snapshot = structuredClone(start);
    const frozen = Object.freeze(start);
    const events = [
      event(3, 'assistant.message', { messageId: 'm1', content: '!', mode: 'append' }),
      event(4, 'tool.call', { id: 'c1', status: 'complete' }),
      event(5, 'cost.updated', { cost: 1, tokens: { input: 1 } }),
      event(6, 'permission.requested', { id: 'p1' }),
    ];
    for (const next of events) applySessionEvent(frozen, next);
    expect(start).toEqual(snapshot);
  });

  it('ignores an event whose sequence is not newer than the view (duplicate or replayed)', () => {
    const view = fold(['prompt.submitted', { messageId: 'm1', text: 'hi' }], ['cost.updated', { cost: 0.5 }]);
    expect(applySessionEvent(view, event(2, 'cost.updated', { cost: 0.5 }))).toBe(view);
    expect(applySessionEvent(view, event(1, 'prompt.submitted', { messageId: 'm2', text: 'old' }))).toBe(view);
    expect(view.sessionCost).toBe(0.5);
  });

  it('ignores an event without a usable sequence', () => {
    const view = createEmptySessionProjectionView(SESSION);
    const broken = { ...event(1, 'session.idle'), sequence: Number.NaN };
    expect(applySessionEvent(view, broken)).toBe(view);
  });

  it('returns the same object for control events and unknown types, without advancing the sequence', () => {
    const view = createEmptySessionProjectionView(SESSION);
    for (const type of ['snapshot.required', 'channel.delivery', 'session.updated', 'future.thing', 'constructor']) {
      expect(applySessionEvent(view, event(1, type, { title: 'x' }))).toBe(view);
    }
  });

  it('treats a missing or non-object payload as empty', () => {
    const view = applySessionEvent(createEmptySessionProjectionView(SESSION), {
      ...event(1, 'session.idle'),
      payload: null as unknown as Record<string, unknown>,
    });
    expect(view.sequence).toBe(1);
  });
});

describe('createEmptySessionProjectionView', () => {
  it('has every field of the projection view with empty defaults, and takes presets', () => {
    const view = createEmptySessionProjectionView(SESSION, { title: 'T', profileName: 'default', status: 'running' });
    expect(view).toEqual({
      sessionId: SESSION,
      title: 'T',
      status: 'running',
      profileName: 'default',
      isGenerating: false,
      messages: [],
      toolCalls: [],
      taskRuns: [],
      pendingApprovals: [],
      pendingQuestions: [],
      resolvedApprovals: [],
      resolvedQuestions: [],
      artifacts: [],
      todos: [],
      errors: [],
      sessionCost: 0,
      sessionTokens: { input: 0, output: 0, reasoning: 0, cacheRead: 0, cacheWrite: 0 },
      lastInputTokens: 0,
      lastError: null,
      origin: null,
      projectSource: null,
      updatedAt: null,
      sequence: 0,
    });
  });
});

describe('reduceSessionEvents', () => {
  it('starts from an empty view of the first event session', () => {
    expect(reduceSessionEvents([event(1, 'session.created', { title: 'A' })]).sessionId).toBe(SESSION);
  });

  it('continues from a given view', () => {
    const initial = fold(['session.created', { title: 'A' }]);
    const view = reduceSessionEvents([event(2, 'cost.updated', { cost: 2 })], initial);
    expect(view.title).toBe('A');
    expect(view.sessionCost).toBe(2);
  });

  it('returns an empty view for no events', () => {
    expect(reduceSessionEvents([]).sequence).toBe(0);
  });
});

describe('session lifecycle events', () => {
  it('session.created sets the title, and keeps it when none is given', () => {
    expect(fold(['session.created', { title: 'Quarterly report' }]).title).toBe('Quarterly report');
    expect(fold(['session.created', { title: 'A' }], ['session.created', {}]).title).toBe('A');
  });

  it('session.imported sets the origin', () => {
    const view = fold([
      'session.imported',
      { sourceFingerprint: 'fp1', importedAt: '2026-07-01T00:00:00.000Z', itemCounts: { messages: 3 } },
    ]);
    expect(view.origin).toEqual({
      kind: 'local-session-import',
      sourceFingerprint: 'fp1',
      importedAt: '2026-07-01T00:00:00.000Z',
      itemCounts: { messages: 3 },
    });
  });

  it('session.imported falls back to the event time when importedAt is missing', () => {
    expect(fold(['session.imported', { sourceFingerprint: 'fp1' }]).origin?.importedAt).toBe('2026-08-01T10:00:01.000Z');
  });

  it('session.project_source.bound sets the project source summary without secrets or object keys', () => {
    const git = fold([
      'session.project_source.bound',
      { projectSource: { kind: 'git', repositoryUrl: 'https://g/r', ref: 'main', credentialRef: 'env:TOKEN' } },
    ]);
    expect(git.projectSource).toEqual({ kind: 'git', repositoryUrl: 'https://g/r', ref: 'main' });
    const snapshot = fold([
      'session.project_source.bound',
      { projectSource: { kind: 'snapshot', snapshotId: 's1', objectKey: 'k', fileCount: 2, byteCount: 9, title: 'x' } },
    ]);
    expect(snapshot.projectSource).toEqual({ kind: 'snapshot', snapshotId: 's1', title: 'x' });
  });

  it.each(['busy', 'running'])('session.status %s starts generating and sets status running', (statusType) => {
    const view = fold(['session.status', { statusType }]);
    expect(view.isGenerating).toBe(true);
    expect(view.status).toBe('running');
  });

  it('session.status idle stops generating', () => {
    const view = fold(['session.status', { statusType: 'busy' }], ['session.status', { statusType: 'idle' }]);
    expect(view.isGenerating).toBe(false);
    expect(view.status).toBe('idle');
  });

  it('session.status with another status type changes only the sequence', () => {
    const view = fold(['session.status', { statusType: 'busy' }], ['session.status', { statusType: 'retry' }]);
    expect(view.isGenerating).toBe(true);
    expect(view.sequence).toBe(2);
  });

  it('session.idle stops generating and sets status idle', () => {
    const view = fold(['session.status', { statusType: 'busy' }], ['session.idle', {}]);
    expect(view.isGenerating).toBe(false);
    expect(view.status).toBe('idle');
  });

  it('session.aborted stops generating', () => {
    const view = fold(['session.status', { statusType: 'busy' }], ['session.aborted', { commandId: 'c1' }]);
    expect(view.isGenerating).toBe(false);
    expect(view.status).toBe('idle');
  });

  it('runtime.error appends to errors and sets lastError, with id from id, commandId or the event id', () => {
    const view = fold(
      ['runtime.error', { message: 'boom', id: 'err1' }],
      ['runtime.error', { message: 'again', commandId: 'cmd1' }],
      ['runtime.error', {}],
    );
    expect(view.errors).toEqual([
      { id: 'err1', sessionId: SESSION, message: 'boom', order: 1 },
      { id: 'cmd1', sessionId: SESSION, message: 'again', order: 2 },
      { id: `${SESSION}:e3`, sessionId: SESSION, message: 'Unknown runtime error.', order: 3 },
    ]);
    expect(view.lastError).toBe('Unknown runtime error.');
  });
});

describe('messages', () => {
  it('prompt.submitted adds a user message with agent and attachments', () => {
    const attachments = [{ mime: 'image/png', url: 'data:image/png;base64,AA', filename: 'a.png' }];
    const view = fold(['prompt.submitted', { commandId: 'c1', messageId: 'm1', text: 'hello', agent: 'build', attachments }]);
    expect(view.messages).toEqual([
      {
        id: 'm1',
        role: 'user',
        content: 'hello',
        createdAt: '2026-08-01T10:00:01.000Z',
        order: 1,
        agent: 'build',
        attachments,
      },
    ]);
  });

  it('prompt.submitted falls back to the command id when there is no message id', () => {
    expect(fold(['prompt.submitted', { commandId: 'c1', text: 'x' }]).messages[0]?.id).toBe('c1');
  });

  it('assistant.message without mode creates, then replaces the content of the same id', () => {
    const view = fold(
      ['assistant.message', { messageId: 'a1', content: 'draft' }],
      ['assistant.message', { messageId: 'a1', content: 'final', mode: 'replace' }],
    );
    expect(view.messages).toEqual([{ id: 'a1', role: 'assistant', content: 'final', createdAt: '2026-08-01T10:00:01.000Z', order: 1 }]);
  });

  it('assistant.message with mode append appends content and attachments to the message with that id', () => {
    const a = { mime: 'text/plain', url: 'data:text/plain;base64,QQ' };
    const b = { mime: 'text/plain', url: 'data:text/plain;base64,Qg' };
    const view = fold(
      ['assistant.message', { messageId: 'a1', content: 'Hel', attachments: [a] }],
      ['assistant.message', { messageId: 'a2', content: 'other' }],
      ['assistant.message', { messageId: 'a1', content: 'lo', mode: 'append', attachments: [b] }],
    );
    expect(view.messages.map((message) => message.content)).toEqual(['Hello', 'other']);
    expect(view.messages[0]?.attachments).toEqual([a, b]);
    expect(view.messages[0]?.order).toBe(1);
  });

  it('assistant.message with mode append to an unknown id creates the message', () => {
    const view = fold(['assistant.message', { messageId: 'a1', content: 'Hi', mode: 'append' }]);
    expect(view.messages[0]).toMatchObject({ id: 'a1', role: 'assistant', content: 'Hi', order: 1 });
  });
});

describe('tool calls and task runs', () => {
  it.each(['id', 'callId', 'toolCallId'])('tool.call reads the call id from %s', (key) => {
    expect(fold(['tool.call', { [key]: 'call1', name: 'bash' }]).toolCalls[0]?.id).toBe('call1');
  });

  it('tool.call reads the tool name from name or tool', () => {
    expect(fold(['tool.call', { id: 'c', tool: 'read' }]).toolCalls[0]?.name).toBe('read');
  });

  it('tool.call upserts by id, keeping earlier fields and order', () => {
    const view = fold(
      ['tool.call', { id: 'c1', name: 'bash', input: { cmd: 'ls' }, status: 'running', agent: 'build', taskRunId: 't1' }],
      ['tool.call', { id: 'c2', name: 'read', input: {} }],
      ['tool.call', { id: 'c1', status: 'complete', output: 'a\nb', outputPaths: ['out.txt', 3], sourceSessionId: 'child' }],
    );
    expect(view.toolCalls).toHaveLength(2);
    expect(view.toolCalls[0]).toEqual({
      id: 'c1',
      sessionId: SESSION,
      name: 'bash',
      input: { cmd: 'ls' },
      status: 'complete',
      output: 'a\nb',
      outputPaths: ['out.txt'],
      agent: 'build',
      taskRunId: 't1',
      sourceSessionId: 'child',
      order: 1,
    });
  });

  it('tool.call with an unknown status counts as running, and error is kept', () => {
    expect(fold(['tool.call', { id: 'c', status: 'weird' }]).toolCalls[0]?.status).toBe('running');
    expect(fold(['tool.call', { id: 'c', status: 'error' }]).toolCalls[0]?.status).toBe('error');
  });

  it('tool.call keeps attachments', () => {
    const attachments = [{ mime: 'image/png', url: 'data:image/png;base64,AA', filename: 'shot.png' }];
    expect(fold(['tool.call', { id: 'c', attachments }]).toolCalls[0]?.attachments).toEqual(attachments);
  });

  it('an event without any id key changes only the sequence', () => {
    for (const type of ['tool.call', 'task.run', 'permission.requested', 'question.asked', 'artifact.created']) {
      const view = fold([type, { name: 'x' }]);
      expect(view).toEqual({ ...createEmptySessionProjectionView(SESSION), sequence: 1, updatedAt: view.updatedAt });
    }
  });

  it.each(['taskRunId', 'id'])('task.run reads the task run id from %s', (key) => {
    expect(fold(['task.run', { [key]: 'run1' }]).taskRuns[0]?.id).toBe('run1');
  });

  it('task.run upserts by id with title/taskTitle, costs and times', () => {
    const tokens = { input: 10, output: 5, reasoning: 1, cache: { read: 2, write: 3 } };
    const view = fold(
      [
        'task.run',
        {
          taskRunId: 'r1',
          taskTitle: 'Research',
          agent: 'explore',
          status: 'running',
          sourceSessionId: 'child',
          parentSessionId: SESSION,
          startedAt: 's',
        },
      ],
      ['task.run', { id: 'r1', status: 'complete', content: 'done', sessionCost: 0.2, sessionTokens: tokens, finishedAt: 'f' }],
    );
    expect(view.taskRuns).toEqual([
      {
        id: 'r1',
        sessionId: SESSION,
        title: 'Research',
        agent: 'explore',
        status: 'complete',
        sourceSessionId: 'child',
        parentSessionId: SESSION,
        content: 'done',
        error: null,
        sessionCost: 0.2,
        sessionTokens: { input: 10, output: 5, reasoning: 1, cacheRead: 2, cacheWrite: 3 },
        startedAt: 's',
        finishedAt: 'f',
        order: 1,
      },
    ]);
  });

  it('task.run reads title and records an error', () => {
    const view = fold(['task.run', { id: 'r1', title: 'Build', status: 'error', error: 'failed' }]);
    expect(view.taskRuns[0]).toMatchObject({ title: 'Build', status: 'error', error: 'failed' });
  });
});

describe('permissions', () => {
  it.each(['permissionId', 'id', 'requestId', 'requestID'])('permission.requested reads the id from %s', (key) => {
    const view = fold(['permission.requested', { [key]: 'p1', tool: 'bash', input: { cmd: 'rm' }, description: 'Run rm' }]);
    expect(view.pendingApprovals).toEqual([
      { id: 'p1', sessionId: SESSION, tool: 'bash', input: { cmd: 'rm' }, description: 'Run rm', order: 1 },
    ]);
  });

  it('permission.requested keeps taskRunId and sourceSessionId', () => {
    const view = fold(['permission.requested', { id: 'p1', taskRunId: 'r1', sourceSessionId: 'child' }]);
    expect(view.pendingApprovals[0]).toMatchObject({ taskRunId: 'r1', sourceSessionId: 'child' });
  });

  it('permission.resolved moves the approval to resolved with the request order and tool', () => {
    const view = fold(
      ['permission.requested', { permissionId: 'p1', tool: 'bash', description: 'Run ls', taskRunId: 'r1' }],
      ['permission.resolved', { requestID: 'p1', allowed: true, commandId: 'c9' }],
    );
    expect(view.pendingApprovals).toEqual([]);
    expect(view.resolvedApprovals).toEqual([
      {
        id: 'p1',
        sessionId: SESSION,
        taskRunId: 'r1',
        tool: 'bash',
        description: 'Run ls',
        allowed: true,
        order: 1,
        resolvedAt: '2026-08-01T10:00:02.000Z',
      },
    ]);
  });

  it.each([
    [{ allowed: true }, true],
    [{ allowed: false }, false],
    [{ reply: 'allow' }, true],
    [{ reply: 'once' }, true],
    [{ reply: 'always' }, true],
    [{ reply: 'reject' }, false],
    [{ response: 'allow' }, true],
    [{ response: 'once' }, true],
    [{ response: 'always' }, true],
    [{ response: 'deny' }, false],
    [{ response: true }, true],
    [{ response: { allowed: true } }, true],
    [{}, false],
  ])('permission.resolved %j ⇒ allowed %s', (answer, allowed) => {
    const view = fold(['permission.requested', { id: 'p1' }], ['permission.resolved', { id: 'p1', ...answer }]);
    expect(view.resolvedApprovals[0]?.allowed).toBe(allowed);
  });

  it('permission.resolved for an unseen request still records it', () => {
    const view = fold(['permission.resolved', { permissionId: 'p9', tool: 'edit', reply: 'once' }]);
    expect(view.resolvedApprovals[0]).toMatchObject({ id: 'p9', tool: 'edit', allowed: true, order: 1 });
  });
});

describe('questions', () => {
  const questions = [{ question: 'Which format?', options: ['pdf', 'docx'] }];

  it.each(['requestId', 'requestID', 'id'])('question.asked reads the id from %s', (key) => {
    const view = fold(['question.asked', { [key]: 'q1', questions, tool: { messageId: 'm1', callId: 'c1' }, sourceSessionId: 'child' }]);
    expect(view.pendingQuestions).toEqual([
      { id: 'q1', sessionId: SESSION, questions, tool: { messageId: 'm1', callId: 'c1' }, sourceSessionId: 'child', order: 1 },
    ]);
  });

  it.each(['requestId', 'id'])('question.resolved reads the id from %s and records the answers', (key) => {
    const view = fold(
      ['question.asked', { requestId: 'q1', questions, sourceSessionId: 'child' }],
      ['question.resolved', { [key]: 'q1', answers: [['pdf']], commandId: 'c2' }],
    );
    expect(view.pendingQuestions).toEqual([]);
    expect(view.resolvedQuestions).toEqual([
      {
        id: 'q1',
        sessionId: SESSION,
        sourceSessionId: 'child',
        questions,
        answers: [['pdf']],
        rejected: false,
        order: 1,
        resolvedAt: '2026-08-01T10:00:02.000Z',
      },
    ]);
  });

  it('question.resolved with rejected records a rejection without answers', () => {
    const view = fold(['question.asked', { id: 'q1', questions }], ['question.resolved', { id: 'q1', rejected: true }]);
    expect(view.resolvedQuestions[0]).toMatchObject({ rejected: true, answers: [] });
  });
});

describe('todos, cost and artifacts', () => {
  it('todos.updated replaces the todo list', () => {
    const view = fold(
      ['todos.updated', { todos: [{ content: 'a', status: 'pending', priority: 'high' }] }],
      ['todos.updated', { todos: [{ id: 't2', content: 'b', status: 'completed', priority: 'low' }, 'junk'] }],
    );
    expect(view.todos).toEqual([{ id: 't2', content: 'b', status: 'completed', priority: 'low' }]);
  });

  it('cost.updated sums deltas of cost and tokens, reading cacheRead/cacheWrite or cache.read/cache.write', () => {
    const view = fold(
      ['cost.updated', { cost: 0.01, tokens: { input: 100, output: 20, reasoning: 5, cacheRead: 10, cacheWrite: 1 } }],
      ['cost.updated', { cost: 0.02, tokens: { input: 150, output: 30, reasoning: 0, cache: { read: 5, write: 2 } } }],
    );
    expect(view.sessionCost).toBeCloseTo(0.03);
    expect(view.sessionTokens).toEqual({ input: 250, output: 50, reasoning: 5, cacheRead: 15, cacheWrite: 3 });
    expect(view.lastInputTokens).toBe(150);
  });

  it('cost.updated without tokens adds only the cost and keeps lastInputTokens', () => {
    const view = fold(['cost.updated', { cost: 1, tokens: { input: 7 } }], ['cost.updated', { cost: 2 }]);
    expect(view.sessionCost).toBe(3);
    expect(view.lastInputTokens).toBe(7);
  });

  it.each(['artifactId', 'cloudArtifactId', 'id'])('artifact.created reads the id from %s', (key) => {
    const view = fold([
      'artifact.created',
      { [key]: 'a1', filename: 'r.pdf', contentType: 'application/pdf', size: 9, kind: 'document', status: 'draft' },
    ]);
    expect(view.artifacts).toEqual([
      { id: 'a1', sessionId: SESSION, filename: 'r.pdf', mime: 'application/pdf', size: 9, kind: 'document', status: 'draft', order: 1 },
    ]);
  });

  it('artifact.updated upserts by id, reads mime, and keeps extra fields and the creation order', () => {
    const view = fold(
      [
        'artifact.created',
        { artifactId: 'a1', filename: 'r.pdf', mime: 'application/pdf', status: 'draft', filePath: 'cloud-artifact://a1/r.pdf' },
      ],
      ['artifact.updated', { cloudArtifactId: 'a1', status: 'final', statusUpdatedBy: 'u1' }],
    );
    expect(view.artifacts).toEqual([
      {
        id: 'a1',
        sessionId: SESSION,
        filename: 'r.pdf',
        mime: 'application/pdf',
        size: null,
        kind: null,
        status: 'final',
        filePath: 'cloud-artifact://a1/r.pdf',
        statusUpdatedBy: 'u1',
        order: 1,
      },
    ]);
  });
});

describe('a realistic conversation', () => {
  it('folds to the expected view', () => {
    const view = fold(
      ['session.created', { title: 'Sales summary' }],
      ['prompt.submitted', { commandId: 'cmd1', messageId: 'u1', text: 'Summarise sales.csv', agent: 'build' }],
      ['session.status', { statusType: 'busy' }],
      ['assistant.message', { messageId: 'a1', content: 'Reading ' }],
      ['tool.call', { callId: 'tc1', tool: 'read', input: { path: 'sales.csv' }, status: 'running' }],
      ['tool.call', { callId: 'tc1', status: 'complete', output: '3 rows' }],
      ['permission.requested', { permissionId: 'p1', tool: 'bash', description: 'Run python', input: { cmd: 'python' } }],
      ['permission.resolved', { permissionId: 'p1', response: 'once' }],
      ['question.asked', { requestID: 'q1', questions: [{ question: 'Chart?' }] }],
      ['question.resolved', { requestId: 'q1', answers: [['yes']] }],
      ['todos.updated', { todos: [{ content: 'Write summary', status: 'completed', priority: 'high' }] }],
      ['assistant.message', { messageId: 'a1', content: 'the file… Total: 42.', mode: 'append' }],
      [
        'artifact.created',
        { artifactId: 'art1', filename: 'chart.png', contentType: 'image/png', size: 512, kind: 'chart', status: 'draft' },
      ],
      ['cost.updated', { cost: 0.004, tokens: { input: 1200, output: 300, reasoning: 0, cache: { read: 800, write: 0 } } }],
      ['session.idle', {}],
    );
    expect(view).toMatchObject({
      sessionId: SESSION,
      title: 'Sales summary',
      status: 'idle',
      isGenerating: false,
      sessionCost: 0.004,
      sessionTokens: { input: 1200, output: 300, reasoning: 0, cacheRead: 800, cacheWrite: 0 },
      lastInputTokens: 1200,
      lastError: null,
      sequence: 15,
      updatedAt: '2026-08-01T10:00:15.000Z',
    });
    expect(view.messages.map(({ id, role, content, order }) => ({ id, role, content, order }))).toEqual([
      { id: 'u1', role: 'user', content: 'Summarise sales.csv', order: 2 },
      { id: 'a1', role: 'assistant', content: 'Reading the file… Total: 42.', order: 4 },
    ]);
    expect(view.toolCalls).toEqual([
      { id: 'tc1', sessionId: SESSION, name: 'read', input: { path: 'sales.csv' }, status: 'complete', output: '3 rows', order: 5 },
    ]);
    expect(view.pendingApprovals).toEqual([]);
    expect(view.resolvedApprovals).toMatchObject([{ id: 'p1', tool: 'bash', allowed: true, order: 7 }]);
    expect(view.pendingQuestions).toEqual([]);
    expect(view.resolvedQuestions).toMatchObject([{ id: 'q1', answers: [['yes']], rejected: false, order: 9 }]);
    expect(view.todos).toEqual([{ content: 'Write summary', status: 'completed', priority: 'high' }]);
    expect(view.artifacts).toMatchObject([{ id: 'art1', filename: 'chart.png', mime: 'image/png', order: 13 }]);
  });

  it('gives the same view when the stream is replayed on top of itself', () => {
    const events = [
      event(1, 'prompt.submitted', { messageId: 'u1', text: 'hi' }),
      event(2, 'assistant.message', { messageId: 'a1', content: 'Hel' }),
      event(3, 'assistant.message', { messageId: 'a1', content: 'lo', mode: 'append' }),
      event(4, 'cost.updated', { cost: 1 }),
    ];
    const once = reduceSessionEvents(events);
    expect(reduceSessionEvents([...events, ...events])).toEqual(once);
    expect(once.messages[1]?.content).toBe('Hello');
    expect(once.sessionCost).toBe(1);
  });
});
